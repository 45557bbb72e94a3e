package middleware

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// Option configures a Middleware in New. The same Middleware serves every
// stack; an option about something a transport does not have (a cookie for
// gRPC) has no effect there, and its doc says so.
type Option struct {
	apply func(*core.Engine) error
}

func option(f func(*core.Engine) error) Option { return Option{apply: f} }

// Optional lets requests without any token through as anonymous: the
// handler runs and claims.FromContext reports false. A token that is
// present but bad, or malformed credentials, are still refused, and a Rule
// or guard on the route still demands a token. Default: a token is
// required.
func Optional() Option {
	return option(func(e *core.Engine) error { e.Optional = true; return nil })
}

// DefaultDeny refuses every request that matches no Exclude and no Rule
// with 403 insufficient_scope (gRPC PermissionDenied), before reading its
// credentials, and logs it at Warn as a configuration gap. A Rule without
// requirements then means "any signed-in user". It turns a mistyped
// pattern into a refusal instead of an open route; use it.
func DefaultDeny() Option {
	return option(func(e *core.Engine) error { e.DefaultDeny = true; return nil })
}

// Exclude lets requests matching any of patterns through without looking
// at their credentials (no claims in the context). Patterns use
// http.ServeMux syntax without hosts or wildcards: "GET /healthz",
// "/public/" (a subtree), "/{$}" (the root only); a method must be
// upper-case, and GET also matches HEAD. For gRPC the path is the full
// method name and the method POST: "/grpc.health.v1.Health/" exempts the
// health service. A request path not in canonical form is never excluded,
// and a request that a Rule matches is never excluded.
func Exclude(patterns ...string) Option {
	return option(func(e *core.Engine) error {
		for _, p := range patterns {
			if err := e.AddExclude(p); err != nil {
				return err
			}
		}
		return nil
	})
}

// Rule makes every request matching pattern (same syntax as Exclude,
// matched on the path as sent and in canonical form) carry a valid token
// meeting all of reqs, even in Optional mode. With no reqs it demands any
// signed-in user. It is how gRPC methods get their requirements, and an
// alternative to guards on HTTP stacks.
func Rule(pattern string, reqs ...Requirement) Option {
	return option(func(e *core.Engine) error {
		for _, r := range reqs {
			if r == nil {
				return fmt.Errorf("%w: Rule %q: nil Requirement", ErrMisconfigured, pattern)
			}
		}
		return e.AddRule(pattern, core.Funcs(reqs))
	})
}

// WithHeader also reads the token from the header called name, as the bare
// value with no scheme (an ALB's "X-Amzn-Oidc-Data"). Two such headers, or
// a token there and in another place, are refused with ErrInvalidRequest.
// gRPC reads the metadata key of that name. Default: none.
func WithHeader(name string) Option {
	return option(func(e *core.Engine) error {
		if name == "" || strings.EqualFold(name, "Authorization") || strings.ContainsAny(name, " \t:") {
			return fmt.Errorf("%w: WithHeader(%q): want a header name other than Authorization", ErrMisconfigured, name)
		}
		e.HeaderName = name
		return nil
	})
}

// WithCookie also reads the token from the cookie called name (browser
// sessions). An empty cookie counts as absent; two non-empty cookies of
// that name, or a cookie and another source together, are refused with
// ErrInvalidRequest. Default: no cookie. No effect on gRPC.
func WithCookie(name string) Option {
	return option(func(e *core.Engine) error {
		if name == "" {
			return fmt.Errorf("%w: WithCookie: empty name", ErrMisconfigured)
		}
		e.Cookie = name
		return nil
	})
}

// WithQueryParameter also reads the token from the URL query parameter
// name (RFC 6750 §2.3 calls it "access_token"). Tokens in URLs end up in
// access logs, proxies and browser history: use it only where no header can
// be set (WebSocket or EventSource from a browser). Repeating the
// parameter, leaving it empty, or sending a token another way as well is
// refused with ErrInvalidRequest. Default: off. No effect on gRPC.
func WithQueryParameter(name string) Option {
	return option(func(e *core.Engine) error {
		if name == "" {
			return fmt.Errorf("%w: WithQueryParameter: empty name", ErrMisconfigured)
		}
		e.Query = name
		return nil
	})
}

// WithRealm sets the realm of the WWW-Authenticate challenge (default
// "api"). Quotes and backslashes are escaped, control characters dropped.
func WithRealm(realm string) Option {
	return option(func(e *core.Engine) error {
		if realm == "" {
			return fmt.Errorf("%w: WithRealm: empty realm", ErrMisconfigured)
		}
		e.Realm = realm
		return nil
	})
}

// WithRetryAfter sets the delay advertised with a 503 (Retry-After, gRPC
// RetryInfo). Default 10s, the verifier's default refetch cooldown; zero or
// less omits it.
func WithRetryAfter(d time.Duration) Option {
	return option(func(e *core.Engine) error { e.RetryAfter = max(d, 0); return nil })
}

// WithLogger logs every refusal: Debug for 4xx, Warn for 5xx and
// DefaultDeny gaps, with the method, the path (never the query, which may
// hold a token), the status and the reason. Tokens are never logged.
// Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return option(func(e *core.Engine) error { e.Logger = l; return nil })
}

// WithRefusalObserver calls f with every refusal's full error after the
// response was written (or, for gRPC, just before the call fails), guards
// included. The response is the library's own, realm and Retry-After
// intact: use it for metrics and audit logs. f must not block for long.
func WithRefusalObserver(f func(ctx context.Context, err error)) Option {
	return option(func(e *core.Engine) error { e.Observer = f; return nil })
}

// WithErrorHandler replaces how refusals are written on net/http, gin and
// echo, guards included. err wraps one of the sentinel errors;
// (*Middleware).Refusal gives the default answer. The handler must write a
// response: the request does not go on either way. To observe refusals
// and keep the response, use WithRefusalObserver. Lambda events
// (lambdaauth), which have no http.ResponseWriter, always get the default
// response.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return option(func(e *core.Engine) error { e.OnError = h; return nil })
}

// WithRPCErrorHandler replaces how grpcauth and connectauth report
// refusals: f gets the call's context, its full method (procedure) and the
// refusal, and returns the error the call fails with, normally a gRPC
// status error (a *connect.Error for connectauth). A nil result is
// replaced by the default, so a handler cannot let a refused call through.
func WithRPCErrorHandler(f func(ctx context.Context, fullMethod string, err error) error) Option {
	return option(func(e *core.Engine) error { e.OnRPCError = f; return nil })
}
