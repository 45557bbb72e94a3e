// Package lambdaauth adapts the Cognito middleware to AWS Lambda: wrappers
// for functions behind API Gateway (REST and HTTP APIs) or an Application
// Load Balancer, and Lambda authorizers for API Gateway. It is a thin
// layer: extraction, verification, rules and responses are those of the
// *middleware.Middleware it is given, which decides each event on the
// method, path, headers, cookies and query parameters it carries, as it
// decides an HTTP request (no *http.Request is built).
//
//	v, err := verifier.New(verifier.Config{
//		UserPoolID: "us-east-1_AbCdEfGhI",
//		ClientIDs:  []string{"1example23456789"},
//		TokenUse:   verifier.AccessToken,
//	})
//	if err != nil { ... }
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude("GET /health"),
//		middleware.Rule("GET /me"),
//		middleware.Rule("/admin/", middleware.AnyGroup("admin")))
//	if err != nil { ... }
//	lambda.Start(lambdaauth.HTTPAPIHandler(auth, handle))
//
//	func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
//		c, _ := claims.FromContext(ctx) // set on /me and /admin/
//		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: "hello " + c.Username}, nil
//	}
//
// # Handlers
//
// RESTHandler, HTTPAPIHandler and ALBHandler wrap a handler of one event
// shape. A refused event is answered as net/http answers the request
// (status, WWW-Authenticate, Retry-After, the JSON body: the
// middleware.Refusal) and never reaches the handler; an accepted one
// reaches it with the claims in its context. The options apply (WithRealm
// and WithRetryAfter shape the response, WithLogger and
// WithRefusalObserver see every refusal) except WithErrorHandler and
// WithRPCErrorHandler: an event has no http.ResponseWriter, so its
// refusals always get the library's response. A function that serves a
// net/http router inside Lambda can also put middleware.Require guards on
// its routes; their refusals are written by net/http, WithErrorHandler
// included.
//
// Requirements come from middleware.Rule patterns, matched on the event's
// method and path: there is no Lambda-specific guard, since a Lambda
// handler has no routes of its own to guard. Behind a custom domain name
// with a base path mapping, the path the Rules see starts with the base
// path, as the event's does.
//
// # Reading events
//
// Header names are matched case-insensitively, and names that differ only
// in case are values of one header, as over HTTP.
//
//   - REST API: with multi-value headers (always on), API Gateway sends
//     every value in multiValueHeaders and the last one again in headers.
//     A name found in the multi-value map takes its values from there
//     alone; a name only in the single-value map counts once. Query
//     parameters are merged the same way.
//   - HTTP API: repeated headers arrive joined by commas, so two
//     Authorization headers are one malformed value, refused with 400 as
//     two are. Cookies come from the cookies array, the query from
//     rawQueryString. On the API's own execute-api endpoint a named stage
//     is the first segment of rawPath; it is removed, so that Rules name
//     routes as API Gateway does.
//   - ALB: with multi-value headers on, every value is seen; with them off,
//     the load balancer passes only the last value of a repeated header or
//     query parameter, so a duplicate cannot be detected: turn multi-value
//     headers on. Query parameters arrive percent-encoded and are decoded.
//     The response uses multiValueHeaders exactly when the event did.
//
// A path holding percent-escapes is decoded for the Rules and is never
// excluded.
//
// # Authorizers
//
// RESTAuthorizer (a REQUEST authorizer for REST APIs, answering with an IAM
// policy) and HTTPAPIAuthorizer (an HTTP API authorizer with simple
// responses) decide the event as the handlers do, Rules applying per route:
// to the request's method and path ("/orders/42", not the resource
// template "/orders/{id}", which patterns cannot name). A refusal never
// allows and never becomes an error API Gateway turns into a 500:
//
//	over HTTP                          RESTAuthorizer                HTTPAPIAuthorizer
//	accepted                           Allow on methodArn            isAuthorized: true
//	401 (no token, token refused)      error "Unauthorized" → 401    isAuthorized: false → 403
//	400 (malformed credentials)        Deny → 403                    isAuthorized: false → 403
//	403 (requirement, DefaultDeny)     Deny → 403                    isAuthorized: false → 403
//	503 (keys or revocation list down) Deny → 403                    isAuthorized: false → 403
//	500 (misconfiguration)             Deny → 403                    isAuthorized: false → 403
//
// The 401 rows return API Gateway's documented "Unauthorized" error rather
// than a Deny so that a client can tell a missing or expired token (sign in
// or refresh, then retry) from a refusal (403: retrying will not help); the
// price is that Lambda counts those invocations as function errors. Any
// other error message would be a 500.
// API Gateway cannot answer 503 from an authorizer, so keys that cannot be
// fetched fail closed with 403; a client retries later all the same. The
// principal of an Allow is the token's sub ("anonymous" for a request let
// through without a token: Exclude, Optional); the context holds sub,
// username, client_id, token_use, scope (space-separated, when present),
// groups (a JSON array in a string, when present) and exp (Unix seconds):
// strings and numbers only, as API Gateway requires.
//
// An authorizer's result is cached by API Gateway for the identity sources
// by default. A REST policy names only the method ARN it was decided for,
// so a cached Allow never opens another route (it denies it instead: key
// the cache on the route too, or turn it off). An HTTP API simple response
// names no route, so a cached true opens every route of the authorizer:
// with per-route Rules, set the result TTL to 0 or add $context.routeKey to
// the identity sources.
package lambdaauth
