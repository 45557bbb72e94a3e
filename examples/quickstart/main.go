// Command quickstart shows cognitoauth end to end in seconds, with no AWS
// account: it starts an embedded user pool and a small API on 127.0.0.1,
// sends itself a few requests (public route, no token, plain user, admin,
// bad token, plain user on the admin route; then alice signs out and her
// token is refused), prints the outcomes and exits with status 0 only if
// every outcome is the expected one.
//
//	go run ./examples/quickstart
//
// With COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID set it checks a real
// pool instead (COGNITO_USER_TOKEN and COGNITO_ADMIN_TOKEN supply tokens).
// For a server to try with curl, run ./examples/nethttp.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/revocation"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run ignores -smoke: the quickstart always checks itself and exits.
func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("quickstart", args, "127.0.0.1:0", stderr)
	if err != nil {
		return err
	}
	// The revocation list: held in this process (no Redis needed here; give
	// Options.Redis to share it across instances, see examples/fleet).
	list, err := revocation.New(ctx, revocation.Options{})
	if err != nil {
		return err
	}
	defer list.Close()
	// The verifier: for a real pool demo.SetupRevocation calls
	// verifier.New(verifier.Config{UserPoolID: ..., ClientIDs: ...,
	// TokenUse: verifier.AccessToken, Revocation: list}).
	env, err := demo.SetupRevocation(getenv, list)
	if err != nil {
		return err
	}
	defer env.Close()

	// The API: every route needs a valid token except /public, /admin needs
	// the "admin" group, and a route no Rule or Exclude names is refused.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"message": "hello, anonymous"})
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		json.NewEncoder(w).Encode(map[string]any{"username": c.Username, "groups": c.Groups})
	})
	mux.Handle("GET /admin", middleware.Require(middleware.AnyGroup("admin"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"message": "welcome, admin"})
	})))
	// Sign-out: a real app first calls Cognito's GlobalSignOut with the
	// user's access token, then records it so this API refuses the user's
	// tokens too (Cognito enforces it on its own endpoints only).
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		if err := list.SignOut(r.Context(), c.Issuer, c.Subject); err != nil {
			http.Error(w, "sign-out not recorded", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	auth, err := middleware.New(env.Verifier, middleware.DefaultDeny(),
		middleware.Exclude("GET /public"),
		middleware.Rule("GET /me"),
		middleware.Rule("GET /admin"),
		middleware.Rule("POST /logout"))
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", flags.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: auth.Handler(mux), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	base := "http://" + ln.Addr().String()
	pool := env.PoolID + " (embedded, no AWS account needed)"
	if !env.Embedded {
		pool = env.PoolID + " (real)"
	}
	fmt.Fprintf(out, "cognitoauth quickstart\nAPI:       %s\nuser pool: %s\n\n", base, pool)
	rows := demo.SmokeRows(ctx, base, env)
	if env.Admin != "" { // alice signs out: her token is refused from now on
		rows = append(rows,
			demo.Send(ctx, http.MethodPost, base+"/logout", "alice (admin)", env.Admin, http.StatusNoContent),
			demo.Send(ctx, http.MethodGet, base+"/me", "alice, signed out", env.Admin, http.StatusUnauthorized),
			demo.Send(ctx, http.MethodGet, base+"/me", "bob (user)", env.User, http.StatusOK))
	}
	return demo.PrintTable(out, rows)
}
