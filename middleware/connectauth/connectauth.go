package connectauth

import (
	"context"
	"fmt"
	"net/http"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// NewInterceptor returns an interceptor that authenticates every call a
// handler receives with m before the handler runs: unary calls, and
// streams once when they open. An accepted call reaches the handler with a
// context carrying the claims (claims.FromContext); a refused one fails
// with the *connect.Error the package doc describes. Install it on the
// handlers with connect.WithInterceptors. A nil m refuses every call with
// CodeInternal.
func NewInterceptor(m *middleware.Middleware) connect.Interceptor {
	return interceptor{e: core.Of(m)}
}

// CheckProcedures reports every Rule and Exclude of m that matches none of
// procedures, the full names of the procedures the server's handlers serve
// ("/pkg.Service/Method", the generated XxxProcedure constants): a
// mistyped name would otherwise never apply. Under middleware.DefaultDeny
// the procedure it meant to cover is refused anyway; without it, it would
// be open to every signed-in user. Call it at startup. The error wraps
// middleware.ErrMisconfigured, as it does for a nil m or no procedures.
func CheckProcedures(m *middleware.Middleware, procedures ...string) error {
	e := core.Of(m)
	if e == nil || len(procedures) == 0 {
		return fmt.Errorf("%w: CheckProcedures needs a Middleware and the procedures served", middleware.ErrMisconfigured)
	}
	return e.CheckProcedures(procedures)
}

type interceptor struct{ e *core.Engine }

// WrapUnary authenticates unary calls on the handler side only.
func (i interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		ctx, err := i.authenticate(ctx, req.Spec().Procedure, req.Header())
		if err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

// WrapStreamingClient leaves clients alone.
func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

// WrapStreamingHandler authenticates a stream before the handler reads or
// writes anything.
func (i interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, err := i.authenticate(ctx, conn.Spec().Procedure, conn.RequestHeader())
		if err != nil {
			return err
		}
		return next(ctx, conn)
	}
}

// authenticate runs the core on the call's headers as a POST to the
// procedure the handler serves (the handler's own name, not the URL as
// sent, so it is always in canonical form).
func (i interceptor) authenticate(ctx context.Context, procedure string, header http.Header) (context.Context, error) {
	out, err := i.e.Authenticate(ctx, core.NewFields(http.MethodPost, procedure, header))
	if err != nil {
		return nil, i.e.RPCError(ctx, procedure, err, func(rf core.Refusal) error { return newError(rf, err) })
	}
	return out, nil
}

// newError builds the *connect.Error of refusal rf. CodeUnavailable carries
// rf.RetryAfter as a google.rpc.RetryInfo detail, as grpcauth's status does.
func newError(rf core.Refusal, err error) error {
	ce := connect.NewError(connect.Code(rf.RPCCode), &refusal{description: rf.Description, err: err})
	if rf.RPCCode == uint32(connect.CodeUnavailable) && rf.RetryAfter > 0 {
		if d, derr := connect.NewErrorDetail(&errdetails.RetryInfo{RetryDelay: durationpb.New(rf.RetryAfter)}); derr == nil {
			ce.AddDetail(d)
		}
	}
	return ce
}

// refusal is what a *connect.Error wraps: its text, the message sent to
// the client, is the fixed description; Unwrap keeps the refusal for
// errors.Is in interceptors further out.
type refusal struct {
	description string
	err         error
}

func (r *refusal) Error() string { return r.description }
func (r *refusal) Unwrap() error { return r.err }
