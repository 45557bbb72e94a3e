package connectauth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/connectauth"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

var fx *authtest.Fixture

func TestMain(m *testing.M) { authtest.Main(m, &fx) }

// The service under test, built by hand from well-known types: Me, Admin
// and Public are unary (Empty → StringValue with the caller's username or
// "-"), Watch and AdminWatch stream three of them, Chat answers each
// message it receives with one, Count answers a client stream with one and
// the number of messages ("bob:2"), and Get is Me without side effects,
// which Connect clients may call with HTTP GET.
const service = "/test.v1.Test/"

var procedures = []string{service + "Me", service + "Admin", service + "Public", service + "Watch", service + "AdminWatch", service + "Chat", service + "Count", service + "Get"}

func username(ctx context.Context) string {
	if c, ok := claims.FromContext(ctx); ok {
		return c.Username
	}
	return "-"
}

// baseOptions are the per-procedure settings every server below uses.
var baseOptions = []middleware.Option{
	middleware.Exclude(service + "Public"),
	middleware.Rule(service+"Admin", middleware.AnyGroup("admin")),
	middleware.Rule(service+"AdminWatch", middleware.AnyGroup("admin")),
	middleware.Rule(service+"Get", middleware.AnyGroup("admin")),
}

// handler mounts every procedure with opts (the interceptors), behind a
// wrapper that reports the HTTP version and method the request came with
// in the X-Proto and X-Method response headers.
func handler(opts ...connect.HandlerOption) http.Handler {
	unary := connect.NewUnaryHandler[emptypb.Empty, wrapperspb.StringValue]
	me := func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		return connect.NewResponse(wrapperspb.String(username(ctx))), nil
	}
	watch := func(ctx context.Context, _ *connect.Request[emptypb.Empty], s *connect.ServerStream[wrapperspb.StringValue]) error {
		for range 3 {
			if err := s.Send(wrapperspb.String(username(ctx))); err != nil {
				return err
			}
		}
		return nil
	}
	chat := func(ctx context.Context, s *connect.BidiStream[emptypb.Empty, wrapperspb.StringValue]) error {
		for {
			if _, err := s.Receive(); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if err := s.Send(wrapperspb.String(username(ctx))); err != nil {
				return err
			}
		}
	}
	count := func(ctx context.Context, s *connect.ClientStream[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		n := 0
		for s.Receive() {
			n++
		}
		if err := s.Err(); err != nil {
			return nil, err
		}
		return connect.NewResponse(wrapperspb.String(fmt.Sprintf("%s:%d", username(ctx), n))), nil
	}
	mux := http.NewServeMux()
	mux.Handle(service+"Me", unary(service+"Me", me, opts...))
	mux.Handle(service+"Admin", unary(service+"Admin", me, opts...))
	mux.Handle(service+"Public", unary(service+"Public", me, opts...))
	mux.Handle(service+"Watch", connect.NewServerStreamHandler(service+"Watch", watch, opts...))
	mux.Handle(service+"AdminWatch", connect.NewServerStreamHandler(service+"AdminWatch", watch, opts...))
	mux.Handle(service+"Chat", connect.NewBidiStreamHandler(service+"Chat", chat, opts...))
	mux.Handle(service+"Count", connect.NewClientStreamHandler(service+"Count", count, opts...))
	mux.Handle(service+"Get", unary(service+"Get", me, append(opts, connect.WithIdempotency(connect.IdempotencyNoSideEffects))...))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Proto", r.Proto)
		w.Header().Set("X-Method", r.Method)
		mux.ServeHTTP(w, r)
	})
}

