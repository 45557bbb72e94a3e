package grpcauth_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

var fx *authtest.Fixture

func TestMain(m *testing.M) { authtest.Main(m, &fx) }

// The service under test, built by hand from well-known types:
// Me, Admin and Public are unary (Empty → StringValue with the caller's
// username or "-"), Watch and AdminWatch stream three of them.
const service = "test.v1.Test"

func username(ctx context.Context) string {
	if c, ok := claims.FromContext(ctx); ok {
		return c.Username
	}
	return "-"
}

func unary(name string) grpc.MethodDesc {
	return grpc.MethodDesc{MethodName: name, Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		in := new(emptypb.Empty)
		if err := dec(in); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(username(ctx)), nil }
		if ic == nil {
			return h(ctx, in)
		}
		return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + service + "/" + name}, h)
	}}
}

func watch(_ any, ss grpc.ServerStream) error {
	if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
		return err
	}
	for range 3 {
		if err := ss.SendMsg(wrapperspb.String(username(ss.Context()))); err != nil {
			return err
		}
	}
	return nil
}

var desc = grpc.ServiceDesc{
	ServiceName: service,
	HandlerType: (*any)(nil),
	Methods:     []grpc.MethodDesc{unary("Me"), unary("Admin"), unary("Public")},
	Streams: []grpc.StreamDesc{
		{StreamName: "Watch", Handler: watch, ServerStreams: true},
		{StreamName: "AdminWatch", Handler: watch, ServerStreams: true},
	},
}

// baseOptions are the per-method settings every server below uses.
var baseOptions = []middleware.Option{
	middleware.Exclude(grpcauth.HealthService, "/"+service+"/Public"),
	middleware.Rule("/"+service+"/Admin", middleware.AnyGroup("admin")),
	middleware.Rule("/"+service+"/AdminWatch", middleware.AnyGroup("admin")),
}

// start serves the test service and the health service on 127.0.0.1 with
// both interceptors, configured by baseOptions and opts, and returns a
// client connection to it. Errors the auth interceptors return are passed
// to seen, if not nil.
func start(t testing.TB, v middleware.TokenVerifier, seen func(error), opts ...middleware.Option) *grpc.ClientConn {
	t.Helper()
	opts = append(append([]middleware.Option(nil), baseOptions...), opts...)
	conn, _ := serve(t, authtest.Build(t, v, opts...), seen)
	return conn
}

// serve is start for a built Middleware (nil: none); it also returns the
// server, with every service registered.
func serve(t testing.TB, m *middleware.Middleware, seen func(error)) (*grpc.ClientConn, *grpc.Server) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	outer := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		if err != nil && seen != nil {
			seen(err)
		}
		return resp, err
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(outer, grpcauth.UnaryServerInterceptor(m)),
		grpc.ChainStreamInterceptor(grpcauth.StreamServerInterceptor(m)),
	)
	srv.RegisterService(&desc, struct{}{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///"+lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, srv
}

func withAuth(ctx context.Context, values ...string) context.Context {
	for _, v := range values {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", v)
	}
	return ctx
}

func callUnary(ctx context.Context, conn *grpc.ClientConn, method string) (string, error) {
	out := new(wrapperspb.StringValue)
	err := conn.Invoke(ctx, "/"+service+"/"+method, new(emptypb.Empty), out)
	return out.GetValue(), err
}

// callStream opens a server stream and returns what it received, joined.
func callStream(ctx context.Context, conn *grpc.ClientConn, method string) (string, error) {
	s, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/"+service+"/"+method)
	if err != nil {
		return "", err
	}
	if err := s.SendMsg(new(emptypb.Empty)); err != nil {
		return "", err
	}
	if err := s.CloseSend(); err != nil {
		return "", err
	}
	var got []string
	for {
		m := new(wrapperspb.StringValue)
		if err := s.RecvMsg(m); err == io.EOF {
			return strings.Join(got, ","), nil
		} else if err != nil {
			return strings.Join(got, ","), err
		}
		got = append(got, m.GetValue())
	}
}

type rpcCase struct {
	name   string
	method string
	stream bool
	auth   []string
	code   codes.Code
	want   string // the response on success
}

func runCases(t *testing.T, conn *grpc.ClientConn, cases []rpcCase, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			check(t, conn, tc, secrets...)
		})
	}
}

