package verifier

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
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
	// ErrIssuerMismatch: iss is missing or is not the issuer of a configured
	// pool, nor of one Config.ResolvePool resolves.
	ErrIssuerMismatch = errors.New("verifier: issuer mismatch")
	// ErrTokenUseMismatch: token_use is missing, not "id" or "access", or not
	// the use the pool accepts.
	ErrTokenUseMismatch = errors.New("verifier: token_use mismatch")
	// ErrClientMismatch: aud (ID token, a single string) or client_id
	// (access token) is not one of the pool's client IDs.
	ErrClientMismatch = errors.New("verifier: client mismatch")
	// ErrJWKSUnavailable: the pool's keys could not be fetched and none are
	// held, or Config.ResolvePool could not be asked about the token's
	// issuer now (its call budget spent, the caller's context ended while
	// waiting for it, or the Verifier closed). Retrying later may succeed.
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
	Value  string // the offending value: its first 64 bytes, quoted and escaped (times as RFC 3339); may be empty
	Detail string // a short explanation
	Err    error  // the underlying cause, if any (a jwks fetch error, CustomCheck's error)

	timed bool // Value is a time and Detail how far it is from now
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
		if e.timed {
			b.WriteString(", ") // exp 2026-12-02T00:39:51Z, 3m12s before now
		} else {
			b.WriteString(": ")
		}
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

// failTime refuses a token for a time claim (exp, nbf, iat) at f seconds,
// saying when it is and how far from now: "exp 2026-12-02T00:39:51Z, 3m12s
// before now". The text is the verifier's own rendering of a number, so
// it needs no quoting.
func failTime(reason error, claim string, f, now float64, leeway time.Duration, detail string) error {
	rel := relative(f - now)
	if leeway > 0 {
		rel += " (leeway " + leeway.String() + ")"
	}
	if detail != "" {
		rel = detail + ": " + rel
	}
	return &ValidationError{Reason: reason, Claim: claim, Value: formatTime(f), Detail: rel, timed: true}
}

// formatTime renders seconds since the epoch as RFC 3339 in UTC, or as the
// number itself beyond years a time.Time renders sensibly.
func formatTime(f float64) string {
	if math.IsNaN(f) || f < -62135596800 || f > 253402300799 { // years 1..9999
		return formatSeconds(f)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC().Format(time.RFC3339Nano)
}

// relative says how far d seconds lie from now: "3m12s before now".
func relative(d float64) string {
	side := "after now"
	if d < 0 {
		side, d = "before now", -d
	}
	if d > 100*365*24*3600 {
		return "more than 100 years " + side
	}
	return time.Duration(d*float64(time.Second)).Round(time.Second).String() + " " + side
}
