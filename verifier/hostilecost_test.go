package verifier_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/internal/hostilejson"
	"github.com/cognitoauth/cognitoauth/verifier"
	"github.com/cognitoauth/cognitoauth/verifier/internal/hostile"
)

// largeTokenSize is the raised MaxTokenSize the cost cases are grown to:
// 16 times the default.
const largeTokenSize = 16 * verifier.DefaultMaxTokenSize

// costCase is one worst-case shape as tokens of the default and the 16×
// size, and the sentinel both must be refused with.
type costCase struct {
	name         string
	small, large string
	want         error
	// bound is the most it may cost, in verifications of a valid token,
	// in TestHostileCostLinear: the 2× principle with slack, plus the one
	// RSA check a bad signature costs.
	bound float64
}

// costFixture holds the verifiers the cost cases run against (the cache
// off, keys preloaded) and a valid token to compare with.
type costFixture struct {
	small, large *verifier.Verifier
	valid        string
	cases        []costCase
}

func newCostFixture(tb testing.TB) *costFixture {
	tb.Helper()
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	cfg := pool.Config(verifier.IDToken)
	cfg.JWKS = pool.JWKS()
	cfg.CacheSize = -1
	small := buildVerifier(tb, cfg)
	cfg.MaxTokenSize = largeTokenSize
	large := buildVerifier(tb, cfg)
	kid, key := pool.SigningKey()
	fx := &costFixture{small: small, large: large, valid: benchToken(kid, key, pool.Issuer(), pool.ClientID(), time.Now())}

	header := `{"kid":"` + kid + `","alg":"RS256"}`
	badSig := make([]byte, 256)
	for i := range badSig {
		badSig[i] = byte(255 - i)
	}
	for _, sh := range hostilejson.Shapes() {
		for _, variant := range []struct {
			name, iss string
			want      error
			bound     float64
		}{
			{"junk iss", hostile.JunkIssuer, verifier.ErrIssuerMismatch, 3.5},
			{"bad signature", pool.Issuer(), verifier.ErrSignatureInvalid, 4.5},
		} {
			want := variant.want
			if strings.HasPrefix(sh.Open, `"iss"`) {
				if variant.want != verifier.ErrIssuerMismatch {
					continue // the shape's own iss is refused before the signature
				}
			}
			prefix := `"iss":"` + variant.iss + `","token_use":"id"`
			fx.cases = append(fx.cases, costCase{
				name:  sh.Name + ", " + variant.name,
				small: hostile.ShapeToken(header, sh, prefix, verifier.DefaultMaxTokenSize, badSig),
				large: hostile.ShapeToken(header, sh, prefix, largeTokenSize, badSig),
				want:  want,
				bound: variant.bound,
			})
		}
	}
	return fx
}

// timeVerify returns how long one Verify of token takes, checking that it
// ends with want (nil: accepted).
func timeVerify(tb testing.TB, v *verifier.Verifier, token string, want error) time.Duration {
	start := time.Now()
	_, err := v.Verify(context.Background(), token)
	d := time.Since(start)
	if !errors.Is(err, want) || (want == nil) != (err == nil) {
		tb.Fatalf("Verify: got %v, want %v", err, want)
	}
	return d
}

// TestHostileCostLinear bounds what a token refused at or before its
// signature check can cost: linear in its size, so that the same shape at
// 16 times the default MaxTokenSize costs at most 32 times as much (the
// principle is 20×, which BenchmarkHostileCost reports; quadratic decoding
// of distinct custom names cost 270×), and, without the race detector, at
// most 3.5 times one verification of a valid token at the default size (the
// principle is 2×; 4.5 when the refusal is the signature check, which adds
// one RSA verification). Times are the minimum of interleaved repetitions: noise
// only ever adds time, so the minimum is what the code costs.
//
// The race detector slows decoding far more, and far more unevenly, than
// RSA, so its times say nothing about the code: under -race the test only
// checks the verdicts. CI runs it again without -race.
func TestHostileCostLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("times many verifications")
	}
	fx := newCostFixture(t)
	const rounds = 15
	for _, tc := range fx.cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.small) > verifier.DefaultMaxTokenSize || len(tc.small) < verifier.DefaultMaxTokenSize-8 ||
				len(tc.large) > largeTokenSize || len(tc.large) < largeTokenSize-8 {
				t.Fatalf("token sizes %d and %d do not fill the caps", len(tc.small), len(tc.large))
			}
			minValid, minSmall, minLarge := time.Duration(1<<62), time.Duration(1<<62), time.Duration(1<<62)
			for range rounds {
				minValid = min(minValid, timeVerify(t, fx.small, fx.valid, nil))
				minSmall = min(minSmall, timeVerify(t, fx.small, tc.small, tc.want))
				minLarge = min(minLarge, timeVerify(t, fx.large, tc.large, tc.want))
			}
			growth := float64(minLarge) / float64(minSmall)
			amplification := float64(minSmall) / float64(minValid)
			t.Logf("%.2f× a valid verification, %.1f× at 16× the size", amplification, growth)
			if raceEnabled {
				return
			}
			if growth > 32 {
				t.Errorf("16× the size costs %.1f× as much: not linear", growth)
			}
			if amplification > tc.bound {
				t.Errorf("refusing costs %.2f× a valid verification, want at most %.1f×", amplification, tc.bound)
			}
		})
	}
}

// BenchmarkHostileCost reports, per worst-case shape, the cost of refusing
// a token of the default MaxTokenSize relative to one verification of a
// valid token (x-valid, target at most 2) and of the same shape at 16× the
// size relative to the default size (x-16x-size, target at most 20), each
// measured on interleaved calls in one run.
//
//	go test -run '^$' -bench HostileCost -benchtime 200x ./verifier/
func BenchmarkHostileCost(b *testing.B) {
	fx := newCostFixture(b)
	for _, tc := range fx.cases {
		b.Run(strings.ReplaceAll(tc.name, " ", "-"), func(b *testing.B) {
			var valid, small, large time.Duration
			for b.Loop() {
				valid += timeVerify(b, fx.small, fx.valid, nil)
				small += timeVerify(b, fx.small, tc.small, tc.want)
				large += timeVerify(b, fx.large, tc.large, tc.want)
			}
			b.ReportMetric(float64(small)/float64(valid), "x-valid")
			b.ReportMetric(float64(large)/float64(small), "x-16x-size")
		})
	}
}
