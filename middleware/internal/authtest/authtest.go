// Package authtest is the conformance suite every HTTP stack (net/http, gin,
// echo) passes: the same requests through a real server on 127.0.0.1 must
// get the same statuses, headers and bodies, which is how the adapters are
// shown to behave exactly like the core.
package authtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Fixture holds a fake pool and verifiers for it. Create one per test
// binary (in TestMain): key generation is the slow part.
type Fixture struct {
	Pool *cognitotest.Pool
	// V accepts the access tokens of Pool. Its revocation list (Revocations)
	// revokes user RevokedUser and cannot vouch for user StaleUser.
	V *verifier.Verifier
	// Any accepts Pool's ID and access tokens (for TokenUse guards).
	Any *verifier.Verifier
	// Down verifies tokens of a pool whose key endpoint always fails, so
	// every DownToken is refused with verifier.ErrJWKSUnavailable.
	Down      *verifier.Verifier
	DownToken string

	down *cognitotest.Pool
}

// Main is the TestMain of a package whose tests share one Fixture: it
// builds it into *fx, runs the tests, closes it and exits with their code.
func Main(m *testing.M, fx **Fixture) {
	f, err := NewFixture()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*fx = f
	code := m.Run()
	f.Close()
	os.Exit(code)
}

// NewFixture starts the pools.
func NewFixture() (*Fixture, error) {
	f := &Fixture{}
	var err error
	if f.Pool, err = cognitotest.NewPool(cognitotest.Options{}); err != nil {
		return nil, err
	}
	cfg := f.Pool.Config(verifier.AccessToken)
	cfg.Revocation = Revocations{}
	if f.V, err = verifier.New(cfg); err != nil {
		f.Close()
		return nil, err
	}
	if f.Any, err = verifier.New(f.Pool.Config(verifier.AnyToken)); err != nil {
		f.Close()
		return nil, err
	}
	if f.down, err = cognitotest.NewPool(cognitotest.Options{UserPoolID: "us-east-1_DownPool1"}); err != nil {
		f.Close()
		return nil, err
	}
	f.down.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
	}))
	if f.Down, err = verifier.New(f.down.Config(verifier.AccessToken)); err != nil {
		f.Close()
		return nil, err
	}
	f.DownToken = f.down.AccessToken(cognitotest.User{})
	return f, nil
}

// Close stops everything NewFixture started.
func (f *Fixture) Close() {
	for _, v := range []*verifier.Verifier{f.V, f.Any, f.Down} {
		if v != nil {
			v.Close()
		}
	}
	for _, p := range []*cognitotest.Pool{f.Pool, f.down} {
		if p != nil {
			p.Close()
		}
	}
}

// Users the fixture's revocation list answers for.
const (
	RevokedUser = "revoked"
	StaleUser   = "stale"
)

// Revocations is a verifier.Revocation that revokes RevokedUser's tokens
// and cannot vouch for StaleUser's.
type Revocations struct{}

// Check implements verifier.Revocation.
func (Revocations) Check(_ context.Context, c *claims.Claims) error {
	switch c.Username {
	case RevokedUser:
		return verifier.ErrTokenRevoked
	case StaleUser:
		return fmt.Errorf("authtest: list stale: %w", verifier.ErrRevocationUnavailable)
	}
	return nil
}

// Foreign is a TokenVerifier of another kind: it accepts what V accepts and
// refuses everything else with an error that wraps no known sentinel.
type Foreign struct{ V *verifier.Verifier }

// Verify implements middleware.TokenVerifier.
func (f Foreign) Verify(ctx context.Context, token string) (*claims.Claims, error) {
	c, err := f.V.Verify(ctx, token)
	if err != nil {
		return nil, errors.New("foreign: not accepted")
	}
	return c, nil
}

// Token mints an access token for user "bob" with groups and, when given,
// scopes.
func (f *Fixture) Token(groups []string, scopes ...string) string {
	var opts []cognitotest.TokenOption
	if scopes != nil {
		opts = append(opts, cognitotest.WithScopes(scopes...))
	}
	return f.Pool.AccessToken(cognitotest.User{Username: "bob", Groups: groups}, opts...)
}

