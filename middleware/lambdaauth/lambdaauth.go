package lambdaauth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// RESTHandler returns h guarded by m for an API Gateway REST API (Lambda
// proxy integration): the event is decided on its httpMethod, path,
// headers and multiValueHeaders, and query parameters, as m decides an
// HTTP request. A refused event gets m's response (status, headers and
// body of its Refusal) and never reaches h; an accepted one reaches h with
// the claims in its context (claims.FromContext). A nil m or h refuses
// every event with 500.
func RESTHandler(m *middleware.Middleware, h func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error)) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return wrap(m, h, func(ev events.APIGatewayProxyRequest) core.Request {
		return v1Fields(ev.HTTPMethod, ev.Path, ev.Headers, ev.MultiValueHeaders, ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	}, func(_ events.APIGatewayProxyRequest, rf core.Refusal) events.APIGatewayProxyResponse {
		return events.APIGatewayProxyResponse{StatusCode: rf.Status, MultiValueHeaders: rf.Header(), Body: string(rf.Body)}
	})
}

// HTTPAPIHandler returns h guarded by m for an API Gateway HTTP API
// (payload format 2.0), as RESTHandler does; the path is rawPath without a
// named stage's segment (see the package doc).
func HTTPAPIHandler(m *middleware.Middleware, h func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return wrap(m, h, func(ev events.APIGatewayV2HTTPRequest) core.Request {
		return v2Fields(ev.RequestContext, ev.RawPath, ev.Headers, ev.Cookies, ev.RawQueryString)
	}, func(_ events.APIGatewayV2HTTPRequest, rf core.Refusal) events.APIGatewayV2HTTPResponse {
		return events.APIGatewayV2HTTPResponse{StatusCode: rf.Status, Headers: joined(rf.Header()), Body: string(rf.Body)}
	})
}

// ALBHandler returns h guarded by m for an Application Load Balancer
// target group, as RESTHandler does. A refusal answers with
// multiValueHeaders when the event came with them (multi-value headers on),
// with headers otherwise.
func ALBHandler(m *middleware.Middleware, h func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error)) func(context.Context, events.ALBTargetGroupRequest) (events.ALBTargetGroupResponse, error) {
	return wrap(m, h, func(ev events.ALBTargetGroupRequest) core.Request {
		q := raw(merge(ev.QueryStringParameters, ev.MultiValueQueryStringParameters))
		return fields(ev.HTTPMethod, ev.Path, merge(ev.Headers, ev.MultiValueHeaders)).WithRawQuery(q)
	}, func(ev events.ALBTargetGroupRequest, rf core.Refusal) events.ALBTargetGroupResponse {
		resp := events.ALBTargetGroupResponse{StatusCode: rf.Status, StatusDescription: fmt.Sprintf("%d %s", rf.Status, http.StatusText(rf.Status)), Body: string(rf.Body)}
		if ev.MultiValueHeaders != nil {
			resp.MultiValueHeaders = rf.Header()
		} else {
			resp.Headers = joined(rf.Header())
		}
		return resp
	})
}

// RESTAuthorizer returns a REQUEST authorizer for a REST API: it decides
// the event as RESTHandler would and answers with an IAM policy on the
// event's methodArn. Allow names the token's sub as the principal
// ("anonymous" for a request m lets through without a token) and carries
// the claims listed in the package doc as its context. A missing or
// refused token (401 over HTTP) returns an error whose message is exactly
// "Unauthorized", which API Gateway answers with 401; every other refusal
// (400, 403, 503 or 500 over HTTP) is a Deny, answered with 403. The error
// wraps the refusal for errors.Is and never holds the token or the
// verifier's detail.
func RESTAuthorizer(m *middleware.Middleware) func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	e := core.Of(m)
	return func(ctx context.Context, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		c, err := decide(ctx, e, v1Fields(ev.HTTPMethod, ev.Path, ev.Headers, ev.MultiValueHeaders, ev.QueryStringParameters, ev.MultiValueQueryStringParameters))
		switch {
		case err != nil && e.Refusal(err).Status == http.StatusUnauthorized:
			return events.APIGatewayCustomAuthorizerResponse{}, unauthorized{err}
		case err != nil:
			return policy("Deny", anonymous, ev.MethodArn, nil), nil
		case c == nil:
			return policy("Allow", anonymous, ev.MethodArn, nil), nil
		}
		return policy("Allow", c.Subject, ev.MethodArn, authContext(c)), nil
	}
}

