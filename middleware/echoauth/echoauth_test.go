package echoauth_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/echoauth"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

var fx *authtest.Fixture

func TestMain(m *testing.M) { authtest.Main(m, &fx) }

// who answers with the username from the request's context.Context and
// from echoauth.Claims.
func who(c echo.Context) error {
	var fromCtx, fromEcho string
	if cl, ok := claims.FromContext(c.Request().Context()); ok {
		fromCtx = cl.Username
	}
	if cl, ok := echoauth.Claims(c); ok {
		fromEcho = cl.Username
	}
	return c.String(http.StatusOK, authtest.Who(fromCtx, fromEcho))
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

// echoStack is a real echo instance for the conformance suite.
func echoStack(m *middleware.Middleware) http.Handler {
	e := newEcho()
	if m != nil {
		e.Use(echoauth.New(m))
	}
	e.GET("/me", who)
	e.GET("/health", who)
	e.GET("/any-group", who, echoauth.Require(middleware.AnyGroup("admin", "ops")))
	e.GET("/all-groups", who, echoauth.Require(middleware.AllGroups("admin", "ops")))
	e.GET("/any-scope", who, echoauth.Require(middleware.AnyScope("shop/read", "shop/write")))
	e.GET("/all-scopes", who, echoauth.Require(middleware.AllScopes("shop/read", "shop/write")))
	e.GET("/id-only", who, echoauth.Require(middleware.TokenUse(verifier.IDToken)))
	return e
}

func TestConformance(t *testing.T) {
	authtest.Run(t, fx, echoStack)
}

// TestSkipper: a request the Skipper skips is not authenticated at all
// (no token needed, a bad one ignored, no claims); the others are.
func TestSkipper(t *testing.T) {
	e := newEcho()
	e.Use(echoauth.NewWithConfig(authtest.Build(t, fx.V, middleware.WithRealm("shop")), echoauth.Config{
		Skipper: func(c echo.Context) bool { return strings.HasPrefix(c.Path(), "/metrics") },
	}))
	e.GET("/metrics", who)
	e.GET("/me", who)
	srv := httptest.NewServer(e)
	defer srv.Close()
	user := []string{"Bearer " + fx.Token(nil)}
	for _, tc := range []authtest.Case{
		{Name: "skipped", Path: "/metrics", Status: 200, Body: authtest.Who("", "")},
		{Name: "skipped with a token", Path: "/metrics", Auth: user, Status: 200, Body: authtest.Who("", "")},
		{Name: "skipped with a bad token", Path: "/metrics", Auth: []string{"Bearer"}, Status: 200, Body: authtest.Who("", "")},
		{Name: "not skipped", Path: "/me", Status: 401, Challenge: `Bearer realm="shop"`, Code: "unauthorized"},
		{Name: "not skipped, token", Path: "/me", Auth: user, Status: 200, Body: authtest.Who("bob", "bob")},
	} {
		authtest.Check(t, srv, tc)
	}
}

// TestOneResponse: echo's HTTPErrorHandler must not write a second
// response after a refusal (the middleware returns nil).
func TestOneResponse(t *testing.T) {
	e := newEcho()
	called := false
	e.HTTPErrorHandler = func(err error, c echo.Context) { called = true }
	e.Use(echoauth.New(authtest.Build(t, fx.V)))
	e.GET("/me", who, echoauth.Require(middleware.AnyGroup("admin")))
	srv := httptest.NewServer(e)
	defer srv.Close()
	authtest.Check(t, srv, authtest.Case{Name: "no token", Path: "/me", Status: 401, Challenge: authtest.Challenge, Code: "unauthorized"})
	authtest.Check(t, srv, authtest.Case{Name: "user", Path: "/me", Auth: []string{"Bearer " + fx.Token(nil)},
		Status: 403, Challenge: authtest.ChallengeScope, Code: "insufficient_scope"})
	if called {
		t.Error("echo's error handler ran")
	}
	if _, ok := echoauth.Claims(nil); ok {
		t.Error("Claims(nil) reported claims")
	}
}
