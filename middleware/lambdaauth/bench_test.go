package lambdaauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
)

// The benchmarks compare one accepted request on each path, with the same
// Middleware and token: net/http's Handler, the REST and HTTP API wrappers
// called with a decoded event, and the REST wrapper behind
// lambda.NewHandler (JSON in and out, as the runtime does). Read them as
// ratios within one run.

func benchSetup(b *testing.B) (*middleware.Middleware, string) {
	return authtest.Build(b, fx.V, middleware.DefaultDeny(), middleware.Rule("GET /me")), fx.Token(nil)
}

func BenchmarkNetHTTP(b *testing.B) {
	m, tok := benchSetup(b)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }))
	r := httptest.NewRequest(http.MethodGet, "/me", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

func restFunction(m *middleware.Middleware) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return lambdaauth.RESTHandler(m, func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	})
}

func BenchmarkRESTHandler(b *testing.B) {
	m, tok := benchSetup(b)
	fn := restFunction(m)
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(restShape.event(b, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + tok}}}), &ev); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if resp, err := fn(ctx, ev); err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode, err)
		}
	}
}

func BenchmarkRESTHandlerInvoke(b *testing.B) {
	m, tok := benchSetup(b)
	h := lambda.NewHandler(restFunction(m))
	payload := restShape.event(b, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + tok}}})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHTTPAPIHandler(b *testing.B) {
	m, tok := benchSetup(b)
	fn := lambdaauth.HTTPAPIHandler(m, func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: http.StatusOK}, nil
	})
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(httpAPIShape.event(b, request{path: "/me", header: [][2]string{{"Authorization", "Bearer " + tok}}}), &ev); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		if resp, err := fn(ctx, ev); err != nil || resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode, err)
		}
	}
}
