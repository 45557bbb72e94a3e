package verifier

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors, one per reason a token is refused. Every error Verify
// returns wraps exactly one of them (test with errors.Is) inside a
// *ValidationError (inspect with errors.As).
var (
	// ErrTokenMalformed: not three segments of strict base64url, header or
	// payload not a JSON object, a claim of the wrong type, a required header
	// or claim missing (kid, exp), an unknown crit header, or an exp beyond
	// the lifetime Cognito allows.
	ErrTokenMalformed = errors.New("verifier: token malformed")
	// ErrTokenTooLarge: the token is longer than Config.MaxTokenSize. Checked
	// before anything is parsed.
	ErrTokenTooLarge = errors.New("verifier: token too large")
	// ErrAlgorithm: the header alg is not allowed, or does not agree with the
	// key's kty, crv, use or alg.
	ErrAlgorithm = errors.New("verifier: signing algorithm not allowed")
	// ErrKeyNotFound: the pool's key set has no key with the token's kid.
	ErrKeyNotFound = errors.New("verifier: signing key not found")
	// ErrSignatureInvalid: the signature does not verify under the key.
	ErrSignatureInvalid = errors.New("verifier: signature invalid")
	// ErrTokenExpired: exp is not after now minus leeway.
	ErrTokenExpired = errors.New("verifier: token expired")
	// ErrTokenNotYetValid: nbf or iat is after now plus leeway.
	ErrTokenNotYetValid = errors.New("verifier: token not yet valid")
	// ErrIssuerMismatch: iss is missing or is not the issuer of a configured pool.
	ErrIssuerMismatch = errors.New("verifier: issuer mismatch")
	// ErrTokenUseMismatch: token_use is missing, not "id" or "access", or not
	// the use the pool accepts.
	ErrTokenUseMismatch = errors.New("verifier: token_use mismatch")
	// ErrClientMismatch: aud (ID token, a single string) or client_id
	// (access token) is not one of the pool's client IDs.
	ErrClientMismatch = errors.New("verifier: client mismatch")
	// ErrJWKSUnavailable: the pool's keys could not be fetched and none are
	// held. Retrying later may succeed.
	ErrJWKSUnavailable = errors.New("verifier: signing keys unavailable")
	// ErrCustomCheck: Config.CustomCheck refused the token. Its error is
	// wrapped too.
	ErrCustomCheck = errors.New("verifier: custom check failed")
)

// ValidationError is the error Verify returns. It carries the reason (one of
// the sentinels), the claim or header field at fault and its value, quoted
// and truncated. It never holds the token itself.
type ValidationError struct {
	Reason error  // one of the Err* sentinels
	Claim  string // "exp", "iss", "header.alg", ...; empty when not about one field
	Value  string // the offending value: its first 64 bytes, quoted and escaped; may be empty
	Detail string // a short explanation
	Err    error  // the underlying cause, if any (a jwks fetch error, CustomCheck's error)
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.Reason.Error())
	if e.Claim != "" {
		b.WriteString(": ")
		b.WriteString(e.Claim)
		if e.Value != "" {
			b.WriteString(" ")
			b.WriteString(e.Value)
		}
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is match both the reason and the cause.
func (e *ValidationError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

func fail(reason error, claim, value, detail string) error {
	return &ValidationError{Reason: reason, Claim: claim, Value: quote(value), Detail: detail}
}

// quote renders attacker-controlled text safely for errors and logs: quoted,
// escaped and cut to a bounded length.
func quote(s string) string {
	if s == "" {
		return ""
	}
	const max = 64
	if len(s) > max {
		cut := max
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "..."
	}
	return strconv.Quote(s)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
