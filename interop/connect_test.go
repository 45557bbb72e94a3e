//go:build interop

package interop_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/connectauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// testConnect serves the echo service with Connect handlers behind
// connectauth and calls it with the emulator's tokens over every protocol:
// Connect over HTTP/1.1, and Connect, gRPC and gRPC-Web over HTTP/2
// without TLS; unary calls, and a server stream on "me".
func testConnect(t *testing.T, s *seeded, v *verifier.Verifier) {
	me, admin, watchProc := "/"+svc+"/Me", "/"+svc+"/Admin", "/"+svc+"/Watch"
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule(admin, middleware.AnyGroup("admin")),
		middleware.Rule("/"+svc+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if err := connectauth.CheckProcedures(auth, me, admin, watchProc); err != nil {
		t.Fatal(err)
	}
	intercept := connect.WithInterceptors(connectauth.NewInterceptor(auth))
	unary := func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		return connect.NewResponse(wrapperspb.String(whoami(ctx))), nil
	}
	stream := func(ctx context.Context, _ *connect.Request[emptypb.Empty], ss *connect.ServerStream[wrapperspb.StringValue]) error {
		for range 2 {
			if err := ss.Send(wrapperspb.String(whoami(ctx))); err != nil {
				return err
			}
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle(me, connect.NewUnaryHandler(me, unary, intercept))
	mux.Handle(admin, connect.NewUnaryHandler(admin, unary, intercept))
	mux.Handle(watchProc, connect.NewServerStreamHandler(watchProc, stream, intercept))
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.Protocols = new(http.Protocols)
	srv.Config.Protocols.SetHTTP1(true)
	srv.Config.Protocols.SetUnencryptedHTTP2(true)
	srv.Start()
	defer srv.Close()

	transport := func(h2c bool) *http.Client {
		p := new(http.Protocols)
		p.SetHTTP1(!h2c)
		p.SetUnencryptedHTTP2(h2c)
		return &http.Client{Transport: &http.Transport{Protocols: p}, Timeout: 10 * time.Second}
	}
	h1, h2 := transport(false), transport(true)
	want := map[int]connect.Code{401: connect.CodeUnauthenticated, 403: connect.CodePermissionDenied}
	for _, c := range []struct {
		name string
		http *http.Client
		opts []connect.ClientOption
	}{
		{"connect over HTTP/1.1", h1, nil},
		{"connect over h2c", h2, nil},
		{"grpc over h2c", h2, []connect.ClientOption{connect.WithGRPC()}},
		{"grpc-web over h2c", h2, []connect.ClientOption{connect.WithGRPCWeb()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, rq := range s.requests() {
				procedure := map[string]string{"me": me, "admin": admin}[rq.route]
				client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](c.http, srv.URL+procedure, c.opts...)
				req := connect.NewRequest(&emptypb.Empty{})
				if rq.token != "" {
					req.Header().Set("Authorization", "Bearer "+rq.token)
				}
				res, err := client.CallUnary(context.Background(), req)
				checkConnect(t, "unary "+rq.name, rq, want[rq.status], err)
				if err == nil && res.Msg.GetValue() != "user "+s.usernames[nameOf(s, rq.token)] {
					t.Errorf("unary %s: handler answered %q", rq.name, res.Msg.GetValue())
				}
				if rq.route != "me" {
					continue
				}
				watch := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](c.http, srv.URL+watchProc, c.opts...)
				sreq := connect.NewRequest(&emptypb.Empty{})
				if rq.token != "" {
					sreq.Header().Set("Authorization", "Bearer "+rq.token)
				}
				var got []string
				st, err := watch.CallServerStream(context.Background(), sreq)
				if err == nil {
					for st.Receive() {
						got = append(got, st.Msg().GetValue())
					}
					err = st.Err()
					st.Close()
				}
				checkConnect(t, "stream "+rq.name, rq, want[rq.status], err)
				if err == nil && (len(got) != 2 || got[0] == "no claims in context") {
					t.Errorf("stream %s: replies %v", rq.name, got)
				}
			}
		})
	}
}

// checkConnect compares a call's error with the code expected and checks
// that a refusal does not repeat the token.
func checkConnect(t *testing.T, name string, rq request, code connect.Code, err error) {
	t.Helper()
	if rq.status == 200 {
		if err != nil {
			t.Errorf("%s: %v, want success", name, err)
		}
		return
	}
	if connect.CodeOf(err) != code {
		t.Errorf("%s: %v, want %v", name, err, code)
	}
	if ce := new(connect.Error); errors.As(err, &ce) && rq.token != "" && strings.Contains(ce.Message(), rq.token) {
		t.Errorf("%s: the message repeats the token", name)
	}
}

// nameOf returns the seeded user whose token tok is ("" if none).
func nameOf(s *seeded, tok string) string {
	for name, u := range s.users {
		if u.Access == tok || u.ID == tok {
			return name
		}
	}
	return ""
}
