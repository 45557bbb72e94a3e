package verifier_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestVerifyMultiplePools: the pool is chosen by the token's iss; each pool
// keeps its own clients, token use and keys; an unknown iss is refused with
// ErrIssuerMismatch before any key is fetched.
func TestVerifyMultiplePools(t *testing.T) {
	t.Parallel()
	a := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_PoolA", ClientIDs: []string{"clienta"}})
	b := startPool(t, cognitotest.Options{UserPoolID: "eu-west-1_PoolB", ClientIDs: []string{"clientb"}})
	c := startPool(t, cognitotest.Options{UserPoolID: "ap-south-1_PoolC", ClientIDs: []string{"clientc"}})

	cfg := a.Config(verifier.IDToken)
	cfg.Pools = []verifier.Pool{{
		UserPoolID: b.UserPoolID(), ClientIDs: b.ClientIDs(), TokenUse: verifier.AccessToken, JWKSURL: b.JWKSURL(),
	}}
	v := buildVerifier(t, cfg) // a's HTTP client trusts every httptest server

	requests := func() [3]int64 { return [3]int64{a.JWKSRequests(), b.JWKSRequests(), c.JWKSRequests()} }
	want := func(step string, w [3]int64) {
		t.Helper()
		if got := requests(); got != w {
			t.Fatalf("%s: JWKS requests (a, b, c) = %v, want %v", step, got, w)
		}
	}

	unknown := c.IDToken(cognitotest.User{})
	expectRejected(t, v, unknown, verifier.ErrIssuerMismatch, "iss")
	want("unknown iss fetches nothing", [3]int64{0, 0, 0})

	ca := mustVerify(t, v, a.IDToken(cognitotest.User{Username: "ann"}))
	want("pool A token", [3]int64{1, 0, 0})
	cb := mustVerify(t, v, b.AccessToken(cognitotest.User{Username: "bob"}))
	want("pool B token", [3]int64{1, 1, 0})
	if ca.Issuer != a.Issuer() || cb.Issuer != b.Issuer() || ca.ClientID != "clienta" || cb.ClientID != "clientb" {
		t.Errorf("claims: A %q %q, B %q %q", ca.Issuer, ca.ClientID, cb.Issuer, cb.ClientID)
	}

	expectRejected(t, v, a.IDToken(cognitotest.User{}, cognitotest.WithClientID("clientb")), verifier.ErrClientMismatch, "aud")
	expectRejected(t, v, b.AccessToken(cognitotest.User{}, cognitotest.WithClientID("clienta")), verifier.ErrClientMismatch, "client_id")
	expectRejected(t, v, b.IDToken(cognitotest.User{}), verifier.ErrTokenUseMismatch, "token_use")
	expectRejected(t, v, a.AccessToken(cognitotest.User{}), verifier.ErrTokenUseMismatch, "token_use")

	// A token naming pool A but signed with pool B's key under B's kid: the
	// kid is looked up in A's set only.
	bKid, _ := b.SigningKey()
	forged := resign(t, b, a.IDToken(cognitotest.User{}), func(h, _ map[string]any) { h["kid"] = bKid })
	expectRejected(t, v, forged, verifier.ErrKeyNotFound, "header.kid")
	expectRejected(t, v, unknown, verifier.ErrIssuerMismatch, "iss")
	want("after the refusals", [3]int64{1, 1, 0}) // B's kid: A's set, within its cooldown
}