// Stack builds the stack under test: the adapter of m installed in front of
// every route (none at all when m is nil), and these GET routes, each
// answering with Who:
//
//	/me, /health          no guard
//	/any-group            Require(AnyGroup("admin", "ops"))
//	/all-groups           Require(AllGroups("admin", "ops"))
//	/any-scope            Require(AnyScope("shop/read", "shop/write"))
//	/all-scopes           Require(AllScopes("shop/read", "shop/write"))
//	/id-only              Require(TokenUse(verifier.IDToken))
type Stack func(m *middleware.Middleware) http.Handler

// Who is the body routes answer with: the username read by
// claims.FromContext on the request's context.Context and the one read by
// the adapter's own accessor ("-" for none).
func Who(fromContext, fromAdapter string) string {
	return fmt.Sprintf("user=%s adapter=%s", dash(fromContext), dash(fromAdapter))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Challenges the suite expects.
const (
	Challenge       = `Bearer realm="api"`
	ChallengeToken  = `Bearer realm="api", error="invalid_token"`
	ChallengeReq    = `Bearer realm="api", error="invalid_request"`
	ChallengeScope  = `Bearer realm="api", error="insufficient_scope"`
	anonymous       = "user=- adapter=-"
	bob             = "user=bob adapter=bob"
	defaultRetry    = "10"
	teapotStatus    = http.StatusTeapot
	concurrentCalls = 20
)

// Case is one request and the response it must get.
type Case struct {
	Name      string
	Path      string
	Auth      []string  // Authorization header values
	Cookie    string    // raw Cookie header
	Header    [2]string // one more header: name, value
	Status    int
	Challenge string
	Code      string // the JSON body's "error"
	Body      string // exact body, for 200
	Retry     string // Retry-After
}

// Run runs the whole suite against stack.
func Run(t *testing.T, f *Fixture, stack Stack) { run(t, f, stack, true) }

// RunEvents runs the suite against a stack whose adapter answers its own
// refusals from the Refusal, without WithErrorHandler (Lambda events): a
// refusal by the adapter gets the default response, while guards behind
// it (a net/http router inside the function) still use the error handler.
func RunEvents(t *testing.T, f *Fixture, stack Stack) { run(t, f, stack, false) }

func run(t *testing.T, f *Fixture, stack Stack, adapterErrorHandler bool) {
	bearer := func(tok string) []string { return []string{"Bearer " + tok} }
	user := f.Token(nil)
	admin := f.Token([]string{"admin"})
	adminOps := f.Token([]string{"admin", "ops"})
	read := f.Token(nil, "shop/read")
	readWrite := f.Token(nil, "shop/read", "shop/write")
	expired := f.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	idToken := f.Pool.IDToken(cognitotest.User{Username: "bob"})
	revoked := f.Pool.AccessToken(cognitotest.User{Username: RevokedUser})
	stale := f.Pool.AccessToken(cognitotest.User{Username: StaleUser})
	otherClient := f.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithClientID("another-app-client"))

	suites := []struct {
		name  string
		v     middleware.TokenVerifier
		opts  []middleware.Option
		cases []Case
	}{
		{name: "required", v: f.V, cases: []Case{
			{Name: "no token", Path: "/me", Status: 401, Challenge: Challenge, Code: "unauthorized"},
			{Name: "valid", Path: "/me", Auth: bearer(user), Status: 200, Body: bob},
			{Name: "scheme case", Path: "/me", Auth: []string{"bEARER " + user}, Status: 200, Body: bob},
			{Name: "expired", Path: "/me", Auth: bearer(expired), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "garbage", Path: "/me", Auth: bearer("a.b.c"), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "ID token", Path: "/me", Auth: bearer(idToken), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "other scheme", Path: "/me", Auth: []string{"Basic Ym9iOng="}, Status: 401, Challenge: Challenge, Code: "unauthorized"},
			{Name: "two headers", Path: "/me", Auth: []string{"Bearer " + user, "Bearer " + user}, Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "two spaces", Path: "/me", Auth: []string{"Bearer  " + user}, Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "Bearer alone", Path: "/me", Auth: []string{"Bearer"}, Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "any group met", Path: "/any-group", Auth: bearer(admin), Status: 200, Body: bob},
			{Name: "any group unmet", Path: "/any-group", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "all groups met", Path: "/all-groups", Auth: bearer(adminOps), Status: 200, Body: bob},
			{Name: "all groups unmet", Path: "/all-groups", Auth: bearer(admin), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "any scope met", Path: "/any-scope", Auth: bearer(read), Status: 200, Body: bob},
			{Name: "any scope unmet", Path: "/any-scope", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "all scopes met", Path: "/all-scopes", Auth: bearer(readWrite), Status: 200, Body: bob},
			{Name: "all scopes unmet", Path: "/all-scopes", Auth: bearer(read), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "revoked", Path: "/me", Auth: bearer(revoked), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "revocation list unavailable", Path: "/me", Auth: bearer(stale), Status: 503, Code: "temporarily_unavailable", Retry: defaultRetry},
			{Name: "another app client", Path: "/me", Auth: bearer(otherClient), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "token use unmet", Path: "/id-only", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
		}},
		{name: "token use", v: f.Any, cases: []Case{
			{Name: "ID token met", Path: "/id-only", Auth: bearer(idToken), Status: 200, Body: bob},
			{Name: "access token unmet", Path: "/id-only", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
		}},
		{name: "foreign verifier", v: Foreign{f.V}, cases: []Case{
			{Name: "accepted", Path: "/any-group", Auth: bearer(admin), Status: 200, Body: bob},
			{Name: "its own error is invalid_token", Path: "/me", Auth: bearer(expired), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
		}},
		{name: "header", v: f.V, opts: []middleware.Option{middleware.WithHeader("X-Amzn-Oidc-Data")}, cases: []Case{
			{Name: "bare value", Path: "/me", Header: [2]string{"x-amzn-oidc-data", user}, Status: 200, Body: bob},
			{Name: "with a scheme", Path: "/me", Header: [2]string{"X-Amzn-Oidc-Data", "Bearer " + user}, Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "header and Authorization", Path: "/me", Header: [2]string{"X-Amzn-Oidc-Data", user}, Auth: bearer(user), Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "Authorization still read", Path: "/me", Auth: bearer(user), Status: 200, Body: bob},
		}},
		{name: "default deny", v: f.V, opts: []middleware.Option{middleware.DefaultDeny(),
			middleware.Exclude("GET /health"),
			middleware.Rule("GET /mee"), // mistyped: /me is covered by nothing
			middleware.Rule("/any-group")}, cases: []Case{
			{Name: "mistyped rule denies", Path: "/me", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "mistyped rule denies anonymous", Path: "/me", Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "excluded", Path: "/health", Status: 200, Body: anonymous},
			{Name: "rule without requirements", Path: "/any-group", Auth: bearer(admin), Status: 200, Body: bob},
			{Name: "rule needs a token", Path: "/any-group", Status: 401, Challenge: Challenge, Code: "unauthorized"},
		}},
		{name: "optional", v: f.V, opts: []middleware.Option{middleware.Optional()}, cases: []Case{
			{Name: "anonymous", Path: "/me", Status: 200, Body: anonymous},
			{Name: "valid", Path: "/me", Auth: bearer(user), Status: 200, Body: bob},
			{Name: "bad token still fails", Path: "/me", Auth: bearer(expired), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
			{Name: "malformed still fails", Path: "/me", Auth: []string{"Bearer"}, Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
			{Name: "guard on anonymous", Path: "/any-group", Status: 401, Challenge: Challenge, Code: "unauthorized"},
		}},
		{name: "exclude", v: f.V, opts: []middleware.Option{middleware.Exclude("GET /health")}, cases: []Case{
			{Name: "excluded", Path: "/health", Status: 200, Body: anonymous},
			{Name: "excluded ignores a bad token", Path: "/health", Auth: bearer(expired), Status: 200, Body: anonymous},
			{Name: "not excluded", Path: "/me", Status: 401, Challenge: Challenge, Code: "unauthorized"},
		}},
		{name: "cookie", v: f.V, opts: []middleware.Option{middleware.WithCookie("id_token")}, cases: []Case{
			{Name: "cookie", Path: "/me", Cookie: "id_token=" + user, Status: 200, Body: bob},
			{Name: "cookie and header", Path: "/me", Cookie: "id_token=" + user, Auth: bearer(user), Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
		}},
		{name: "query", v: f.V, opts: []middleware.Option{middleware.WithQueryParameter("access_token")}, cases: []Case{
			{Name: "query", Path: "/me?access_token=" + user, Status: 200, Body: bob},
			{Name: "query and header", Path: "/me?access_token=" + user, Auth: bearer(user), Status: 400, Challenge: ChallengeReq, Code: "invalid_request"},
		}},
		{name: "keys unavailable", v: f.Down, cases: []Case{
			{Name: "503", Path: "/me", Auth: bearer(f.DownToken), Status: 503, Code: "temporarily_unavailable", Retry: defaultRetry},
		}},
		{name: "realm", v: f.V, opts: []middleware.Option{middleware.WithRealm("shop")}, cases: []Case{
			{Name: "middleware", Path: "/me", Status: 401, Challenge: `Bearer realm="shop"`, Code: "unauthorized"},
			{Name: "guard", Path: "/any-group", Auth: bearer(user), Status: 403, Challenge: `Bearer realm="shop", error="insufficient_scope"`, Code: "insufficient_scope"},
		}},
	}
	for _, s := range suites {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(stack(Build(t, s.v, s.opts...)))
			defer srv.Close()
			for _, tc := range s.cases {
				t.Run(tc.Name, func(t *testing.T) {
					Check(t, srv, tc, user, expired)
				})
			}
		})
	}
	t.Run("error handler", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var got []error
		h := stack(Build(t, f.V, middleware.WithErrorHandler(func(w http.ResponseWriter, r *http.Request, err error) {
			mu.Lock()
			got = append(got, err)
			mu.Unlock()
			w.WriteHeader(teapotStatus)
		})))
		srv := httptest.NewServer(h)
		defer srv.Close()
		Check(t, srv, Case{Name: "guard", Path: "/any-group", Auth: bearer(user), Status: teapotStatus})
		if adapterErrorHandler {
			Check(t, srv, Case{Name: "middleware", Path: "/me", Status: teapotStatus})
		} else {
			Check(t, srv, Case{Name: "middleware", Path: "/me", Status: 401, Challenge: Challenge, Code: "unauthorized"})
		}
		want := []error{middleware.ErrForbidden}
		if adapterErrorHandler {
			want = append(want, middleware.ErrNoToken)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != len(want) {
			t.Fatalf("error handler got %v, want %v", got, want)
		}
		for i := range want {
			if !errors.Is(got[i], want[i]) {
				t.Errorf("error handler got %v, want %v", got, want)
			}
		}
	})
	t.Run("observer", func(t *testing.T) {
		t.Parallel()
		var mu sync.Mutex
		var seen []error
		observe := middleware.WithRefusalObserver(func(_ context.Context, err error) {
			mu.Lock()
			seen = append(seen, err)
			mu.Unlock()
		})
		opts := []middleware.Option{middleware.WithRealm("shop"), middleware.WithRetryAfter(3 * time.Second), observe}
		srv := httptest.NewServer(stack(Build(t, f.V, opts...)))
		defer srv.Close()
		down := httptest.NewServer(stack(Build(t, f.Down, opts...)))
		defer down.Close()
		Check(t, srv, Case{Name: "no token", Path: "/me", Status: 401, Challenge: `Bearer realm="shop"`, Code: "unauthorized"})
		Check(t, srv, Case{Name: "guard", Path: "/any-group", Auth: bearer(user), Status: 403, Challenge: `Bearer realm="shop", error="insufficient_scope"`, Code: "insufficient_scope"})
		Check(t, srv, Case{Name: "revocation down", Path: "/me", Auth: bearer(stale), Status: 503, Code: "temporarily_unavailable", Retry: "3"})
		Check(t, down, Case{Name: "keys down", Path: "/me", Auth: bearer(f.DownToken), Status: 503, Code: "temporarily_unavailable", Retry: "3"})
		Check(t, srv, Case{Name: "accepted is not observed", Path: "/me", Auth: bearer(user), Status: 200, Body: bob})
		mu.Lock()
		defer mu.Unlock()
		want := []error{middleware.ErrNoToken, middleware.ErrForbidden, verifier.ErrRevocationUnavailable, verifier.ErrJWKSUnavailable}
		if len(seen) != len(want) {
			t.Fatalf("observer saw %d refusals (%v), want %d", len(seen), seen, len(want))
		}
		for i, w := range want {
			if !errors.Is(seen[i], w) {
				t.Errorf("observer saw %v, want %v", seen[i], w)
			}
		}
	})
	t.Run("guard without middleware", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(stack(nil))
		defer srv.Close()
		Check(t, srv, Case{Name: "guard", Path: "/any-group", Auth: bearer(admin), Status: 500, Code: "server_error"})
		Check(t, srv, Case{Name: "token use guard", Path: "/id-only", Status: 500, Code: "server_error"})
		Check(t, srv, Case{Name: "unguarded", Path: "/me", Status: 200, Body: anonymous})
	})
	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(stack(Build(t, f.V, middleware.Optional())))
		defer srv.Close()
		cases := []Case{
			{Name: "user", Path: "/me", Auth: bearer(user), Status: 200, Body: bob},
			{Name: "anonymous", Path: "/me", Status: 200, Body: anonymous},
			{Name: "admin", Path: "/any-group", Auth: bearer(admin), Status: 200, Body: bob},
			{Name: "user on admin", Path: "/any-group", Auth: bearer(user), Status: 403, Challenge: ChallengeScope, Code: "insufficient_scope"},
			{Name: "expired", Path: "/me", Auth: bearer(expired), Status: 401, Challenge: ChallengeToken, Code: "invalid_token"},
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range concurrentCalls {
					Check(t, srv, cases[(i+j)%len(cases)], user, expired)
				}
			}()
		}
		wg.Wait()
	})
}

