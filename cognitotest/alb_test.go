package cognitotest_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
)

// TestALBTokenShape: tokens are written as ALB writes them: padded
// base64url segments, header members in ALB's order, userinfo claims.
func TestALBTokenShape(t *testing.T) {
	t.Parallel()
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	token := fake.Token(cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true})
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("%d segments", len(parts))
	}
	for i, p := range parts {
		if len(p)%4 != 0 {
			t.Errorf("segment %d is not padded to a multiple of 4: %q", i, p)
		}
	}
	h, err := base64.URLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	kid, _ := fake.SigningKey()
	wantPrefix := `{"alg":"ES256","kid":"` + kid + `","signer":"` + fake.ARN() + `","iss":"` + fake.Issuer() + `","client":"` + fake.ClientID() + `","exp":`
	if !strings.HasPrefix(string(h), wantPrefix) {
		t.Errorf("header %s\nwant prefix %s", h, wantPrefix)
	}
	p, err := base64.URLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(p), `"email_verified":"true","email":"alice@example.com","username":"alice"`) {
		t.Errorf("payload %s", p)
	}
	sig, err := base64.URLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		t.Errorf("signature: %d bytes, %v", len(sig), err)
	}
}

// TestALBKeyServer: the key of each kid is served as PEM; others are 404.
func TestALBKeyServer(t *testing.T) {
	t.Parallel()
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	old, _ := fake.SigningKey()
	if _, err := fake.RotateKey(); err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		resp, err := fake.HTTPClient().Get(fake.KeyURL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/" + old); code != http.StatusOK || !strings.HasPrefix(body, "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("old key: %d %q", code, body)
	}
	if code, _ := get("/0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d"); code != http.StatusNotFound {
		t.Errorf("unknown kid: %d", code)
	}
	// Tokens of the old and the new key both verify.
	v, err := alb.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, tok := range []string{fake.Token(cognitotest.User{}), fake.Token(cognitotest.User{}, cognitotest.WithKID(old))} {
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Error(err)
		}
	}
	if got := fake.KeyRequests(); got != 4 {
		t.Errorf("%d key requests, want 4", got)
	}
}
