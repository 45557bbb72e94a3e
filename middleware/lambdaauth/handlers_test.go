package lambdaauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// who is what the handlers behind the wrappers answer: the username
// claims.FromContext finds in their context.
func who(ctx context.Context) string {
	if c, ok := claims.FromContext(ctx); ok {
		return "user=" + c.Username
	}
	return "user=-"
}

// handlers wraps a handler of each event shape with m.
func handlers(m *middleware.Middleware) map[string]any {
	return map[string]any{
		restShape.name: lambdaauth.RESTHandler(m, func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			return events.APIGatewayProxyResponse{StatusCode: 200, Body: who(ctx)}, nil
		}),
		httpAPIShape.name: lambdaauth.HTTPAPIHandler(m, func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: who(ctx)}, nil
		}),
		albShape.name:      albHandler(m),
		albMultiShape.name: albHandler(m),
	}
}

func albHandler(m *middleware.Middleware) any {
	return lambdaauth.ALBHandler(m, func(ctx context.Context, _ events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: who(ctx)}, nil
	})
}

var handlerShapes = []shape{restShape, httpAPIShape, albShape, albMultiShape}

// want is the response a case must get.
type want struct {
	status    int
	challenge string
	code      string // the JSON body's "error"
	body      string // exact body, for 200
	retry     string
}

var (
	ok401     = want{status: 401, challenge: authtest.Challenge, code: "unauthorized"}
	bad401    = want{status: 401, challenge: authtest.ChallengeToken, code: "invalid_token"}
	bad400    = want{status: 400, challenge: authtest.ChallengeReq, code: "invalid_request"}
	scope403  = want{status: 403, challenge: authtest.ChallengeScope, code: "insufficient_scope"}
	down503   = want{status: 503, code: "temporarily_unavailable", retry: "10"}
	bob200    = want{status: 200, body: "user=bob"}
	anonymous = want{status: 200, body: "user=-"}
)

// TestHandlers feeds each event shape, as AWS documents it, every row of
// the response table through lambda.NewHandler.
func TestHandlers(t *testing.T) {
	t.Parallel()
	user, admin := fx.Token(nil), fx.Token([]string{"admin"})
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	stale := fx.Pool.AccessToken(cognitotest.User{Username: authtest.StaleUser})
	bearer := func(tok string) [][2]string { return [][2]string{{"Authorization", "Bearer " + tok}} }
	opts := []middleware.Option{middleware.DefaultDeny(),
		middleware.Exclude("GET /health"),
		middleware.Rule("GET /me"),
		middleware.Rule("GET /admin", middleware.AnyGroup("admin")),
		middleware.WithHeader("X-Amzn-Oidc-Data"),
		middleware.WithCookie("id_token"),
		middleware.WithQueryParameter("access_token")}
	auth := authtest.Build(t, fx.V, opts...)
	down := authtest.Build(t, fx.Down, opts...)
	cases := []struct {
		name string
		m    *middleware.Middleware
		req  request
		want want
		// albSingle replaces want for an ALB without multi-value headers,
		// which passes only the last value of a repeated header.
		albSingle *want
	}{
		{name: "no token", req: request{path: "/me"}, want: ok401},
		{name: "valid", req: request{path: "/me", header: bearer(user)}, want: bob200},
		{name: "lower-case header name", req: request{path: "/me", header: [][2]string{{"authorization", "Bearer " + user}}}, want: bob200},
		{name: "expired", req: request{path: "/me", header: bearer(expired)}, want: bad401},
		{name: "garbage", req: request{path: "/me", header: bearer("a.b.c")}, want: bad401},
		{name: "other scheme", req: request{path: "/me", header: [][2]string{{"Authorization", "Basic Ym9iOng="}}}, want: ok401},
		{name: "two Authorization headers", req: request{path: "/me", header: append(bearer(user), bearer(user)...)}, want: bad400, albSingle: &bob200},
		{name: "two spellings of Authorization", req: request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + user}, {"authorization", "Bearer " + user}}}, want: bad400, albSingle: &bob200},
		{name: "Bearer alone", req: request{path: "/me", header: [][2]string{{"Authorization", "Bearer"}}}, want: bad400},
		{name: "group met", req: request{path: "/admin", header: bearer(admin)}, want: bob200},
		{name: "wrong group", req: request{path: "/admin", header: bearer(user)}, want: scope403},
		{name: "keys unavailable", m: down, req: request{path: "/me", header: bearer(fx.DownToken)}, want: down503},
		{name: "revocation list unavailable", req: request{path: "/me", header: bearer(stale)}, want: down503},
		{name: "DefaultDeny gap", req: request{path: "/other", header: bearer(user)}, want: scope403},
		{name: "DefaultDeny gap by method", req: request{method: "POST", path: "/me", header: bearer(user)}, want: scope403},
		{name: "excluded", req: request{path: "/health"}, want: anonymous},
		{name: "excluded ignores a bad token", req: request{path: "/health", header: bearer(expired)}, want: anonymous},
		{name: "encoded path is never excluded", req: request{path: "/healt%68"}, want: scope403},
		{name: "encoded path meets its Rule", req: request{path: "/adm%69n", header: bearer(user)}, want: scope403},
		{name: "header", req: request{path: "/me", header: [][2]string{{"x-amzn-oidc-data", user}}}, want: bob200},
		{name: "cookie", req: request{path: "/me", cookies: []string{"theme=dark", "id_token=" + user}}, want: bob200},
		{name: "cookie beside a malformed one", req: request{path: "/me", cookies: []string{`theme="dark`, "id_token=" + user}}, want: bob200},
		{name: "cookie and header", req: request{path: "/me", cookies: []string{"id_token=" + user}, header: bearer(user)}, want: bad400},
		{name: "query", req: request{path: "/me", query: [][2]string{{"access_token", user}}}, want: bob200},
		{name: "query repeated", req: request{path: "/me", query: [][2]string{{"access_token", user}, {"access_token", user}}}, want: bad400, albSingle: &bob200},
		{name: "query and header", req: request{path: "/me", query: [][2]string{{"access_token", user}}, header: bearer(user)}, want: bad400},
	}
	for _, s := range handlerShapes {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					m := auth
					if tc.m != nil {
						m = tc.m
					}
					w := tc.want
					if s.name == albShape.name && tc.albSingle != nil {
						w = *tc.albSingle
					}
					if s.name == albShape.name && tc.name == "query repeated" {
						w = bob200 // single-value query parameters: the last one only
					}
					out, err := invoke(handlers(m)[s.name], s.event(t, tc.req))
					if err != nil {
						t.Fatalf("Invoke: %v", err)
					}
					check(t, out, w, user, expired)
				})
			}
		})
	}
}