// Build is middleware.New for the suite: a configuration error fails the
// test.
func Build(t testing.TB, v middleware.TokenVerifier, opts ...middleware.Option) *middleware.Middleware {
	t.Helper()
	m, err := middleware.New(v, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Check sends tc to srv and compares the response; the response must not
// repeat any of secrets. It is safe to call from several goroutines.
func Check(t testing.TB, srv *httptest.Server, tc Case, secrets ...string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+tc.Path, nil)
	if err != nil {
		t.Error(err)
		return
	}
	for _, a := range tc.Auth {
		req.Header.Add("Authorization", a)
	}
	if tc.Cookie != "" {
		req.Header.Set("Cookie", tc.Cookie)
	}
	if tc.Header[0] != "" {
		req.Header[tc.Header[0]] = []string{tc.Header[1]} // as sent, case included
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
		return
	}
	body := string(b)
	if resp.StatusCode != tc.Status {
		t.Errorf("%s: status %d, want %d (body %q)", tc.Name, resp.StatusCode, tc.Status, body)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != tc.Challenge && tc.Status != teapotStatus {
		t.Errorf("%s: WWW-Authenticate %q, want %q", tc.Name, got, tc.Challenge)
	}
	if got := resp.Header.Get("Retry-After"); got != tc.Retry {
		t.Errorf("%s: Retry-After %q, want %q", tc.Name, got, tc.Retry)
	}
	if tc.Status == http.StatusOK && body != tc.Body {
		t.Errorf("%s: body %q, want %q", tc.Name, body, tc.Body)
	}
	if tc.Code != "" {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Error != tc.Code || e.Description == "" {
			t.Errorf("%s: body %q, want a JSON error %q", tc.Name, body, tc.Code)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", tc.Name, ct)
		}
	}
	for _, s := range secrets {
		if s != "" && (strings.Contains(body, s) || strings.Contains(resp.Header.Get("WWW-Authenticate"), s)) {
			t.Errorf("%s: the response repeats a token", tc.Name)
		}
	}
}
