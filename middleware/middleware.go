package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Middleware authenticates requests with Cognito tokens. It is the
// framework-neutral core that the net/http Handler and the gin, echo and
// gRPC adapters share, so that every stack extracts, verifies, authorizes
// and answers the same way. A Middleware is immutable once New returns and
// safe for concurrent use.
type Middleware struct {
	v          *verifier.Verifier
	optional   bool
	exclude    []pattern
	rules      []rule
	cookie     string
	query      string
	realm      string
	retryAfter time.Duration
	onError    func(http.ResponseWriter, *http.Request, error)
	onRPCError func(context.Context, string, error) error
	logger     *slog.Logger
	err        error
}

// New returns a Middleware verifying tokens with v. Configuration mistakes
// (a nil v, an invalid pattern) do not panic: every request is then refused
// with 500 and ErrMisconfigured, and Err reports the mistake at startup.
func New(v *verifier.Verifier, opts ...Option) *Middleware {
	m := &Middleware{v: v, realm: DefaultRealm, retryAfter: DefaultRetryAfter}
	if v == nil {
		m.setErr(fmt.Errorf("%w: nil verifier", ErrMisconfigured))
	}
	for _, o := range opts {
		if o != nil {
			o(m)
		}
	}
	return m
}

func (m *Middleware) setErr(err error) {
	if m.err == nil {
		m.err = err
	}
}

// Err reports the first configuration mistake, wrapping ErrMisconfigured,
// or nil. Check it once after New to fail at startup rather than on every
// request.
func (m *Middleware) Err() error { return m.err }

// Check decides r without side effects: it applies exclusions, extracts
// the single token, verifies it, applies the matching Rules and Optional
// mode, and returns the verified claims. It returns nil claims and a nil
// error for a request that passes without a token (excluded, or anonymous
// in Optional mode), and otherwise an error wrapping one of the sentinel
// errors. Check does not call the error handler, log, or touch the context.
func (m *Middleware) Check(r *http.Request) (*claims.Claims, error) {
	if m.err != nil {
		return nil, m.err
	}
	if r == nil {
		return nil, fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	rules := m.rulesFor(r)
	if len(rules) == 0 && m.excluded(r) {
		return nil, nil
	}
	token, err := m.extract(r)
	if err != nil {
		if errors.Is(err, ErrNoToken) && m.optional && len(rules) == 0 {
			return nil, nil
		}
		return nil, err
	}
	c, err := m.v.Verify(r.Context(), token)
	if err != nil {
		if errors.Is(err, verifier.ErrJWKSUnavailable) {
			return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	for _, rl := range rules {
		if err := authorize(c, rl.reqs); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Authenticate is Check for adapters: on success it returns r with the
// claims in its context (claims.FromContext) together with a reference to
// m, which guards use to answer with m's realm and error handler. On
// refusal it logs (WithLogger) and returns a nil request and the error,
// which the caller passes to WriteError or its transport's equivalent.
func (m *Middleware) Authenticate(r *http.Request) (*http.Request, error) {
	c, err := m.Check(r)
	if err != nil {
		m.log(r, err)
		return nil, err
	}
	ctx := context.WithValue(r.Context(), middlewareKey{}, m)
	if c != nil {
		ctx = claims.NewContext(ctx, c)
	}
	return r.WithContext(ctx), nil
}

// Handler returns next wrapped: requests that Check refuses are answered
// by the error handler (by default an RFC 6750 response) and do not reach
// next; the others reach it with the claims in their context.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if next == nil {
			m.WriteError(w, r, fmt.Errorf("%w: nil handler", ErrMisconfigured))
			return
		}
		r2, err := m.Authenticate(r)
		if err != nil {
			m.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// WriteError answers a refused request: with the WithErrorHandler handler
// if one is set, otherwise with Classify(err) written with m's realm and
// Retry-After.
func (m *Middleware) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	if m.onError != nil {
		m.onError(w, r, err)
		return
	}
	m.Refusal(err).Write(w, m.realm)
}

// Refusal is Classify(err) with m's settings applied: the Retry-After of
// WithRetryAfter on a 503. Transports other than net/http (gRPC) answer
// with it.
func (m *Middleware) Refusal(err error) Refusal {
	rf := Classify(err)
	if rf.Status == http.StatusServiceUnavailable {
		rf.RetryAfter = max(m.retryAfter, 0)
	}
	return rf
}

// RPCError returns the error a call refused with err fails with according
// to WithRPCErrorHandler, or nil when none is set or it returned nil, in
// which case the transport applies its default mapping.
func (m *Middleware) RPCError(ctx context.Context, fullMethod string, err error) error {
	if m.onRPCError == nil {
		return nil
	}
	return m.onRPCError(ctx, fullMethod, err)
}

// middlewareKey carries the Middleware that authenticated a request, so
// that guards further down answer as it would.
type middlewareKey struct{}

func fromContext(ctx context.Context) *Middleware {
	m, _ := ctx.Value(middlewareKey{}).(*Middleware)
	return m
}

// log records a refusal. Only the method, the path and the reason are
// logged: the query may hold a token, and no error of this module holds
// one.
func (m *Middleware) log(r *http.Request, err error) {
	if m.logger == nil || r == nil {
		return
	}
	status := Classify(err).Status
	level := slog.LevelDebug
	if status >= 500 {
		level = slog.LevelWarn
	}
	path := ""
	if r.URL != nil {
		path = r.URL.Path
	}
	m.logger.LogAttrs(r.Context(), level, "request refused",
		slog.String("method", r.Method), slog.String("path", path),
		slog.Int("status", status), slog.String("reason", err.Error()))
}
