package lambdaauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestConformance runs the suite every HTTP stack passes through each
// event shape: the suite's requests reach a server on 127.0.0.1 that
// turns each one into the event API Gateway or an ALB would send
// (testdata/), invokes the wrapped function through lambda.NewHandler, and
// writes back its answer. Behind the wrapper, the function serves the
// suite's routes with a net/http router, whose middleware.Require guards
// read what the wrapper put in the context. (An ALB without multi-value
// headers cannot pass the suite: it drops repeated headers; see
// TestHandlers.)
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, s := range []shape{restShape, httpAPIShape, albMultiShape} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			authtest.RunEvents(t, fx, func(m *middleware.Middleware) http.Handler { return bridge(t, s, function(s, m)) })
		})
	}
}

// routes are the suite's routes (see authtest.Stack).
func routes() http.Handler {
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
	return mux
}

// serve runs the routes for a function's event.
func serve(ctx context.Context, method, path string, header map[string][]string) *httptest.ResponseRecorder {
	r := httptest.NewRequestWithContext(ctx, method, path, nil)
	for k, vs := range header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	routes().ServeHTTP(w, r)
	return w
}

// function is the Lambda function of shape s: the routes, wrapped with m
// (unless m is nil).
func function(s shape, m *middleware.Middleware) any {
	switch s.name {
	case restShape.name:
		h := func(ctx context.Context, ev events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
			w := serve(ctx, ev.HTTPMethod, ev.Path, ev.MultiValueHeaders)
			return events.APIGatewayProxyResponse{StatusCode: w.Code, MultiValueHeaders: w.Header(), Body: w.Body.String()}, nil
		}
		if m == nil {
			return h
		}
		return lambdaauth.RESTHandler(m, h)
	case httpAPIShape.name:
		h := func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
			header := map[string][]string{}
			for k, v := range ev.Headers {
				header[k] = []string{v}
			}
			w := serve(ctx, ev.RequestContext.HTTP.Method, ev.RawPath, header)
			return events.APIGatewayV2HTTPResponse{StatusCode: w.Code, MultiValueHeaders: w.Header(), Body: w.Body.String()}, nil
		}
		if m == nil {
			return h
		}
		return lambdaauth.HTTPAPIHandler(m, h)
	default:
		h := func(ctx context.Context, ev events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
			w := serve(ctx, ev.HTTPMethod, ev.Path, ev.MultiValueHeaders)
			return events.ALBTargetGroupResponse{StatusCode: w.Code, MultiValueHeaders: w.Header(), Body: w.Body.String()}, nil
		}
		if m == nil {
			return h
		}
		return lambdaauth.ALBHandler(m, h)
	}
}

// bridge serves fn on 127.0.0.1: each HTTP request becomes the event s
// sends, each answer the HTTP response.
func bridge(t *testing.T, s shape, fn any) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := request{method: r.Method, path: r.URL.EscapedPath()}
		for k, vs := range r.Header {
			for _, v := range vs {
				if k == "Cookie" {
					req.cookies = append(req.cookies, strings.Split(v, "; ")...)
					continue
				}
				req.header = append(req.header, [2]string{k, v})
			}
		}
		for k, vs := range r.URL.Query() {
			for _, v := range vs {
				req.query = append(req.query, [2]string{k, v})
			}
		}
		ev, err := s.document(req)
		if err != nil {
			t.Error(err)
			http.Error(w, "bad event", http.StatusInternalServerError)
			return
		}
		out, err := invoke(fn, ev)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		resp, err := parseResponse(out)
		if err != nil {
			t.Error(err)
			http.Error(w, "bad response", http.StatusInternalServerError)
			return
		}
		for k, vs := range resp.header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.status)
		fmt.Fprint(w, resp.body)
	})
}
