#!/usr/bin/env bash
# Load test: the net/http example server (embedded user pool) under load from
# a second process (cmd/loadgen) on 127.0.0.1, with 5% bad tokens mixed in,
# for 102 users. Midway, loadgen revokes 20% of the users' sign-ins through
# the Redis the server's revocation list shares (redis-server from PATH; the
# server's own POST /logout when there is none): from the propagation bound
# on, every request with a revoked token must be refused.
# Fails on any wrong verdict, any revoked token accepted after the bound, any
# 5xx, or server RSS growth above 20% after warm-up. Prints p50/p99 latency
# and throughput; writes JSON to $LOAD_JSON.
#
# Usage: scripts/load.sh [SECONDS]   (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${1:-30}"
work="$(mktemp -d)"
server_pid=""
redis_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A redis-server of our own on a free port, if there is one on PATH.
redis_args=()
revoke_args=()
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
  for _ in $(seq 20); do
    port=$(( 20000 + RANDOM % 20000 ))
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
      --daemonize no --loglevel warning >"$work/redis.out" 2>&1 &
    redis_pid=$!
    for _ in $(seq 50); do
      [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ] && break 2
      kill -0 "$redis_pid" 2>/dev/null || break
      sleep 0.05
    done
    kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; redis_pid=""
  done
  [ -n "$redis_pid" ] || { echo "load.sh: could not start redis-server"; cat "$work/redis.out"; exit 1; }
  redis_args=(-redis "127.0.0.1:$port")
  revoke_args=(-revoke-redis "127.0.0.1:$port")
fi

go build -o "$work/server" ./examples/nethttp
go build -o "$work/loadgen" ./cmd/loadgen
"$work/server" -addr 127.0.0.1:0 "${redis_args[@]}" -users-file "$work/users.txt" -users 100 >"$work/server.out" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^export ADMIN_TOKEN=' "$work/server.out" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.out"; exit 1; }
  sleep 0.1
done
url="$(grep -o 'listening on http://[0-9.:]*' "$work/server.out" | head -1 | sed 's/listening on //')"
[ -n "$url" ] || { echo "load.sh: server did not start"; cat "$work/server.out"; exit 1; }
sed -n "s/^export \(USER\|ADMIN\)_TOKEN='\(.*\)'$/\2/p" "$work/server.out" >"$work/tokens.txt"
[ "$(wc -l <"$work/tokens.txt")" -eq 2 ] || { echo "load.sh: could not read the demo tokens"; exit 1; }
cat "$work/users.txt" >>"$work/tokens.txt"
[ ${#revoke_args[@]} -gt 0 ] || revoke_args=(-revoke-url "$url/logout")

echo "load: $url/me for ${secs}s, 5% bad tokens, $(wc -l <"$work/tokens.txt") users, 20% revoked midway (${revoke_args[*]}), server PID $server_pid"
"$work/loadgen" -url "$url/me" -tokens "$work/tokens.txt" -duration "${secs}s" \
  -bad-ratio 0.05 -c 8 -pid "$server_pid" -warmup "$(( secs / 6 + 1 ))s" \
  -revoke-ratio 0.2 "${revoke_args[@]}" -propagation 500ms \
  ${LOAD_JSON:+-json "$LOAD_JSON"}
