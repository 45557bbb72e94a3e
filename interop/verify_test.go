//go:build interop

package interop_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// mode is one of the emulator's two issuer set-ups.
type mode struct {
	name      string
	awsPoolID string // empty: the emulator's own http issuer
}

var modes = []mode{
	{name: "local-issuer"},
	{name: "aws-issuer", awsPoolID: "us-east-1_InteropPool1"},
}

// config returns a verifier configuration for the seeded pool, accepting the
// given app clients. In local mode the issuer is the emulator's http URL; in
// AWS mode the issuer is derived from the pool ID as for real Cognito and only
// the JWKS URL is pointed at the emulator.
func (s *seeded) config(use verifier.TokenUse, clients ...string) verifier.Config {
	cfg := verifier.Config{
		UserPoolID:            s.poolID,
		ClientIDs:             clients,
		TokenUse:              use,
		InsecureAllowHTTPJWKS: true, // the emulator speaks plain http on loopback
	}
	if s.e.awsID == "" {
		cfg.Issuer = s.e.base + "/" + s.poolID
	} else {
		cfg.JWKSURL = s.e.base + "/" + s.poolID + "/.well-known/jwks.json"
	}
	return cfg
}

func newVerifier(t *testing.T, cfg verifier.Config) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func TestInterop(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s := seedPool(t, startEmulator(t, m.awsPoolID))
			t.Run("verify", func(t *testing.T) { testVerify(t, s) })
			t.Run("stacks", func(t *testing.T) { testStacks(t, s) })
		})
	}
}

func testVerify(t *testing.T, s *seeded) {
	ctx := context.Background()
	idV := newVerifier(t, s.config(verifier.IDToken, s.web))
	accessV := newVerifier(t, s.config(verifier.AccessToken, s.web))
	wantIss := s.e.base + "/" + s.poolID
	if s.e.awsID != "" {
		wantIss = "https://cognito-idp.us-east-1.amazonaws.com/" + s.poolID
	}

	groups := map[string][]string{"alice": {"admin", "readers"}, "bob": {"readers"}, "carol": nil}
	for name, tok := range s.users {
		c, err := idV.Verify(ctx, tok.ID)
		if err != nil {
			t.Fatalf("%s ID token: %v", name, err)
		}
		if c.TokenUse != "id" || c.Username != s.usernames[name] || c.ClientID != s.web || c.Issuer != wantIss || c.Email != name+"@example.com" {
			t.Errorf("%s ID claims: use=%q username=%q client=%q iss=%q email=%q", name, c.TokenUse, c.Username, c.ClientID, c.Issuer, c.Email)
		}
		if !sameSet(c.Groups, groups[name]) {
			t.Errorf("%s ID groups = %v, want %v", name, c.Groups, groups[name])
		}
		if tenant, _ := c.CustomAttribute("tenant"); (name != "carol") != (tenant == "acme") {
			t.Errorf("%s custom:tenant = %q", name, tenant)
		}
		a, err := accessV.Verify(ctx, tok.Access)
		if err != nil {
			t.Fatalf("%s access token: %v", name, err)
		}
		if a.TokenUse != "access" || a.ClientID != s.web || !a.HasScope("aws.cognito.signin.user.admin") || a.IsMachine() {
			t.Errorf("%s access claims: use=%q client=%q scopes=%v", name, a.TokenUse, a.ClientID, a.Scopes)
		}
		if !sameSet(a.Groups, groups[name]) {
			t.Errorf("%s access groups = %v, want %v", name, a.Groups, groups[name])
		}
	}

	refuse := []struct {
		name  string
		v     *verifier.Verifier
		token string
		want  error
	}{
		{"other client's ID token", idV, s.otherAlice.ID, verifier.ErrClientMismatch},
		{"other client's access token", accessV, s.otherAlice.Access, verifier.ErrClientMismatch},
		{"ID token where access required", accessV, s.users["alice"].ID, verifier.ErrTokenUseMismatch},
		{"access token where ID required", idV, s.users["alice"].Access, verifier.ErrTokenUseMismatch},
		{"refresh token (a JWT without kid in the emulator)", accessV, s.users["alice"].Refresh, verifier.ErrTokenMalformed},
	}
	for _, tc := range refuse {
		if _, err := tc.v.Verify(ctx, tc.token); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}

	// The other client's tokens are fine for a verifier that lists it.
	if _, err := newVerifier(t, s.config(verifier.AnyToken, s.web, s.other)).Verify(ctx, s.otherAlice.Access); err != nil {
		t.Errorf("other client allowed: %v", err)
	}

	// A refreshed token is accepted.
	fresh := s.refresh(t, s.web, s.users["alice"].Refresh)
	if _, err := idV.Verify(ctx, fresh.ID); err != nil {
		t.Errorf("refreshed ID token: %v", err)
	}
	if _, err := accessV.Verify(ctx, fresh.Access); err != nil {
		t.Errorf("refreshed access token: %v", err)
	}

	// A 2-second token verifies at once (and is cached), then is refused
	// after its exp, cached or not.
	shortV := newVerifier(t, s.config(verifier.AnyToken, s.short))
	short := s.signIn(t, s.short, "bob")
	c, err := shortV.Verify(ctx, short.Access)
	if err != nil {
		t.Fatalf("short-lived token when fresh: %v", err)
	}
	time.Sleep(time.Until(c.ExpiresAt) + 1100*time.Millisecond)
	for _, tok := range []string{short.Access, short.ID} {
		if _, err := shortV.Verify(ctx, tok); !errors.Is(err, verifier.ErrTokenExpired) {
			t.Errorf("short-lived token after exp: err = %v, want ErrTokenExpired", err)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x]--; seen[x] < 0 {
			return false
		}
	}
	return true
}
