// Package echoauth adapts the Cognito middleware to echo v4. It is a thin
// layer: extraction, verification, requirements and responses are those of
// package middleware, configured with the same options.
//
//	e := echo.New()
//	e.GET("/public", public)
//	api := e.Group("", echoauth.New(v))
//	api.GET("/me", me)
//	api.GET("/admin", admin, echoauth.RequireGroups("admin"))
//
//	func me(c echo.Context) error {
//		cl, _ := echoauth.Claims(c)
//		return c.JSON(http.StatusOK, map[string]string{"user": cl.Username})
//	}
//
// Following echo's convention, NewWithConfig takes a Config with a
// Skipper. The claims are also in c.Request().Context(), for
// claims.FromContext.
package echoauth

import (
	"github.com/labstack/echo/v4"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Skipper reports whether a request should skip authentication; it has the
// shape of echo's middleware.Skipper, so middleware.DefaultSkipper and any
// function written for echo's own middlewares fit.
type Skipper func(c echo.Context) bool

// Config configures NewWithConfig, the echo way.
type Config struct {
	// Skipper, when it returns true, passes the request on untouched: no
	// token is read and no claims are set. Default: skip nothing.
	Skipper Skipper
	// Options are the middleware options (Optional, Exclude, Rule,
	// WithCookie, WithErrorHandler, ...).
	Options []middleware.Option
}

// New returns echo middleware that authenticates every request with v; it
// is NewWithConfig(v, Config{Options: opts}).
func New(v *verifier.Verifier, opts ...middleware.Option) echo.MiddlewareFunc {
	return NewWithConfig(v, Config{Options: opts})
}

// NewWithConfig returns echo middleware that authenticates requests not
// skipped by cfg.Skipper, as middleware.New(v, cfg.Options...).Handler
// would: a refused request is answered (RFC 6750 response or the
// WithErrorHandler handler) and the chain stops with a nil error, so echo's
// HTTPErrorHandler does not write a second response; an accepted one goes
// on with the claims in the request's context.
func NewWithConfig(v *verifier.Verifier, cfg Config) echo.MiddlewareFunc {
	m := middleware.New(v, cfg.Options...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			r, err := m.Authenticate(c.Request())
			if err != nil {
				m.WriteError(c.Response(), c.Request(), err)
				return nil
			}
			c.SetRequest(r)
			return next(c)
		}
	}
}

// Require returns a guard that goes on only if the request carries verified
// claims meeting every one of reqs (see middleware.Require). Use it after
// New, as route middleware.
func Require(reqs ...middleware.Requirement) echo.MiddlewareFunc {
	reqs = append([]middleware.Requirement(nil), reqs...)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := middleware.Authorize(c.Request().Context(), reqs...); err != nil {
				middleware.Refuse(c.Response(), c.Request(), err)
				return nil
			}
			return next(c)
		}
	}
}

// RequireGroups is a guard demanding any one of groups.
func RequireGroups(groups ...string) echo.MiddlewareFunc {
	return Require(middleware.AnyGroup(groups...))
}

// RequireAllGroups is a guard demanding every one of groups.
func RequireAllGroups(groups ...string) echo.MiddlewareFunc {
	return Require(middleware.AllGroups(groups...))
}

// RequireScopes is a guard demanding any one of scopes.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return Require(middleware.AnyScope(scopes...))
}

// RequireAllScopes is a guard demanding every one of scopes.
func RequireAllScopes(scopes ...string) echo.MiddlewareFunc {
	return Require(middleware.AllScopes(scopes...))
}

// Claims returns the verified claims of the request; ok is false for an
// anonymous, skipped or excluded request.
func Claims(c echo.Context) (*claims.Claims, bool) {
	if c == nil || c.Request() == nil {
		return nil, false
	}
	return claims.FromContext(c.Request().Context())
}
