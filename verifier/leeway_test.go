package verifier_test

import (
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestVerifyTimeEdges pins the exp, nbf and iat comparisons at their edges
// . The frozen pool and the verifier share one clock standing at
// epoch, in whole seconds, so every edge is exact.
func TestVerifyTimeEdges(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	sec := time.Second
	for _, tc := range []struct {
		name   string
		leeway time.Duration
		opts   []cognitotest.TokenOption
		reason error
		claim  string
	}{
		{name: "exp == now rejected", opts: lifetime(0), reason: verifier.ErrTokenExpired, claim: "exp"},
		{name: "exp == now+1s accepted", opts: lifetime(sec)},
		{name: "exp == now+0.5s accepted", opts: expAt(float64(epochSec) + 0.5)},
		{name: "exp == now-0.5s rejected", opts: expAt(float64(epochSec) - 0.5), reason: verifier.ErrTokenExpired, claim: "exp"},
		{name: "exp == now-1s with leeway 1s rejected", leeway: sec, opts: lifetime(-sec), reason: verifier.ErrTokenExpired, claim: "exp"},
		{name: "exp == now-1s with leeway 2s accepted", leeway: 2 * sec, opts: lifetime(-sec)},
		{name: "exp == now-1s with leeway 1.5s accepted", leeway: 1500 * time.Millisecond, opts: lifetime(-sec)},
		{name: "nbf == now accepted", opts: nbfAt(epochSec)},
		{name: "nbf == now+1s rejected", opts: nbfAt(epochSec + 1), reason: verifier.ErrTokenNotYetValid, claim: "nbf"},
		{name: "nbf == now+1s with leeway 1s accepted", leeway: sec, opts: nbfAt(epochSec + 1)},
		{name: "nbf == now+2s with leeway 1s rejected", leeway: sec, opts: nbfAt(epochSec + 2), reason: verifier.ErrTokenNotYetValid, claim: "nbf"},
		{name: "iat == now+1s rejected (stricter)", opts: iatAt(sec), reason: verifier.ErrTokenNotYetValid, claim: "iat"},
		{name: "iat == now+1s with leeway 1s accepted", leeway: sec, opts: iatAt(sec)},
		{name: "iat == now+2s with leeway 1s rejected (stricter)", leeway: sec, opts: iatAt(2 * sec), reason: verifier.ErrTokenNotYetValid, claim: "iat"},
		{name: "iat far in the past with a live exp accepted", opts: []cognitotest.TokenOption{
			cognitotest.WithIssuedAt(epoch.Add(-23 * time.Hour)), cognitotest.WithLifetime(24 * time.Hour)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := p.Config(verifier.IDToken)
			cfg.Leeway = tc.leeway
			v := buildVerifier(t, cfg)
			token := p.IDToken(cognitotest.User{}, tc.opts...)
			if tc.reason == nil {
				mustVerify(t, v, token)
			} else {
				expectRejected(t, v, token, tc.reason, tc.claim)
			}
		})
	}
}

// TestVerifyMaxTokenLifetime checks the bound on exp - iat (Cognito issues
// tokens for at most a day), and on exp - now when iat is absent.
func TestVerifyMaxTokenLifetime(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	for _, tc := range []struct {
		name     string
		max      time.Duration
		leeway   time.Duration
		opts     []cognitotest.TokenOption
		rejected bool
	}{
		{name: "default: 24h accepted", opts: lifetime(24 * time.Hour)},
		{name: "default: 24h+1s rejected", opts: lifetime(24*time.Hour + time.Second), rejected: true},
		{name: "default: 24h+1s within leeway 1s accepted", leeway: time.Second, opts: lifetime(24*time.Hour + time.Second)},
		{name: "1h: 1h accepted", max: time.Hour, opts: lifetime(time.Hour)},
		{name: "1h: 1h+1s rejected", max: time.Hour, opts: lifetime(time.Hour + time.Second), rejected: true},
		{name: "negative disables the bound", max: -1, opts: lifetime(30 * 24 * time.Hour)},
		{name: "no iat: measured from now, 24h accepted", opts: append(lifetime(24*time.Hour), cognitotest.WithoutClaim("iat"))},
		{name: "no iat: measured from now, 25h rejected", opts: append(lifetime(25*time.Hour), cognitotest.WithoutClaim("iat")), rejected: true},
		{name: "old iat cannot stretch the bound", opts: []cognitotest.TokenOption{
			cognitotest.WithIssuedAt(epoch.Add(-time.Hour)), cognitotest.WithLifetime(25 * time.Hour)}, rejected: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := p.Config(verifier.IDToken)
			cfg.MaxTokenLifetime, cfg.Leeway = tc.max, tc.leeway
			v := buildVerifier(t, cfg)
			token := p.IDToken(cognitotest.User{}, tc.opts...)
			if tc.rejected {
				expectRejected(t, v, token, verifier.ErrTokenMalformed, "exp")
			} else {
				mustVerify(t, v, token)
			}
		})
	}
}

// TestVerifyCachedTokenExpires shows a token verified once (and so cached)
// is refused once the clock passes its exp, leeway included.
func TestVerifyCachedTokenExpires(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.IDToken)
	cfg.Leeway = 5 * time.Second
	v := buildVerifier(t, cfg)
	token := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(time.Minute))
	mustVerify(t, v, token)
	clk.Advance(time.Minute + 4*time.Second)
	mustVerify(t, v, token)
	clk.Advance(time.Second)
	expectRejected(t, v, token, verifier.ErrTokenExpired, "exp")
}

func lifetime(d time.Duration) []cognitotest.TokenOption {
	return []cognitotest.TokenOption{cognitotest.WithLifetime(d)}
}

func expAt(sec float64) []cognitotest.TokenOption {
	return []cognitotest.TokenOption{cognitotest.WithClaim("exp", sec)}
}

func nbfAt(sec int64) []cognitotest.TokenOption {
	return []cognitotest.TokenOption{cognitotest.WithClaim("nbf", sec)}
}

// iatAt mints a token issued d after now (its exp moves along).
func iatAt(d time.Duration) []cognitotest.TokenOption {
	return []cognitotest.TokenOption{cognitotest.WithIssuedAt(epoch.Add(d))}
}
