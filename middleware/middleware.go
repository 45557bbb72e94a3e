package middleware

import (
	"context"
	"fmt"
	"net/http"
	"reflect"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// TokenVerifier checks a token and returns its verified claims.
// *verifier.Verifier satisfies it, and so does any other verifier (alb's,
// a test double). An error that wraps verifier.ErrJWKSUnavailable or
// verifier.ErrRevocationUnavailable is answered 503; every other error, and
// nil claims, 401 invalid_token: never 500 and never a pass.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (*claims.Claims, error)
}

// link is embedded so this module's adapters can reach the core; code
// outside the module cannot call its method.
type link = core.Link

// Middleware authenticates requests with tokens. It is the core that the
// net/http Handler and the ginauth, echoauth and grpcauth adapters share,
// so every stack extracts, verifies, authorizes and answers the same way.
// A Middleware is immutable once New returns and safe for concurrent use.
type Middleware struct {
	link
}

// New returns a Middleware verifying tokens with v, configured by opts.
// Every configuration mistake is returned here, wrapping ErrMisconfigured:
// a nil verifier or option, an invalid pattern, a pattern whose method is
// not upper-case, a nil Requirement, an empty name.
func New(v TokenVerifier, opts ...Option) (*Middleware, error) {
	if v == nil {
		return nil, fmt.Errorf("%w: nil verifier", ErrMisconfigured)
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, fmt.Errorf("%w: nil verifier (%T)", ErrMisconfigured, v)
	}
	e := core.NewEngine(v)
	for i, o := range opts {
		if o.apply == nil {
			return nil, fmt.Errorf("%w: option %d is the zero Option", ErrMisconfigured, i)
		}
		if err := o.apply(e); err != nil {
			return nil, err
		}
	}
	return &Middleware{link: core.NewLink(e)}, nil
}

// Check decides r without side effects: it applies exclusions,
// DefaultDeny, extracts the single token, verifies it, applies the
// matching Rules and Optional mode, and returns the verified claims. It
// returns nil claims and a nil error for a request that passes without a
// token (excluded, or anonymous in Optional mode), and otherwise an error
// wrapping one of the sentinel errors. Check does not call the error
// handler or the observer, log, or touch the context.
func (m *Middleware) Check(r *http.Request) (*claims.Claims, error) {
	if r == nil {
		return nil, fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	return core.Of(m).Decide(r.Context(), core.HTTP(r))
}

// Handler returns next wrapped: requests that Check refuses are answered
// (WithErrorHandler's handler, by default the response Refusal describes),
// logged (WithLogger), reported to the WithRefusalObserver observer, and do
// not reach next; the others reach it with the claims in their context
// (claims.FromContext).
func (m *Middleware) Handler(next http.Handler) http.Handler {
	e := core.Of(m)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if next == nil {
			e.WriteHTTP(w, r, fmt.Errorf("%w: nil handler", ErrMisconfigured))
			return
		}
		r2, err := e.AuthenticateHTTP(r)
		if err != nil {
			e.WriteHTTP(w, r, err)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// Refusal is how m answers a request refused with err, on every stack: the
// mapping from an error to a status, challenge, body, gRPC code and retry
// delay, with m's realm and Retry-After applied. An error it does not
// recognise is a 500 server_error, so that nothing unplanned reads as a
// success. A nil m gives the defaults. Error handlers use it to keep the
// default response and change one thing.
func (m *Middleware) Refusal(err error) Refusal {
	return Refusal(core.Of(m).Refusal(err))
}
