package ginauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/ginauth"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

var fx *authtest.Fixture

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	authtest.Main(m, &fx)
}

// who answers with the username from the request's context.Context and
// from ginauth.Claims.
func who(c *gin.Context) {
	var fromCtx, fromGin string
	if cl, ok := claims.FromContext(c.Request.Context()); ok {
		fromCtx = cl.Username
	}
	if cl, ok := ginauth.Claims(c); ok {
		fromGin = cl.Username
	}
	c.String(http.StatusOK, authtest.Who(fromCtx, fromGin))
}

// ginStack is a real gin engine for the conformance suite.
func ginStack(m *middleware.Middleware) http.Handler {
	r := gin.New()
	if m != nil {
		r.Use(ginauth.New(m))
	}
	r.GET("/me", who)
	r.GET("/health", who)
	r.GET("/any-group", ginauth.Require(middleware.AnyGroup("admin", "ops")), who)
	r.GET("/all-groups", ginauth.Require(middleware.AllGroups("admin", "ops")), who)
	r.GET("/any-scope", ginauth.Require(middleware.AnyScope("shop/read", "shop/write")), who)
	r.GET("/all-scopes", ginauth.Require(middleware.AllScopes("shop/read", "shop/write")), who)
	r.GET("/id-only", ginauth.Require(middleware.TokenUse(verifier.IDToken)), who)
	return r
}

func TestConformance(t *testing.T) {
	authtest.Run(t, fx, ginStack)
}

// TestAbortAndErrors: a refusal aborts the chain (later handlers do not
// run) and is recorded in c.Errors for gin's loggers.
func TestAbortAndErrors(t *testing.T) {
	var mu sync.Mutex
	var recorded []error
	ran := false
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		mu.Lock()
		defer mu.Unlock()
		for _, e := range c.Errors {
			recorded = append(recorded, e.Err)
		}
	})
	r.Use(ginauth.New(authtest.Build(t, fx.V)))
	r.GET("/admin", ginauth.Require(middleware.AnyGroup("admin")), func(c *gin.Context) {
		ran = true
		c.Status(http.StatusOK)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	authtest.Check(t, srv, authtest.Case{Name: "no token", Path: "/admin", Status: 401, Challenge: authtest.Challenge, Code: "unauthorized"})
	authtest.Check(t, srv, authtest.Case{Name: "user", Path: "/admin", Auth: []string{"Bearer " + fx.Token(nil)},
		Status: 403, Challenge: authtest.ChallengeScope, Code: "insufficient_scope"})
	if ran {
		t.Error("the handler ran after a refusal")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(recorded) != 2 || !errors.Is(recorded[0], middleware.ErrNoToken) || !errors.Is(recorded[1], middleware.ErrForbidden) {
		t.Errorf("c.Errors: %v", recorded)
	}
}

// TestClaimsWithoutMiddleware: the accessor reports nothing, and a guard
// answers 500 (the server is misconfigured, not the client), on a route the
// middleware does not cover.
func TestClaimsWithoutMiddleware(t *testing.T) {
	r := gin.New()
	r.GET("/me", who)
	r.GET("/admin", ginauth.Require(middleware.AnyGroup("admin")), who)
	srv := httptest.NewServer(r)
	defer srv.Close()
	admin := []string{"Bearer " + fx.Token([]string{"admin"})}
	authtest.Check(t, srv, authtest.Case{Name: "no middleware", Path: "/me", Auth: admin, Status: 200, Body: authtest.Who("", "")})
	authtest.Check(t, srv, authtest.Case{Name: "guard alone", Path: "/admin", Auth: admin, Status: 500, Code: "server_error"})
	if _, ok := ginauth.Claims(nil); ok {
		t.Error("Claims(nil) reported claims")
	}
}