func check(t testing.TB, conn *grpc.ClientConn, tc rpcCase, secrets ...string) {
	ctx, cancel := context.WithTimeout(withAuth(context.Background(), tc.auth...), 10*time.Second)
	defer cancel()
	call := callUnary
	if tc.stream {
		call = callStream
	}
	got, err := call(ctx, conn, tc.method)
	if c := status.Code(err); c != tc.code {
		t.Errorf("%s: code %v (%v), want %v", tc.name, c, err, tc.code)
		return
	}
	if tc.code == codes.OK && got != tc.want {
		t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
	}
	if err != nil {
		msg := status.Convert(err).Message()
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%s: message repeats the token", tc.name)
			}
		}
		if msg == "" || strings.Contains(msg, "verifier:") {
			t.Errorf("%s: message %q is not the fixed description", tc.name, msg)
		}
	}
}

func bearer(tok string) []string { return []string{"Bearer " + tok} }

func TestInterceptors(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.V, nil)
	user, admin := fx.Token(nil), fx.Token([]string{"admin"})
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	runCases(t, conn, []rpcCase{
		{name: "unary no token", method: "Me", code: codes.Unauthenticated},
		{name: "unary valid, claims in context", method: "Me", auth: bearer(user), want: "bob"},
		{name: "unary scheme case", method: "Me", auth: []string{"bearer " + user}, want: "bob"},
		{name: "unary expired", method: "Me", auth: bearer(expired), code: codes.Unauthenticated},
		{name: "unary garbage", method: "Me", auth: bearer("a.b.c"), code: codes.Unauthenticated},
		{name: "unary other scheme", method: "Me", auth: []string{"Basic Ym9iOng="}, code: codes.Unauthenticated},
		{name: "unary two values", method: "Me", auth: []string{"Bearer " + user, "Bearer " + user}, code: codes.InvalidArgument},
		{name: "unary Bearer alone", method: "Me", auth: []string{"Bearer"}, code: codes.InvalidArgument},
		{name: "unary leading space", method: "Me", auth: []string{" Bearer " + user}, code: codes.InvalidArgument},
		{name: "unary rule unmet", method: "Admin", auth: bearer(user), code: codes.PermissionDenied},
		{name: "unary rule met", method: "Admin", auth: bearer(admin), want: "bob"},
		{name: "unary rule anonymous", method: "Admin", code: codes.Unauthenticated},
		{name: "unary exempt", method: "Public", want: "-"},
		{name: "unary exempt ignores token", method: "Public", auth: bearer(expired), want: "-"},
		{name: "stream no token", method: "Watch", stream: true, code: codes.Unauthenticated},
		{name: "stream valid, claims in context", method: "Watch", stream: true, auth: bearer(user), want: "bob,bob,bob"},
		{name: "stream expired", method: "Watch", stream: true, auth: bearer(expired), code: codes.Unauthenticated},
		{name: "stream two values", method: "Watch", stream: true, auth: []string{"Bearer " + user, "Bearer " + user}, code: codes.InvalidArgument},
		{name: "stream rule unmet", method: "AdminWatch", stream: true, auth: bearer(user), code: codes.PermissionDenied},
		{name: "stream rule met", method: "AdminWatch", stream: true, auth: bearer(admin), want: "bob,bob,bob"},
	}, user, admin, expired)

	t.Run("health exempt", func(t *testing.T) {
		t.Parallel()
		resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health: %v %v", resp, err)
		}
	})
}

func TestOptional(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.V, nil, middleware.Optional())
	runCases(t, conn, []rpcCase{
		{name: "anonymous", method: "Me", want: "-"},
		{name: "anonymous stream", method: "Watch", stream: true, want: "-,-,-"},
		{name: "valid", method: "Me", auth: bearer(fx.Token(nil)), want: "bob"},
		{name: "bad token still fails", method: "Me", auth: bearer("a.b.c"), code: codes.Unauthenticated},
		{name: "rule on anonymous", method: "Admin", code: codes.Unauthenticated},
	})
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.Down, nil)
	runCases(t, conn, []rpcCase{
		{name: "unary", method: "Me", auth: bearer(fx.DownToken), code: codes.Unavailable},
		{name: "stream", method: "Watch", stream: true, auth: bearer(fx.DownToken), code: codes.Unavailable},
	}, fx.DownToken)
}

