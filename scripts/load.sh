#!/usr/bin/env bash
# Load test: the net/http example server (embedded user pool) under load from
# a second process (cmd/loadgen) on 127.0.0.1, with 5% bad tokens mixed in.
# Fails on any wrong verdict, any 5xx, or server RSS growth above 20% after
# warm-up. Prints p50/p99 latency and throughput; writes JSON to $LOAD_JSON.
#
# Usage: scripts/load.sh [SECONDS]   (default 30)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs="${1:-30}"
work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

go build -o "$work/server" ./examples/nethttp
go build -o "$work/loadgen" ./cmd/loadgen
"$work/server" -addr 127.0.0.1:0 >"$work/server.out" 2>&1 &
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

echo "load: $url/me for ${secs}s, 5% bad tokens, server PID $server_pid"
"$work/loadgen" -url "$url/me" -tokens "$work/tokens.txt" -duration "${secs}s" \
  -bad-ratio 0.05 -c 8 -pid "$server_pid" -warmup "$(( secs / 6 + 1 ))s" \
  ${LOAD_JSON:+-json "$LOAD_JSON"}
