// Command nethttp is the net/http demo: an API with a public route, a route
// for any signed-in user and an admin-only route, protected by
// cognitoauth's middleware.
//
//	go run ./examples/nethttp            # embedded user pool, prints curl lines
//	go run ./examples/nethttp -smoke     # also calls itself, prints the outcomes, exits
//
// Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to verify a real pool's
// tokens instead. POST /logout revokes the caller's sign-in in the
// revocation list, shared through Redis with -redis host:port.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "nethttp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	var redisAddr, usersFile string
	var users int
	flags, err := demo.ParseFlagsWith("nethttp", args, "127.0.0.1:8080", stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&redisAddr, "redis", "", "share the revocation list through this Redis (host:port); default: this process only")
		fs.StringVar(&usersFile, "users-file", "", "write access tokens of -users distinct users to this file (embedded pool; for load tests)")
		fs.IntVar(&users, "users", 100, "how many users -users-file holds")
	})
	if err != nil {
		return err
	}
	var opts revocation.Options
	if redisAddr != "" {
		rdb := redis.NewClient(&redis.Options{Addr: redisAddr})
		defer rdb.Close()
		opts.Redis = rdb
	}
	list, err := revocation.New(ctx, opts)
	if err != nil {
		return err
	}
	defer list.Close()
	env, err := demo.SetupRevocation(getenv, list)
	if err != nil {
		return err
	}
	defer env.Close()
	if usersFile != "" {
		tokens, err := env.MintUsers(users)
		if err != nil {
			return err
		}
		if err := os.WriteFile(usersFile, []byte(strings.Join(tokens, "\n")+"\n"), 0o600); err != nil {
			return err
		}
	}
	api, err := newAPI(env.Verifier, list)
	if err != nil {
		return err
	}
	return demo.RunHTTP(ctx, out, "net/http", flags, env, api)
}

// newAPI is the part to copy: the middleware covers every route, the
// public one is excluded, DefaultDeny refuses any route no Rule or Exclude
// names, and a guard protects the admin route. The verifier consults list,
// in which /logout records the caller's sign-in as revoked.
func newAPI(v *verifier.Verifier, list *revocation.List) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude("GET /public"),
		middleware.Rule("GET /me"), // any signed-in user
		middleware.Rule("POST /logout"),
		middleware.Rule("GET /admin"))
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", public)
	mux.HandleFunc("GET /me", me)
	mux.HandleFunc("POST /logout", logout(list))
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

// logout runs after the app called Cognito's RevokeToken on the user's
// refresh token: every token of that sign-in is refused from now on.
func logout(list *revocation.List) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		switch err := list.RevokeSession(r.Context(), c); {
		case err == nil:
			w.WriteHeader(http.StatusNoContent)
		case errors.Is(err, revocation.ErrMissingClaim): // revocation off for the app client
			http.Error(w, "this token cannot be revoked by session", http.StatusBadRequest)
		default:
			http.Error(w, "logout not recorded; retry", http.StatusServiceUnavailable)
		}
	}
}

func admin(w http.ResponseWriter, r *http.Request) {
	c, _ := claims.FromContext(r.Context())
	writeJSON(w, map[string]any{"message": "welcome, admin " + c.Username})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
