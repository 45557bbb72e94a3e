package alb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// FuzzALBVerify: whatever the input, Verify does not panic, refuses with a
// *verifier.ValidationError wrapping exactly one sentinel and never the
// token, fetches only UUID kids (the key server answers nothing else), and
// accepts only tokens with the configured issuer and client.
func FuzzALBVerify(f *testing.F) {
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{})
	if err != nil {
		f.Fatal(err)
	}
	defer fake.Close()
	v, err := alb.New(fake.Config())
	if err != nil {
		f.Fatal(err)
	}
	defer v.Close()
	u := cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true}
	for _, tok := range []string{
		fake.Token(u),
		fake.Token(u, cognitotest.WithoutPadding()),
		fake.Token(u, cognitotest.WithLifetime(-time.Minute)),
		fake.Token(u, cognitotest.WithClientID("other")),
		fake.Token(u, cognitotest.WithHeader("kid", "../x")),
		fake.Token(u, cognitotest.WithHeader("alg", "none")),
		fake.Token(u, cognitotest.WithKID("0b8e2c1a-4c55-4f0e-9d0e-3f1f0a2b3c4d")),
		"", ".", "..", "a.b.c", "====.====.====",
	} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, token string) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, err := v.Verify(ctx, token)
		if err != nil {
			var ve *verifier.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *verifier.ValidationError", err)
			}
			n := 0
			for _, s := range sentinels {
				if errors.Is(err, s) {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("error %q wraps %d sentinels", err, n)
			}
			if len(token) > 40 && strings.Contains(err.Error(), token) {
				t.Fatal("error echoes the token")
			}
			return
		}
		if c == nil || c.Issuer != fake.Issuer() || c.ClientID != fake.ClientID() {
			t.Fatalf("verified with claims %+v", c)
		}
	})
}