// serve starts h on 127.0.0.1, speaking HTTP/1.1 and HTTP/2 without TLS
// (h2c), and returns its base URL.
func serve(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// start serves the test service with the interceptor of a Middleware
// built from baseOptions and opts, and returns its base URL.
func start(t testing.TB, v middleware.TokenVerifier, opts ...middleware.Option) string {
	t.Helper()
	opts = append(append([]middleware.Option(nil), baseOptions...), opts...)
	return serve(t, handler(connect.WithInterceptors(connectauth.NewInterceptor(authtest.Build(t, v, opts...)))))
}

// A client is one way of calling: an HTTP version and a Connect protocol.
type client struct {
	name  string
	http  *http.Client
	proto string // the HTTP version the server must see
	opts  []connect.ClientOption
}

func httpClient(h2c bool) *http.Client {
	p := new(http.Protocols)
	p.SetHTTP1(!h2c)
	p.SetUnencryptedHTTP2(h2c)
	return &http.Client{Transport: &http.Transport{Protocols: p}}
}

// clients are every protocol over both HTTP versions.
var clients = func() []client {
	var out []client
	for _, v := range []struct {
		h2c   bool
		proto string
	}{{false, "HTTP/1.1"}, {true, "HTTP/2.0"}} {
		hc := httpClient(v.h2c)
		out = append(out,
			client{"connect " + v.proto, hc, v.proto, nil},
			client{"grpc " + v.proto, hc, v.proto, []connect.ClientOption{connect.WithGRPC()}},
			client{"grpc-web " + v.proto, hc, v.proto, []connect.ClientOption{connect.WithGRPCWeb()}})
	}
	return out
}()

type kind int

const (
	unaryCall kind = iota
	serverStream
	clientStream
	bidiStream // over HTTP/2 only, as Connect requires
)

type rpcCase struct {
	name      string
	procedure string // after service
	kind      kind
	auth      []string
	header    [2]string // one more header: name, value
	code      connect.Code
	want      string // the response on success
}

// call makes tc's call with c and returns the replies, joined, the
// response headers it got (nil if none) and the error.
func call(ctx context.Context, base string, c client, tc rpcCase) (string, http.Header, error) {
	setHeaders := func(h http.Header) {
		for _, a := range tc.auth {
			h.Add("Authorization", a)
		}
		if tc.header[0] != "" {
			h.Add(tc.header[0], tc.header[1])
		}
	}
	cl := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](c.http, base+service+tc.procedure, c.opts...)
	switch tc.kind {
	case serverStream:
		req := connect.NewRequest(&emptypb.Empty{})
		setHeaders(req.Header())
		s, err := cl.CallServerStream(ctx, req)
		if err != nil {
			return "", nil, err
		}
		defer s.Close()
		var got []string
		for s.Receive() {
			got = append(got, s.Msg().GetValue())
		}
		return strings.Join(got, ","), s.ResponseHeader(), s.Err()
	case clientStream:
		s := cl.CallClientStream(ctx)
		setHeaders(s.RequestHeader())
		for range 2 {
			if err := s.Send(&emptypb.Empty{}); err != nil {
				break // the error is CloseAndReceive's
			}
		}
		res, err := s.CloseAndReceive()
		if err != nil {
			return "", nil, err
		}
		return res.Msg.GetValue(), res.Header(), nil
	case bidiStream:
		s := cl.CallBidiStream(ctx)
		setHeaders(s.RequestHeader())
		defer s.CloseResponse()
		var got []string
		for range 2 {
			if err := s.Send(&emptypb.Empty{}); err != nil {
				break // the error is Receive's
			}
			m, err := s.Receive()
			if err != nil {
				return strings.Join(got, ","), s.ResponseHeader(), err
			}
			got = append(got, m.GetValue())
		}
		s.CloseRequest()
		if _, err := s.Receive(); !errors.Is(err, io.EOF) {
			return strings.Join(got, ","), s.ResponseHeader(), err
		}
		return strings.Join(got, ","), s.ResponseHeader(), nil
	default:
		req := connect.NewRequest(&emptypb.Empty{})
		setHeaders(req.Header())
		res, err := cl.CallUnary(ctx, req)
		if err != nil {
			return "", nil, err
		}
		return res.Msg.GetValue(), res.Header(), nil
	}
}

// check makes tc's call and compares the outcome; a refusal's message must
// be a fixed description that repeats none of secrets.
func check(t testing.TB, base string, c client, tc rpcCase, secrets ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, header, err := call(ctx, base, c, tc)
	if code := connect.CodeOf(err); err != nil && code != tc.code || err == nil && tc.code != 0 {
		t.Errorf("%s %s: %v, want code %v", c.name, tc.name, err, tc.code)
		return err
	}
	if err == nil && got != tc.want {
		t.Errorf("%s %s: got %q, want %q", c.name, tc.name, got, tc.want)
	}
	if err == nil && header.Get("X-Proto") != c.proto {
		t.Errorf("%s %s: served over %q", c.name, tc.name, header.Get("X-Proto"))
	}
	if ce := new(connect.Error); errors.As(err, &ce) {
		msg := ce.Message()
		for _, s := range secrets {
			if strings.Contains(msg, s) {
				t.Errorf("%s %s: message repeats the token", c.name, tc.name)
			}
		}
		if msg == "" || strings.Contains(msg, "verifier:") || strings.Contains(msg, "middleware:") {
			t.Errorf("%s %s: message %q is not the fixed description", c.name, tc.name, msg)
		}
	}
	return err
}

