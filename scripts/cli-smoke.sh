#!/usr/bin/env bash
# Smoke test of the cognitoauth command, run as a user would: start the fake
# pool in the background, mint a token from its endpoint, then decode,
# verify (online and offline) and list keys; stop the pool. Any unexpected
# exit status fails the run. Needs curl.
#
# Usage: scripts/cli-smoke.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work="$(mktemp -d)"
pool_pid=""
cleanup() { [ -n "$pool_pid" ] && kill "$pool_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
say() { printf '\n$ %s\n' "$*"; }

go build -o "$work/cognitoauth" ./cmd/cognitoauth
bin="$work/cognitoauth"

"$bin" pool --addr 127.0.0.1:0 --ca-out "$work/ca.pem" --user alice --groups admin >"$work/pool.out" 2>&1 &
pool_pid=$!
for _ in $(seq 100); do
  grep -q '^serving until interrupted' "$work/pool.out" && break
  kill -0 "$pool_pid" 2>/dev/null || { cat "$work/pool.out"; echo "pool exited"; exit 1; }
  sleep 0.1
done
grep -q '^serving until interrupted' "$work/pool.out" || { cat "$work/pool.out"; echo "pool not ready"; exit 1; }
field() { sed -n "s/^  $1 *//p" "$work/pool.out" | head -1; }
pool_id="$(field 'user pool ID')"
client="$(field 'client ID')"
jwks_url="$(field 'JWKS URL')"
mint_url="$(field 'mint' | awk '{print $2}')"
echo "pool $pool_id, client $client, keys at $jwks_url"

say "curl -X POST $mint_url (mint an access token for bob)"
curl -fsS --cacert "$work/ca.pem" -H 'Content-Type: application/json' \
  -d '{"username":"bob","groups":["ops"],"scopes":["orders.read"],"ttl":"15m"}' "$mint_url" >"$work/mint.json"
token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' "$work/mint.json")"
[ -n "$token" ] || { cat "$work/mint.json"; echo "no token minted"; exit 1; }

say "cognitoauth decode - <token"
"$bin" decode - <<<"$token" >"$work/decode.out"
head -3 "$work/decode.out"
grep -q '^NOT VERIFIED' "$work/decode.out"

say "cognitoauth verify --pool $pool_id --client $client --use access --jwks-url ... --ca ca.pem <token"
"$bin" verify --pool "$pool_id" --client "$client" --use access --jwks-url "$jwks_url" --ca "$work/ca.pem" <<<"$token" | tee "$work/verify.out"
grep -q 'username  bob' "$work/verify.out"

say "cognitoauth keys --pool $pool_id --jwks-url ... --ca ca.pem --save jwks.json"
"$bin" keys --pool "$pool_id" --jwks-url "$jwks_url" --ca "$work/ca.pem" --save "$work/jwks.json"

say "cognitoauth verify --use id --jwks jwks.json --json <token> (must refuse: an access token)"
status=0
"$bin" verify --pool "$pool_id" --client "$client" --use id --jwks "$work/jwks.json" --json <<<"$token" || status=$?
[ "$status" = 1 ] || { echo "exit status $status, want 1"; exit 1; }

say "kill the pool"
kill -INT "$pool_pid"
wait "$pool_pid"
pool_pid=""
say "cognitoauth verify after the pool stopped (keys unavailable: exit 3)"
status=0
"$bin" verify --pool "$pool_id" --client "$client" --jwks-url "$jwks_url" --ca "$work/ca.pem" --timeout 2s <<<"$token" >/dev/null || status=$?
[ "$status" = 3 ] || { echo "exit status $status, want 3"; exit 1; }
echo "cli smoke: ok"
