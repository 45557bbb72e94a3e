package middleware

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Middleware. The same options configure the gin, echo
// and gRPC adapters; an option about something a transport does not have
// (a cookie for gRPC) is ignored there, and each option's doc says so.
type Option func(*Middleware)

// Optional lets requests without any token through as anonymous: the
// handler runs and claims.FromContext reports false. A token that is
// present but bad, or malformed credentials, are still refused, and a
// Rule or guard on the route still demands a token. Default: a token is
// required.
func Optional() Option {
	return func(m *Middleware) { m.optional = true }
}

// Exclude lets requests matching any of patterns through without looking
// at their credentials (no claims in the context). Patterns use
// http.ServeMux syntax without hosts or wildcards: "GET /healthz",
// "/public/" (a subtree), "/{$}" (the root only). For gRPC the path is the
// full method name: "/grpc.health.v1.Health/" exempts the health service.
// A request path not in canonical form is never excluded, and a request
// that a Rule matches is never excluded. An invalid pattern makes every
// request fail with ErrMisconfigured (see Middleware.Err).
func Exclude(patterns ...string) Option {
	return func(m *Middleware) {
		for _, s := range patterns {
			p, err := parsePattern(s)
			if err != nil {
				m.setErr(err)
				continue
			}
			m.exclude = append(m.exclude, p)
		}
	}
}

// Rule makes every request matching pattern (same syntax as Exclude,
// matched on the path as sent and in canonical form) meet all of reqs, on
// top of carrying a valid token, even in Optional mode. It is the way to
// set per-method requirements for gRPC, and an alternative to guards for
// net/http, gin and echo. An invalid pattern or a nil requirement makes
// every request fail with ErrMisconfigured.
func Rule(pattern string, reqs ...Requirement) Option {
	return func(m *Middleware) {
		p, err := parsePattern(pattern)
		if err != nil {
			m.setErr(err)
			return
		}
		for _, req := range reqs {
			if req == nil {
				m.setErr(errNilRequirement)
				return
			}
		}
		m.rules = append(m.rules, rule{pattern: p, reqs: append([]Requirement(nil), reqs...)})
	}
}

// WithCookie also reads the token from the cookie called name (for
// browser sessions). An empty cookie counts as absent; two non-empty
// cookies of that name, or a cookie and an Authorization header together,
// are refused with ErrInvalidRequest. Default: no cookie. Ignored by gRPC.
func WithCookie(name string) Option {
	return func(m *Middleware) { m.cookie = name }
}

// WithQueryParameter also reads the token from the URL query parameter
// name (RFC 6750 §2.3 calls it "access_token"). Tokens in URLs end up in
// access logs, proxies and browser history: use it only where no header
// can be set (WebSocket or EventSource from a browser). Repeating the
// parameter, leaving it empty, or sending a token another way as well is
// refused with ErrInvalidRequest. Default: off. Ignored by gRPC.
func WithQueryParameter(name string) Option {
	return func(m *Middleware) { m.query = name }
}

// WithRealm sets the realm of the WWW-Authenticate challenge (default
// DefaultRealm). Quotes and backslashes are escaped, control characters
// dropped.
func WithRealm(realm string) Option {
	return func(m *Middleware) {
		if realm != "" {
			m.realm = realm
		}
	}
}

// WithErrorHandler replaces how refusals are written for net/http, gin and
// echo, guards included. err wraps one of the sentinel errors; Classify
// gives the default Refusal and Refusal.Write the default response. The
// handler must write a response: the request does not go on either way.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return func(m *Middleware) { m.onError = h }
}

// WithRPCErrorHandler replaces how refusals are reported by transports
// without a ResponseWriter (grpcauth): f gets the call's context, its full
// method and the refusal, and returns the error the call fails with,
// normally a gRPC status error. A nil result is replaced by the default,
// so a handler cannot let a refused call through.
func WithRPCErrorHandler(f func(ctx context.Context, fullMethod string, err error) error) Option {
	return func(m *Middleware) { m.onRPCError = f }
}

// WithRetryAfter sets the Retry-After sent with a 503 when the signing keys
// are unavailable (default DefaultRetryAfter; zero or less omits it).
func WithRetryAfter(d time.Duration) Option {
	return func(m *Middleware) { m.retryAfter = d }
}

// WithLogger logs every refusal: at Debug level for 4xx, Warn for 5xx, with
// the method, the path (never the query, which may hold a token), the
// status and the reason. Tokens are never logged. Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(m *Middleware) { m.logger = l }
}