// runCases runs cases with every client; bidi cases only over HTTP/2.
func runCases(t *testing.T, base string, cases []rpcCase, secrets ...string) {
	t.Helper()
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range cases {
				if tc.kind == bidiStream && c.proto != "HTTP/2.0" {
					continue
				}
				check(t, base, c, tc, secrets...)
			}
		})
	}
}

func bearer(tok string) []string { return []string{"Bearer " + tok} }

func TestInterceptor(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V)
	user, admin := fx.Token(nil), fx.Token([]string{"admin"})
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	runCases(t, base, []rpcCase{
		{name: "unary no token", procedure: "Me", code: connect.CodeUnauthenticated},
		{name: "unary valid, claims in context", procedure: "Me", auth: bearer(user), want: "bob"},
		{name: "unary scheme case", procedure: "Me", auth: []string{"bearer " + user}, want: "bob"},
		{name: "unary expired", procedure: "Me", auth: bearer(expired), code: connect.CodeUnauthenticated},
		{name: "unary garbage", procedure: "Me", auth: bearer("a.b.c"), code: connect.CodeUnauthenticated},
		{name: "unary other scheme", procedure: "Me", auth: []string{"Basic Ym9iOng="}, code: connect.CodeUnauthenticated},
		{name: "unary two values", procedure: "Me", auth: []string{"Bearer " + user, "Bearer " + user}, code: connect.CodeInvalidArgument},
		{name: "unary Bearer alone", procedure: "Me", auth: []string{"Bearer"}, code: connect.CodeInvalidArgument},
		{name: "unary rule unmet", procedure: "Admin", auth: bearer(user), code: connect.CodePermissionDenied},
		{name: "unary rule met", procedure: "Admin", auth: bearer(admin), want: "bob"},
		{name: "unary rule anonymous", procedure: "Admin", code: connect.CodeUnauthenticated},
		{name: "unary excluded", procedure: "Public", want: "-"},
		{name: "unary excluded ignores a bad token", procedure: "Public", auth: bearer(expired), want: "-"},
		{name: "stream no token", procedure: "Watch", kind: serverStream, code: connect.CodeUnauthenticated},
		{name: "stream valid, claims in context", procedure: "Watch", kind: serverStream, auth: bearer(user), want: "bob,bob,bob"},
		{name: "stream expired", procedure: "Watch", kind: serverStream, auth: bearer(expired), code: connect.CodeUnauthenticated},
		{name: "stream two values", procedure: "Watch", kind: serverStream, auth: []string{"Bearer " + user, "Bearer " + user}, code: connect.CodeInvalidArgument},
		{name: "stream rule unmet", procedure: "AdminWatch", kind: serverStream, auth: bearer(user), code: connect.CodePermissionDenied},
		{name: "stream rule met", procedure: "AdminWatch", kind: serverStream, auth: bearer(admin), want: "bob,bob,bob"},
		{name: "client stream no token", procedure: "Count", kind: clientStream, code: connect.CodeUnauthenticated},
		{name: "client stream valid, claims in context", procedure: "Count", kind: clientStream, auth: bearer(user), want: "bob:2"},
		{name: "client stream two values", procedure: "Count", kind: clientStream, auth: []string{"Bearer " + user, "Bearer " + user}, code: connect.CodeInvalidArgument},
		{name: "bidi no token", procedure: "Chat", kind: bidiStream, code: connect.CodeUnauthenticated},
		{name: "bidi valid, claims in context", procedure: "Chat", kind: bidiStream, auth: bearer(user), want: "bob,bob"},
		{name: "bidi bad token", procedure: "Chat", kind: bidiStream, auth: bearer(expired), code: connect.CodeUnauthenticated},
	}, user, admin, expired)
}

