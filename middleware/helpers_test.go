package middleware_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// fx, pool and v are shared by the package's tests: key generation is the
// slow part and all are safe for concurrent use.
var (
	fx   *authtest.Fixture
	pool *cognitotest.Pool
	v    *verifier.Verifier
)

func TestMain(m *testing.M) {
	var err error
	if fx, err = authtest.NewFixture(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pool, v = fx.Pool, fx.V
	code := m.Run()
	fx.Close()
	os.Exit(code)
}

func userToken(opts ...cognitotest.TokenOption) string {
	return pool.AccessToken(cognitotest.User{Username: "bob"}, opts...)
}

func adminToken(opts ...cognitotest.TokenOption) string {
	return pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}}, opts...)
}

// whoami answers 200 "user=<name>" or "user=-" for an anonymous request,
// reading the claims from the request's context.Context as service code
// would.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	name := "-"
	if c, ok := claims.FromContext(r.Context()); ok {
		name = c.Username
	}
	fmt.Fprintf(w, "user=%s", name)
})

// serve starts a real server on 127.0.0.1 for h.
func serve(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// result is what a test looks at in a response.
type result struct {
	status     int
	challenge  string // WWW-Authenticate
	retryAfter string
	body       string
	code       string // the JSON body's "error"
}

// get sends method path to srv after mod adjusts the request.
func send(t testing.TB, srv *httptest.Server, method, path string, mod func(*http.Request)) result {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		mod(req)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	res := result{
		status:     resp.StatusCode,
		challenge:  resp.Header.Get("WWW-Authenticate"),
		retryAfter: resp.Header.Get("Retry-After"),
		body:       string(b),
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Error == "" || e.Description == "" {
			t.Errorf("%s %s: body %q is not the JSON error", method, path, b)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		res.code = e.Error
	}
	return res
}

func bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func header(values ...string) func(*http.Request) {
	return func(r *http.Request) {
		for _, v := range values {
			r.Header.Add("Authorization", v)
		}
	}
}

// noToken checks that no part of the response repeats token.
func noToken(t testing.TB, res result, token string) {
	t.Helper()
	if token != "" && (strings.Contains(res.body, token) || strings.Contains(res.challenge, token)) {
		t.Errorf("response repeats the token: %q", res.body)
	}
}

const (
	challenge401 = `Bearer realm="api"`
	challengeTok = `Bearer realm="api", error="invalid_token"`
	challengeReq = `Bearer realm="api", error="invalid_request"`
	challengeScp = `Bearer realm="api", error="insufficient_scope"`
)

// mw is middleware.New for tests: a configuration error fails the test.
func mw(t testing.TB, v middleware.TokenVerifier, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	return authtest.Build(t, v, opts...)
}