// TestUnavailableRetryInfo: Unavailable carries the delay of
// WithRetryAfter (DefaultRetryAfter unless set) as a google.rpc.RetryInfo
// detail, over the wire, on unary and stream calls; a zero delay sends none.
func TestUnavailableRetryInfo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []middleware.Option
		want time.Duration // 0: no detail
	}{
		{"default", nil, 10 * time.Second},
		{"WithRetryAfter", []middleware.Option{middleware.WithRetryAfter(3 * time.Second)}, 3 * time.Second},
		{"zero", []middleware.Option{middleware.WithRetryAfter(0)}, 0},
	} {
		conn := start(t, fx.Down, nil, tc.opts...)
		for _, rc := range []rpcCase{{method: "Me"}, {method: "Watch", stream: true}} {
			call := callUnary
			if rc.stream {
				call = callStream
			}
			ctx, cancel := context.WithTimeout(withAuth(context.Background(), bearer(fx.DownToken)...), 10*time.Second)
			_, err := call(ctx, conn, rc.method)
			cancel()
			st := status.Convert(err)
			if st.Code() != codes.Unavailable {
				t.Fatalf("%s: %v, want Unavailable", tc.name, err)
			}
			var got []time.Duration
			for _, d := range st.Details() {
				if ri, ok := d.(*errdetails.RetryInfo); ok {
					got = append(got, ri.GetRetryDelay().AsDuration())
				}
			}
			switch {
			case tc.want == 0 && len(got) != 0:
				t.Errorf("%s: RetryInfo %v, want none", tc.name, got)
			case tc.want != 0 && (len(got) != 1 || got[0] != tc.want):
				t.Errorf("%s: RetryInfo %v, want [%v]", tc.name, got, tc.want)
			}
		}
	}
}

// TestErrorsIs: the status error still wraps the refusal for interceptors
// further out.
func TestErrorsIs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []error
	conn := start(t, fx.V, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, err)
	})
	check(t, conn, rpcCase{name: "no token", method: "Me", code: codes.Unauthenticated})
	check(t, conn, rpcCase{name: "user on admin", method: "Admin", auth: bearer(fx.Token(nil)), code: codes.PermissionDenied})
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || !errors.Is(seen[0], middleware.ErrNoToken) || !errors.Is(seen[1], middleware.ErrForbidden) {
		t.Errorf("outer interceptor saw %v", seen)
	}
}

func TestRPCErrorHandler(t *testing.T) {
	t.Parallel()
	replace := start(t, fx.V, nil, middleware.WithRPCErrorHandler(func(ctx context.Context, method string, err error) error {
		if errors.Is(err, middleware.ErrNoToken) && method == "/"+service+"/Me" {
			return status.Error(codes.NotFound, "sign in first")
		}
		return nil // the default for everything else
	}))
	runCases(t, replace, []rpcCase{
		{name: "replaced", method: "Me", code: codes.NotFound},
		{name: "replaced on stream too", method: "Watch", stream: true, code: codes.Unauthenticated},
		{name: "nil keeps the default", method: "Admin", auth: bearer(fx.Token(nil)), code: codes.PermissionDenied},
	})
}

func TestConcurrent(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.V, nil)
	user, admin := fx.Token(nil), fx.Token([]string{"admin"})
	cases := []rpcCase{
		{name: "user", method: "Me", auth: bearer(user), want: "bob"},
		{name: "admin", method: "Admin", auth: bearer(admin), want: "bob"},
		{name: "user on admin", method: "Admin", auth: bearer(user), code: codes.PermissionDenied},
		{name: "anonymous", method: "Me", code: codes.Unauthenticated},
		{name: "stream", method: "Watch", stream: true, auth: bearer(user), want: "bob,bob,bob"},
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				check(t, conn, cases[(i+j)%len(cases)])
			}
		}()
	}
	wg.Wait()
}

// TestNilMiddleware: interceptors of a nil Middleware refuse every call
// with Internal; nothing panics.
func TestNilMiddleware(t *testing.T) {
	t.Parallel()
	conn, _ := serve(t, nil, nil)
	check(t, conn, rpcCase{name: "unary", method: "Me", auth: bearer(fx.Token(nil)), code: codes.Internal})
	check(t, conn, rpcCase{name: "stream", method: "Watch", stream: true, auth: bearer(fx.Token(nil)), code: codes.Internal})
}

