package connectauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/connectauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Procedure names, as protoc-gen-connect-go generates them.
const (
	GreeterHelloProcedure = "/greet.v1.Greeter/Hello"
	GreeterAdminProcedure = "/greet.v1.Greeter/Admin"
)

func ExampleNewInterceptor() {
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

	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule(GreeterHelloProcedure), // any signed-in user
		middleware.Rule(GreeterAdminProcedure, middleware.AnyGroup("admin")))
	if err != nil {
		panic(err)
	}
	// A mistyped Rule would be reported here.
	if err := connectauth.CheckProcedures(auth, GreeterHelloProcedure, GreeterAdminProcedure); err != nil {
		panic(err)
	}

	hello := func(ctx context.Context, _ *connect.Request[emptypb.Empty]) (*connect.Response[wrapperspb.StringValue], error) {
		c, _ := claims.FromContext(ctx) // always set behind a Rule
		return connect.NewResponse(wrapperspb.String("hello " + c.Username)), nil
	}
	intercept := connect.WithInterceptors(connectauth.NewInterceptor(auth))
	mux := http.NewServeMux()
	mux.Handle(GreeterHelloProcedure, connect.NewUnaryHandler(GreeterHelloProcedure, hello, intercept))
	mux.Handle(GreeterAdminProcedure, connect.NewUnaryHandler(GreeterAdminProcedure, hello, intercept))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	call := func(procedure, token string) {
		client := connect.NewClient[emptypb.Empty, wrapperspb.StringValue](srv.Client(), srv.URL+procedure)
		req := connect.NewRequest(&emptypb.Empty{})
		if token != "" {
			req.Header().Set("Authorization", "Bearer "+token)
		}
		res, err := client.CallUnary(context.Background(), req)
		if err != nil {
			fmt.Println(connect.CodeOf(err), err)
			return
		}
		fmt.Println(res.Msg.GetValue())
	}
	alice := pool.AccessToken(cognitotest.User{Username: "alice"})
	call(GreeterHelloProcedure, "")
	call(GreeterHelloProcedure, "not-a-jwt")
	call(GreeterHelloProcedure, alice)
	call(GreeterAdminProcedure, alice)
	call(GreeterAdminProcedure, pool.AccessToken(cognitotest.User{Username: "bob", Groups: []string{"admin"}}))
	// Output:
	// unauthenticated unauthenticated: a bearer token is required
	// unauthenticated unauthenticated: the token is invalid or expired
	// hello alice
	// permission_denied permission_denied: the token does not grant access to this resource
	// hello bob
}

func ExampleCheckProcedures() {
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

	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Rule(GreeterHelloProcedure),
		middleware.Rule("/greet.v1.Greeter/Admn", middleware.AnyGroup("admin"))) // a typo
	if err != nil {
		panic(err)
	}
	// Pass every procedure the handlers serve (the generated constants).
	fmt.Println(connectauth.CheckProcedures(auth, GreeterHelloProcedure, GreeterAdminProcedure))
	// Output:
	// middleware: misconfigured: Rule("/greet.v1.Greeter/Admn") match no registered method (registered: ["/greet.v1.Greeter/Admin" "/greet.v1.Greeter/Hello"])
}