// TestDefaultDeny: a procedure no Rule or Exclude names is denied, even to
// an admin; a named one is served.
func TestDefaultDeny(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V, middleware.DefaultDeny(), middleware.Rule(service+"Me"))
	admin := fx.Token([]string{"admin"})
	runCases(t, base, []rpcCase{
		{name: "gap bidi", procedure: "Chat", kind: bidiStream, auth: bearer(admin), code: connect.CodePermissionDenied},
		{name: "gap stream", procedure: "Watch", kind: serverStream, auth: bearer(admin), code: connect.CodePermissionDenied},
		{name: "gap anonymous", procedure: "Watch", kind: serverStream, code: connect.CodePermissionDenied},
		{name: "covered", procedure: "Me", auth: bearer(admin), want: "bob"},
		{name: "rule with requirement", procedure: "Admin", auth: bearer(admin), want: "bob"},
		{name: "excluded", procedure: "Public", want: "-"},
	})
}

func TestOptional(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V, middleware.Optional())
	runCases(t, base, []rpcCase{
		{name: "anonymous", procedure: "Me", want: "-"},
		{name: "anonymous stream", procedure: "Watch", kind: serverStream, want: "-,-,-"},
		{name: "valid", procedure: "Me", auth: bearer(fx.Token(nil)), want: "bob"},
		{name: "bad token still fails", procedure: "Me", auth: bearer("a.b.c"), code: connect.CodeUnauthenticated},
		{name: "rule on anonymous", procedure: "Admin", code: connect.CodeUnauthenticated},
	})
}

// TestUnavailableRetryInfo: keys that cannot be fetched, or a revocation
// list that cannot vouch, fail with CodeUnavailable carrying the delay of
// WithRetryAfter as a RetryInfo detail, read back by the client over every
// protocol; a zero delay sends none.
func TestUnavailableRetryInfo(t *testing.T) {
	t.Parallel()
	stale := fx.Pool.AccessToken(cognitotest.User{Username: authtest.StaleUser})
	for _, tc := range []struct {
		name  string
		v     middleware.TokenVerifier
		token string
		opts  []middleware.Option
		want  time.Duration // 0: no detail
	}{
		{"keys down, default", fx.Down, fx.DownToken, nil, 10 * time.Second},
		{"keys down, WithRetryAfter", fx.Down, fx.DownToken, []middleware.Option{middleware.WithRetryAfter(3 * time.Second)}, 3 * time.Second},
		{"keys down, zero", fx.Down, fx.DownToken, []middleware.Option{middleware.WithRetryAfter(0)}, 0},
		{"revocation list stale", fx.V, stale, nil, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			base := start(t, tc.v, tc.opts...)
			for _, c := range clients {
				for _, rc := range []rpcCase{
					{name: "unary", procedure: "Me", auth: bearer(tc.token), code: connect.CodeUnavailable},
					{name: "stream", procedure: "Watch", kind: serverStream, auth: bearer(tc.token), code: connect.CodeUnavailable},
				} {
					err := check(t, base, c, rc, tc.token)
					got := retryDelays(err)
					switch {
					case tc.want == 0 && len(got) != 0:
						t.Errorf("%s %s: RetryInfo %v, want none", c.name, rc.name, got)
					case tc.want != 0 && (len(got) != 1 || got[0] != tc.want):
						t.Errorf("%s %s: RetryInfo %v, want [%v]", c.name, rc.name, got, tc.want)
					}
				}
			}
		})
	}
}

// retryDelays returns the RetryInfo details of err, as a client decodes them.
func retryDelays(err error) []time.Duration {
	var out []time.Duration
	if ce := new(connect.Error); errors.As(err, &ce) {
		for _, d := range ce.Details() {
			if v, err := d.Value(); err == nil {
				if ri, ok := v.(*errdetails.RetryInfo); ok {
					out = append(out, ri.GetRetryDelay().AsDuration())
				}
			}
		}
	}
	return out
}

// TestNilMiddleware: the interceptor of a nil Middleware refuses every call
// with CodeInternal; nothing panics.
func TestNilMiddleware(t *testing.T) {
	t.Parallel()
	base := serve(t, handler(connect.WithInterceptors(connectauth.NewInterceptor(nil))))
	runCases(t, base, []rpcCase{
		{name: "unary", procedure: "Me", auth: bearer(fx.Token(nil)), code: connect.CodeInternal},
		{name: "excluded nowhere", procedure: "Public", code: connect.CodeInternal},
		{name: "stream", procedure: "Watch", kind: serverStream, auth: bearer(fx.Token(nil)), code: connect.CodeInternal},
		{name: "bidi", procedure: "Chat", kind: bidiStream, auth: bearer(fx.Token(nil)), code: connect.CodeInternal},
	})
}

