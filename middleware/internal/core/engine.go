// Package core is the transport-neutral decision and refusal path behind
// package middleware and its adapters. Only this module's packages can
// import it: the adapters reach a Middleware's Engine through Of.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
)

// Verifier is middleware.TokenVerifier.
type Verifier interface {
	Verify(ctx context.Context, token string) (*claims.Claims, error)
}

// Engine holds a Middleware's configuration and makes its decisions. The
// options fill it in New; it is immutable afterwards. Every method accepts
// a nil Engine and refuses with ErrMisconfigured.
type Engine struct {
	Verifier    Verifier
	Optional    bool
	DefaultDeny bool
	Cookie      string
	Query       string
	HeaderName  string
	Realm       string
	RetryAfter  time.Duration
	OnError     func(http.ResponseWriter, *http.Request, error)
	OnRPCError  func(ctx context.Context, procedure string, err error) error
	Observer    func(context.Context, error)
	Logger      *slog.Logger

	exclude []pattern
	rules   []rule
}

// NewEngine returns an Engine with the defaults.
func NewEngine(v Verifier) *Engine {
	return &Engine{Verifier: v, Realm: DefaultRealm, RetryAfter: DefaultRetryAfter}
}

// AddExclude adds an Exclude pattern.
func (e *Engine) AddExclude(s string) error {
	p, err := parsePattern(s)
	if err == nil {
		e.exclude = append(e.exclude, p)
	}
	return err
}

// AddRule adds a Rule.
func (e *Engine) AddRule(s string, reqs []func(*claims.Claims) error) error {
	p, err := parsePattern(s)
	if err == nil {
		e.rules = append(e.rules, rule{pattern: p, reqs: reqs})
	}
	return err
}

// CheckProcedures reports every Rule and Exclude that matches none of
// procedures (full RPC method names, called with POST), wrapping
// ErrMisconfigured: grpcauth.CheckMethods and any RPC adapter's startup
// check.
func (e *Engine) CheckProcedures(procedures []string) error {
	if e == nil {
		return errNoMiddleware
	}
	procedures = slices.Sorted(slices.Values(procedures))
	var unmatched []string
	check := func(kind string, p pattern) {
		for _, full := range procedures {
			if p.match(http.MethodPost, full) {
				return
			}
		}
		unmatched = append(unmatched, fmt.Sprintf("%s(%q)", kind, p.text))
	}
	for _, rl := range e.rules {
		check("Rule", rl.pattern)
	}
	for _, x := range e.exclude {
		check("Exclude", x)
	}
	if len(unmatched) > 0 {
		return fmt.Errorf("%w: %s match no registered method (registered: %q)", ErrMisconfigured, strings.Join(unmatched, ", "), procedures)
	}
	return nil
}

// Key is the argument of the promoted method adapters call on a
// *middleware.Middleware: code outside this module cannot name it, so
// cannot call that method.
type Key struct{}

// Link is embedded in middleware.Middleware; its one method hands this
// module's adapters the Engine.
type Link struct{ e *Engine }

// NewLink links e.
func NewLink(e *Engine) Link { return Link{e} }

// Engine returns the linked Engine.
func (l Link) Engine(Key) *Engine { return l.e }

// Of returns m's Engine, or nil for a nil m.
func Of[M interface {
	*T
	Engine(Key) *Engine
}, T any](m M) *Engine {
	if m == nil {
		return nil
	}
	return m.Engine(Key{})
}

var errNoMiddleware = fmt.Errorf("%w: nil Middleware", ErrMisconfigured)

