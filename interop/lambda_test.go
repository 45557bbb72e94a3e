//go:build interop

package interop_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestLambdaInterop runs the stacks' requests, with cognito-local's tokens,
// through the Lambda wrappers and authorizers, each event decoded by
// lambda.NewHandler as the Lambda runtime does, in both issuer modes.
func TestLambdaInterop(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			testLambda(t, seedPool(t, startEmulator(t, m.awsPoolID)))
		})
	}
}

func testLambda(t *testing.T, s *seeded) {
	v := newVerifier(t, s.config(verifier.AccessToken, s.web))
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule("GET /me"),
		middleware.Rule("GET /admin", middleware.AnyGroup("admin")))
	if err != nil {
		t.Fatal(err)
	}
	rest := lambda.NewHandler(lambdaauth.RESTHandler(auth, func(ctx context.Context, _ events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: whoami(ctx)}, nil
	}))
	httpAPI := lambda.NewHandler(lambdaauth.HTTPAPIHandler(auth, func(ctx context.Context, _ events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: whoami(ctx)}, nil
	}))
	alb := lambda.NewHandler(lambdaauth.ALBHandler(auth, func(ctx context.Context, _ events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
		return events.ALBTargetGroupResponse{StatusCode: 200, StatusDescription: "200 OK", Body: whoami(ctx)}, nil
	}))
	restAuthorizer := lambda.NewHandler(lambdaauth.RESTAuthorizer(auth))
	httpAPIAuthorizer := lambda.NewHandler(lambdaauth.HTTPAPIAuthorizer(auth))

	for _, rq := range s.requests() {
		path := "/" + rq.route
		var header map[string]string
		var multi map[string][]string
		if rq.token != "" {
			header = map[string]string{"Authorization": "Bearer " + rq.token}
			multi = map[string][]string{"authorization": {"Bearer " + rq.token}}
		}
		v2Context := events.APIGatewayV2HTTPRequestContext{Stage: "$default", HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path}}
		for name, call := range map[string]struct {
			h  lambda.Handler
			ev any
		}{
			"REST API": {rest, events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: path, Resource: path, Headers: header, MultiValueHeaders: multi}},
			"HTTP API": {httpAPI, events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Headers: header, RequestContext: v2Context}},
			"ALB":      {alb, events.ALBTargetGroupRequest{HTTPMethod: "GET", Path: path, MultiValueHeaders: multi}},
		} {
			var resp struct {
				StatusCode int    `json:"statusCode"`
				Body       string `json:"body"`
			}
			invokeJSON(t, call.h, call.ev, &resp)
			if resp.StatusCode != rq.status {
				t.Errorf("%s, %s: status %d, want %d (body %s)", name, rq.name, resp.StatusCode, rq.status, resp.Body)
			}
			if rq.status == 200 && resp.Body == "no claims in context" {
				t.Errorf("%s, %s: handler saw no claims in its context", name, rq.name)
			}
		}

		arn := "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET" + path
		payload, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequestTypeRequest{Type: "REQUEST", MethodArn: arn, HTTPMethod: "GET", Path: path, Resource: path, Headers: header, MultiValueHeaders: multi})
		out, err := restAuthorizer.Invoke(context.Background(), payload)
		switch {
		case rq.status == 401:
			if err == nil || err.Error() != "Unauthorized" {
				t.Errorf("REST authorizer, %s: got %s, %v; want the error Unauthorized", rq.name, out, err)
			}
		case err != nil:
			t.Errorf("REST authorizer, %s: %v", rq.name, err)
		default:
			var p events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(out, &p); err != nil {
				t.Fatal(err)
			}
			effect := map[int]string{200: "Allow", 403: "Deny"}[rq.status]
			if st := p.PolicyDocument.Statement; len(st) != 1 || st[0].Effect != effect || len(st[0].Resource) != 1 || st[0].Resource[0] != arn {
				t.Errorf("REST authorizer, %s: policy %s, want %s on %s", rq.name, out, effect, arn)
			}
			if rq.status == 200 {
				c, err := v.Verify(context.Background(), rq.token)
				if err != nil {
					t.Fatal(err)
				}
				if p.PrincipalID != c.Subject || p.Context["username"] != c.Username {
					t.Errorf("REST authorizer, %s: principal %q, context %v; want %s's", rq.name, p.PrincipalID, p.Context, c.Username)
				}
			}
		}

		var simple events.APIGatewayV2CustomAuthorizerSimpleResponse
		invokeJSON(t, httpAPIAuthorizer, events.APIGatewayV2CustomAuthorizerV2Request{Version: "2.0", Type: "REQUEST", RawPath: path, Headers: header, RequestContext: v2Context}, &simple)
		if simple.IsAuthorized != (rq.status == 200) {
			t.Errorf("HTTP API authorizer, %s: isAuthorized %v, want %v", rq.name, simple.IsAuthorized, rq.status == 200)
		}
	}
}

// invokeJSON sends ev to h as JSON and decodes the answer into out.
func invokeJSON(t *testing.T, h lambda.Handler, ev, out any) {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
}
