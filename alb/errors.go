package alb

import (
	"errors"
	"strconv"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// ErrSignerMismatch: the header's signer is missing or is not one of
// Config.ALBARNs. Every other refusal wraps one of the verifier's sentinels
// (verifier.ErrTokenMalformed, verifier.ErrClientMismatch, ...); every error
// Verify returns is a *verifier.ValidationError wrapping exactly one.
var ErrSignerMismatch = errors.New("alb: signer mismatch")

func fail(reason error, claim, value, detail string) error {
	return &verifier.ValidationError{Reason: reason, Claim: claim, Value: quote(value), Detail: detail}
}

// quote renders client-chosen text for errors: quoted, escaped and cut to
// a bounded length, as the verifier does.
func quote(s string) string {
	if s == "" {
		return ""
	}
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}
