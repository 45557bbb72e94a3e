// Package grpcauth adapts the Cognito middleware to gRPC servers: unary and
// stream interceptors that read the "authorization" metadata and behave as
// package middleware does, configured with the same options. Per-method
// requirements are middleware.Rule patterns and exempt methods are
// middleware.Exclude patterns, both matched against the full method name;
// no other dependency is needed.
//
//	opts := []middleware.Option{
//		middleware.Exclude(grpcauth.HealthService, grpcauth.ReflectionService, grpcauth.ReflectionServiceV1Alpha),
//		middleware.Rule("/shop.v1.Orders/Delete", middleware.AnyGroup("admin")),
//		middleware.Rule("/shop.v1.Orders/", middleware.AnyScope("shop/orders")),
//	}
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(grpcauth.UnaryServerInterceptor(v, opts...)),
//		grpc.ChainStreamInterceptor(grpcauth.StreamServerInterceptor(v, opts...)),
//	)
//
// Handlers read the claims with claims.FromContext(ctx). Refusals map to
// status codes: no token or a bad token → Unauthenticated, a missing group
// or scope → PermissionDenied, keys unavailable → Unavailable (with a
// google.rpc.RetryInfo detail carrying WithRetryAfter's delay), malformed
// metadata (two authorization values, bad Bearer syntax) → InvalidArgument,
// misconfiguration → Internal. The messages are the fixed descriptions of
// middleware.Classify and never hold the token. WithRPCErrorHandler replaces
// the mapping. The options about cookies, query parameters, realms and HTTP
// error handlers have no effect here.
package grpcauth

import (
	"context"
	"net/http"
	"net/url"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Patterns for services that usually stay reachable without a token, for
// middleware.Exclude.
const (
	HealthService            = "/grpc.health.v1.Health/"
	ReflectionService        = "/grpc.reflection.v1.ServerReflection/"
	ReflectionServiceV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/"
)

// UnaryServerInterceptor returns an interceptor that authenticates each
// unary call with v before its handler runs, and passes the handler a
// context carrying the claims.
func UnaryServerInterceptor(v *verifier.Verifier, opts ...middleware.Option) grpc.UnaryServerInterceptor {
	m := middleware.New(v, opts...)
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := authenticate(ctx, m, info.FullMethod)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor returns an interceptor that authenticates each
// stream once, when it opens, and gives the handler a stream whose Context
// carries the claims.
func StreamServerInterceptor(v *verifier.Verifier, opts ...middleware.Option) grpc.StreamServerInterceptor {
	m := middleware.New(v, opts...)
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		ctx, err := authenticate(ss.Context(), m, info.FullMethod)
		if err != nil {
			return err
		}
		return handler(srv, &serverStream{ServerStream: ss, ctx: ctx})
	}
}

// authenticate runs the core on the call as the HTTP/2 request it is: a
// POST to the full method name whose Authorization header is the
// "authorization" metadata.
func authenticate(ctx context.Context, m *middleware.Middleware, fullMethod string) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	h := make(http.Header, 1)
	if values := md.Get("authorization"); len(values) > 0 {
		h["Authorization"] = values
	}
	r := (&http.Request{
		Method: http.MethodPost, URL: &url.URL{Path: fullMethod}, Header: h,
		Proto: "HTTP/2.0", ProtoMajor: 2,
	}).WithContext(ctx)
	r, err := m.Authenticate(r)
	if err != nil {
		if e := m.RPCError(ctx, fullMethod, err); e != nil {
			return nil, e
		}
		return nil, newStatusError(m.Refusal(err), err)
	}
	return r.Context(), nil
}

// Error converts a refusal (from the interceptors' core, or from
// middleware.Authorize in a handler) to a gRPC status error with the default
// mapping. The result still wraps err, so errors.Is(err,
// middleware.ErrInsufficientGroups) works on it; its message is the fixed
// description only. Error(nil) is nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	return newStatusError(middleware.Classify(err), err)
}

// newStatusError builds the status error for refusal rf of err. Unavailable
// carries rf.RetryAfter as a google.rpc.RetryInfo detail, the gRPC form of
// Retry-After.
func newStatusError(rf middleware.Refusal, err error) error {
	st := status.New(Code(rf.Status), rf.Description)
	if rf.Status == http.StatusServiceUnavailable && rf.RetryAfter > 0 {
		if withRetry, derr := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(rf.RetryAfter)}); derr == nil {
			st = withRetry
		}
	}
	return &statusError{status: st, err: err}
}

// Code maps a middleware.Refusal status to a gRPC code.
func Code(httpStatus int) codes.Code {
	switch httpStatus {
	case http.StatusBadRequest:
		return codes.InvalidArgument
	case http.StatusUnauthorized:
		return codes.Unauthenticated
	case http.StatusForbidden:
		return codes.PermissionDenied
	case http.StatusServiceUnavailable:
		return codes.Unavailable
	}
	return codes.Internal
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