// HTTPAPIAuthorizer returns a Lambda authorizer for an HTTP API with
// simple responses (payload format 2.0): it decides the event as
// HTTPAPIHandler would and answers isAuthorized true, with the claims
// listed in the package doc as context, or false (API Gateway's 403) for
// every refusal. It never returns an error.
func HTTPAPIAuthorizer(m *middleware.Middleware) func(context.Context, events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
	e := core.Of(m)
	return func(ctx context.Context, ev events.APIGatewayV2CustomAuthorizerV2Request) (events.APIGatewayV2CustomAuthorizerSimpleResponse, error) {
		c, err := decide(ctx, e, v2Fields(ev.RequestContext, ev.RawPath, ev.Headers, ev.Cookies, ev.RawQueryString))
		return events.APIGatewayV2CustomAuthorizerSimpleResponse{IsAuthorized: err == nil, Context: authContext(c)}, nil
	}
}

var errNilHandler = fmt.Errorf("%w: nil handler", middleware.ErrMisconfigured)

// anonymous is the principal of a request allowed without a token, and of
// every Deny.
const anonymous = "anonymous"

// wrap is the handler wrapper of every event shape: decide the request the
// event stands for; call h with the claims in its context, or answer with
// respond built from the refusal and then tell the observer.
func wrap[E, R any](m *middleware.Middleware, h func(context.Context, E) (R, error), request func(E) core.Request, respond func(E, core.Refusal) R) func(context.Context, E) (R, error) {
	e := core.Of(m)
	return func(ctx context.Context, ev E) (R, error) {
		err := errNilHandler
		if h != nil {
			var accepted context.Context
			if accepted, err = e.Authenticate(ctx, request(ev)); err == nil {
				return h(accepted, ev)
			}
		}
		resp := respond(ev, e.Refusal(err))
		e.Notify(ctx, err)
		return resp, nil
	}
}

// decide authenticates r for an authorizer, notifying the observer of a
// refusal, and returns the claims: nil for a request let through without
// a token.
func decide(ctx context.Context, e *core.Engine, r core.Request) (*claims.Claims, error) {
	accepted, err := e.Authenticate(ctx, r)
	if err != nil {
		e.Notify(ctx, err)
		return nil, err
	}
	c, _ := claims.FromContext(accepted)
	return c, nil
}

// unauthorized is the error API Gateway answers with 401: it matches the
// message "Unauthorized" exactly.
type unauthorized struct{ err error }

func (unauthorized) Error() string   { return "Unauthorized" }
func (u unauthorized) Unwrap() error { return u.err }

func policy(effect, principal, arn string, ctx map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{arn}},
		}},
		Context: ctx,
	}
}

// authContext is the authorizer context of c: strings and numbers only, as
// API Gateway requires. nil c (no token) has none.
func authContext(c *claims.Claims) map[string]any {
	if c == nil {
		return nil
	}
	out := map[string]any{"sub": c.Subject, "username": c.Username, "client_id": c.ClientID, "token_use": c.TokenUse}
	if len(c.Groups) > 0 {
		groups, _ := json.Marshal(c.Groups) // strings only: cannot fail
		out["groups"] = string(groups)
	}
	if len(c.Scopes) > 0 {
		out["scope"] = strings.Join(c.Scopes, " ")
	}
	if !c.ExpiresAt.IsZero() {
		out["exp"] = c.ExpiresAt.Unix()
	}
	return out
}