// check compares a handler's JSON answer with w; it must not repeat any
// of secrets.
func check(t *testing.T, out []byte, w want, secrets ...string) {
	t.Helper()
	r := decodeResponse(t, out)
	if r.status != w.status {
		t.Errorf("status %d, want %d (%s)", r.status, w.status, out)
	}
	if got := r.header.Get("WWW-Authenticate"); got != w.challenge {
		t.Errorf("WWW-Authenticate %q, want %q", got, w.challenge)
	}
	if got := r.header.Get("Retry-After"); got != w.retry {
		t.Errorf("Retry-After %q, want %q", got, w.retry)
	}
	if w.status == http.StatusOK && r.body != w.body {
		t.Errorf("body %q, want %q", r.body, w.body)
	}
	if w.code != "" {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error != w.code || e.Description == "" {
			t.Errorf("body %q, want a JSON error %q", r.body, w.code)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
	}
	for _, s := range secrets {
		if strings.Contains(string(out), s) {
			t.Errorf("the response repeats a token: %s", out)
		}
	}
}

// TestALBResponseHeaders: an ALB wants multiValueHeaders in the response
// exactly when the target group sends them.
func TestALBResponseHeaders(t *testing.T) {
	t.Parallel()
	h := albHandler(authtest.Build(t, fx.V))
	for _, tc := range []struct {
		s     shape
		multi bool
	}{{albShape, false}, {albMultiShape, true}} {
		t.Run(tc.s.name, func(t *testing.T) {
			out, err := invoke(h, tc.s.event(t, request{path: "/me"}))
			if err != nil {
				t.Fatal(err)
			}
			var r events.ALBTargetGroupResponse
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			if got := len(r.MultiValueHeaders) > 0; got != tc.multi || (len(r.Headers) > 0) == tc.multi {
				t.Errorf("headers %v, multiValueHeaders %v: want multi-value %v", r.Headers, r.MultiValueHeaders, tc.multi)
			}
			if r.StatusCode != 401 || r.StatusDescription != "401 Unauthorized" {
				t.Errorf("status %d %q", r.StatusCode, r.StatusDescription)
			}
		})
	}
}

// TestHTTPAPIStage: on the API's execute-api endpoint a named stage is the
// first segment of rawPath, and Rules match the route without it; on a
// custom domain the path is taken as sent.
func TestHTTPAPIStage(t *testing.T) {
	t.Parallel()
	user := fx.Token(nil)
	h := handlers(authtest.Build(t, fx.V, middleware.DefaultDeny(), middleware.Rule("GET /me")))[httpAPIShape.name]
	for _, tc := range []struct {
		name, stage, domain, path string
		want                      want
	}{
		{"default stage", "$default", "r3pmxmplak.execute-api.us-east-2.amazonaws.com", "/me", bob200},
		{"named stage", "prod", "r3pmxmplak.execute-api.us-east-2.amazonaws.com", "/prod/me", bob200},
		{"stage-like prefix", "prod", "r3pmxmplak.execute-api.us-east-2.amazonaws.com", "/production/me", scope403},
		{"custom domain", "prod", "api.example.com", "/prod/me", scope403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := httpAPIShape.event(t, request{path: tc.path, header: [][2]string{{"Authorization", "Bearer " + user}}})
			var m map[string]any
			if err := json.Unmarshal(ev, &m); err != nil {
				t.Fatal(err)
			}
			rc := m["requestContext"].(map[string]any)
			rc["stage"], rc["domainName"] = tc.stage, tc.domain
			ev, _ = json.Marshal(m)
			out, err := invoke(h, ev)
			if err != nil {
				t.Fatal(err)
			}
			check(t, out, tc.want, user)
		})
	}
}

// TestHandlerOptions: the realm, Retry-After and the observer apply to
// every event shape; the error handler, an http.ResponseWriter hook, is
// never called for an event (the refusal gets the library's response); a
// nil handler or Middleware refuses with 500.
func TestHandlerOptions(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen, handled []error
	opts := []middleware.Option{middleware.WithRealm("shop"), middleware.WithRetryAfter(3 * time.Second),
		middleware.WithRefusalObserver(func(_ context.Context, err error) {
			mu.Lock()
			seen = append(seen, err)
			mu.Unlock()
		}),
		middleware.WithErrorHandler(func(w http.ResponseWriter, _ *http.Request, err error) {
			mu.Lock()
			handled = append(handled, err)
			mu.Unlock()
			w.WriteHeader(http.StatusTeapot)
		})}
	auth, down := authtest.Build(t, fx.V, opts...), authtest.Build(t, fx.Down, opts...)
	for _, s := range handlerShapes {
		t.Run(s.name, func(t *testing.T) {
			out, err := invoke(handlers(auth)[s.name], s.event(t, request{path: "/me"}))
			if err != nil {
				t.Fatal(err)
			}
			check(t, out, want{status: 401, challenge: `Bearer realm="shop"`, code: "unauthorized"})
			out, err = invoke(handlers(down)[s.name], s.event(t, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + fx.DownToken}}}))
			if err != nil {
				t.Fatal(err)
			}
			check(t, out, want{status: 503, code: "temporarily_unavailable", retry: "3"})
		})
	}
	mu.Lock()
	if len(handled) != 0 {
		t.Errorf("the error handler was called with %v", handled)
	}
	if len(seen) != 2*len(handlerShapes) || !errors.Is(seen[0], middleware.ErrNoToken) || !errors.Is(seen[1], middleware.ErrUnavailable) {
		t.Errorf("observer saw %v", seen)
	}
	mu.Unlock()

	for _, s := range handlerShapes {
		for name, h := range map[string]any{
			"nil Middleware": handlers(nil)[s.name],
			"nil handler": map[string]any{
				restShape.name:     lambdaauth.RESTHandler(authtest.Build(t, fx.V), nil),
				httpAPIShape.name:  lambdaauth.HTTPAPIHandler(authtest.Build(t, fx.V), nil),
				albShape.name:      lambdaauth.ALBHandler(authtest.Build(t, fx.V), nil),
				albMultiShape.name: lambdaauth.ALBHandler(authtest.Build(t, fx.V), nil),
			}[s.name],
		} {
			t.Run(s.name+"/"+name, func(t *testing.T) {
				out, err := invoke(h, s.event(t, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + fx.Token(nil)}}}))
				if err != nil {
					t.Fatal(err)
				}
				check(t, out, want{status: 500, code: "server_error"})
			})
		}
	}
}

// TestColdStartWithoutFetch: with the pool's key set preloaded
// (Config.JWKS, as embedded at build time), a cold function verifies its
// first token without fetching keys.
func TestColdStartWithoutFetch(t *testing.T) {
	t.Parallel()
	pool, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: "us-east-1_ColdStart1"})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config(verifier.AccessToken)
	cfg.JWKS = pool.JWKS()
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	h := handlers(authtest.Build(t, v))[httpAPIShape.name]
	tok := pool.AccessToken(cognitotest.User{Username: "bob"})
	out, err := invoke(h, httpAPIShape.event(t, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + tok}}}))
	if err != nil {
		t.Fatal(err)
	}
	check(t, out, bob200, tok)
	if n := pool.JWKSRequests(); n != 0 {
		t.Errorf("%d key fetches, want none", n)
	}
}
