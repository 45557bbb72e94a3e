// Package echoauth adapts the Cognito middleware to echo v4. It is a thin
// layer: extraction, verification, rules, requirements and responses are
// those of the *middleware.Middleware it is given.
//
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude("GET /public"),
//		middleware.Rule("/me"),
//		middleware.Rule("/admin"))
//	if err != nil { ... }
//	e := echo.New()
//	e.Use(echoauth.New(auth))
//	e.GET("/public", public)
//	e.GET("/me", me)
//	e.GET("/admin", admin, echoauth.Require(middleware.AnyGroup("admin")))
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
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
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
}

// New returns echo middleware that authenticates every request with m; it
// is NewWithConfig(m, Config{}).
func New(m *middleware.Middleware) echo.MiddlewareFunc {
	return NewWithConfig(m, Config{})
}

// NewWithConfig returns echo middleware that authenticates requests not
// skipped by cfg.Skipper, as m.Handler would: a refused request is
// answered (m's response or error handler) and the chain stops with a nil
// error, so echo's HTTPErrorHandler does not write a second response; an
// accepted one goes on with the claims in the request's context. A nil m
// refuses every request with 500.
func NewWithConfig(m *middleware.Middleware, cfg Config) echo.MiddlewareFunc {
	e := core.Of(m)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			r, err := e.AuthenticateHTTP(c.Request())
			if err != nil {
				e.WriteHTTP(c.Response(), c.Request(), err)
				return nil
			}
			c.SetRequest(r)
			return next(c)
		}
	}
}

// Require returns a guard that goes on only if the request carries verified
// claims meeting every one of reqs (see middleware.Require: an anonymous
// request gets 401, unmet requirements 403, a guard without New in front
// 500). Use it after New, as route middleware.
func Require(reqs ...middleware.Requirement) echo.MiddlewareFunc {
	fs := core.Funcs(reqs)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !core.GuardHTTP(c.Response(), c.Request(), fs) {
				return nil
			}
			return next(c)
		}
	}
}

// Claims returns the verified claims of the request; ok is false for an
// anonymous, skipped or excluded request.
func Claims(c echo.Context) (*claims.Claims, bool) {
	if c == nil || c.Request() == nil {
		return nil, false
	}
	return claims.FromContext(c.Request().Context())
}
