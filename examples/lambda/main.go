// Command lambda is the AWS Lambda demo: an HTTP API function with a
// public route, a route for any signed-in user and an admin-only route,
// and a REST API authorizer deciding the same routes, both protected by
// cognitoauth's middleware.
//
//	go run ./examples/lambda -smoke     # embedded user pool: invokes both locally, prints the outcomes, exits
//
// Deployed (GOOS=linux GOARCH=arm64 go build -o bootstrap ./examples/lambda,
// runtime provided.al2023), it serves what LAMBDA_MODE names: "handler"
// (the default; an HTTP API integration, payload format 2.0) or
// "authorizer" (a REST API REQUEST authorizer with the Authorization
// header as identity source). Set COGNITO_USER_POOL_ID and
// COGNITO_CLIENT_ID to your pool. -addr is accepted and ignored, so that
// every example runs the same way.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
)

// envMode chooses what a deployed function serves.
const envMode = "LAMBDA_MODE"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "lambda:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("lambda", args, "", stderr)
	if err != nil {
		return err
	}
	if !flags.Smoke && getenv("AWS_LAMBDA_RUNTIME_API") == "" {
		return errors.New("not running in AWS Lambda (AWS_LAMBDA_RUNTIME_API is unset): use -smoke to invoke the function locally")
	}
	env, err := demo.Setup(getenv)
	if err != nil {
		return err
	}
	defer env.Close()
	// Fetch the pool's keys now, during the init phase, not on the first
	// request. (Config.JWKS, embedded at build time, spares even this.)
	// A smoke test of a real pool sends no token that would need them.
	if !flags.Smoke || env.Embedded {
		if err := env.Verifier.Warmup(ctx); err != nil {
			fmt.Fprintln(stderr, "lambda: warmup:", err) // the first request retries
		}
	}
	auth, err := newAuth(env.Verifier)
	if err != nil {
		return err
	}
	handler, authorizer := lambdaauth.HTTPAPIHandler(auth, handle), lambdaauth.RESTAuthorizer(auth)
	if flags.Smoke {
		return smoke(ctx, out, env, handler, authorizer)
	}
	switch mode := getenv(envMode); mode {
	case "", "handler":
		lambda.StartWithOptions(handler, lambda.WithContext(ctx))
	case "authorizer":
		lambda.StartWithOptions(authorizer, lambda.WithContext(ctx))
	default:
		return fmt.Errorf("%s=%q: want handler or authorizer", envMode, mode)
	}
	return nil
}

// newAuth is the part to copy: DefaultDeny refuses any route no Rule or
// Exclude names, and the Rules carry the requirements, for the function
// and the authorizer alike.
func newAuth(v middleware.TokenVerifier) (*middleware.Middleware, error) {
	return middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude("GET "+demo.PublicPath),
		middleware.Rule("GET "+demo.MePath), // any signed-in user
		middleware.Rule("GET "+demo.AdminPath, middleware.AnyGroup(demo.AdminGroup)))
}

// handle serves the routes; the wrapper has already refused whatever the
// Rules do not allow.
func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	c, _ := claims.FromContext(ctx) // set on every route but the public one
	switch ev.RawPath {
	case demo.PublicPath:
		return reply(http.StatusOK, map[string]any{"message": "hello, anonymous"})
	case demo.MePath:
		return reply(http.StatusOK, map[string]any{"username": c.Username, "sub": c.Subject, "groups": c.Groups})
	case demo.AdminPath:
		return reply(http.StatusOK, map[string]any{"message": "welcome, admin " + c.Username})
	}
	return reply(http.StatusNotFound, map[string]any{"error": "not found"})
}

func reply(status int, v any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "application/json"}, Body: string(b)}, nil
}

// smoke invokes the function and the authorizer as the Lambda runtime
// would (lambda.NewHandler decodes the JSON events), prints the outcomes
// and fails unless every one is the expected one.
func smoke(ctx context.Context, out io.Writer, env *demo.Env, handler, authorizer any) error {
	where := "embedded on 127.0.0.1"
	if !env.Embedded {
		where = "(real; keys fetched from AWS on first use)"
	}
	fmt.Fprintf(out, "cognitoauth demo (AWS Lambda), invoked locally; user pool %s %s\n\n", env.PoolID, where)
	fn, az := lambda.NewHandler(handler), lambda.NewHandler(authorizer)
	var rows []demo.Outcome
	for _, c := range []struct {
		path, caller, token string
		status              int    // the function's answer
		verdict             string // the authorizer's
	}{
		{demo.PublicPath, "anonymous", "", 200, "Allow"},
		{demo.MePath, "anonymous", "", 401, "Unauthorized"},
		{demo.MePath, "bob (user)", env.User, 200, "Allow"},
		{demo.MePath, "alice (admin)", env.Admin, 200, "Allow"},
		{demo.MePath, "bad token", env.Bad, 401, "Unauthorized"},
		{demo.AdminPath, "bob (user)", env.User, 403, "Deny"},
		{demo.AdminPath, "alice (admin)", env.Admin, 200, "Allow"},
	} {
		if c.caller != "anonymous" && c.token == "" {
			continue // a real pool given no token of that kind
		}
		headers := map[string]string{}
		if c.token != "" {
			headers["authorization"] = "Bearer " + c.token
		}
		rows = append(rows,
			demo.Outcome{Request: "function GET " + c.path, Caller: c.caller, Got: invokeFunction(ctx, fn, c.path, headers), Want: strconv.Itoa(c.status)},
			demo.Outcome{Request: "authorizer GET " + c.path, Caller: c.caller, Got: invokeAuthorizer(ctx, az, c.path, headers), Want: c.verdict})
	}
	return demo.PrintTable(out, rows)
}

// invokeFunction sends the HTTP API event of GET path and returns the
// status the function answered.
func invokeFunction(ctx context.Context, h lambda.Handler, path string, headers map[string]string) string {
	ev, err := json.Marshal(events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "GET " + path, RawPath: path, Headers: headers,
		RequestContext: events.APIGatewayV2HTTPRequestContext{Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path}},
	})
	if err != nil {
		return err.Error()
	}
	out, err := h.Invoke(ctx, ev)
	if err != nil {
		return "error " + err.Error()
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return err.Error()
	}
	return strconv.Itoa(resp.StatusCode)
}

// invokeAuthorizer sends the REST API REQUEST authorizer event of GET path
// and returns the verdict: the policy's effect, or the error API Gateway
// answers 401 for.
func invokeAuthorizer(ctx context.Context, h lambda.Handler, path string, headers map[string]string) string {
	ev, err := json.Marshal(events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type: "REQUEST", HTTPMethod: "GET", Path: path, Resource: path, Headers: headers,
		MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET" + path,
	})
	if err != nil {
		return err.Error()
	}
	out, err := h.Invoke(ctx, ev)
	if err != nil {
		return err.Error() // "Unauthorized": API Gateway's 401
	}
	var p events.APIGatewayCustomAuthorizerResponse
	if err := json.Unmarshal(out, &p); err != nil || len(p.PolicyDocument.Statement) != 1 {
		return fmt.Sprintf("bad policy %s", out)
	}
	return p.PolicyDocument.Statement[0].Effect
}
