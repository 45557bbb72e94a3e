package alb_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// sentinels are every reason a Verify error may wrap.
var sentinels = []error{
	alb.ErrSignerMismatch,
	verifier.ErrTokenMalformed, verifier.ErrTokenTooLarge, verifier.ErrAlgorithm,
	verifier.ErrKeyNotFound, verifier.ErrSignatureInvalid, verifier.ErrTokenExpired,
	verifier.ErrTokenNotYetValid, verifier.ErrIssuerMismatch, verifier.ErrTokenUseMismatch,
	verifier.ErrClientMismatch, verifier.ErrJWKSUnavailable, verifier.ErrCustomCheck,
}

// clock is a settable clock shared by a fake ALB and its verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newALB starts a fake ALB (on clk when not nil) and returns it with a
// verifier for it, cfg adjusting the configuration.
func newALB(t testing.TB, clk *clock, cfg func(*alb.Config)) (*cognitotest.ALB, *alb.Verifier) {
	t.Helper()
	opts := cognitotest.ALBOptions{}
	if clk != nil {
		opts.Now = clk.Now
	}
	fake, err := cognitotest.NewALB(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c := fake.Config()
	if cfg != nil {
		cfg(&c)
	}
	v, err := alb.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return fake, v
}

// wantRefusal fails unless err is a *verifier.ValidationError wrapping
// want and no other sentinel.
func wantRefusal(t testing.TB, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("verified; want %v", want)
	}
	var ve *verifier.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v (%T) is not a *verifier.ValidationError", err, err)
	}
	var got []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			got = append(got, s)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("error %q wraps %v; want exactly %v", err, got, want)
	}
}

func verify(t testing.TB, v *alb.Verifier, token string) (*claims.Claims, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return v.Verify(ctx, token)
}

// unpad removes the padding of each segment, breaking the signature.
func unpad(token string) string { return strings.ReplaceAll(token, "=", "") }

func asValidation(err error, ve **verifier.ValidationError) bool { return errors.As(err, ve) }
