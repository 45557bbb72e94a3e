// Package connectauth adapts the Cognito middleware to Connect servers
// (connectrpc.com/connect): an interceptor that authenticates every unary
// and streaming call a handler receives, whichever protocol carries it
// (Connect, gRPC or gRPC-Web), and decides as the *middleware.Middleware it
// is given. Per-procedure requirements are middleware.Rule patterns and
// exempt procedures middleware.Exclude patterns, both matched against the
// full procedure name, "/pkg.Service/Method", with the method POST (also for
// Connect's GET requests): the same patterns as for grpcauth. Nothing is
// exempt unless excluded.
//
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude(ordersv1connect.OrdersPingProcedure),
//		middleware.Rule(ordersv1connect.OrdersDeleteProcedure, middleware.AnyGroup("admin")),
//		middleware.Rule("/shop.v1.Orders/"))
//	if err != nil { ... }
//	// a mistyped Rule or Exclude is an error at startup
//	if err := connectauth.CheckProcedures(auth,
//		ordersv1connect.OrdersPingProcedure,
//		ordersv1connect.OrdersListProcedure,
//		ordersv1connect.OrdersDeleteProcedure); err != nil { ... }
//	mux := http.NewServeMux()
//	mux.Handle(ordersv1connect.NewOrdersHandler(orders,
//		connect.WithInterceptors(connectauth.NewInterceptor(auth))))
//	p := new(http.Protocols)
//	p.SetHTTP1(true)
//	p.SetUnencryptedHTTP2(true) // h2c, for gRPC and bidi streams without TLS
//	srv := &http.Server{Addr: addr, Handler: mux, Protocols: p}
//
//	func (orders) List(ctx context.Context, req *connect.Request[ordersv1.ListRequest]) (*connect.Response[ordersv1.ListResponse], error) {
//		c, _ := claims.FromContext(ctx) // always set behind a Rule
//		...
//	}
//
// Connect has no registry of what a server serves, so CheckProcedures takes
// the procedure names: pass the generated XxxProcedure constants of every
// handler mounted with the interceptor.
//
// # Refusals
//
// A refused call never reaches its handler; it fails with a *connect.Error
// whose code is the one middleware.Refusal gives (RPCCode):
//
//	no token, token refused by the verifier   CodeUnauthenticated
//	malformed credentials (two values, ...)   CodeInvalidArgument
//	requirement unmet, DefaultDeny gap        CodePermissionDenied
//	keys or revocation list down              CodeUnavailable + google.rpc.RetryInfo
//	misconfiguration (a nil Middleware)       CodeInternal
//
// The message is the refusal's fixed description: it never holds the token
// or the verifier's detail. The error still wraps the refusal, so an
// interceptor further out finds the sentinel with errors.Is. CodeUnavailable
// carries the delay of middleware.WithRetryAfter as a RetryInfo detail.
// middleware.WithRPCErrorHandler replaces the error (return a *connect.Error;
// nil keeps the default), and middleware.WithRefusalObserver sees every
// refusal.
//
// The token is read from the request headers with the rules of every stack:
// "Authorization: Bearer <token>", a middleware.WithHeader header, and a
// middleware.WithCookie cookie (browsers calling with connect-web). Query
// parameters, realms and HTTP error handlers have no effect here. Clients
// built with the interceptor are not affected: it only acts in handlers.
package connectauth
