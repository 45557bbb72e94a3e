// Command grpc is the gRPC demo: a service (demo.proto) with a public
// method, methods for any signed-in user (one of them a server stream) and
// an admin-only method, protected by grpcauth's interceptors. Health checks
// and reflection stay open.
//
//	go run ./examples/grpc            # embedded user pool, prints grpcurl lines
//	go run ./examples/grpc -smoke     # also calls itself, prints the outcomes, exits
//
// Set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to verify a real pool's
// tokens instead. The server listens without TLS, for loopback use only: a
// bearer token must never cross a network in clear text.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "grpc:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	flags, err := demo.ParseFlags("grpc", args, "127.0.0.1:50051", stderr)
	if err != nil {
		return err
	}
	env, err := demo.Setup(getenv)
	if err != nil {
		return err
	}
	defer env.Close()
	srv, err := newServer(env.Verifier)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", flags.Addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer srv.Stop()

	addr := ln.Addr().String()
	demo.PrintTokens(out, "gRPC", addr, env)
	printGrpcurl(out, addr, env)
	if flags.Smoke {
		return smoke(ctx, out, addr, env)
	}
	fmt.Fprintln(out, "press Ctrl-C to stop")
	return demo.Wait(ctx, served)
}

// newServer is the part to copy: one Middleware for both interceptors.
// DefaultDeny refuses any method no Rule or Exclude names, and
// CheckMethods, after the services are registered, reports a Rule or
// Exclude that names no method (a typo).
func newServer(v *verifier.Verifier) (*grpc.Server, error) {
	auth, err := middleware.New(v, middleware.DefaultDeny(),
		middleware.Exclude(grpcauth.HealthService, grpcauth.ReflectionService, fullMethod("Public")),
		middleware.Rule(fullMethod("Me")),    // any signed-in user
		middleware.Rule(fullMethod("Watch")), // any signed-in user
		middleware.Rule(fullMethod("Admin"), middleware.AnyGroup(demo.AdminGroup)),
	)
	if err != nil {
		return nil, err // a malformed pattern is caught at startup
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(grpcauth.UnaryServerInterceptor(auth)),
		grpc.ChainStreamInterceptor(grpcauth.StreamServerInterceptor(auth)),
	)
	srv.RegisterService(serviceDesc(), struct{}{})
	healthpb.RegisterHealthServer(srv, health.NewServer())
	files, err := descriptors()
	if err != nil {
		return nil, err
	}
	reflectionpb.RegisterServerReflectionServer(srv, reflection.NewServerV1(reflection.ServerOptions{Services: srv, DescriptorResolver: files}))
	if err := grpcauth.CheckMethods(auth, srv); err != nil {
		return nil, err // a Rule or Exclude naming no registered method
	}
	return srv, nil
}

// call is one demo call.
type call struct {
	method, caller, token string
	want                  codes.Code
}

func allCalls(env *demo.Env) []call {
	return []call{
		{"/grpc.health.v1.Health/Check", "anonymous", "", codes.OK},
		{fullMethod("Public"), "anonymous", "", codes.OK},
		{fullMethod("Me"), "anonymous", "", codes.Unauthenticated},
		{fullMethod("Me"), "bob (user)", env.User, codes.OK},
		{fullMethod("Me"), "alice (admin)", env.Admin, codes.OK},
		{fullMethod("Me"), "bad token", env.Bad, codes.Unauthenticated},
		{fullMethod("Admin"), "bob (user)", env.User, codes.PermissionDenied},
		{fullMethod("Admin"), "alice (admin)", env.Admin, codes.OK},
		{fullMethod("Watch"), "anonymous", "", codes.Unauthenticated},
		{fullMethod("Watch"), "bob (user)", env.User, codes.OK},
	}
}

func printGrpcurl(w io.Writer, addr string, env *demo.Env) {
	fmt.Fprintln(w, "# from the repository root; reflection is on, so -import-path/-proto are optional")
	fmt.Fprintf(w, "grpcurl -plaintext %s list   # reflection is exempt\n", addr)
	for _, c := range allCalls(env) {
		auth := ""
		switch c.caller {
		case "bob (user)":
			auth = `-H "authorization: Bearer $USER_TOKEN" `
		case "alice (admin)":
			auth = `-H "authorization: Bearer $ADMIN_TOKEN" `
		case "bad token":
			auth = `-H "authorization: Bearer $BAD_TOKEN" `
		}
		proto := "-import-path examples/grpc -proto demo.proto "
		if strings.HasPrefix(c.method, "/grpc.") {
			proto = ""
		}
		fmt.Fprintf(w, "grpcurl -plaintext %s%s%s %s   # %s → %s\n", proto, auth, addr, strings.TrimPrefix(c.method, "/"), c.caller, c.want)
	}
	fmt.Fprintln(w)
}

// smoke makes the demo calls as a client would and prints the outcomes.
func smoke(ctx context.Context, w io.Writer, addr string, env *demo.Env) error {
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	var rows []demo.Outcome
	for _, c := range allCalls(env) {
		if c.caller != "anonymous" && c.token == "" {
			continue // a real pool without tokens in the environment
		}
		err := invoke(ctx, conn, c)
		rows = append(rows, demo.Outcome{Request: c.method, Caller: c.caller, Got: status.Code(err).String(), Want: c.want.String()})
	}
	return demo.PrintTable(w, rows)
}

func invoke(ctx context.Context, conn *grpc.ClientConn, c call) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
	}
	switch c.method {
	case "/grpc.health.v1.Health/Check":
		_, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	case fullMethod("Watch"):
		s, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, c.method)
		if err != nil {
			return err
		}
		if err := s.SendMsg(new(emptypb.Empty)); err != nil {
			return err
		}
		if err := s.CloseSend(); err != nil {
			return err
		}
		for n := 0; ; n++ {
			if err := s.RecvMsg(new(wrapperspb.StringValue)); err == io.EOF {
				if n != 3 {
					return status.Errorf(codes.DataLoss, "%d messages, want 3", n)
				}
				return nil
			} else if err != nil {
				return err
			}
		}
	}
	return conn.Invoke(ctx, c.method, new(emptypb.Empty), new(wrapperspb.StringValue))
}
