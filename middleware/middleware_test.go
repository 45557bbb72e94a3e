package middleware_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// tamper swaps the username in the payload and keeps the signature.
func tamper(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	p = bytes.Replace(p, []byte(`"bob"`), []byte(`"eve"`), 1)
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}

// TestResponses covers extraction and the RFC 6750 answer for each outcome
// through a real server.
func TestResponses(t *testing.T) {
	t.Parallel()
	user := userToken()
	cases := []struct {
		name      string
		opts      []middleware.Option
		path      string
		mod       func(*http.Request)
		status    int
		challenge string
		code      string
		body      string // for 200
	}{
		{name: "no token", status: 401, challenge: challenge401, code: "unauthorized"},
		{name: "valid", mod: bearer(user), status: 200, body: "user=bob"},
		{name: "scheme lower case", mod: header("bearer " + user), status: 200, body: "user=bob"},
		{name: "scheme upper case", mod: header("BEARER " + user), status: 200, body: "user=bob"},
		{name: "expired", mod: bearer(userToken(cognitotest.WithLifetime(-time.Minute))), status: 401, challenge: challengeTok, code: "invalid_token"},
		{name: "bad signature", mod: bearer(tamper(t, user)), status: 401, challenge: challengeTok, code: "invalid_token"},
		{name: "not a JWT", mod: bearer("abc.def.ghi"), status: 401, challenge: challengeTok, code: "invalid_token"},
		{name: "other client", mod: bearer(userToken(cognitotest.WithClientID("otherclient123"))), status: 401, challenge: challengeTok, code: "invalid_token"},
		{name: "ID token where access expected", mod: bearer(pool.IDToken(cognitotest.User{})), status: 401, challenge: challengeTok, code: "invalid_token"},
		{name: "other scheme is no token", mod: header("Basic Ym9iOnNlY3JldA=="), status: 401, challenge: challenge401, code: "unauthorized"},
		{name: "two Authorization headers", mod: header("Bearer "+user, "Bearer "+user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "two spaces", mod: header("Bearer  " + user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "tab", mod: header("Bearer\t" + user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "Bearer alone", mod: header("Bearer"), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "two tokens in one header", mod: header("Bearer " + user + " " + user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "comma list", mod: header("Bearer " + user + ", Bearer " + user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "no scheme", mod: header(user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "cookie", opts: []middleware.Option{middleware.WithCookie("id")},
			mod: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "id", Value: user}) }, status: 200, body: "user=bob"},
		{name: "cookie not configured", mod: func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "id", Value: user}) },
			status: 401, challenge: challenge401, code: "unauthorized"},
		{name: "empty cookie is no token", opts: []middleware.Option{middleware.WithCookie("id")},
			mod: func(r *http.Request) { r.Header.Set("Cookie", "id=") }, status: 401, challenge: challenge401, code: "unauthorized"},
		{name: "cookie and header", opts: []middleware.Option{middleware.WithCookie("id")},
			mod:    func(r *http.Request) { bearer(user)(r); r.AddCookie(&http.Cookie{Name: "id", Value: user}) },
			status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "two cookies", opts: []middleware.Option{middleware.WithCookie("id")},
			mod: func(r *http.Request) { r.Header.Set("Cookie", "id="+user+"; id="+user) }, status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "query ignored without opt-in", path: "/?access_token=" + user, status: 401, challenge: challenge401, code: "unauthorized"},
		{name: "query opted in", opts: []middleware.Option{middleware.WithQueryParameter("access_token")},
			path: "/?access_token=" + user, status: 200, body: "user=bob"},
		{name: "query and header", opts: []middleware.Option{middleware.WithQueryParameter("access_token")},
			path: "/?access_token=" + user, mod: bearer(user), status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "query repeated", opts: []middleware.Option{middleware.WithQueryParameter("access_token")},
			path: "/?access_token=" + user + "&access_token=" + user, status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "query empty", opts: []middleware.Option{middleware.WithQueryParameter("access_token")},
			path: "/?access_token=", status: 400, challenge: challengeReq, code: "invalid_request"},
		{name: "realm", opts: []middleware.Option{middleware.WithRealm(`my "shop"` + "\n")},
			status: 401, challenge: `Bearer realm="my \"shop\""`, code: "unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := serve(t, mw(t, v, tc.opts...).Handler(whoami))
			path := tc.path
			if path == "" {
				path = "/"
			}
			res := send(t, srv, "GET", path, tc.mod)
			if res.status != tc.status || res.challenge != tc.challenge || res.code != tc.code {
				t.Errorf("got %d %q %q, want %d %q %q", res.status, res.challenge, res.code, tc.status, tc.challenge, tc.code)
			}
			if tc.body != "" && res.body != tc.body {
				t.Errorf("body %q, want %q", res.body, tc.body)
			}
			noToken(t, res, user)
		})
	}
}

