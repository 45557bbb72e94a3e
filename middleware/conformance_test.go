package middleware_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// netHTTPStack is the net/http stack of the conformance suite.
func netHTTPStack(m *middleware.Middleware) http.Handler {
	who := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var name string
		if c, ok := claims.FromContext(r.Context()); ok {
			name = c.Username
		}
		fmt.Fprint(w, authtest.Who(name, name))
	})
	mux := http.NewServeMux()
	mux.Handle("GET /me", who)
	mux.Handle("GET /health", who)
	mux.Handle("GET /any-group", middleware.Require(middleware.AnyGroup("admin", "ops"))(who))
	mux.Handle("GET /all-groups", middleware.Require(middleware.AllGroups("admin", "ops"))(who))
	mux.Handle("GET /any-scope", middleware.Require(middleware.AnyScope("shop/read", "shop/write"))(who))
	mux.Handle("GET /all-scopes", middleware.Require(middleware.AllScopes("shop/read", "shop/write"))(who))
	mux.Handle("GET /id-only", middleware.Require(middleware.TokenUse(verifier.IDToken))(who))
	if m == nil {
		return mux
	}
	return m.Handler(mux)
}

func TestConformance(t *testing.T) {
	t.Parallel()
	authtest.Run(t, fx, netHTTPStack)
}
