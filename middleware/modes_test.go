package middleware_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/middleware"
)

// TestOptional: no token passes as anonymous; a bad or malformed token
// still fails; a good one yields claims.
func TestOptional(t *testing.T) {
	t.Parallel()
	srv := serve(t, mw(t, v, middleware.Optional()).Handler(whoami))
	cases := []struct {
		name   string
		mod    func(*http.Request)
		status int
		body   string
	}{
		{"anonymous", nil, 200, "user=-"},
		{"other scheme is anonymous", header("Basic Ym9iOnNlY3JldA=="), 200, "user=-"},
		{"valid", bearer(userToken()), 200, "user=bob"},
		{"bad token", bearer(tamper(t, userToken())), 401, ""},
		{"malformed", header("Bearer"), 400, ""},
		{"two headers", header("Bearer a", "Bearer b"), 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := send(t, srv, "GET", "/", tc.mod)
			if res.status != tc.status || tc.body != "" && res.body != tc.body {
				t.Errorf("got %d %q, want %d %q", res.status, res.body, tc.status, tc.body)
			}
		})
	}
}

// TestExclude: excluded patterns pass without a token, by method and
// subtree, and never for a path in non-canonical form.
func TestExclude(t *testing.T) {
	t.Parallel()
	m := mw(t, v, middleware.Exclude("GET /health", "/public/", "/{$}"))
	srv := serve(t, m.Handler(whoami))
	cases := []struct {
		name, method, path string
		status             int
	}{
		{"exact", "GET", "/health", 200},
		{"GET covers HEAD", "HEAD", "/health", 200},
		{"other method", "POST", "/health", 401},
		{"exact is not a prefix", "GET", "/health/x", 401},
		{"subtree", "POST", "/public/a/b", 200},
		{"subtree root", "GET", "/public/", 200},
		{"subtree without slash", "GET", "/public", 401},
		{"root only", "GET", "/", 200},
		{"elsewhere", "GET", "/private", 401},
		{"dot-dot out of the subtree", "GET", "/public/../private", 401},
		{"dot-dot into the subtree", "GET", "/private/../public/x", 401},
		{"double slash", "GET", "/public//x", 401},
		{"encoded slash", "GET", "/public%2Fx", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := sendRaw(t, srv.URL, tc.method, tc.path)
			if res != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, res, tc.status)
			}
		})
	}
}

// sendRaw sends path exactly as written (no client-side cleaning).
func sendRaw(t *testing.T, base, method, path string) int {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Opaque = path // written to the request line as is
	req := &http.Request{Method: method, URL: u, Header: http.Header{}, Host: u.Host}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRule: a Rule applies on its pattern, in Optional mode too, whichever
// way the path is written, and beats an exclusion.
func TestRule(t *testing.T) {
	t.Parallel()
	m := mw(t, v, middleware.Optional(),
		middleware.Exclude("/admin/open"),
		middleware.Rule("/admin/", middleware.AnyGroup("admin")),
		middleware.Rule("DELETE /orders", middleware.AnyGroup("admin")),
	)
	srv := serve(t, m.Handler(whoami))
	cases := []struct {
		name, method, path, token string
		status                    int
	}{
		{"admin", "GET", "/admin/x", adminToken(), 200},
		{"user", "GET", "/admin/x", userToken(), 403},
		{"anonymous", "GET", "/admin/x", "", 401},
		{"rule beats exclusion", "GET", "/admin/open", "", 401},
		{"unclean path", "GET", "/public/../admin/x", userToken(), 403},
		{"double slash", "GET", "/admin//x", userToken(), 403},
		{"method rule", "DELETE", "/orders", userToken(), 403},
		{"method rule other method", "GET", "/orders", userToken(), 200},
		{"outside", "GET", "/me", "", 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := srv.URL
			req, _ := http.NewRequest(tc.method, u, nil)
			req.URL.Opaque = tc.path
			if tc.token != "" {
				bearer(tc.token)(req)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
			}
			if tc.status == 403 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), "insufficient_scope") {
				t.Errorf("challenge %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}