// TestCheckProcedures: a Rule naming a procedure no handler serves
// ("Admn" for "Admin") is reported, and under DefaultDeny the procedure it
// meant to cover is denied rather than open.
func TestCheckProcedures(t *testing.T) {
	t.Parallel()
	mistyped := authtest.Build(t, fx.V, middleware.DefaultDeny(),
		middleware.Exclude(service+"Public"),
		middleware.Rule(service+"Me"),
		middleware.Rule(service+"Admn", middleware.AnyGroup("admin")))
	err := connectauth.CheckProcedures(mistyped, procedures...)
	if !errors.Is(err, middleware.ErrMisconfigured) || !strings.Contains(err.Error(), service+"Admn") {
		t.Errorf("CheckProcedures = %v, want an error naming the mistyped Rule", err)
	}
	if err != nil && strings.Contains(err.Error(), `"`+service+`Me")`) {
		t.Errorf("CheckProcedures named a Rule that matches: %v", err)
	}
	base := serve(t, handler(connect.WithInterceptors(connectauth.NewInterceptor(mistyped))))
	runCases(t, base, []rpcCase{
		{name: "uncovered procedure denied to an admin", procedure: "Admin", auth: bearer(fx.Token([]string{"admin"})), code: connect.CodePermissionDenied},
		{name: "covered procedure", procedure: "Me", auth: bearer(fx.Token(nil)), want: "bob"},
		{name: "excluded procedure", procedure: "Public", want: "-"},
	})

	for _, tc := range []struct {
		name       string
		m          *middleware.Middleware
		procedures []string
		wantErr    bool
	}{
		{"matching rules", authtest.Build(t, fx.V, baseOptions...), procedures, false},
		{"subtree rule", authtest.Build(t, fx.V, middleware.Rule(service)), procedures, false},
		{"exclude of another service", authtest.Build(t, fx.V, middleware.Exclude("/grpc.health.v1.Health/")), procedures, true},
		{"GET rule", authtest.Build(t, fx.V, middleware.Rule("GET "+service+"Me")), procedures, true},
		{"a procedure not passed", authtest.Build(t, fx.V, baseOptions...), []string{service + "Me", service + "Admin"}, true},
		{"no procedures", authtest.Build(t, fx.V), nil, true},
		{"nil Middleware", nil, procedures, true},
	} {
		err := connectauth.CheckProcedures(tc.m, tc.procedures...)
		if tc.wantErr != (err != nil) || err != nil && !errors.Is(err, middleware.ErrMisconfigured) {
			t.Errorf("%s: CheckProcedures = %v, want error %v", tc.name, err, tc.wantErr)
		}
	}
}

// observer is an interceptor installed outside connectauth's that records
// the errors handlers fail with.
type observer struct {
	mu   sync.Mutex
	seen []error
}

func (o *observer) record(err error) {
	if err != nil {
		o.mu.Lock()
		o.seen = append(o.seen, err)
		o.mu.Unlock()
	}
}

func (o *observer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		res, err := next(ctx, req)
		o.record(err)
		return res, err
	}
}

func (o *observer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (o *observer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		err := next(ctx, conn)
		o.record(err)
		return err
	}
}

// TestErrorsIs: the *connect.Error still wraps the refusal, the verifier's
// own error included, for interceptors further out.
func TestErrorsIs(t *testing.T) {
	t.Parallel()
	o := new(observer)
	m := authtest.Build(t, fx.V, baseOptions...)
	base := serve(t, handler(connect.WithInterceptors(o, connectauth.NewInterceptor(m))))
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	c := clients[0]
	check(t, base, c, rpcCase{name: "no token", procedure: "Me", code: connect.CodeUnauthenticated})
	check(t, base, c, rpcCase{name: "expired", procedure: "Watch", kind: serverStream, auth: bearer(expired), code: connect.CodeUnauthenticated}, expired)
	check(t, base, c, rpcCase{name: "user on admin", procedure: "Admin", auth: bearer(fx.Token(nil)), code: connect.CodePermissionDenied})
	o.mu.Lock()
	defer o.mu.Unlock()
	want := [][]error{{middleware.ErrNoToken}, {middleware.ErrInvalidToken, verifier.ErrTokenExpired}, {middleware.ErrForbidden}}
	if len(o.seen) != len(want) {
		t.Fatalf("outer interceptor saw %v, want %d errors", o.seen, len(want))
	}
	for i, ws := range want {
		for _, w := range ws {
			if !errors.Is(o.seen[i], w) {
				t.Errorf("outer interceptor saw %v, want it to wrap %v", o.seen[i], w)
			}
		}
	}
}

