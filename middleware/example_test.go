package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// get prints the outcome of one request, as a client would see it.
func get(url, token string) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		fmt.Println(resp.StatusCode, string(body))
		return
	}
	fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
}

func ExampleNew() {
	// A local fake user pool stands in for Cognito.
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	// DefaultDeny: a route no Rule or Exclude names is refused, so a typo
	// closes a route instead of opening it.
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude("GET /health"),
		middleware.Rule("GET /me")) // any signed-in user
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("GET /me", func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		fmt.Fprint(w, "hello ", c.Username)
	})
	srv := httptest.NewServer(auth.Handler(mux))
	defer srv.Close()

	get(srv.URL+"/health", "")
	get(srv.URL+"/me", "")
	get(srv.URL+"/me", "not-a-jwt")
	get(srv.URL+"/me", pool.AccessToken(cognitotest.User{Username: "alice"}))
	get(srv.URL+"/orders", pool.AccessToken(cognitotest.User{Username: "alice"}))
	// Output:
	// 200 ok
	// 401 Bearer realm="api"
	// 401 Bearer realm="api", error="invalid_token"
	// 200 hello alice
	// 403 Bearer realm="api", error="insufficient_scope"
}

func ExampleRequire() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	admin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "welcome, admin")
	})
	mux := http.NewServeMux()
	mux.Handle("GET /admin", middleware.Require(middleware.AnyGroup("admin"))(admin))
	auth, err := middleware.New(v, middleware.WithRealm("shop"))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(auth.Handler(mux))
	defer srv.Close()

	get(srv.URL+"/admin", pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}}))
	get(srv.URL+"/admin", pool.AccessToken(cognitotest.User{Username: "bob"}))
	// Output:
	// 200 welcome, admin
	// 403 Bearer realm="shop", error="insufficient_scope"
}

func ExampleWithRefusalObserver() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		panic(err)
	}
	defer v.Close()

	// The observer counts refusals; the response stays the library's own.
	auth, err := middleware.New(v, middleware.WithRealm("shop"),
		middleware.WithRefusalObserver(func(ctx context.Context, err error) {
			fmt.Println("refused:", errors.Is(err, middleware.ErrNoToken))
		}))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(auth.Handler(http.NotFoundHandler()))
	defer srv.Close()
	get(srv.URL+"/", "")
	// Output:
	// refused: true
	// 401 Bearer realm="shop"
}
