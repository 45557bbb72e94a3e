package middleware

import (
	"time"

	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// Sentinel errors for the reasons a request is refused. Every refusal
// wraps exactly one of them, so error handlers and observers branch with
// errors.Is; a refused token also wraps the verifier's own error
// (errors.Is(err, verifier.ErrTokenExpired) holds). No error holds the
// token.
var (
	// ErrNoToken: the request carries no token (no Authorization header,
	// one with another scheme such as Basic, and no configured header,
	// cookie or query parameter). Answered 401 with a bare challenge (RFC
	// 6750 §3.1); in Optional mode the request passes as anonymous instead.
	ErrNoToken = core.ErrNoToken
	// ErrInvalidRequest: the credentials are malformed or ambiguous: two
	// Authorization headers, a token in two places, a Bearer header without
	// a token or with other than one space, a value that is not a
	// b64token. Answered 400 invalid_request, also in Optional mode.
	ErrInvalidRequest = core.ErrInvalidRequest
	// ErrInvalidToken: the verifier refused the token (expired, bad
	// signature, wrong client, revoked, ...; any error of a foreign
	// TokenVerifier). Answered 401 invalid_token.
	ErrInvalidToken = core.ErrInvalidToken
	// ErrUnavailable: the token could not be checked either way: the
	// signing keys (verifier.ErrJWKSUnavailable) or the revocation list
	// (verifier.ErrRevocationUnavailable) are unavailable. Answered 503 with
	// Retry-After.
	ErrUnavailable = core.ErrUnavailable
	// ErrForbidden: a verified token does not meet a requirement, or, under
	// DefaultDeny, no Rule or Exclude covers the request. Answered 403
	// insufficient_scope. Errors of custom Requirements are wrapped in it.
	ErrForbidden = core.ErrForbidden
	// ErrMisconfigured: returned by New for a configuration mistake, and
	// the refusal (500 server_error) of a guard reached without the
	// middleware in front of it or of a nil handler.
	ErrMisconfigured = core.ErrMisconfigured
)

// Refusal is how a refused request is answered (see the package's
// Responses table). net/http, gin and echo write Status, Challenge (as
// WWW-Authenticate), RetryAfter (as Retry-After) and Body; grpcauth answers
// with RPCCode, Description and RetryAfter (as google.rpc.RetryInfo).
type Refusal struct {
	// Status is the HTTP status: 400, 401, 403, 503 or 500.
	Status int
	// Challenge is the WWW-Authenticate value for 400, 401 and 403, empty
	// otherwise.
	Challenge string
	// Code is the body's "error": "invalid_request", "invalid_token",
	// "insufficient_scope", "unauthorized" (no token),
	// "temporarily_unavailable" or "server_error".
	Code string
	// Description is a fixed sentence per Code, safe to show to anyone: it
	// never holds the token or the verifier's detail.
	Description string
	// Body is the JSON body {"error":Code,"error_description":Description}.
	Body []byte
	// RPCCode is the gRPC status code (Connect uses the same numbers).
	RPCCode uint32
	// RetryAfter is the delay to advertise with a 503 (Retry-After, whole
	// seconds rounded up; zero omits it).
	RetryAfter time.Duration
}
