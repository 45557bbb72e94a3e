// Command nethttp is the net/http demo: an API with a public route, a route
// for any signed-in user and an admin-only route, protected by
// cognitoauth's middleware.
//
//	go run ./examples/nethttp            # embedded user pool, prints curl lines
//	go run ./examples/nethttp -smoke     # also calls itself, prints the outcomes, exits
//
// Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to verify a real pool's
// tokens instead.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "nethttp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("nethttp", args, "127.0.0.1:8080", stderr)
	if err != nil {
		return err
	}
	env, err := demo.Setup(getenv)
	if err != nil {
		return err
	}
	defer env.Close()
	api, err := newAPI(env.Verifier)
	if err != nil {
		return err
	}
	return demo.RunHTTP(ctx, out, "net/http", flags, env, api)
}

// newAPI is the part to copy: the middleware covers every route, the
// public one is excluded, DefaultDeny refuses any route no Rule or Exclude
// names, and a guard protects the admin route.
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude("GET /public"),
		middleware.Rule("GET /me"), // any signed-in user
		middleware.Rule("GET /admin"))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", public)
	mux.HandleFunc("GET /me", me)
	mux.Handle("GET /admin", middleware.Require(middleware.AnyGroup("admin"))(http.HandlerFunc(admin)))
	return auth.Handler(mux), nil
}

func public(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{"message": "hello, anonymous"})
}

func me(w http.ResponseWriter, r *http.Request) {
	c, _ := claims.FromContext(r.Context()) // always set behind the middleware
	writeJSON(w, map[string]any{"username": c.Username, "sub": c.Subject, "groups": c.Groups, "scopes": c.Scopes})
}

func admin(w http.ResponseWriter, r *http.Request) {
	c, _ := claims.FromContext(r.Context())
	writeJSON(w, map[string]any{"message": "welcome, admin " + c.Username})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