// TestRPCErrorHandler: WithRPCErrorHandler replaces the error with the
// procedure's name at hand; returning nil keeps the default.
func TestRPCErrorHandler(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V, middleware.WithRPCErrorHandler(func(ctx context.Context, procedure string, err error) error {
		if errors.Is(err, middleware.ErrNoToken) && procedure == service+"Me" {
			return connect.NewError(connect.CodeNotFound, errors.New("sign in first"))
		}
		return nil
	}))
	runCases(t, base, []rpcCase{
		{name: "replaced", procedure: "Me", code: connect.CodeNotFound},
		{name: "default on another procedure", procedure: "Watch", kind: serverStream, code: connect.CodeUnauthenticated},
		{name: "nil keeps the default", procedure: "Admin", auth: bearer(fx.Token(nil)), code: connect.CodePermissionDenied},
	})
}

// TestRefusalObserver: the observer sees every refusal; the call still
// fails with the default error.
func TestRefusalObserver(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []error
	base := start(t, fx.V, middleware.WithRefusalObserver(func(_ context.Context, err error) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, err)
	}))
	c := clients[0]
	check(t, base, c, rpcCase{name: "no token", procedure: "Me", code: connect.CodeUnauthenticated})
	check(t, base, c, rpcCase{name: "rule", procedure: "AdminWatch", kind: serverStream, auth: bearer(fx.Token(nil)), code: connect.CodePermissionDenied})
	check(t, base, c, rpcCase{name: "accepted", procedure: "Me", auth: bearer(fx.Token(nil)), want: "bob"})
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || !errors.Is(seen[0], middleware.ErrNoToken) || !errors.Is(seen[1], middleware.ErrForbidden) {
		t.Errorf("observer saw %v", seen)
	}
}

// TestForeignVerifier: any TokenVerifier works; its own errors, which wrap
// no known sentinel, are CodeUnauthenticated.
func TestForeignVerifier(t *testing.T) {
	t.Parallel()
	base := start(t, authtest.Foreign{V: fx.V})
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	runCases(t, base, []rpcCase{
		{name: "accepted", procedure: "Admin", auth: bearer(fx.Token([]string{"admin"})), want: "bob"},
		{name: "its error", procedure: "Me", auth: bearer(expired), code: connect.CodeUnauthenticated},
		{name: "its error on a stream", procedure: "Watch", kind: serverStream, auth: bearer(expired), code: connect.CodeUnauthenticated},
	}, expired)
}

// TestTokenSources: WithHeader and WithCookie apply as on every stack;
// two sources are InvalidArgument.
func TestTokenSources(t *testing.T) {
	t.Parallel()
	user := fx.Token(nil)
	header := start(t, fx.V, middleware.WithHeader("X-Amzn-Oidc-Data"))
	runCases(t, header, []rpcCase{
		{name: "bare value", procedure: "Me", header: [2]string{"x-amzn-oidc-data", user}, want: "bob"},
		{name: "with a scheme", procedure: "Me", header: [2]string{"X-Amzn-Oidc-Data", "Bearer " + user}, code: connect.CodeInvalidArgument},
		{name: "and Authorization", procedure: "Me", header: [2]string{"X-Amzn-Oidc-Data", user}, auth: bearer(user), code: connect.CodeInvalidArgument},
	}, user)
	cookie := start(t, fx.V, middleware.WithCookie("id_token"))
	runCases(t, cookie, []rpcCase{
		{name: "cookie", procedure: "Me", header: [2]string{"Cookie", "theme=dark; id_token=" + user}, want: "bob"},
		{name: "cookie on a stream", procedure: "Watch", kind: serverStream, header: [2]string{"Cookie", "id_token=" + user}, want: "bob,bob,bob"},
		{name: "cookie and Authorization", procedure: "Me", header: [2]string{"Cookie", "id_token=" + user}, auth: bearer(user), code: connect.CodeInvalidArgument},
	}, user)
}