// TestCheckMethodsMistypedRule: a Rule naming a method the server does not
// have ("Admn" for "Admin") is reported by CheckMethods, and under
// DefaultDeny the method it meant to cover is denied rather than open.
func TestCheckMethodsMistypedRule(t *testing.T) {
	t.Parallel()
	m := authtest.Build(t, fx.V, middleware.DefaultDeny(),
		middleware.Exclude(grpcauth.HealthService, "/"+service+"/Public"),
		middleware.Rule("/"+service+"/Me"),
		middleware.Rule("/"+service+"/Admn", middleware.AnyGroup("admin")))
	conn, srv := serve(t, m, nil)
	err := grpcauth.CheckMethods(m, srv)
	if !errors.Is(err, middleware.ErrMisconfigured) || !strings.Contains(err.Error(), "/"+service+"/Admn") {
		t.Errorf("CheckMethods = %v, want an error naming the mistyped Rule", err)
	}
	if strings.Contains(err.Error(), `"/`+service+`/Me")`) {
		t.Errorf("CheckMethods named a Rule that matches: %v", err)
	}
	runCases(t, conn, []rpcCase{
		{name: "uncovered method denied to an admin", method: "Admin", auth: bearer(fx.Token([]string{"admin"})), code: codes.PermissionDenied},
		{name: "uncovered stream denied", method: "Watch", stream: true, auth: bearer(fx.Token(nil)), code: codes.PermissionDenied},
		{name: "covered method", method: "Me", auth: bearer(fx.Token(nil)), want: "bob"},
		{name: "excluded method", method: "Public", want: "-"},
	})
	good := authtest.Build(t, fx.V, baseOptions...)
	if err := grpcauth.CheckMethods(good, srv); err != nil {
		t.Errorf("CheckMethods on matching rules: %v", err)
	}
	reflection := authtest.Build(t, fx.V, middleware.Exclude(grpcauth.ReflectionService), middleware.Rule("GET /"+service+"/Me"))
	if err := grpcauth.CheckMethods(reflection, srv); err == nil || !strings.Contains(err.Error(), "ServerReflection") || !strings.Contains(err.Error(), "GET") {
		t.Errorf("CheckMethods = %v, want the unregistered service and the GET rule named", err)
	}
	if err := grpcauth.CheckMethods(nil, srv); !errors.Is(err, middleware.ErrMisconfigured) {
		t.Errorf("CheckMethods(nil) = %v", err)
	}
}

// TestRevocation: a revoked token is Unauthenticated; a revocation list
// that cannot vouch for itself is Unavailable with RetryInfo, like keys
// that cannot be fetched.
func TestRevocation(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.V, nil)
	revoked := fx.Pool.AccessToken(cognitotest.User{Username: authtest.RevokedUser})
	stale := fx.Pool.AccessToken(cognitotest.User{Username: authtest.StaleUser})
	runCases(t, conn, []rpcCase{
		{name: "revoked", method: "Me", auth: bearer(revoked), code: codes.Unauthenticated},
		{name: "revoked stream", method: "Watch", stream: true, auth: bearer(revoked), code: codes.Unauthenticated},
		{name: "list unavailable", method: "Me", auth: bearer(stale), code: codes.Unavailable},
	}, revoked, stale)
	_, err := callUnary(withAuth(context.Background(), bearer(stale)...), conn, "Me")
	if d := retryDelay(err); d != 10*time.Second {
		t.Errorf("RetryInfo %v, want 10s", d)
	}
}

// TestForeignVerifier: any TokenVerifier works; its own errors, which wrap
// no known sentinel, are Unauthenticated.
func TestForeignVerifier(t *testing.T) {
	t.Parallel()
	conn := start(t, authtest.Foreign{V: fx.V}, nil)
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	runCases(t, conn, []rpcCase{
		{name: "accepted", method: "Admin", auth: bearer(fx.Token([]string{"admin"})), want: "bob"},
		{name: "its error", method: "Me", auth: bearer(expired), code: codes.Unauthenticated},
	})
}

// TestWithHeader: the named metadata key carries a bare token.
func TestWithHeader(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.V, nil, middleware.WithHeader("X-Amzn-Oidc-Data"))
	user := fx.Token(nil)
	for _, tc := range []struct {
		name  string
		pairs []string
		code  codes.Code
	}{
		{"bare value", []string{"x-amzn-oidc-data", user}, codes.OK},
		{"with a scheme", []string{"x-amzn-oidc-data", "Bearer " + user}, codes.InvalidArgument},
		{"twice", []string{"x-amzn-oidc-data", user, "x-amzn-oidc-data", user}, codes.InvalidArgument},
		{"and authorization", []string{"x-amzn-oidc-data", user, "authorization", "Bearer " + user}, codes.InvalidArgument},
	} {
		got, err := callUnary(metadata.AppendToOutgoingContext(context.Background(), tc.pairs...), conn, "Me")
		if status.Code(err) != tc.code || tc.code == codes.OK && got != "bob" {
			t.Errorf("%s: %q %v, want %v", tc.name, got, err, tc.code)
		}
	}
}

