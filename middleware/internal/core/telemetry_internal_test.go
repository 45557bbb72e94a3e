package core

import (
	"fmt"
	"testing"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestRefusalOutcomes: the verifier's reasons keep their values, and the
// middleware's own refusals map to theirs, wrapped or not.
func TestRefusalOutcomes(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"expired", fmt.Errorf("%w: %w", ErrInvalidToken, &verifier.ValidationError{Reason: verifier.ErrTokenExpired}), "expired"},
		{"keys down", fmt.Errorf("%w: %w", ErrUnavailable, &verifier.ValidationError{Reason: verifier.ErrJWKSUnavailable}), "jwks_unavailable"},
		{"foreign verifier", fmt.Errorf("%w: %w", ErrInvalidToken, fmt.Errorf("nope")), "invalid_token"},
		{"no token", ErrNoToken, "no_token"},
		{"bad request", ErrInvalidRequest, "invalid_request"},
		{"forbidden", errUnmatched, "forbidden"},
		{"misconfigured", errNoMiddleware, "misconfigured"},
		{"unknown", fmt.Errorf("something else"), "server_error"},
		{"nil", nil, "server_error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusalOutcome(tc.err); got != tc.want {
				t.Errorf("refusalOutcome(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
