package core

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

// The sentinels middleware re-exports; see their doc there.
var (
	ErrNoToken        = errors.New("middleware: no bearer token")
	ErrInvalidRequest = errors.New("middleware: malformed authentication request")
	ErrInvalidToken   = errors.New("middleware: invalid token")
	ErrUnavailable    = errors.New("middleware: token verification unavailable")
	ErrForbidden      = errors.New("middleware: insufficient scope")
	ErrMisconfigured  = errors.New("middleware: misconfigured")
)

// errUnmatched refuses, under DefaultDeny, a request that no Rule or
// Exclude covers: a gap in the configuration, logged as such.
var errUnmatched = fmt.Errorf("%w: no Rule or Exclude matches the request (DefaultDeny)", ErrForbidden)

// Defaults.
const (
	DefaultRealm      = "api"
	DefaultRetryAfter = 10 * time.Second
)

// gRPC status codes (the numbering Connect shares), so that the core names
// them without importing either.
const (
	codeInvalidArgument  = 3
	codePermissionDenied = 7
	codeInternal         = 13
	codeUnavailable      = 14
	codeUnauthenticated  = 16
)

// Refusal mirrors middleware.Refusal field for field (middleware converts
// one into the other, so the compiler keeps them equal).
type Refusal struct {
	Status      int
	Challenge   string
	Code        string
	Description string
	Body        []byte
	RPCCode     uint32
	RetryAfter  time.Duration
}

// Refusal maps err to how it is answered, with e's realm and Retry-After
// (the defaults for a nil e). Anything unrecognised is a 500: an error
// nobody planned for never reads as a success.
func (e *Engine) Refusal(err error) Refusal {
	realm, retry := DefaultRealm, DefaultRetryAfter
	if e != nil {
		realm, retry = e.Realm, max(e.RetryAfter, 0)
	}
	var rf Refusal
	switch {
	case err == nil, errors.Is(err, ErrMisconfigured):
		rf = Refusal{Status: http.StatusInternalServerError, Code: "server_error", Description: "the server cannot check credentials", RPCCode: codeInternal}
	case errors.Is(err, ErrInvalidRequest):
		rf = Refusal{Status: http.StatusBadRequest, Code: "invalid_request", Description: "the request's credentials are malformed", RPCCode: codeInvalidArgument}
	case errors.Is(err, ErrNoToken):
		rf = Refusal{Status: http.StatusUnauthorized, Code: "unauthorized", Description: "a bearer token is required", RPCCode: codeUnauthenticated}
	case errors.Is(err, ErrForbidden):
		rf = Refusal{Status: http.StatusForbidden, Code: "insufficient_scope", Description: "the token does not grant access to this resource", RPCCode: codePermissionDenied}
	case errors.Is(err, ErrUnavailable), unavailable(err):
		rf = Refusal{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "the token cannot be checked now; retry later", RPCCode: codeUnavailable, RetryAfter: retry}
	case errors.Is(err, ErrInvalidToken), errors.As(err, new(*verifier.ValidationError)):
		rf = Refusal{Status: http.StatusUnauthorized, Code: "invalid_token", Description: "the token is invalid or expired", RPCCode: codeUnauthenticated}
	default:
		rf = Refusal{Status: http.StatusInternalServerError, Code: "server_error", Description: "the server cannot check credentials", RPCCode: codeInternal}
	}
	switch rf.Status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		rf.Challenge = challenge(realm, rf.Code)
	}
	body, _ := json.Marshal(struct { // strings only: cannot fail
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{rf.Code, rf.Description})
	rf.Body = append(body, '\n')
	return rf
}

// unavailable reports a verifier error that means "cannot tell now": the
// keys or the revocation list could not be consulted.
func unavailable(err error) bool {
	return errors.Is(err, verifier.ErrJWKSUnavailable) || errors.Is(err, verifier.ErrRevocationUnavailable)
}

// Header returns the response headers of rf: the challenge, Retry-After
// for a 503 (whole seconds, rounded up), and a JSON body that is never
// cached. Adapters that build responses themselves (Lambda) use it.
func (rf Refusal) Header() http.Header {
	h := make(http.Header, 6)
	if rf.Challenge != "" {
		h.Set("WWW-Authenticate", rf.Challenge)
	}
	if rf.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((rf.RetryAfter+time.Second-1)/time.Second), 10))
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	return h
}

// Write writes rf as an RFC 6750 response.
func (rf Refusal) Write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range rf.Header() {
		h[k] = vs
	}
	w.WriteHeader(rf.Status)
	w.Write(rf.Body)
}

// challenge renders `Bearer realm="..."` plus the RFC 6750 error code when
// the refusal has one (none when no token was sent, RFC 6750 §3.1).
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