// TestConnectHTTPStatus: over the Connect protocol a refusal is also an
// HTTP status (Connect's mapping of the code), and a query parameter is
// never read as a token here.
func TestConnectHTTPStatus(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V, middleware.WithQueryParameter("access_token"))
	user := fx.Token(nil)
	for _, tc := range []struct {
		name, path string
		auth       []string
		status     int
		code       string
	}{
		{"no token", "Me", nil, 401, "unauthenticated"},
		{"token in the query", "Me?access_token=" + user, nil, 401, "unauthenticated"},
		{"two values", "Me", []string{"Bearer " + user, "Bearer " + user}, 400, "invalid_argument"},
		{"rule unmet", "Admin", bearer(user), 403, "permission_denied"},
		{"accepted", "Me", bearer(user), 200, ""},
	} {
		req, _ := http.NewRequest(http.MethodPost, base+service+tc.path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		for _, a := range tc.auth {
			req.Header.Add("Authorization", a)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || tc.code != "" && !strings.Contains(string(body), `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, resp.StatusCode, body, tc.status, tc.code)
		}
		if strings.Contains(string(body), user) {
			t.Errorf("%s: body repeats the token", tc.name)
		}
	}
}

// TestClientUntouched: on a client the interceptor does nothing, not even
// refuse as its nil Middleware would in a handler.
func TestClientUntouched(t *testing.T) {
	t.Parallel()
	base := serve(t, handler())
	for _, c := range clients {
		c.opts = append(c.opts, connect.WithInterceptors(connectauth.NewInterceptor(nil)))
		for _, tc := range []rpcCase{
			{name: "unary", procedure: "Me", want: "-"},
			{name: "stream", procedure: "Watch", kind: serverStream, want: "-,-,-"},
			{name: "bidi", procedure: "Chat", kind: bidiStream, want: "-,-"},
		} {
			if tc.kind == bidiStream && c.proto != "HTTP/2.0" {
				continue
			}
			check(t, base, c, tc)
		}
	}
}

// TestConcurrent: one interceptor serves many calls at once, each with its
// own caller.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V)
	user, admin := fx.Token(nil), fx.Token([]string{"admin"})
	cases := []rpcCase{
		{name: "user", procedure: "Me", auth: bearer(user), want: "bob"},
		{name: "admin", procedure: "Admin", auth: bearer(admin), want: "bob"},
		{name: "user on admin", procedure: "Admin", auth: bearer(user), code: connect.CodePermissionDenied},
		{name: "anonymous", procedure: "Me", code: connect.CodeUnauthenticated},
		{name: "stream", procedure: "Watch", kind: serverStream, auth: bearer(user), want: "bob,bob,bob"},
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				c := clients[(i+j)%len(clients)]
				check(t, base, c, cases[(i+j)%len(cases)])
			}
		})
	}
	wg.Wait()
}

// TestConnectGet: a Connect unary call sent as HTTP GET is decided as a
// POST to its procedure, so the procedure's Rule applies.
func TestConnectGet(t *testing.T) {
	t.Parallel()
	base := start(t, fx.V)
	for _, h2c := range []bool{false, true} {
		c := client{name: "connect GET", http: httpClient(h2c), proto: "HTTP/1.1",
			opts: []connect.ClientOption{connect.WithHTTPGet(), connect.WithIdempotency(connect.IdempotencyNoSideEffects)}}
		if h2c {
			c.proto = "HTTP/2.0"
		}
		for _, tc := range []rpcCase{
			{name: "rule met", procedure: "Get", auth: bearer(fx.Token([]string{"admin"})), want: "bob"},
			{name: "rule unmet", procedure: "Get", auth: bearer(fx.Token(nil)), code: connect.CodePermissionDenied},
			{name: "no token", procedure: "Get", code: connect.CodeUnauthenticated},
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, header, err := call(ctx, base, c, tc)
			cancel()
			if err == nil && header.Get("X-Method") != http.MethodGet {
				t.Errorf("%s %s: sent with %q, want GET", c.proto, tc.name, header.Get("X-Method"))
			}
			check(t, base, c, tc)
		}
	}
}