// TestKeysUnavailable: a pool whose JWKS endpoint fails gives 503 with
// Retry-After and no challenge.
func TestKeysUnavailable(t *testing.T) {
	t.Parallel()
	dv, token := fx.Down, fx.DownToken
	for _, tc := range []struct {
		name string
		opts []middleware.Option
		want string
	}{
		{"default", nil, "10"},
		{"configured", []middleware.Option{middleware.WithRetryAfter(2500 * time.Millisecond)}, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mw(t, dv, tc.opts...)
			res := send(t, serve(t, m.Handler(whoami)), "GET", "/", bearer(token))
			if res.status != 503 || res.retryAfter != tc.want || res.challenge != "" || res.code != "temporarily_unavailable" {
				t.Errorf("got %+v, want 503 Retry-After %s", res, tc.want)
			}
			noToken(t, res, token)
			req := httptest.NewRequest("GET", "/", nil)
			bearer(token)(req)
			_, err := m.Check(req)
			if !errors.Is(err, middleware.ErrUnavailable) || !errors.Is(err, verifier.ErrJWKSUnavailable) {
				t.Errorf("Check: %v, want ErrUnavailable wrapping verifier.ErrJWKSUnavailable", err)
			}
		})
	}
}

// TestCheck: Check reports the middleware's sentinels and the verifier's,
// and nil claims without error for requests that pass without a token.
func TestCheck(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		opts    []middleware.Option
		method  string
		path    string
		auth    []string
		want    []error // all must match; nil means success
		subject bool
	}{
		{name: "valid", auth: []string{"Bearer " + userToken()}, subject: true},
		{name: "no token", want: []error{middleware.ErrNoToken}},
		{name: "optional anonymous", opts: []middleware.Option{middleware.Optional()}},
		{name: "excluded", opts: []middleware.Option{middleware.Exclude("/health")}, path: "/health"},
		{name: "expired", auth: []string{"Bearer " + userToken(cognitotest.WithLifetime(-time.Minute))},
			want: []error{middleware.ErrInvalidToken, verifier.ErrTokenExpired}},
		{name: "two headers", auth: []string{"Bearer a", "Bearer b"}, want: []error{middleware.ErrInvalidRequest}},
		{name: "group rule", opts: []middleware.Option{middleware.Rule("/admin", middleware.AnyGroup("admin"))},
			path: "/admin", auth: []string{"Bearer " + userToken()}, want: []error{middleware.ErrForbidden}},
		{name: "scope rule", opts: []middleware.Option{middleware.Rule("/admin", middleware.AnyScope("s/admin"))},
			path: "/admin", auth: []string{"Bearer " + userToken()}, want: []error{middleware.ErrForbidden}},
		{name: "custom requirement", opts: []middleware.Option{middleware.Rule("/", func(*claims.Claims) error { return errors.New("no") })},
			auth: []string{"Bearer " + userToken()}, want: []error{middleware.ErrForbidden}},
		{name: "default deny", opts: []middleware.Option{middleware.DefaultDeny(), middleware.Rule("/admin")},
			auth: []string{"Bearer " + userToken()}, want: []error{middleware.ErrForbidden}},
		{name: "default deny rule", opts: []middleware.Option{middleware.DefaultDeny(), middleware.Rule("/admin")},
			path: "/admin", auth: []string{"Bearer " + userToken()}, subject: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := tc.path
			if path == "" {
				path = "/"
			}
			req := httptest.NewRequest("GET", path, nil)
			for _, a := range tc.auth {
				req.Header.Add("Authorization", a)
			}
			c, err := mw(t, v, tc.opts...).Check(req)
			for _, w := range tc.want {
				if !errors.Is(err, w) {
					t.Errorf("Check: %v, want errors.Is %v", err, w)
				}
			}
			if len(tc.want) == 0 && err != nil {
				t.Errorf("Check: %v", err)
			}
			if err != nil && c != nil {
				t.Error("claims returned with an error")
			}
			if got := c != nil && c.Username == "bob"; got != tc.subject {
				t.Errorf("claims %v, want bob's: %v", c, tc.subject)
			}
		})
	}
}