// TestVerifyRegionalIssuers checks the issuers derived from pool IDs of the
// commercial, China and GovCloud partitions and of regions no list knows,
// in both of Cognito's issuer forms. The tokens carry the literal expected
// issuer; the keys come from the frozen pool.
func TestVerifyRegionalIssuers(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	for _, tc := range []struct {
		pool           string
		primary, other string // accepted issuers
		wrong          string // refused
	}{
		{
			pool:    "us-east-1_AbC123",
			primary: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
			other:   "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
			wrong:   "https://cognito-idp.us-east-1.amazonaws.com.cn/us-east-1_AbC123",
		},
		{
			pool:    "cn-north-1_China1",
			primary: "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_China1",
			other:   "https://issuer-cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_China1",
			wrong:   "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_China1",
		},
		{
			pool:    "cn-northwest-1_Ningxia9",
			primary: "https://cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_Ningxia9",
			other:   "https://issuer-cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_Ningxia9",
			wrong:   "https://cognito-idp.cn-northwest-1.amazonaws.com/cn-northwest-1_Ningxia9",
		},
		{
			pool:    "us-gov-west-1_Gov1",
			primary: "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Gov1",
			other:   "https://issuer-cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Gov1",
			wrong:   "https://cognito-idp.us-gov-west-1.amazonaws.com.cn/us-gov-west-1_Gov1",
		},
		{
			pool:    "us-gov-east-1_Gov2",
			primary: "https://cognito-idp.us-gov-east-1.amazonaws.com/us-gov-east-1_Gov2",
			other:   "https://issuer-cognito-idp.us-gov-east-1.amazonaws.com/us-gov-east-1_Gov2",
			wrong:   "https://cognito-idp.us-east-1.amazonaws.com/us-gov-east-1_Gov2",
		},
		{
			pool:    "eusc-de-east-1_Sov1",
			primary: "https://cognito-idp.eusc-de-east-1.amazonaws.com/eusc-de-east-1_Sov1",
			other:   "https://issuer-cognito-idp.eusc-de-east-1.amazonaws.com/eusc-de-east-1_Sov1",
			wrong:   "https://cognito-idp.eusc-de-east-1.amazonaws.com/eusc-de-east-1_sov1",
		},
	} {
		t.Run(tc.pool, func(t *testing.T) {
			t.Parallel()
			cfg := p.Config(verifier.IDToken)
			cfg.UserPoolID = tc.pool
			v := buildVerifier(t, cfg)
			for _, iss := range []string{tc.primary, tc.other} {
				c := mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", iss)))
				if c.Issuer != iss {
					t.Errorf("Issuer = %q, want %q", c.Issuer, iss)
				}
			}
			expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", tc.wrong)), verifier.ErrIssuerMismatch, "iss")
		})
	}
}

// TestVerifyDerivedJWKSURLs observes, through an HTTP transport that answers
// locally, which key URLs a verifier with no JWKSURL override asks for: the
// primary issuer's at Warmup, Cognito's second issuer form's only when a
// token names it, each once.
func TestVerifyDerivedJWKSURLs(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	for _, tc := range []struct{ pool, primary, second string }{
		{"us-east-1_AbC123",
			"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json",
			"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known/jwks.json"},
		{"cn-north-1_China1",
			"https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_China1/.well-known/jwks.json",
			"https://issuer-cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_China1/.well-known/jwks.json"},
		{"us-gov-west-1_Gov1",
			"https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Gov1/.well-known/jwks.json",
			"https://issuer-cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Gov1/.well-known/jwks.json"},
	} {
		t.Run(tc.pool, func(t *testing.T) {
			t.Parallel()
			rt := &recordingTransport{jwks: p.JWKS()}
			v := buildVerifier(t, verifier.Config{
				UserPoolID: tc.pool, ClientIDs: p.ClientIDs(), TokenUse: verifier.IDToken,
				HTTPClient: &http.Client{Transport: rt},
				Now:        p.Config(verifier.IDToken).Now,
			})
			issuer := func(jwksURL string) string { return jwksURL[:len(jwksURL)-len("/.well-known/jwks.json")] }
			check := func(step string, want ...string) {
				t.Helper()
				if got := rt.URLs(); !slices.Equal(got, want) {
					t.Fatalf("%s: requested %q, want %q", step, got, want)
				}
			}

			if err := v.Warmup(context.Background()); err != nil {
				t.Fatalf("Warmup: %v", err)
			}
			check("Warmup fetches the primary issuer's keys only", tc.primary)
			mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", issuer(tc.primary))))
			check("a primary-issuer token fetches nothing more", tc.primary)
			mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", issuer(tc.second))))
			check("a second-form token fetches that form's keys", tc.primary, tc.second)
			mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", issuer(tc.second))))
			check("once", tc.primary, tc.second)
			if stats := v.KeyStats(); len(stats) != 2 || stats[tc.primary].Fetches != 1 || stats[tc.second].Fetches != 1 {
				t.Errorf("KeyStats = %+v", stats)
			}
		})
	}
}

// TestVerifyIssuerOverride: an explicit Issuer (emulators, proxies) is the
// only issuer accepted for its pool; the second AWS form is not.
func TestVerifyIssuerOverride(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	const iss = "https://auth.example.test/us-east-1_TestPool1"
	cfg := p.Config(verifier.IDToken)
	cfg.Issuer = iss
	v := buildVerifier(t, cfg)
	mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", iss)))
	expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrIssuerMismatch, "iss")
	expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss",
		"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1")), verifier.ErrIssuerMismatch, "iss")
}

// TestVerifyBothIssuerFormsShareAnOverriddenJWKSURL: with JWKSURL set, both
// issuer forms of a pool use that one key set, fetched once.
func TestVerifyBothIssuerFormsShareAnOverriddenJWKSURL(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	v := buildVerifier(t, p.Config(verifier.IDToken))
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss",
		"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1")))
	stats := v.KeyStats()
	if len(stats) != 1 || stats[p.JWKSURL()].Fetches != 1 {
		t.Errorf("KeyStats = %+v, want one URL fetched once", stats)
	}
}
