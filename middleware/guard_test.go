package middleware_test

import (
	"net/http"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
)

// TestGuards covers the any-of and all-of guards for groups and scopes.
func TestGuards(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/any-group", middleware.Require(middleware.AnyGroup("admin", "ops"))(whoami))
	mux.Handle("/all-groups", middleware.Require(middleware.AllGroups("admin", "ops"))(whoami))
	mux.Handle("/any-scope", middleware.Require(middleware.AnyScope("shop/read", "shop/write"))(whoami))
	mux.Handle("/all-scopes", middleware.Require(middleware.AllScopes("shop/read", "shop/write"))(whoami))
	mux.Handle("/no-groups", middleware.Require(middleware.AnyGroup())(whoami))
	mux.Handle("/signed-in", middleware.Require()(whoami))
	mux.Handle("/both", middleware.Require(middleware.AnyGroup("admin"), middleware.AnyScope("shop/read"))(whoami))
	srv := serve(t, mw(t, v, middleware.Optional()).Handler(mux))

	tok := func(groups []string, scopes ...string) string {
		var opts []cognitotest.TokenOption
		if scopes != nil {
			opts = append(opts, cognitotest.WithScopes(scopes...))
		}
		return pool.AccessToken(cognitotest.User{Username: "bob", Groups: groups}, opts...)
	}
	admin := tok([]string{"admin"})
	ops := tok([]string{"ops"})
	adminOps := tok([]string{"ops", "admin"})
	plain := tok(nil)
	read := tok(nil, "shop/read")
	readWrite := tok(nil, "shop/write", "shop/read")
	adminRead := tok([]string{"admin"}, "shop/read")

	cases := []struct {
		name, path, token string
		status            int
	}{
		{"any group: first", "/any-group", admin, 200},
		{"any group: second", "/any-group", ops, 200},
		{"any group: none", "/any-group", plain, 403},
		{"any group: anonymous", "/any-group", "", 401},
		{"all groups: both", "/all-groups", adminOps, 200},
		{"all groups: one", "/all-groups", admin, 403},
		{"any scope: one", "/any-scope", read, 200},
		{"any scope: none", "/any-scope", plain, 403},
		{"all scopes: both", "/all-scopes", readWrite, 200},
		{"all scopes: one", "/all-scopes", read, 403},
		{"all scopes: anonymous", "/all-scopes", "", 401},
		{"no groups listed is never met", "/no-groups", adminOps, 403},
		{"signed in", "/signed-in", plain, 200},
		{"signed in: anonymous", "/signed-in", "", 401},
		{"two requirements: both", "/both", adminRead, 200},
		{"two requirements: one", "/both", admin, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mod func(*http.Request)
			if tc.token != "" {
				mod = bearer(tc.token)
			}
			res := send(t, srv, "GET", tc.path, mod)
			want := map[int]string{200: "", 401: challenge401, 403: challengeScp}[tc.status]
			if res.status != tc.status || res.challenge != want {
				t.Errorf("got %d %q, want %d %q", res.status, res.challenge, tc.status, want)
			}
			if tc.status == 403 && res.code != "insufficient_scope" {
				t.Errorf("body error %q", res.code)
			}
			if tc.status == 200 && res.body != "user=bob" {
				t.Errorf("body %q", res.body)
			}
			noToken(t, res, tc.token)
		})
	}
}

// TestGuardRealm: a guard answers with the realm of the Middleware that
// authenticated the request; without one it answers 500: the server is
// misconfigured, and the guard never trusts a raw header.
func TestGuardRealm(t *testing.T) {
	t.Parallel()
	guarded := middleware.Require(middleware.AnyGroup("admin"))(whoami)
	res := send(t, serve(t, mw(t, v, middleware.WithRealm("shop")).Handler(guarded)), "GET", "/", bearer(userToken()))
	if res.status != 403 || res.challenge != `Bearer realm="shop", error="insufficient_scope"` {
		t.Errorf("behind the middleware: %d %q", res.status, res.challenge)
	}
	res = send(t, serve(t, guarded), "GET", "/", bearer(adminToken()))
	if res.status != 500 || res.challenge != "" {
		t.Errorf("without the middleware: %d %q, want 500 without a challenge", res.status, res.challenge)
	}
}