// TestNewRefusesMisconfiguration: every mistake is New's error, wrapping
// ErrMisconfigured; nothing panics and no Middleware is returned.
func TestNewRefusesMisconfiguration(t *testing.T) {
	t.Parallel()
	var nilVerifier *verifier.Verifier
	for _, tc := range []struct {
		name string
		v    middleware.TokenVerifier
		opts []middleware.Option
	}{
		{"nil verifier", nil, nil},
		{"typed nil verifier", nilVerifier, nil},
		{"zero option", v, []middleware.Option{{}}},
		{"pattern without slash", v, []middleware.Option{middleware.Exclude("public")}},
		{"wildcard", v, []middleware.Option{middleware.Rule("/users/{id}", middleware.AnyGroup("a"))}},
		{"not canonical", v, []middleware.Option{middleware.Exclude("/a/../b")}},
		{"three fields", v, []middleware.Option{middleware.Exclude("GET /a b")}},
		{"nil requirement", v, []middleware.Option{middleware.Rule("/", middleware.AnyGroup("a"), nil)}},
		{"lower-case method in Rule", v, []middleware.Option{middleware.Rule("post /orders", middleware.AnyGroup("a"))}},
		{"mixed-case method in Exclude", v, []middleware.Option{middleware.Exclude("Get /health")}},
		{"empty header name", v, []middleware.Option{middleware.WithHeader("")}},
		{"header Authorization", v, []middleware.Option{middleware.WithHeader("authorization")}},
		{"empty cookie name", v, []middleware.Option{middleware.WithCookie("")}},
		{"empty realm", v, []middleware.Option{middleware.WithRealm("")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := middleware.New(tc.v, tc.opts...)
			if !errors.Is(err, middleware.ErrMisconfigured) || m != nil {
				t.Errorf("New = %v, %v; want nil, ErrMisconfigured", m, err)
			}
		})
	}
	if _, err := middleware.New(v, middleware.Exclude("GET /a", "/b/", "/{$}"), middleware.Rule("POST /c"), middleware.Rule("PROPFIND /d")); err != nil {
		t.Errorf("valid patterns: %v", err)
	}
}

// TestLowerCaseMethodRefusedByNew: "post /orders" would not cover POST
// while a method-agnostic handler still served it, so New refuses it; the
// upper-case rule then protects the route through a real server.
func TestLowerCaseMethodRefusedByNew(t *testing.T) {
	t.Parallel()
	if _, err := middleware.New(v, middleware.Rule("post /orders", middleware.AnyGroup("admin"))); !errors.Is(err, middleware.ErrMisconfigured) {
		t.Fatalf("New accepted a lower-case method: %v", err)
	}
	srv := serve(t, mw(t, v, middleware.Rule("POST /orders", middleware.AnyGroup("admin"))).Handler(whoami))
	if res := send(t, srv, "POST", "/orders", bearer(userToken())); res.status != 403 {
		t.Errorf("POST /orders by a user: %d, want 403", res.status)
	}
	if res := send(t, srv, "POST", "/orders", bearer(adminToken())); res.status != 200 {
		t.Errorf("POST /orders by an admin: %d, want 200", res.status)
	}
}

