package verifier_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestVerifyAfterClose: Close stops fetching, but the keys held still serve.
func TestVerifyAfterClose(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.IDToken))
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	if err := v.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	clk.Advance(2 * time.Hour) // past the cooldown and RefreshInterval
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("new")), verifier.ErrKeyNotFound, "header.kid")
	if err := v.Warmup(context.Background()); err == nil {
		t.Error("Warmup after Close succeeded")
	}
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS requests = %d, want 1 (none after Close)", got)
	}
	if err := v.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

// TestVerifyPreloadedJWKSServesBothIssuerForms: with the key URL derived,
// the preloaded set serves both of Cognito's issuer forms, with no fetch.
func TestVerifyPreloadedJWKSServesBothIssuerForms(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	rt := &recordingTransport{jwks: p.JWKS()}
	v := buildVerifier(t, verifier.Config{
		UserPoolID: "us-east-1_Preload1", ClientIDs: p.ClientIDs(), TokenUse: verifier.IDToken,
		JWKS: p.JWKS(), HTTPClient: &http.Client{Transport: rt}, Now: func() time.Time { return epoch },
	})
	for _, iss := range []string{
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Preload1",
		"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_Preload1",
	} {
		mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", iss)))
	}
	if urls := rt.URLs(); len(urls) != 0 {
		t.Fatalf("requested %q, want nothing", urls)
	}
}

// TestVerifyFailedRefreshWithoutUsableKeysKeepsKeys: a refresh that returns a
// set with no usable key counts as failed; the keys held keep serving.
func TestVerifyFailedRefreshWithoutUsableKeysKeepsKeys(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	log := newFetchLog()
	cfg := p.Config(verifier.IDToken)
	cfg.Logger = log.Logger()
	v := buildVerifier(t, cfg)
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	p.SetJWKSHandler(body("application/json", `{"keys":[{"kty":"RSA","kid":"x","use":"enc","n":"AQAB","e":"AQAB"}]}`)(p, nil))
	clk.Advance(time.Hour)
	mustVerify(t, v, p.IDToken(cognitotest.User{})) // starts the refresh
	waitFor(t, log.failed, "the failed refresh")
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	if s := v.KeyStats()[p.JWKSURL()]; s.Keys != 1 || s.Failures != 1 || s.Fetches != 2 {
		t.Errorf("KeyStats = %+v", s)
	}
}

// TestVerifyLogsNoTokens: whatever happens (fetches, failures, skipped keys,
// refused tokens), nothing logged holds a token or a part of one.
func TestVerifyLogsNoTokens(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	var mu sync.Mutex
	var buf bytes.Buffer
	cfg := p.Config(verifier.AnyToken)
	cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v := buildVerifier(t, cfg)

	var tokens []string
	try := func(token string) {
		tokens = append(tokens, token)
		v.Verify(context.Background(), token)
	}
	try(p.IDToken(cognitotest.User{Username: "alice"}))
	try(p.AccessToken(cognitotest.User{}, cognitotest.WithKID("unknown-kid")))
	try(flipSignatureByte(t, p.AccessToken(cognitotest.User{})))
	p.SetJWKSHandler(body("application/json", `{"keys":[{"kty":"oct","kid":"s","k":"c2VjcmV0"}]}`)(p, nil))
	clk.Advance(time.Hour)
	try(p.IDToken(cognitotest.User{}, cognitotest.WithKID("another-unknown")))
	p.SetJWKSHandler(status(http.StatusInternalServerError)(p, nil))
	clk.Advance(time.Minute)
	try(p.IDToken(cognitotest.User{}, cognitotest.WithKID("third-unknown")))

	mu.Lock()
	logged := buf.String()
	mu.Unlock()
	if !strings.Contains(logged, "fetch failed") || !strings.Contains(logged, "fetched key set") {
		t.Fatalf("the log does not show the fetches: %s", logged)
	}
	for _, token := range tokens {
		for _, seg := range strings.Split(token, ".") {
			if strings.Contains(logged, seg) {
				t.Fatalf("the log holds a token segment %.20q...", seg)
			}
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
