package lambdaauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func ExampleHTTPAPIHandler() {
	// A local fake user pool stands in for Cognito.
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		panic(err)
	}
	defer v.Close()
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule("GET /me"))
	if err != nil {
		panic(err)
	}
	handler := lambdaauth.HTTPAPIHandler(auth, func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		c, _ := claims.FromContext(ctx) // always set behind a Rule
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "hello " + c.Username}, nil
	})
	// In a function: lambda.Start(handler). Here the runtime's own decoding
	// is fed the events API Gateway would send.
	h := lambda.NewHandler(handler)
	for _, headers := range []map[string]string{
		nil, // no token
		{"authorization": "Bearer " + pool.AccessToken(cognitotest.User{Username: "alice"})},
	} {
		ev, _ := json.Marshal(events.APIGatewayV2HTTPRequest{
			Version: "2.0", RawPath: "/me", Headers: headers,
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/me"}},
		})
		out, err := h.Invoke(context.Background(), ev)
		if err != nil {
			panic(err)
		}
		var resp events.APIGatewayV2HTTPResponse
		json.Unmarshal(out, &resp)
		fmt.Printf("%d %q %s\n", resp.StatusCode, resp.Headers["Www-Authenticate"], strings.TrimSpace(resp.Body))
	}
	// Output:
	// 401 "Bearer realm=\"api\"" {"error":"unauthorized","error_description":"a bearer token is required"}
	// 200 "" hello alice
}

func ExampleRESTAuthorizer() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		panic(err)
	}
	defer v.Close()
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule("/orders/"),
		middleware.Rule("DELETE /orders/", middleware.AnyGroup("admin")))
	if err != nil {
		panic(err)
	}
	h := lambda.NewHandler(lambdaauth.RESTAuthorizer(auth))
	token := pool.AccessToken(cognitotest.User{Username: "alice"})
	for _, method := range []string{"GET", "DELETE"} {
		ev, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequestTypeRequest{
			Type: "REQUEST", HTTPMethod: method, Path: "/orders/42", Resource: "/orders/{id}",
			MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/" + method + "/orders/42",
			Headers:   map[string]string{"Authorization": "Bearer " + token},
		})
		out, err := h.Invoke(context.Background(), ev)
		if err != nil {
			panic(err)
		}
		var p events.APIGatewayCustomAuthorizerResponse
		json.Unmarshal(out, &p)
		fmt.Println(method, p.PolicyDocument.Statement[0].Effect, p.Context["username"])
	}
	// Output:
	// GET Allow alice
	// DELETE Deny <nil>
}
