//go:build interop

package interop_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/echoauth"
	"github.com/cognitoauth/cognitoauth/middleware/ginauth"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// request is one call every stack must answer the same way.
type request struct {
	name   string
	route  string // "me" (any signed-in user) or "admin" (group admin)
	token  string
	status int
}

func (s *seeded) requests() []request {
	return []request{
		{"alice (admin) on me", "me", s.users["alice"].Access, 200},
		{"alice (admin) on admin", "admin", s.users["alice"].Access, 200},
		{"bob (readers) on me", "me", s.users["bob"].Access, 200},
		{"bob (readers) on admin", "admin", s.users["bob"].Access, 403},
		{"carol (no group) on admin", "admin", s.users["carol"].Access, 403},
		{"alice via the other client", "me", s.otherAlice.Access, 401},
		{"alice's ID token on an access route", "me", s.users["alice"].ID, 401},
		{"no token", "me", "", 401},
	}
}

// whoami answers with the username found in the request context, proving the
// claims reached the handler through context.Context in every stack.
func whoami(ctx context.Context) string {
	c, ok := claims.FromContext(ctx)
	if !ok {
		return "no claims in context"
	}
	return "user " + c.Username
}

func testStacks(t *testing.T, s *seeded) {
	v := newVerifier(t, s.config(verifier.AccessToken, s.web))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, whoami(r.Context())) })
	mux.Handle("GET /admin", middleware.Require(middleware.AnyGroup("admin"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, whoami(r.Context()))
	})))
	auth, err := middleware.New(v, middleware.DefaultDeny(), middleware.Rule("GET /me"), middleware.Rule("GET /admin"))
	if err != nil {
		t.Fatal(err)
	}
	netHTTP := auth.Handler(mux)

	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.Use(ginauth.New(auth))
	g.GET("/me", func(c *gin.Context) { c.String(200, whoami(c.Request.Context())) })
	g.GET("/admin", ginauth.Require(middleware.AnyGroup("admin")), func(c *gin.Context) { c.String(200, whoami(c.Request.Context())) })

	e := echo.New()
	e.Use(echoauth.New(auth))
	e.GET("/me", func(c echo.Context) error { return c.String(200, whoami(c.Request().Context())) })
	e.GET("/admin", func(c echo.Context) error { return c.String(200, whoami(c.Request().Context())) }, echoauth.Require(middleware.AnyGroup("admin")))

	for _, stack := range []struct {
		name string
		h    http.Handler
	}{{"net/http", netHTTP}, {"gin", g}, {"echo", e}} {
		t.Run(stack.name, func(t *testing.T) {
			srv := httptest.NewServer(stack.h)
			defer srv.Close()
			for _, rq := range s.requests() {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/"+rq.route, nil)
				if rq.token != "" {
					req.Header.Set("Authorization", "Bearer "+rq.token)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != rq.status {
					t.Errorf("%s: status %d, want %d (body %s)", rq.name, resp.StatusCode, rq.status, body)
				}
				if rq.status == 200 && string(body) == "no claims in context" {
					t.Errorf("%s: handler saw no claims in its context", rq.name)
				}
			}
		})
	}

	t.Run("grpc", func(t *testing.T) { testGRPC(t, s, v) })
	t.Run("connect", func(t *testing.T) { testConnect(t, s, v) })
}

const svc = "interop.v1.Echo"

// echoService is a hand-built service (google.protobuf.Empty in,
// StringValue out) so that no generated code is needed.
func echoService() *grpc.ServiceDesc {
	unary := func(name string) grpc.MethodDesc {
		return grpc.MethodDesc{MethodName: name, Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(emptypb.Empty)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, _ any) (any, error) { return wrapperspb.String(whoami(ctx)), nil }
			if ic == nil {
				return h(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + svc + "/" + name}, h)
		}}
	}
	return &grpc.ServiceDesc{
		ServiceName: svc, HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{unary("Me"), unary("Admin")},
		Streams: []grpc.StreamDesc{{StreamName: "Watch", ServerStreams: true, Handler: func(_ any, ss grpc.ServerStream) error {
			if err := ss.RecvMsg(new(emptypb.Empty)); err != nil {
				return err
			}
			for i := 0; i < 2; i++ {
				if err := ss.SendMsg(wrapperspb.String(whoami(ss.Context()))); err != nil {
					return err
				}
			}
			return nil
		}}},
	}
}

func testGRPC(t *testing.T, s *seeded, v *verifier.Verifier) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule("/"+svc+"/Admin", middleware.AnyGroup("admin")),
		middleware.Rule("/"+svc+"/"))
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(
		grpc.UnaryInterceptor(grpcauth.UnaryServerInterceptor(auth)),
		grpc.StreamInterceptor(grpcauth.StreamServerInterceptor(auth)),
	)
	srv.RegisterService(echoService(), struct{}{})
	if err := grpcauth.CheckMethods(auth, srv); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Stop()
	conn, err := grpc.NewClient(l.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	want := map[int]codes.Code{200: codes.OK, 401: codes.Unauthenticated, 403: codes.PermissionDenied}
	for _, rq := range s.requests() {
		ctx := context.Background()
		if rq.token != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+rq.token)
		}
		method := map[string]string{"me": "Me", "admin": "Admin"}[rq.route]
		var out wrapperspb.StringValue
		err := conn.Invoke(ctx, "/"+svc+"/"+method, &emptypb.Empty{}, &out)
		if got := status.Code(err); got != want[rq.status] {
			t.Errorf("unary %s: code %v, want %v (%v)", rq.name, got, want[rq.status], err)
		}
		if err == nil && out.Value == "no claims in context" {
			t.Errorf("unary %s: handler saw no claims", rq.name)
		}
		if rq.route != "me" {
			continue
		}
		got, err := watch(ctx, conn)
		if status.Code(err) != want[rq.status] {
			t.Errorf("stream %s: code %v, want %v (%v)", rq.name, status.Code(err), want[rq.status], err)
		}
		if err == nil && (len(got) != 2 || got[0] == "no claims in context") {
			t.Errorf("stream %s: replies %v", rq.name, got)
		}
	}
}

// watch calls the server-streaming method and collects the replies.
func watch(ctx context.Context, conn *grpc.ClientConn) ([]string, error) {
	st, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, "/"+svc+"/Watch")
	if err != nil {
		return nil, err
	}
	if err := st.SendMsg(&emptypb.Empty{}); err != nil {
		return nil, err
	}
	if err := st.CloseSend(); err != nil {
		return nil, err
	}
	var out []string
	for {
		var m wrapperspb.StringValue
		err := st.RecvMsg(&m)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, m.Value)
	}
}
