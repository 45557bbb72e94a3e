package middleware

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// Sentinel errors for the reasons the middleware itself refuses a request.
// Every refusal wraps exactly one of them, so callers (and error handlers)
// branch with errors.Is; a refused token also wraps the verifier's own
// sentinel (errors.Is(err, verifier.ErrTokenExpired) holds). No error holds
// the token.
var (
	// ErrNoToken: the request carries no bearer token (no Authorization
	// header, one with another scheme such as Basic, and no configured cookie
	// or query parameter). Answered 401 with a bare challenge (RFC 6750 §3.1);
	// in Optional mode the request passes as anonymous instead.
	ErrNoToken = errors.New("middleware: no bearer token")
	// ErrInvalidRequest: the credentials are malformed or ambiguous: more
	// than one Authorization header, more than one token source, a Bearer
	// header without a token or with other than one space, a value that is
	// not a b64token. Answered 400 invalid_request, also in Optional mode.
	ErrInvalidRequest = errors.New("middleware: malformed authentication request")
	// ErrInvalidToken: the verifier refused the token (expired, bad
	// signature, wrong client, ...). Answered 401 invalid_token.
	ErrInvalidToken = errors.New("middleware: invalid token")
	// ErrUnavailable: the pool's signing keys could not be obtained
	// (verifier.ErrJWKSUnavailable), so the token could not be checked
	// either way. Answered 503 with Retry-After.
	ErrUnavailable = errors.New("middleware: token verification unavailable")
	// ErrForbidden: a verified token does not meet a route's requirement.
	// Answered 403 insufficient_scope. ErrInsufficientGroups and
	// ErrInsufficientScopes wrap it; so does any error of a custom
	// Requirement.
	ErrForbidden = errors.New("middleware: insufficient scope")
	// ErrInsufficientGroups: the token is not in the required group(s).
	ErrInsufficientGroups = fmt.Errorf("%w: required group missing", ErrForbidden)
	// ErrInsufficientScopes: the token lacks the required scope(s).
	ErrInsufficientScopes = fmt.Errorf("%w: required scope missing", ErrForbidden)
	// ErrMisconfigured: the middleware cannot decide (nil verifier, an
	// invalid Exclude or Rule pattern, a nil Requirement). Every request is
	// then refused with 500, never let through.
	ErrMisconfigured = errors.New("middleware: misconfigured")
)

// DefaultRetryAfter is the Retry-After of a 503 unless WithRetryAfter says
// otherwise: the verifier's default refetch cooldown.
const DefaultRetryAfter = 10 * time.Second

// DefaultRealm is the realm of the WWW-Authenticate challenge unless
// WithRealm says otherwise.
const DefaultRealm = "api"

// Refusal is how a refused request is answered: the HTTP status, the error
// code, a fixed description safe to show to anyone, and for 503 the delay
// to advertise. Adapters for other transports map Status to their own codes
// (grpcauth maps 401 to Unauthenticated, 403 to PermissionDenied, ...).
type Refusal struct {
	// Status is 400, 401, 403, 503 or 500.
	Status int
	// Code is the JSON body's "error": "invalid_request", "invalid_token"
	// and "insufficient_scope" (also sent in WWW-Authenticate, RFC 6750
	// §3.1), "unauthorized" (no token: the challenge carries no code),
	// "temporarily_unavailable" or "server_error".
	Code string
	// Description is a fixed sentence per Code. It never contains the
	// token or the verifier's detail.
	Description string
	// RetryAfter is sent as Retry-After (whole seconds, rounded up) with a
	// 503; zero omits the header.
	RetryAfter time.Duration
}

// Classify maps a refusal error to its Refusal. It recognises the sentinels
// above and the verifier's errors (unwrapped ones too); anything else is a
// 500, so that an error nobody planned for never reads as a success.
func Classify(err error) Refusal {
	var ve *verifier.ValidationError
	switch {
	case err == nil, errors.Is(err, ErrMisconfigured):
		return Refusal{Status: http.StatusInternalServerError, Code: "server_error", Description: "the server cannot check credentials"}
	case errors.Is(err, ErrInvalidRequest):
		return Refusal{Status: http.StatusBadRequest, Code: "invalid_request", Description: "the request's credentials are malformed"}
	case errors.Is(err, ErrNoToken):
		return Refusal{Status: http.StatusUnauthorized, Code: "unauthorized", Description: "a bearer token is required"}
	case errors.Is(err, ErrForbidden):
		return Refusal{Status: http.StatusForbidden, Code: "insufficient_scope", Description: "the token does not grant access to this resource"}
	case errors.Is(err, ErrUnavailable), errors.Is(err, verifier.ErrJWKSUnavailable):
		return Refusal{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "the token cannot be checked now; retry later", RetryAfter: DefaultRetryAfter}
	case errors.Is(err, ErrInvalidToken), errors.As(err, &ve):
		return Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token is invalid or expired"}
	}
	return Refusal{Status: http.StatusInternalServerError, Code: "server_error", Description: "the server cannot check credentials"}
}

// Write writes the refusal as an RFC 6750 response: the WWW-Authenticate
// challenge for 400, 401 and 403 (with error="..." except when no token was
// sent), Retry-After for 503, and a small JSON body
// {"error":"...","error_description":"..."} that is never cached.
func (rf Refusal) Write(w http.ResponseWriter, realm string) {
	h := w.Header()
	switch rf.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		h.Set("WWW-Authenticate", challenge(realm, rf.Code))
	case http.StatusServiceUnavailable:
		if rf.RetryAfter > 0 {
			h.Set("Retry-After", strconv.FormatInt(int64((rf.RetryAfter+time.Second-1)/time.Second), 10))
		}
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(rf.Status)
	body, _ := json.Marshal(struct { // strings only: cannot fail
		Error       string `json:"error"`
		Description string `json:"error_description,omitempty"`
	}{rf.Code, rf.Description})
	w.Write(append(body, '\n'))
}

// challenge renders `Bearer realm="..."` plus the RFC 6750 error code when
// the refusal has one.
func challenge(realm, code string) string {
	var b strings.Builder
	b.WriteString(`Bearer realm="`)
	b.WriteString(quoteRealm(realm))
	b.WriteByte('"')
	switch code {
	case "invalid_request", "invalid_token", "insufficient_scope":
		b.WriteString(`, error="`)
		b.WriteString(code)
		b.WriteByte('"')
	}
	return b.String()
}

// quoteRealm makes realm safe inside a quoted-string: control and non-ASCII
// bytes are dropped, quote and backslash escaped.
func quoteRealm(realm string) string {
	if realm == "" {
		realm = DefaultRealm
	}
	var b strings.Builder
	for i := 0; i < len(realm); i++ {
		c := realm[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		}
	}
	return b.String()
}
