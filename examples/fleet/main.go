// Command fleet shows revocation reaching every instance of a service: two
// API instances, each with its own revocation list, share one Redis. A
// sign-out on one instance is refused by the other within milliseconds, and
// an admin disabling a user on the second is refused by the first.
//
//	go run ./examples/fleet                    # starts redis-server from PATH
//	go run ./examples/fleet -redis host:port   # uses that Redis
//	go run ./examples/fleet -smoke             # checks itself and exits
//
// Tokens come from an embedded user pool on 127.0.0.1: no AWS account needed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// flags are fleet's command line: demo's -addr and -smoke, and -redis.
type flags struct {
	addr, redis string
	smoke       bool
}

func parseFlags(args []string, stderr io.Writer) (flags, error) {
	var f flags
	fs := flag.NewFlagSet("fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen address of instance A (host:port; port 0 picks a free one); instance B listens on the same host, on a free port")
	fs.StringVar(&f.redis, "redis", "", "Redis host:port shared by the instances (default: start redis-server from PATH on a free port)")
	fs.BoolVar(&f.smoke, "smoke", false, "send the demo requests, print the outcomes and exit (non-zero if any is unexpected)")
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, errors.New("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	return f, nil
}

// bobSub is bob's "sub", which the admin route names to disable him.
const bobSub = "8c1f0b6e-2d4a-4f3b-9a7e-5b6c7d8e9f00"

// run ignores getenv: the fleet always uses the embedded pool.
func run(ctx context.Context, args []string, out, stderr io.Writer, _ func(string) string) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.redis == "" {
		srv, err := startRedis(ctx)
		if err != nil {
			return err
		}
		defer srv.stop()
		f.redis = srv.addr
	}
	pool, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: demo.DemoPoolID, ClientIDs: []string{demo.DemoClient}})
	if err != nil {
		return err
	}
	defer pool.Close()

	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %w", f.addr, err)
	}
	var bases [2]string
	for i, addr := range []string{f.addr, net.JoinHostPort(host, "0")} {
		inst, err := startInstance(ctx, pool, f.redis, addr)
		if err != nil {
			return err
		}
		defer inst.close()
		bases[i] = inst.base
	}
	fmt.Fprintf(out, "cognitoauth fleet: two instances sharing Redis %s\ninstance A: %s\ninstance B: %s\n\n", f.redis, bases[0], bases[1])

	bob := func() string { return pool.AccessToken(cognitotest.User{Username: "bob", Sub: bobSub}) } // a new sign-in each call
	alice := pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{demo.AdminGroup}})
	if !f.smoke {
		fmt.Fprintf(out, "export BOB_TOKEN='%s'\nexport ALICE_TOKEN='%s'\n\n", bob(), alice)
		fmt.Fprintf(out, "curl -i -H \"Authorization: Bearer $BOB_TOKEN\" %s/me          # 200\n", bases[1])
		fmt.Fprintf(out, "curl -i -X POST -H \"Authorization: Bearer $BOB_TOKEN\" %s/logout  # 204, on A\n", bases[0])
		fmt.Fprintf(out, "curl -i -H \"Authorization: Bearer $BOB_TOKEN\" %s/me          # 401, on B\n", bases[1])
		fmt.Fprintf(out, "curl -i -X POST -H \"Authorization: Bearer $ALICE_TOKEN\" '%s/admin/disable?sub=%s'  # 204: bob disabled everywhere\n\n", bases[1], bobSub)
		fmt.Fprintln(out, "press Ctrl-C to stop")
		return demo.Wait(ctx, nil)
	}
	a, b := bases[0], bases[1]
	first, second := bob(), bob()
	rows := []demo.Outcome{
		demo.Send(ctx, http.MethodGet, a+"/me", "bob @A", first, http.StatusOK),
		demo.Send(ctx, http.MethodGet, b+"/me", "bob @B", first, http.StatusOK),
		demo.Send(ctx, http.MethodPost, a+"/logout", "bob @A", first, http.StatusNoContent),
		eventually(ctx, http.MethodGet, b+"/me", "bob @B, logged out on A", first, http.StatusUnauthorized),
		demo.Send(ctx, http.MethodGet, b+"/me", "bob @B, other sign-in", second, http.StatusOK),
		shorten(demo.Send(ctx, http.MethodPost, b+"/admin/disable?sub="+bobSub, "alice @B", alice, http.StatusNoContent), "POST /admin/disable?sub=bob"),
		eventually(ctx, http.MethodGet, a+"/me", "bob @A, disabled on B", second, http.StatusUnauthorized),
		demo.Send(ctx, http.MethodGet, a+"/me", "alice @A", alice, http.StatusOK),
	}
	return demo.PrintTable(out, rows)
}

// shorten names a request shorter in the table.
func shorten(o demo.Outcome, request string) demo.Outcome {
	o.Request = request
	return o
}

// eventually repeats a request until it gets want or a second passes: the
// revocation travels through Redis, in milliseconds.
func eventually(ctx context.Context, method, url, caller, token string, want int) demo.Outcome {
	deadline := time.Now().Add(time.Second)
	for {
		o := demo.Send(ctx, method, url, caller, token, want)
		if o.Got == o.Want || time.Now().After(deadline) {
			return o
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// instance is one API server with its own Redis client, revocation list and
// verifier, as a separate process of the fleet would have.
type instance struct {
	base  string
	close func()
}

func startInstance(ctx context.Context, pool *cognitotest.Pool, redisAddr, addr string) (*instance, error) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
	list, err := revocation.New(ctx, revocation.Options{Redis: rdb})
	if err != nil {
		rdb.Close()
		return nil, err
	}
	cfg := pool.Config(verifier.AccessToken)
	cfg.Revocation = list
	v, err := verifier.New(cfg)
	if err != nil {
		list.Close()
		rdb.Close()
		return nil, err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		json.NewEncoder(w).Encode(map[string]any{"username": c.Username})
	})
	// Logout: after Cognito's RevokeToken on the refresh token, refuse every
	// token of this sign-in, on every instance.
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		answer(w, list.RevokeSession(r.Context(), c))
	})
	// Admin tool: after AdminDisableUser, refuse the user's tokens everywhere.
	mux.Handle("POST /admin/disable", middleware.Require(middleware.AnyGroup(demo.AdminGroup))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		answer(w, list.DisableUser(r.Context(), c.Issuer, r.URL.Query().Get("sub")))
	})))
	auth, err := middleware.New(v)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: auth.Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &instance{base: "http://" + ln.Addr().String(), close: func() {
		srv.Close()
		v.Close()
		list.Close()
		rdb.Close()
	}}, nil
}

// answer is 204 when the revocation was recorded and shared, 400 for a
// request naming nothing, 503 when Redis refused it.
func answer(w http.ResponseWriter, err error) {
	switch {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, revocation.ErrMissingClaim):
		http.Error(w, "nothing to revoke", http.StatusBadRequest)
	default:
		http.Error(w, "revocation not shared; retry", http.StatusServiceUnavailable)
	}
}
