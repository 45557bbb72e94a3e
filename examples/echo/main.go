// Command echo is the echo (v4) demo: an API with a public route, a route
// for any signed-in user and an admin-only route, protected by echoauth.
//
//	go run ./examples/echo            # embedded user pool, prints curl lines
//	go run ./examples/echo -smoke     # also calls itself, prints the outcomes, exits
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

	"github.com/labstack/echo/v4"

	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/echoauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "echo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("echo", args, "127.0.0.1:8082", stderr)
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
	return demo.RunHTTP(ctx, out, "echo", flags, env, api)
}

// newAPI is the part to copy: the middleware is installed for the whole
// server and skips the public route, echo's way; DefaultDeny refuses any
// other route no Rule names, and a guard protects the admin route.
func newAPI(v *verifier.Verifier) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule("GET /me"), // any signed-in user
		middleware.Rule("GET /admin"))
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echoauth.NewWithConfig(auth, echoauth.Config{
		Skipper: func(c echo.Context) bool { return c.Path() == "/public" },
	}))
	e.GET("/public", public)
	e.GET("/me", me)
	e.GET("/admin", admin, echoauth.Require(middleware.AnyGroup("admin")))
	return e, nil
}

func public(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"message": "hello, anonymous"})
}

func me(c echo.Context) error {
	cl, _ := echoauth.Claims(c) // always set behind echoauth for routes it does not skip
	return c.JSON(http.StatusOK, map[string]any{"username": cl.Username, "sub": cl.Subject, "groups": cl.Groups, "scopes": cl.Scopes})
}

func admin(c echo.Context) error {
	cl, _ := echoauth.Claims(c)
	return c.JSON(http.StatusOK, map[string]any{"message": "welcome, admin " + cl.Username})
}