// TestTokenUseRule: a Rule with TokenUse admits only that kind of token.
func TestTokenUseRule(t *testing.T) {
	t.Parallel()
	conn := start(t, fx.Any, nil, middleware.Rule("/"+service+"/Me", middleware.TokenUse(verifier.IDToken)))
	runCases(t, conn, []rpcCase{
		{name: "ID token", method: "Me", auth: bearer(fx.Pool.IDToken(cognitotest.User{Username: "bob"})), want: "bob"},
		{name: "access token", method: "Me", auth: bearer(fx.Token(nil)), code: codes.PermissionDenied},
	})
}

// TestRefusalObserver: the observer sees every refusal, and the call still
// fails with the default status, RetryInfo included.
func TestRefusalObserver(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []error
	observe := middleware.WithRefusalObserver(func(_ context.Context, err error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, err)
	})
	conn := start(t, fx.V, nil, observe, middleware.WithRetryAfter(3*time.Second))
	down := start(t, fx.Down, nil, observe, middleware.WithRetryAfter(3*time.Second))
	check(t, conn, rpcCase{name: "no token", method: "Me", code: codes.Unauthenticated})
	check(t, conn, rpcCase{name: "rule", method: "AdminWatch", stream: true, auth: bearer(fx.Token(nil)), code: codes.PermissionDenied})
	check(t, conn, rpcCase{name: "accepted", method: "Me", auth: bearer(fx.Token(nil)), want: "bob"})
	_, err := callUnary(withAuth(context.Background(), bearer(fx.DownToken)...), down, "Me")
	if status.Code(err) != codes.Unavailable || retryDelay(err) != 3*time.Second {
		t.Errorf("keys down: %v (RetryInfo %v), want Unavailable with 3s", err, retryDelay(err))
	}
	mu.Lock()
	defer mu.Unlock()
	want := []error{middleware.ErrNoToken, middleware.ErrForbidden, verifier.ErrJWKSUnavailable}
	if len(seen) != len(want) {
		t.Fatalf("observer saw %v, want %d refusals", seen, len(want))
	}
	for i, w := range want {
		if !errors.Is(seen[i], w) {
			t.Errorf("observer saw %v, want %v", seen[i], w)
		}
	}
}

func retryDelay(err error) time.Duration {
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	return 0
}

// TestUnusualMethodPath calls the interceptor directly with method names
// grpc-go itself would refuse to route: whatever a transport lets through,
// a Rule still applies to the name in canonical form and an exemption only
// to the exact canonical name.
func TestUnusualMethodPath(t *testing.T) {
	t.Parallel()
	intercept := grpcauth.UnaryServerInterceptor(authtest.Build(t, fx.V, baseOptions...))
	handler := func(ctx context.Context, _ any) (any, error) { return username(ctx), nil }
	md := func(auth ...string) context.Context {
		return metadata.NewIncomingContext(context.Background(), metadata.Pairs(pairs(auth)...))
	}
	user := "Bearer " + fx.Token(nil)
	for _, tc := range []struct {
		method string
		ctx    context.Context
		code   codes.Code
	}{
		{service + "/Admin", md(user), codes.PermissionDenied},
		{"/" + service + "/./Admin", md(user), codes.PermissionDenied},
		{"//" + service + "/Admin", md(user), codes.PermissionDenied},
		{service + "/Public", md(), codes.Unauthenticated},
		{"/" + service + "/Public/", md(), codes.Unauthenticated},
		{"/" + service + "/Public", md(), codes.OK},
		{"/" + service + "/Admin", context.Background(), codes.Unauthenticated}, // no metadata at all
	} {
		_, err := intercept(tc.ctx, nil, &grpc.UnaryServerInfo{FullMethod: tc.method}, handler)
		if status.Code(err) != tc.code {
			t.Errorf("%q: %v, want %v", tc.method, err, tc.code)
		}
	}
}

func pairs(auth []string) []string {
	var kv []string
	for _, a := range auth {
		kv = append(kv, "authorization", a)
	}
	return kv
}