// Decide applies exclusions, DefaultDeny, extraction, verification, the
// matching Rules and Optional mode. It returns nil claims and a nil error
// for a request that passes without a token, and otherwise an error
// wrapping one sentinel. It has no side effects.
func (e *Engine) Decide(ctx context.Context, r Request) (*claims.Claims, error) {
	if e == nil {
		return nil, errNoMiddleware
	}
	if r == nil {
		return nil, fmt.Errorf("%w: nil request", ErrInvalidRequest)
	}
	method := r.Method()
	path, exact := r.Path()
	rules := e.rulesFor(method, path)
	if len(rules) == 0 {
		if e.excluded(method, path, exact) {
			return nil, nil
		}
		if e.DefaultDeny {
			return nil, errUnmatched
		}
	}
	token, err := e.extract(r)
	if err != nil {
		if errors.Is(err, ErrNoToken) && e.Optional && len(rules) == 0 {
			return nil, nil
		}
		return nil, err
	}
	c, err := e.Verifier.Verify(ctx, token)
	switch {
	case err != nil && unavailable(err):
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	case err != nil:
		// Whatever a verifier (ours or a foreign one) refuses with is the
		// token's fault unless it says otherwise: 401, never 500 or a pass.
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	case c == nil:
		return nil, fmt.Errorf("%w: the verifier returned no claims", ErrInvalidToken)
	}
	for _, rl := range rules {
		if err := Authorize(c, rl.reqs); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Authenticate is Decide followed by what every adapter does next: on
// success a context carrying the claims and the Engine (for guards); on
// refusal the error, logged.
func (e *Engine) Authenticate(ctx context.Context, r Request) (context.Context, error) {
	c, err := e.Decide(ctx, r)
	if err != nil {
		e.log(ctx, r, err)
		return nil, err
	}
	ctx = context.WithValue(ctx, engineKey{}, e)
	if c != nil {
		ctx = claims.NewContext(ctx, c)
	}
	return ctx, nil
}

// AuthenticateHTTP is Authenticate for an *http.Request.
func (e *Engine) AuthenticateHTTP(r *http.Request) (*http.Request, error) {
	ctx, err := e.Authenticate(r.Context(), HTTP(r))
	if err != nil {
		return nil, err
	}
	return r.WithContext(ctx), nil
}

// WriteHTTP answers a refused HTTP request: with the error handler if one
// is set, otherwise with e.Refusal(err); then tells the observer.
func (e *Engine) WriteHTTP(w http.ResponseWriter, r *http.Request, err error) {
	if e != nil && e.OnError != nil {
		e.OnError(w, r, err)
	} else {
		e.Refusal(err).Write(w)
	}
	e.Notify(r.Context(), err)
}

// RPCError returns the error a refused call fails with: the RPC error
// handler's, or build(e.Refusal(err)) when none is set or it returned nil,
// so that a handler cannot let a refused call through. The observer is
// told before it returns.
func (e *Engine) RPCError(ctx context.Context, procedure string, err error, build func(Refusal) error) error {
	var out error
	if e != nil && e.OnRPCError != nil {
		out = e.OnRPCError(ctx, procedure, err)
	}
	if out == nil {
		out = build(e.Refusal(err))
	}
	e.Notify(ctx, err)
	return out
}

// Notify records the refusal on the request's span, if one is recording
// (a cognitoauth.refused event), and tells the observer
// (WithRefusalObserver). Adapters call it once the refusal is answered;
// WriteHTTP and RPCError do.
func (e *Engine) Notify(ctx context.Context, err error) {
	recordRefusal(ctx, err)
	if e != nil && e.Observer != nil {
		e.Observer(ctx, err)
	}
}

// engineKey carries the Engine that authenticated a request, so that
// guards further down answer as it would.
type engineKey struct{}

// Guard checks reqs against the claims in ctx for a guard; r (nil if
// unknown) names the request in the log. It returns the
// Engine that authenticated the request (nil if none did) and the refusal:
// ErrMisconfigured when no middleware ran in front of the guard,
// ErrNoToken for an anonymous request, an ErrForbidden error for unmet
// requirements. A misconfiguration is logged here, to the slog default
// logger when there is no Engine to say otherwise.
func Guard(ctx context.Context, r Request, reqs []func(*claims.Claims) error) (*Engine, error) {
	e, _ := ctx.Value(engineKey{}).(*Engine)
	if e == nil {
		err := fmt.Errorf("%w: a guard was reached without the middleware in front of it", ErrMisconfigured)
		slog.Default().LogAttrs(ctx, slog.LevelError, "request refused", slog.Int("status", 500), slog.String("reason", err.Error()))
		return nil, err
	}
	c, ok := claims.FromContext(ctx)
	if !ok {
		err := fmt.Errorf("%w: the route requires a signed-in caller", ErrNoToken)
		e.log(ctx, r, err)
		return e, err
	}
	if err := Authorize(c, reqs); err != nil {
		e.log(ctx, r, err)
		return e, err
	}
	return e, nil
}

// GuardHTTP is Guard for net/http, gin and echo: on refusal it writes the
// response and returns false.
func GuardHTTP(w http.ResponseWriter, r *http.Request, reqs []func(*claims.Claims) error) bool {
	e, err := Guard(r.Context(), HTTP(r), reqs)
	if err != nil {
		e.WriteHTTP(w, r, err)
		return false
	}
	return true
}

// ErrNilRequirement is the error of a nil Requirement.
var ErrNilRequirement = fmt.Errorf("%w: nil Requirement", ErrMisconfigured)

// Authorize checks c against every requirement; any failure wraps
// ErrForbidden.
func Authorize(c *claims.Claims, reqs []func(*claims.Claims) error) error {
	for _, req := range reqs {
		if req == nil {
			return ErrNilRequirement
		}
		if err := req(c); err != nil {
			if !errors.Is(err, ErrForbidden) {
				err = fmt.Errorf("%w: %w", ErrForbidden, err)
			}
			return err
		}
	}
	return nil
}

// log records a refusal: Debug for 4xx, Warn for 5xx and for DefaultDeny
// gaps, with the method, the path (never the query, which may hold a
// token), the status and the reason. No error of this module holds a token.
func (e *Engine) log(ctx context.Context, r Request, err error) {
	if e == nil || e.Logger == nil {
		return
	}
	status := e.Refusal(err).Status
	level := slog.LevelDebug
	if status >= 500 || errors.Is(err, errUnmatched) {
		level = slog.LevelWarn
	}
	attrs := make([]slog.Attr, 0, 4)
	if r != nil {
		path, _ := r.Path()
		attrs = append(attrs, slog.String("method", r.Method()), slog.String("path", path))
	}
	attrs = append(attrs, slog.Int("status", status), slog.String("reason", err.Error()))
	e.Logger.LogAttrs(ctx, level, "request refused", attrs...)
}

// Funcs converts requirements (middleware.Requirement) for the core,
// keeping a nil one nil: Authorize refuses it with ErrMisconfigured.
func Funcs[R ~func(*claims.Claims) error](reqs []R) []func(*claims.Claims) error {
	fs := make([]func(*claims.Claims) error, len(reqs))
	for i, r := range reqs {
		if r != nil {
			fs[i] = r
		}
	}
	return fs
}
