// Command gin is the gin demo: an API with a public route, a route for any
// signed-in user and an admin-only route, protected by ginauth.
//
//	go run ./examples/gin            # embedded user pool, prints curl lines
//	go run ./examples/gin -smoke     # also calls itself, prints the outcomes, exits
//
// Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to verify a real pool's
// tokens instead.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/ginauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "gin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("gin", args, "127.0.0.1:8081", stderr)
	if err != nil {
		return err
	}
	env, err := demo.Setup(getenv)
	if err != nil {
		return err
	}
	defer env.Close()
	gin.SetMode(gin.ReleaseMode)
	api, err := newAPI(env.Verifier)
	if err != nil {
		return err
	}
	return demo.RunHTTP(ctx, out, "gin", flags, env, api)
}

// newAPI is the part to copy: DefaultDeny refuses any route no Rule or
// Exclude names, the public route is excluded, and a guard protects the
// admin route.
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude("GET /public"),
		middleware.Rule("GET /me"), // any signed-in user
		middleware.Rule("GET /admin"))
	if err != nil {
		return nil, err
	}
	r := gin.New()
	r.Use(gin.Recovery(), ginauth.New(auth))
	r.GET("/public", public)
	r.GET("/me", me)
	r.GET("/admin", ginauth.Require(middleware.AnyGroup("admin")), admin)
	return r, nil
}

func public(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"message": "hello, anonymous"})
}

func me(c *gin.Context) {
	cl, _ := ginauth.Claims(c) // always set behind ginauth.New
	c.JSON(http.StatusOK, gin.H{"username": cl.Username, "sub": cl.Subject, "groups": cl.Groups, "scopes": cl.Scopes})
}

func admin(c *gin.Context) {
	cl, _ := ginauth.Claims(c)
	c.JSON(http.StatusOK, gin.H{"message": "welcome, admin " + cl.Username})
}
