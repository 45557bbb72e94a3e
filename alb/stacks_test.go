package alb_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/labstack/echo/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/echoauth"
	"github.com/cognitoauth/cognitoauth/middleware/ginauth"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
)

const oidcData = "X-Amzn-Oidc-Data"

// stackTokens are the tokens every stack is tried with, and the verdict
// (HTTP status) each must get.
func stackTokens(fake *cognitotest.ALB) []struct {
	name, token string
	status      int
	code        codes.Code
} {
	alice := fake.Token(cognitotest.User{Username: "alice"})
	return []struct {
		name, token string
		status      int
		code        codes.Code
	}{
		{"alice as ALB writes it", alice, http.StatusOK, codes.OK},
		{"alice unpadded", fake.Token(cognitotest.User{Username: "alice"}, cognitotest.WithoutPadding()), http.StatusOK, codes.OK},
		{"no token", "", http.StatusUnauthorized, codes.Unauthenticated},
		{"bad signature", alice[:len(alice)-6] + "AAAA==", http.StatusUnauthorized, codes.Unauthenticated},
		{"expired", fake.Token(cognitotest.User{Username: "alice"}, cognitotest.WithIssuedAt(time.Now().Add(-2*time.Hour)), cognitotest.WithLifetime(time.Minute)), http.StatusUnauthorized, codes.Unauthenticated},
	}
}

// TestBehindEveryStack: an alb.Verifier is a middleware.TokenVerifier, and
// net/http, gin, echo and gRPC accept and refuse ALB tokens read from
// X-Amzn-Oidc-Data alike, handing handlers the ALB's claims.
func TestBehindEveryStack(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	m, err := middleware.New(v, middleware.WithHeader(oidcData), middleware.DefaultDeny(),
		middleware.Rule("GET /me"))
	if err != nil {
		t.Fatal(err)
	}
	rpc, err := middleware.New(v, middleware.WithHeader(oidcData), middleware.DefaultDeny(),
		middleware.Rule("/grpc.health.v1.Health/Check"))
	if err != nil {
		t.Fatal(err)
	}
	me := func(c *claims.Claims, ok bool) (int, string) {
		if !ok || c.Username != "alice" || c.ClientID != fake.ClientID() {
			return http.StatusTeapot, "claims not handed on"
		}
		return http.StatusOK, c.Username
	}

	std := http.NewServeMux()
	std.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		s, body := me(claims.FromContext(r.Context()))
		w.WriteHeader(s)
		w.Write([]byte(body))
	})
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.Use(ginauth.New(m))
	g.GET("/me", func(c *gin.Context) { c.String(me(ginauth.Claims(c))) })
	e := echo.New()
	e.Use(echoauth.New(m))
	e.GET("/me", func(c echo.Context) error { s, body := me(echoauth.Claims(c)); return c.String(s, body) })

	for name, h := range map[string]http.Handler{"net/http": m.Handler(std), "gin": g, "echo": e} {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		for _, tc := range stackTokens(fake) {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+"/me", nil)
				if tc.token != "" {
					req.Header.Set(oidcData, tc.token)
				}
				resp, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
			})
		}
	}

	conn := startGRPC(t, rpc)
	for _, tc := range stackTokens(fake) {
		t.Run("grpc/"+tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tc.token != "" {
				ctx = metadata.AppendToOutgoingContext(ctx, "x-amzn-oidc-data", tc.token)
			}
			_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
			if got := status.Code(err); got != tc.code {
				t.Fatalf("code %v (%v), want %v", got, err, tc.code)
			}
		})
	}
}

func startGRPC(t *testing.T, m *middleware.Middleware) *grpc.ClientConn {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(grpcauth.UnaryServerInterceptor(m)))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	if err := grpcauth.CheckMethods(m, srv); err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

var _ middleware.TokenVerifier = (*alb.Verifier)(nil)
