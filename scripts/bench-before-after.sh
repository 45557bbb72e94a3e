#!/usr/bin/env bash
# Compare verifier.Verify on the configured-pool path between a base commit
# and the working tree, in one process: the base is copied under another
# module path, and a benchmark alternates batches of 16 calls between the
# two verifiers on the same token and keys. It reports x-before, the new
# time over the old, as the median over the pairs, which load changing by
# the second does not skew (plain benchstat of separate runs does, on a
# shared machine).
#
# Usage: scripts/bench-before-after.sh [base-commit] [count]   default main, 4
set -euo pipefail
base="${1:-main}" count="${2:-4}"
root="$(git rev-parse --show-toplevel)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/base" "$tmp/ab"
git -C "$root" archive "$base" | tar -x -C "$tmp/base"
sed -i 's#^module github.com/cognitoauth/cognitoauth$#module cognitoauthbase#' "$tmp/base/go.mod"
grep -rl 'github.com/cognitoauth/cognitoauth' --include='*.go' "$tmp/base" |
  xargs sed -i 's#github.com/cognitoauth/cognitoauth#cognitoauthbase#g'
cp "$root/go.sum" "$tmp/ab/"
cat >"$tmp/ab/go.mod" <<EOF
module ab

go 1.25.0

require (
	cognitoauthbase v0.0.0
	github.com/cognitoauth/cognitoauth v0.0.0
)

replace (
	cognitoauthbase => $tmp/base
	github.com/cognitoauth/cognitoauth => $root
)
EOF
cat >"$tmp/ab/ab_test.go" <<'EOF'
package ab

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"testing"
	"time"

	oldv "cognitoauthbase/verifier"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	newv "github.com/cognitoauth/cognitoauth/verifier"
)

func BenchmarkAB(b *testing.B) {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	kid, key := pool.SigningKey()
	now := time.Now()
	t := strconv.FormatInt(now.Unix(), 10)
	header := `{"kid":"` + kid + `","alg":"RS256"}`
	payload := `{"sub":"df0c456e-05ed-4517-912d-2dfd7a8d12ef","cognito:groups":["admin","support"],"iss":"` + pool.Issuer() +
		`","aud":"` + pool.ClientID() + `","token_use":"id","auth_time":` + t + `,"exp":` +
		strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `,"iat":` + t + `,"custom:tenant":"acme"}`
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	token := input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(key, input))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		cache int
	}{{"uncached", -1}, {"cached", 0}} {
		b.Run(tc.name, func(b *testing.B) {
			o, err := oldv.New(oldv.Config{UserPoolID: pool.UserPoolID(), ClientIDs: pool.ClientIDs(), TokenUse: oldv.IDToken,
				JWKSURL: pool.JWKSURL(), JWKS: pool.JWKS(), HTTPClient: pool.HTTPClient(), CacheSize: tc.cache})
			if err != nil {
				b.Fatal(err)
			}
			defer o.Close()
			n, err := newv.New(newv.Config{UserPoolID: pool.UserPoolID(), ClientIDs: pool.ClientIDs(), TokenUse: newv.IDToken,
				JWKSURL: pool.JWKSURL(), JWKS: pool.JWKS(), HTTPClient: pool.HTTPClient(), CacheSize: tc.cache})
			if err != nil {
				b.Fatal(err)
			}
			defer n.Close()
			timed := func(verify func(context.Context, string) error) time.Duration {
				s := time.Now()
				for range 16 {
					if err := verify(ctx, token); err != nil {
						b.Fatal(err)
					}
				}
				return time.Since(s)
			}
			verifyOld := func(ctx context.Context, tok string) error { _, err := o.Verify(ctx, tok); return err }
			verifyNew := func(ctx context.Context, tok string) error { _, err := n.Verify(ctx, tok); return err }
			ratios := make([]float64, 0, 1<<18)
			odd := false
			for b.Loop() {
				var before, after time.Duration
				if odd = !odd; odd {
					before, after = timed(verifyOld), timed(verifyNew)
				} else {
					after, before = timed(verifyNew), timed(verifyOld)
				}
				if len(ratios) < cap(ratios) {
					ratios = append(ratios, float64(after)/float64(before))
				}
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], "x-before")
		})
	}
}
EOF
cd "$tmp/ab"
export GOFLAGS=-mod=mod
go test -run '^$' -bench 'AB/^uncached$' -benchtime 300x -count "$count" . | grep '^Benchmark'
go test -run '^$' -bench 'AB/^cached$' -benchtime 50000x -count "$count" . | grep '^Benchmark'