// TestNilMiddleware: a nil *Middleware refuses with 500, it does not panic.
func TestNilMiddleware(t *testing.T) {
	t.Parallel()
	var m *middleware.Middleware
	res := send(t, serve(t, m.Handler(whoami)), "GET", "/", bearer(adminToken()))
	if res.status != 500 || res.code != "server_error" {
		t.Errorf("got %d %q, want 500 server_error", res.status, res.code)
	}
	if _, err := m.Check(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, middleware.ErrMisconfigured) {
		t.Errorf("Check: %v", err)
	}
}

// TestErrorHandler: WithErrorHandler replaces the response for refusals
// of the middleware and of guards, and gets the classified error.
func TestErrorHandler(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []error
	m := mw(t, v, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
		mu.Lock()
		got = append(got, err)
		mu.Unlock()
		w.WriteHeader(http.StatusTeapot)
	}))
	srv := serve(t, m.Handler(middleware.Require(middleware.AnyGroup("admin"))(whoami)))
	for _, mod := range []func(*http.Request){nil, bearer(userToken())} {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if mod != nil {
			mod(req)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot || resp.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("status %d, challenge %q: the default response was written", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 2 || !errors.Is(got[0], middleware.ErrNoToken) || !errors.Is(got[1], middleware.ErrForbidden) {
		t.Errorf("handler got %v", got)
	}
}

// TestLogger: refusals are logged with their reason, never with the token
// or the query string.
func TestLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := mw(t, v, middleware.WithLogger(logger), middleware.WithQueryParameter("access_token"))
	srv := serve(t, m.Handler(whoami))
	expired := userToken(cognitotest.WithLifetime(-time.Minute))
	send(t, srv, "GET", "/orders", bearer(expired))
	send(t, srv, "GET", "/orders?access_token="+expired, nil)
	out := buf.String()
	if !strings.Contains(out, "token expired") || !strings.Contains(out, "path=/orders") || !strings.Contains(out, "status=401") {
		t.Errorf("log lacks the reason: %s", out)
	}
	for _, part := range strings.Split(expired, ".") {
		if strings.Contains(out, part) {
			t.Fatalf("log holds part of the token: %s", out)
		}
	}
}

// TestDefaultDenyLogsGap: a request DefaultDeny refuses is logged at Warn
// as a configuration gap, naming the path; a guard's refusal is observed
// and logged by the Middleware in front of it.
func TestDefaultDenyLogsGap(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	m := mw(t, v, middleware.WithLogger(logger), middleware.DefaultDeny(), middleware.Rule("GET /orders"))
	srv := serve(t, m.Handler(middleware.Require(middleware.AnyGroup("admin"))(whoami)))
	if res := send(t, srv, "GET", "/order", bearer(adminToken())); res.status != 403 {
		t.Errorf("unmatched path: %d, want 403", res.status)
	}
	if res := send(t, srv, "GET", "/orders", bearer(userToken())); res.status != 403 {
		t.Errorf("guard: %d, want 403", res.status)
	}
	out := buf.String()
	if !strings.Contains(out, "level=WARN") || !strings.Contains(out, "path=/order ") || !strings.Contains(out, "DefaultDeny") {
		t.Errorf("the gap is not logged at Warn: %s", out)
	}
	if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "needs a group") {
		t.Errorf("the guard's refusal is not logged: %s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestConcurrent sends many requests with different tokens at once; run
// with -race.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.Handle("/me", whoami)
	mux.Handle("/admin", middleware.Require(middleware.AnyGroup("admin"))(whoami))
	srv := serve(t, mw(t, v, middleware.Optional()).Handler(mux))
	type call struct {
		path, token string
		status      int
		body        string
	}
	calls := []call{
		{"/me", userToken(), 200, "user=bob"},
		{"/me", adminToken(), 200, "user=alice"},
		{"/me", "", 200, "user=-"},
		{"/admin", adminToken(), 200, "user=alice"},
		{"/admin", userToken(), 403, ""},
		{"/admin", "", 401, ""},
		{"/me", tamper(t, userToken()), 401, ""},
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				c := calls[(i+j)%len(calls)]
				var mod func(*http.Request)
				if c.token != "" {
					mod = bearer(c.token)
				}
				res := send(t, srv, "GET", c.path, mod)
				if res.status != c.status || c.body != "" && res.body != c.body {
					t.Errorf("%s: got %d %q, want %d %q", c.path, res.status, res.body, c.status, c.body)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestRefusal maps every refusal class, including raw verifier errors,
// with the Middleware's realm and Retry-After, and the gRPC code.
func TestRefusal(t *testing.T) {
	t.Parallel()
	m := mw(t, v, middleware.WithRealm("shop"), middleware.WithRetryAfter(1500*time.Millisecond))
	raw := &verifier.ValidationError{Reason: verifier.ErrTokenExpired}
	for _, tc := range []struct {
		err       error
		status    int
		code      string
		challenge string
		rpc       uint32
	}{
		{middleware.ErrNoToken, 401, "unauthorized", `Bearer realm="shop"`, 16},
		{middleware.ErrInvalidRequest, 400, "invalid_request", `Bearer realm="shop", error="invalid_request"`, 3},
		{middleware.ErrInvalidToken, 401, "invalid_token", `Bearer realm="shop", error="invalid_token"`, 16},
		{raw, 401, "invalid_token", `Bearer realm="shop", error="invalid_token"`, 16},
		{&verifier.ValidationError{Reason: verifier.ErrTokenRevoked}, 401, "invalid_token", `Bearer realm="shop", error="invalid_token"`, 16},
		{middleware.ErrForbidden, 403, "insufficient_scope", `Bearer realm="shop", error="insufficient_scope"`, 7},
		{middleware.ErrUnavailable, 503, "temporarily_unavailable", "", 14},
		{&verifier.ValidationError{Reason: verifier.ErrJWKSUnavailable}, 503, "temporarily_unavailable", "", 14},
		{&verifier.ValidationError{Reason: verifier.ErrRevocationUnavailable}, 503, "temporarily_unavailable", "", 14},
		{middleware.ErrMisconfigured, 500, "server_error", "", 13},
		{errors.New("surprise"), 500, "server_error", "", 13},
		{nil, 500, "server_error", "", 13},
	} {
		rf := m.Refusal(tc.err)
		if rf.Status != tc.status || rf.Code != tc.code || rf.Description == "" || rf.Challenge != tc.challenge || rf.RPCCode != tc.rpc {
			t.Errorf("Refusal(%v) = %+v, want %d %s %q %d", tc.err, rf, tc.status, tc.code, tc.challenge, tc.rpc)
		}
		if wantRetry := tc.status == 503; (rf.RetryAfter == 1500*time.Millisecond) != wantRetry {
			t.Errorf("Refusal(%v).RetryAfter = %v", tc.err, rf.RetryAfter)
		}
		var body struct{ Error, ErrorDescription string }
		if err := json.Unmarshal(rf.Body, &body); err != nil || body.Error != tc.code {
			t.Errorf("Refusal(%v).Body = %s", tc.err, rf.Body)
		}
	}
	var none *middleware.Middleware
	if rf := none.Refusal(middleware.ErrNoToken); rf.Challenge != `Bearer realm="api"` {
		t.Errorf("defaults: %+v", rf)
	}
}
