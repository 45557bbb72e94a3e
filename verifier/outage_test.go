package verifier_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestColdStartOutageRecovery: a verifier that starts while its key
// endpoint fails answers 10,000 requests spread over a second with a
// handful of fetches (one in flight, failures backed off from about 1 s),
// and verifies again within about a second of the endpoint returning (on a
// fake clock; the measured figure is logged). Once keys are held, an
// unknown kid still waits the full RefetchCooldown.
func TestColdStartOutageRecovery(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	v := buildVerifier(t, p.Config(verifier.IDToken))
	token := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(24*time.Hour))

	const requests = 10000
	for range requests {
		if _, err := v.Verify(t.Context(), token); !errors.Is(err, verifier.ErrJWKSUnavailable) {
			t.Fatalf("Verify during the outage = %v, want ErrJWKSUnavailable", err)
		}
		clk.Advance(time.Second / requests)
	}
	during := p.JWKSRequests()
	t.Logf("%d requests over 1 s of outage: %d fetches", requests, during)
	if during < 1 || during > 4 {
		t.Fatalf("%d fetches during the outage, want 1 to 4", during)
	}

	p.SetJWKSHandler(nil) // the endpoint is back
	back := clk.Now()
	for {
		if _, err := v.Verify(t.Context(), token); err == nil {
			break
		}
		if clk.Now().Sub(back) > 10*time.Second {
			t.Fatal("no recovery within 10 s of the endpoint returning")
		}
		clk.Advance(10 * time.Millisecond)
	}
	recovery := clk.Now().Sub(back)
	t.Logf("verified again %v after the endpoint returned (%d fetches in all)", recovery, p.JWKSRequests())
	if recovery > 2*time.Second {
		t.Errorf("recovery took %v, want about a second (at most 2 s after a 1 s outage)", recovery)
	}

	clk.Advance(verifier.DefaultRefetchCooldown) // past the recovery fetch's cooldown
	fetches := p.JWKSRequests()
	unknown := resign(t, p, token, func(h, _ map[string]any) { h["kid"] = "unknown-kid" })
	expectRejected(t, v, unknown, verifier.ErrKeyNotFound, "header.kid")
	clk.Advance(verifier.DefaultRefetchCooldown - time.Second)
	expectRejected(t, v, unknown, verifier.ErrKeyNotFound, "header.kid")
	if got := p.JWKSRequests() - fetches; got != 1 {
		t.Errorf("unknown kids within RefetchCooldown made %d fetches, want 1", got)
	}
}
