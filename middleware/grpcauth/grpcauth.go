// Package grpcauth adapts the Cognito middleware to gRPC servers: unary and
// stream interceptors that read the "authorization" metadata and decide as
// the *middleware.Middleware they are given. Per-method requirements are
// middleware.Rule patterns and exempt methods middleware.Exclude patterns,
// both matched against the full method name (the method is POST).
//
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude(grpcauth.HealthService),
//		middleware.Rule("/shop.v1.Orders/Delete", middleware.AnyGroup("admin")),
//		middleware.Rule("/shop.v1.Orders/"))
//	if err != nil { ... }
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(grpcauth.UnaryServerInterceptor(auth)),
//		grpc.ChainStreamInterceptor(grpcauth.StreamServerInterceptor(auth)))
//	shopv1.RegisterOrdersServer(srv, orders)
//	healthpb.RegisterHealthServer(srv, health.NewServer())
//	if err := grpcauth.CheckMethods(auth, srv); err != nil { ... } // a mistyped Rule
//
// Handlers read the claims with claims.FromContext(ctx). Refusals map to
// status codes as middleware.Refusal says (RPCCode); Unavailable carries
// the retry delay as a google.rpc.RetryInfo detail. Messages are the fixed
// descriptions and never hold the token. WithRPCErrorHandler replaces the
// mapping. Cookies, query parameters, realms and HTTP error handlers have
// no effect here.
package grpcauth

import (
	"context"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// Patterns for services that usually stay reachable without a token, for
// middleware.Exclude.
const (
	HealthService            = "/grpc.health.v1.Health/"
	ReflectionService        = "/grpc.reflection.v1.ServerReflection/"
	ReflectionServiceV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/"
)

// UnaryServerInterceptor returns an interceptor that authenticates each
// unary call with m before its handler runs, and passes the handler a
// context carrying the claims. A nil m refuses every call with Internal.
func UnaryServerInterceptor(m *middleware.Middleware) grpc.UnaryServerInterceptor {
	e := core.Of(m)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authenticate(ctx, e, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns an interceptor that authenticates each
// stream once, when it opens, and gives the handler a stream whose Context
// carries the claims.
func StreamServerInterceptor(m *middleware.Middleware) grpc.StreamServerInterceptor {
	e := core.Of(m)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authenticate(ss.Context(), e, info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &serverStream{ServerStream: ss, ctx: ctx})
	}
}

// CheckMethods reports every Rule and Exclude of m that matches none of
// the methods srv has registered (call it after registering the
// services): a mistyped method name would otherwise never apply. Under
// middleware.DefaultDeny such a method is refused anyway; without it, it
// would be open to every signed-in user.
func CheckMethods(m *middleware.Middleware, srv *grpc.Server) error {
	e := core.Of(m)
	if e == nil || srv == nil {
		return fmt.Errorf("%w: CheckMethods needs a Middleware and a server", middleware.ErrMisconfigured)
	}
	var methods []string
	for svc, info := range srv.GetServiceInfo() {
		for _, mi := range info.Methods {
			methods = append(methods, "/"+svc+"/"+mi.Name)
		}
	}
	return e.CheckProcedures(methods)
}

// authenticate runs the core on the call's metadata (already lower-case),
// as a POST to the full method name.
func authenticate(ctx context.Context, e *core.Engine, fullMethod string) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	out, err := e.Authenticate(ctx, core.NewFields("POST", fullMethod, md))
	if err != nil {
		return nil, e.RPCError(ctx, fullMethod, err, func(rf core.Refusal) error { return newStatusError(rf, err) })
	}
	return out, nil
}

// newStatusError builds the status error of refusal rf. Unavailable carries
// rf.RetryAfter as a google.rpc.RetryInfo detail, the gRPC Retry-After.
func newStatusError(rf core.Refusal, err error) error {
	st := status.New(codes.Code(rf.RPCCode), rf.Description)
	if rf.RPCCode == uint32(codes.Unavailable) && rf.RetryAfter > 0 {
		if withRetry, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(rf.RetryAfter)}); derr == nil {
			st = withRetry
		}
	}
	return &statusError{status: st, err: err}
}

// statusError is a gRPC status that keeps the refusal for errors.Is.
type statusError struct {
	status *status.Status
	err    error
}

func (e *statusError) Error() string              { return e.status.Err().Error() }
func (e *statusError) GRPCStatus() *status.Status { return e.status }
func (e *statusError) Unwrap() error              { return e.err }

// serverStream overrides Context to carry the claims.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }
