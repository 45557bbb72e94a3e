package verifier

import (
	"context"
	"errors"

	"github.com/cognitoauth/cognitoauth/claims"
)

var (
	// ErrTokenRevoked: Config.Revocation holds an entry that matches the
	// token (the token itself, its session, a sign-out of its user after it
	// was issued, or its user disabled).
	ErrTokenRevoked = errors.New("verifier: token revoked")
	// ErrRevocationUnavailable: Config.Revocation cannot vouch that its view
	// of revocations is fresh, so the token is refused rather than trusted.
	// Retrying later may succeed.
	ErrRevocationUnavailable = errors.New("verifier: revocation list unavailable")
)

// Revocation is consulted on every Verify, cached tokens included, after the
// signature and claim checks and before Config.CustomCheck. Check returns nil
// for a token that may be accepted, or an error wrapping ErrTokenRevoked or
// ErrRevocationUnavailable. *revocation.List implements it.
type Revocation interface {
	Check(ctx context.Context, c *claims.Claims) error
}

// checkRevoked asks the revocation list, if any. An error that wraps neither
// sentinel is treated as ErrRevocationUnavailable: a list that cannot answer
// never lets a token through.
func (v *Verifier) checkRevoked(ctx context.Context, c *claims.Claims) error {
	if v.revocation == nil {
		return nil
	}
	err := v.revocation.Check(ctx, c)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTokenRevoked):
		return &ValidationError{Reason: ErrTokenRevoked, Err: unwrapSentinel(err, ErrTokenRevoked)}
	default:
		return &ValidationError{Reason: ErrRevocationUnavailable, Err: unwrapSentinel(err, ErrRevocationUnavailable)}
	}
}

// unwrapSentinel keeps a list's error as the cause unless it is the bare
// sentinel, so the message does not say the reason twice.
func unwrapSentinel(err, sentinel error) error {
	if err == sentinel {
		return nil
	}
	return err
}
