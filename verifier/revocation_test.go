package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// scriptedRevocation answers Check with whatever err holds, counting calls.
type scriptedRevocation struct {
	mu    sync.Mutex
	err   error
	calls atomic.Int64
}

func (s *scriptedRevocation) set(err error) { s.mu.Lock(); s.err = err; s.mu.Unlock() }

func (s *scriptedRevocation) Check(_ context.Context, _ *claims.Claims) error {
	s.calls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// TestRevocationConsultedOnEveryVerify: the list is asked on fresh and cached
// verifications, its verdicts map to exactly one sentinel each, an error
// wrapping neither sentinel fails closed as ErrRevocationUnavailable, and a
// token the other checks refuse never reaches it.
func TestRevocationConsultedOnEveryVerify(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	rev := &scriptedRevocation{}
	cfg := p.Config(verifier.AccessToken)
	cfg.Revocation = rev
	v := buildVerifier(t, cfg)
	token := p.AccessToken(cognitotest.User{Username: "alice"})

	mustVerify(t, v, token) // fresh
	mustVerify(t, v, token) // cached
	if got := rev.calls.Load(); got != 2 {
		t.Fatalf("Check called %d times for two verifications, want 2", got)
	}

	for _, tc := range []struct {
		name   string
		err    error
		reason error
	}{
		{"revoked", fmt.Errorf("list: token jti: %w", verifier.ErrTokenRevoked), verifier.ErrTokenRevoked},
		{"bare revoked sentinel", verifier.ErrTokenRevoked, verifier.ErrTokenRevoked},
		{"stale", fmt.Errorf("list: stale 31s: %w", verifier.ErrRevocationUnavailable), verifier.ErrRevocationUnavailable},
		{"foreign error fails closed", errors.New("something broke"), verifier.ErrRevocationUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rev.set(tc.err)
			defer rev.set(nil)
			c, err := v.Verify(context.Background(), token)
			checkRejected(t, c, err, token, tc.reason, "")
			if tc.reason == verifier.ErrTokenRevoked && errors.Is(err, verifier.ErrRevocationUnavailable) {
				t.Fatal("a revoked token's error also wraps ErrRevocationUnavailable")
			}
		})
	}

	before := rev.calls.Load()
	expectRejected(t, v, flipSignatureByte(t, token), verifier.ErrSignatureInvalid, "")
	if rev.calls.Load() != before {
		t.Fatal("the revocation list was consulted for a token with a bad signature")
	}
}
