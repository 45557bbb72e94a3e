package revocation_test

import (
	"context"
	"net"
	"net/http"
	"strings"
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

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestThroughMiddleware: a List attached to the verifier, behind the
// net/http middleware and the gRPC interceptors: a revoked token is 401
// invalid_token / Unauthenticated; once Redis has been gone for
// MaxStaleness every token is 503 with Retry-After / Unavailable with
// RetryInfo.
func TestThroughMiddleware(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	must(t, err)
	t.Cleanup(pool.Close)
	ctx := context.Background()
	opts := revocation.Options{Redis: srv.client(t), MaxStaleness: 500 * time.Millisecond}
	admin := newList(t, opts) // the instance where the logout happens
	opts.Redis = srv.client(t)
	list := newList(t, opts) // the instance serving requests
	cfg := pool.Config(verifier.AccessToken)
	cfg.Revocation = list
	v, err := verifier.New(cfg)
	must(t, err)
	auth, err := middleware.New(v)
	must(t, err)

	api := httpAPI(t, auth)
	rpc := grpcAPI(t, auth)
	alice := pool.AccessToken(cognitotest.User{Username: "alice"})
	bob := pool.AccessToken(cognitotest.User{Username: "bob"})
	for _, tok := range []string{alice, bob} {
		if got := api(tok); got != "200 " {
			t.Fatalf("before revocation: %s", got)
		}
		if code, _ := rpc(tok); code != codes.OK {
			t.Fatalf("gRPC before revocation: %v", code)
		}
	}

	c, err := v.Verify(ctx, alice)
	must(t, err)
	must(t, admin.RevokeSession(ctx, c))
	eventually(t, 5*time.Second, "alice's token still accepted", func() bool {
		return api(alice) == `401 Bearer realm="api", error="invalid_token"`
	})
	if code, _ := rpc(alice); code != codes.Unauthenticated {
		t.Fatalf("gRPC, revoked: %v, want Unauthenticated", code)
	}
	if got := api(bob); got != "200 " {
		t.Fatalf("bob after alice's revocation: %s", got)
	}

	srv.stop()
	eventually(t, 5*time.Second, "bob still accepted with Redis down past MaxStaleness", func() bool {
		return api(bob) == "503 retry-after 10"
	})
	code, retry := rpc(bob)
	if code != codes.Unavailable || retry != 10*time.Second {
		t.Fatalf("gRPC, stale: %v with RetryInfo %v, want Unavailable with 10s", code, retry)
	}
	if got := api(alice); !strings.HasPrefix(got, "401") {
		t.Fatalf("revoked token while stale: %s, want 401", got)
	}
}

// httpAPI serves auth over a handler on 127.0.0.1 and returns a function
// that calls it with a bearer token and returns the status and the
// WWW-Authenticate or Retry-After header.
func httpAPI(t testing.TB, auth *middleware.Middleware) func(token string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	s := &http.Server{Handler: auth.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})), ReadHeaderTimeout: 5 * time.Second}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	url := "http://" + ln.Addr().String() + "/me"
	return func(token string) string {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			return "401 " + resp.Header.Get("WWW-Authenticate")
		case http.StatusServiceUnavailable:
			return "503 retry-after " + resp.Header.Get("Retry-After")
		}
		return resp.Status[:3] + " "
	}
}

// grpcAPI serves the health service behind auth on 127.0.0.1 and returns a
// function that calls it with a bearer token and returns the code and the
// RetryInfo delay, if any.
func grpcAPI(t testing.TB, auth *middleware.Middleware) func(token string) (codes.Code, time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	s := grpc.NewServer(grpc.ChainUnaryInterceptor(grpcauth.UnaryServerInterceptor(auth)))
	healthpb.RegisterHealthServer(s, health.NewServer())
	go s.Serve(ln)
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient("passthrough:///"+ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	client := healthpb.NewHealthClient(conn)
	return func(token string) (codes.Code, time.Duration) {
		ctx, cancel := context.WithTimeout(metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token), 5*time.Second)
		defer cancel()
		_, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		st := status.Convert(err)
		var retry time.Duration
		for _, d := range st.Details() {
			if ri, ok := d.(*errdetails.RetryInfo); ok {
				retry = ri.GetRetryDelay().AsDuration()
			}
		}
		return st.Code(), retry
	}
}
