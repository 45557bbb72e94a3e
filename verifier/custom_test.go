package verifier_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// recordingCheck is a CustomCheck that counts its calls and refuses while
// refuse is set.
type recordingCheck struct {
	calls  atomic.Int64
	refuse atomic.Bool
	last   atomic.Pointer[claims.Claims]
}

var errNotInTenant = errors.New("not in tenant")

func (r *recordingCheck) check(ctx context.Context, c *claims.Claims) error {
	r.calls.Add(1)
	r.last.Store(c)
	if ctx.Value(ctxMarker{}) != "from the caller" {
		return errors.New("CustomCheck did not get the caller's context")
	}
	if r.refuse.Load() {
		return errNotInTenant
	}
	return nil
}

type ctxMarker struct{}

func callerCtx() context.Context {
	return context.WithValue(context.Background(), ctxMarker{}, "from the caller")
}

// TestCustomCheckRunsLast: the hook never sees a token another check refuses
// (stricter: aws-jwt-verify runs it before token_use and client checks),
// sees verified claims and the caller's context, and runs again on every
// call for a cached token.
func TestCustomCheckRunsLast(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	rc := &recordingCheck{}
	cfg := p.Config(verifier.IDToken)
	cfg.CustomCheck = rc.check
	v := buildVerifier(t, cfg)

	for _, tc := range []struct {
		name   string
		token  string
		reason error
		claim  string
	}{
		{"after the client check", p.IDToken(cognitotest.User{}, cognitotest.WithClientID("otherclient")), verifier.ErrClientMismatch, "aud"},
		{"after the token_use check", p.AccessToken(cognitotest.User{}), verifier.ErrTokenUseMismatch, "token_use"},
		{"after the expiry check", p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(-time.Second)), verifier.ErrTokenExpired, "exp"},
		{"after the issuer check", p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", "https://example.test/x")), verifier.ErrIssuerMismatch, "iss"},
		{"after the signature check", flipSignatureByte(t, p.IDToken(cognitotest.User{})), verifier.ErrSignatureInvalid, ""},
		{"after the key lookup", p.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown")), verifier.ErrKeyNotFound, "header.kid"},
		{"after the lifetime check", p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(48*time.Hour)), verifier.ErrTokenMalformed, "exp"},
	} {
		c, err := v.Verify(callerCtx(), tc.token)
		checkRejected(t, c, err, tc.token, tc.reason, tc.claim)
	}
	if n := rc.calls.Load(); n != 0 {
		t.Fatalf("CustomCheck ran %d times on refused tokens", n)
	}

	token := p.IDToken(cognitotest.User{Username: "carol", Custom: map[string]string{"tenant": "acme"}})
	c, err := v.Verify(callerCtx(), token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if rc.calls.Load() != 1 || rc.last.Load() != c || c.Username != "carol" {
		t.Fatalf("CustomCheck calls = %d, saw %p, returned %p", rc.calls.Load(), rc.last.Load(), c)
	}

	// The same token again: served from the verified-token cache, and still
	// put through the hook, which may have changed its mind.
	if _, err := v.Verify(callerCtx(), token); err != nil {
		t.Fatalf("second Verify: %v", err)
	}
	rc.refuse.Store(true)
	c, err = v.Verify(callerCtx(), token)
	ve := checkRejected(t, c, err, token, verifier.ErrCustomCheck, "")
	if !errors.Is(ve, errNotInTenant) {
		t.Errorf("error %v does not wrap the hook's error", ve)
	}
	if n := rc.calls.Load(); n != 3 {
		t.Errorf("CustomCheck calls = %d, want 3 (once per Verify of the good token)", n)
	}
}

// TestCustomCheckNotRunOnExpiredCachedToken: a cached token past its exp is
// refused as expired before the hook runs.
func TestCustomCheckNotRunOnExpiredCachedToken(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	rc := &recordingCheck{}
	cfg := p.Config(verifier.IDToken)
	cfg.CustomCheck = rc.check
	v := buildVerifier(t, cfg)
	token := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(time.Minute))
	if _, err := v.Verify(callerCtx(), token); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	c, err := v.Verify(callerCtx(), token)
	checkRejected(t, c, err, token, verifier.ErrTokenExpired, "exp")
	if n := rc.calls.Load(); n != 1 {
		t.Errorf("CustomCheck calls = %d, want 1", n)
	}
}
