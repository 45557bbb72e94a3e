package cognitotest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func newPool(t *testing.T, opts cognitotest.Options) *cognitotest.Pool {
	t.Helper()
	p, err := cognitotest.NewPool(opts)
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

func parts(t *testing.T, token string) (header, payload map[string]any) {
	t.Helper()
	seg := strings.Split(token, ".")
	if len(seg) != 3 {
		t.Fatalf("%d segments", len(seg))
	}
	out := [2]map[string]any{}
	for i := range out {
		b, err := base64.RawURLEncoding.DecodeString(seg[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out[0], out[1]
}

func TestNewPoolOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts cognitotest.Options
	}{
		{"pool ID without underscore", cognitotest.Options{UserPoolID: "us-east-1"}},
		{"pool ID starting with underscore", cognitotest.Options{UserPoolID: "_abc"}},
		{"key too small for any verifier", cognitotest.Options{KeyBits: 1024}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if p, err := cognitotest.NewPool(tc.opts); err == nil {
				p.Close()
				t.Fatal("NewPool accepted the options")
			}
		})
	}
}

// TestPoolDefaults: what a zero Options gives, and the Config it returns.
func TestPoolDefaults(t *testing.T) {
	t.Parallel()
	p := newPool(t, cognitotest.Options{})
	if p.UserPoolID() != cognitotest.DefaultUserPoolID || p.ClientID() != cognitotest.DefaultClientID {
		t.Errorf("pool %q client %q", p.UserPoolID(), p.ClientID())
	}
	if want := "https://cognito-idp.us-east-1.amazonaws.com/" + cognitotest.DefaultUserPoolID; p.Issuer() != want {
		t.Errorf("Issuer = %q, want %q", p.Issuer(), want)
	}
	if !strings.HasPrefix(p.JWKSURL(), "https://127.0.0.1:") {
		t.Errorf("JWKSURL = %q, want a local https URL", p.JWKSURL())
	}
	cfg := p.Config(verifier.AnyToken)
	if cfg.UserPoolID != p.UserPoolID() || cfg.TokenUse != verifier.AnyToken || cfg.JWKSURL != p.JWKSURL() ||
		cfg.Issuer != "" || cfg.HTTPClient == nil || !slices.Equal(cfg.ClientIDs, p.ClientIDs()) {
		t.Errorf("Config = %+v", cfg)
	}
	cfg.ClientIDs[0] = "changed"
	if p.ClientID() == "changed" {
		t.Error("Config shares the pool's client list")
	}
}

// TestPoolTokenShapes: the claims each minting method writes, as Cognito does.
func TestPoolTokenShapes(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	p := newPool(t, cognitotest.Options{UserPoolID: "cn-north-1_Shape", ClientIDs: []string{"c1", "c2"}, Now: func() time.Time { return now }})
	user := cognitotest.User{Username: "alice", Email: "a@example.com", EmailVerified: true, Groups: []string{"g"},
		Custom: map[string]string{"tenant": "acme"}}

	h, id := parts(t, p.IDToken(user))
	kid := p.KeyIDs()[0]
	if h["alg"] != "RS256" || h["kid"] != kid || len(h) != 2 {
		t.Errorf("header = %v", h)
	}
	for k, want := range map[string]any{
		"iss": "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_Shape", "token_use": "id", "aud": "c1",
		"cognito:username": "alice", "email": "a@example.com", "email_verified": true, "custom:tenant": "acme",
		"iat": float64(now.Unix()), "auth_time": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
	} {
		if id[k] != want {
			t.Errorf("ID token %s = %v, want %v", k, id[k], want)
		}
	}
	if id["sub"] == "" || id["jti"] == "" || id["origin_jti"] == "" || id["event_id"] == "" {
		t.Errorf("ID token lacks sub/jti/origin_jti/event_id: %v", id)
	}
	_, again := parts(t, p.IDToken(user))
	if again["sub"] != id["sub"] || again["jti"] == id["jti"] {
		t.Error("sub should be stable per username and jti unique per token")
	}

	_, access := parts(t, p.AccessToken(user, cognitotest.WithClientID("c2"), cognitotest.WithScopes("a", "b")))
	for k, want := range map[string]any{"token_use": "access", "client_id": "c2", "username": "alice", "scope": "a b"} {
		if access[k] != want {
			t.Errorf("access token %s = %v, want %v", k, access[k], want)
		}
	}
	for _, k := range []string{"aud", "email", "custom:tenant", "cognito:username"} {
		if _, ok := access[k]; ok {
			t.Errorf("access token carries %s", k)
		}
	}

	_, m2m := parts(t, p.ClientCredentialsToken([]string{"api/read"}))
	if m2m["sub"] != "c1" || m2m["client_id"] != "c1" || m2m["scope"] != "api/read" {
		t.Errorf("client-credentials token = %v", m2m)
	}
	for _, k := range []string{"username", "event_id", "origin_jti", "cognito:groups"} {
		if _, ok := m2m[k]; ok {
			t.Errorf("client-credentials token carries %s", k)
		}
	}

	h, opt := parts(t, p.IDToken(user, cognitotest.WithoutClaim("email"), cognitotest.WithClaim("exp", 5),
		cognitotest.WithHeader("kid", nil), cognitotest.WithHeader("typ", "JWT"), cognitotest.WithLifetime(time.Minute)))
	if _, ok := opt["email"]; ok || opt["exp"] != float64(5) {
		t.Errorf("options not applied to the payload: %v", opt)
	}
	if _, ok := h["kid"]; ok || h["typ"] != "JWT" {
		t.Errorf("options not applied to the header: %v", h)
	}
}

// TestPoolJWKSIsPublic: the published set holds public keys only, each
// shaped as Cognito publishes them, and counts requests.
func TestPoolJWKSIsPublic(t *testing.T) {
	t.Parallel()
	p := newPool(t, cognitotest.Options{})
	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	resp, err := p.HTTPClient().Get(p.JWKSURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Keys []map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(doc.Keys) != 2 || p.JWKSRequests() != 1 {
		t.Fatalf("status %d, %d keys, %d requests", resp.StatusCode, len(doc.Keys), p.JWKSRequests())
	}
	for i, k := range doc.Keys {
		if k["kid"] != p.KeyIDs()[i] || k["kty"] != "RSA" || k["alg"] != "RS256" || k["use"] != "sig" || k["e"] != "AQAB" {
			t.Errorf("key %d = %v", i, k)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Errorf("key %d publishes private member %q", i, private)
			}
		}
	}
	other, err := p.HTTPClient().Get(strings.TrimSuffix(p.JWKSURL(), "jwks.json") + "keys.json")
	if err != nil {
		t.Fatal(err)
	}
	other.Body.Close()
	if other.StatusCode != http.StatusNotFound {
		t.Errorf("another path answered %d", other.StatusCode)
	}
}

// TestPoolKeyManagement: rotation, removal and their errors.
func TestPoolKeyManagement(t *testing.T) {
	t.Parallel()
	p := newPool(t, cognitotest.Options{})
	first, _ := p.SigningKey()
	second, err := p.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	if kid, _ := p.SigningKey(); kid != second || second == first {
		t.Fatalf("signing kid %q after rotating from %q to %q", kid, first, second)
	}
	if h, _ := parts(t, p.IDToken(cognitotest.User{})); h["kid"] != second {
		t.Errorf("new tokens use kid %v", h["kid"])
	}
	if h, _ := parts(t, p.IDToken(cognitotest.User{}, cognitotest.WithKID(first))); h["kid"] != first {
		t.Errorf("WithKID(first) gave kid %v", h["kid"])
	}
	if err := p.RemoveKey(second); err == nil {
		t.Error("removed the current signing key")
	}
	if err := p.RemoveKey("nope"); err == nil {
		t.Error("removed an unknown key")
	}
	if err := p.RemoveKey(first); err != nil {
		t.Fatal(err)
	}
	if ids := p.KeyIDs(); !slices.Equal(ids, []string{second}) {
		t.Errorf("KeyIDs = %q", ids)
	}
}

// TestPoolIssuerOverride: a pool standing in for an emulator.
func TestPoolIssuerOverride(t *testing.T) {
	t.Parallel()
	p := newPool(t, cognitotest.Options{UserPoolID: "local_abc123", Issuer: "http://127.0.0.1:9229/local_abc123"})
	cfg := p.Config(verifier.IDToken)
	if cfg.Issuer != p.Issuer() || p.Issuer() != "http://127.0.0.1:9229/local_abc123" {
		t.Fatalf("Issuer %q, Config.Issuer %q", p.Issuer(), cfg.Issuer)
	}
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if _, err := v.Verify(context.Background(), p.IDToken(cognitotest.User{})); err != nil {
		t.Fatal(err)
	}
}
