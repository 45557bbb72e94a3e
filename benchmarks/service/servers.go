package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	jwtmiddleware "github.com/auth0/go-jwt-middleware/v2"
	auth0jwks "github.com/auth0/go-jwt-middleware/v2/jwks"
	auth0validator "github.com/auth0/go-jwt-middleware/v2/validator"
	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	grpcmwauth "github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/auth"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/echoauth"
	"github.com/cognitoauth/cognitoauth/middleware/ginauth"
	"github.com/cognitoauth/cognitoauth/middleware/grpcauth"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// poolFlags is what every server is told about the user pool: the same
// rules for all, RS256 by kid, exp with 5 s leeway, iss, the app client
// (aud) and token_use "id".
type poolFlags struct {
	poolID, clientID, issuer, jwksURL, caFile string
}

const (
	leeway     = 5 * time.Second
	route      = "/me"
	grpcMethod = "/bench.Service/Me"
)

// stacks are the servers, by the name the -stack flag and the table use.
var stacks = []struct {
	name, label string
	grpc        bool
	serve       func(ln net.Listener, p poolFlags) error
}{
	{"nethttp-none", "net/http, no auth (ceiling)", false, serveNetHTTPNone},
	{"nethttp-cognitoauth", "net/http + cognitoauth middleware", false, serveNetHTTPOurs},
	{"nethttp-auth0", "net/http + auth0/go-jwt-middleware v2", false, serveNetHTTPAuth0},
	{"echo-echoauth", "echo + cognitoauth echoauth", false, serveEchoOurs},
	{"echo-echojwt", "echo + echo-jwt + keyfunc", false, serveEchoJWT},
	{"gin-ginauth", "gin + cognitoauth ginauth", false, serveGinOurs},
	{"gin-golangjwt", "gin + golang-jwt + keyfunc (by hand)", false, serveGinHand},
	{"grpc-none", "gRPC, no auth (reference)", true, serveGRPCNone},
	{"grpc-grpcauth", "gRPC + cognitoauth grpcauth", true, serveGRPCOurs},
	{"grpc-mwauth", "gRPC + go-grpc-middleware auth + keyfunc", true, serveGRPCMW},
	{"node-express", "Node express + aws-jwt-verify", false, nil}, // node/server.mjs
}

// httpClient trusts the pool's CA, as a service reaching Cognito trusts
// Amazon's.
func (p poolFlags) httpClient() (*http.Client, error) {
	pem, err := os.ReadFile(p.caFile)
	if err != nil {
		return nil, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return nil, errors.New("no certificate in " + p.caFile)
	}
	return &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
	}, nil
}

// ourVerifier is this library configured as its README says, with the
// JWKS URL pointed at the fake pool.
func (p poolFlags) ourVerifier() (*verifier.Verifier, error) {
	client, err := p.httpClient()
	if err != nil {
		return nil, err
	}
	v, err := verifier.New(verifier.Config{
		UserPoolID: p.poolID,
		ClientIDs:  []string{p.clientID},
		TokenUse:   verifier.IDToken,
		JWKSURL:    p.jwksURL,
		HTTPClient: client,
		Leeway:     leeway,
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return v, v.Warmup(ctx)
}

// ourMiddleware is this library's middleware on ourVerifier, as README
// teaches it: DefaultDeny, with the one protected route as its Rule.
func (p poolFlags) ourMiddleware(rule string) (*middleware.Middleware, error) {
	v, err := p.ourVerifier()
	if err != nil {
		return nil, err
	}
	return middleware.New(v, middleware.DefaultDeny(), middleware.Rule(rule))
}

// keyfunc is MicahParks/keyfunc v3 on the pool's JWKS URL, as its Cognito
// example does, with an HTTP client trusting the pool's CA.
func (p poolFlags) keyfunc() (keyfunc.Keyfunc, error) {
	client, err := p.httpClient()
	if err != nil {
		return nil, err
	}
	return keyfunc.NewDefaultOverrideCtx(context.Background(), []string{p.jwksURL}, keyfunc.Override{Client: client})
}

// cognitoJWT are the claims the hand-written golang-jwt handlers check.
type cognitoJWT struct {
	jwt.RegisteredClaims
	TokenUse string `json:"token_use"`
}

// parseJWT is the golang-jwt code users write for Cognito ID tokens: RS256
// only, issuer, audience (the app client), exp required, 5 s leeway, then
// token_use by hand.
func (p poolFlags) parseJWT(kf jwt.Keyfunc, token string) (*cognitoJWT, error) {
	c := &cognitoJWT{}
	_, err := jwt.ParseWithClaims(token, c, kf,
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithIssuer(p.issuer),
		jwt.WithAudience(p.clientID),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway))
	if err != nil {
		return nil, err
	}
	if c.TokenUse != "id" {
		return nil, errors.New("token_use is not id")
	}
	return c, nil
}

// subJSON writes {"sub": sub}.
func subJSON(w http.ResponseWriter, sub string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"sub": sub})
}

func serveHTTP(ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

func serveNetHTTPNone(ln net.Listener, _ poolFlags) error {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
		subJSON(w, "anonymous")
	})
	return serveHTTP(ln, mux)
}

func serveNetHTTPOurs(ln net.Listener, p poolFlags) error {
	auth, err := p.ourMiddleware("GET " + route)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
		c, _ := claims.FromContext(r.Context())
		subJSON(w, c.Subject)
	})
	return serveHTTP(ln, auth.Handler(mux))
}

// auth0Claims checks token_use, the one Cognito claim auth0's validator
// does not know.
type auth0Claims struct {
	TokenUse string `json:"token_use"`
}

func (c *auth0Claims) Validate(context.Context) error {
	if c.TokenUse != "id" {
		return errors.New("token_use is not id")
	}
	return nil
}

// serveNetHTTPAuth0 is go-jwt-middleware v2 as its README sets it up for an
// issuer: its caching JWKS provider (v2's validator takes a key function of
// the context alone, returning a go-jose key set, so keyfunc's golang-jwt
// Keyfunc does not plug into it), RS256, the issuer, the app client as
// audience and a custom claim for token_use.
func serveNetHTTPAuth0(ln net.Listener, p poolFlags) error {
	client, err := p.httpClient()
	if err != nil {
		return err
	}
	issuer, err := url.Parse(p.issuer)
	if err != nil {
		return err
	}
	jwksURI, err := url.Parse(p.jwksURL)
	if err != nil {
		return err
	}
	provider := auth0jwks.NewCachingProvider(issuer, 5*time.Minute,
		auth0jwks.WithCustomJWKSURI(jwksURI), auth0jwks.WithCustomClient(client))
	val, err := auth0validator.New(provider.KeyFunc, auth0validator.RS256, p.issuer, []string{p.clientID},
		auth0validator.WithCustomClaims(func() auth0validator.CustomClaims { return &auth0Claims{} }),
		auth0validator.WithAllowedClockSkew(leeway))
	if err != nil {
		return err
	}
	mw := jwtmiddleware.New(val.ValidateToken)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
		c, ok := r.Context().Value(jwtmiddleware.ContextKey{}).(*auth0validator.ValidatedClaims)
		if !ok {
			http.Error(w, "no claims", http.StatusInternalServerError)
			return
		}
		subJSON(w, c.RegisteredClaims.Subject)
	})
	return serveHTTP(ln, mw.CheckJWT(mux))
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

func serveEchoOurs(ln net.Listener, p poolFlags) error {
	auth, err := p.ourMiddleware("GET " + route)
	if err != nil {
		return err
	}
	e := newEcho()
	e.Use(echoauth.New(auth))
	e.GET(route, func(c echo.Context) error {
		cl, _ := echoauth.Claims(c)
		return c.JSON(http.StatusOK, map[string]string{"sub": cl.Subject})
	})
	e.Listener = ln
	return e.Start("")
}

// serveEchoJWT is echo-jwt v4 with keyfunc: echo-jwt passes no parser
// options to golang-jwt when a KeyFunc is set, so the checks go through
// ParseTokenFunc.
func serveEchoJWT(ln net.Listener, p poolFlags) error {
	kf, err := p.keyfunc()
	if err != nil {
		return err
	}
	e := newEcho()
	e.Use(echojwt.WithConfig(echojwt.Config{
		ParseTokenFunc: func(_ echo.Context, auth string) (any, error) {
			return p.parseJWT(kf.Keyfunc, auth)
		},
	}))
	e.GET(route, func(c echo.Context) error {
		cl, ok := c.Get("user").(*cognitoJWT)
		if !ok {
			return echo.ErrInternalServerError
		}
		return c.JSON(http.StatusOK, map[string]string{"sub": cl.Subject})
	})
	e.Listener = ln
	return e.Start("")
}

func newGin() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	return gin.New()
}

func serveGinOurs(ln net.Listener, p poolFlags) error {
	auth, err := p.ourMiddleware("GET " + route)
	if err != nil {
		return err
	}
	r := newGin()
	r.Use(ginauth.New(auth))
	r.GET(route, func(c *gin.Context) {
		cl, _ := ginauth.Claims(c)
		c.JSON(http.StatusOK, gin.H{"sub": cl.Subject})
	})
	return r.RunListener(ln)
}

// serveGinHand is the gin middleware users write by hand around golang-jwt
// and keyfunc.
func serveGinHand(ln net.Listener, p poolFlags) error {
	kf, err := p.keyfunc()
	if err != nil {
		return err
	}
	r := newGin()
	r.Use(func(c *gin.Context) {
		token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		if !ok {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "missing token"})
			return
		}
		cl, err := p.parseJWT(kf.Keyfunc, token)
		if err != nil {
			c.AbortWithStatusJSON(http.StatusUnauthorized, gin.H{"error": "invalid token"})
			return
		}
		c.Set("sub", cl.Subject)
		c.Next()
	})
	r.GET(route, func(c *gin.Context) {
		c.JSON(http.StatusOK, gin.H{"sub": c.GetString("sub")})
	})
	return r.RunListener(ln)
}

// grpcService is the gRPC API without generated code: one unary method
// taking google.protobuf.Empty and returning the caller's sub as a
// google.protobuf.StringValue.
func grpcService(sub func(context.Context) (string, error)) *grpc.ServiceDesc {
	return &grpc.ServiceDesc{
		ServiceName: "bench.Service",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{
			MethodName: "Me",
			Handler: func(_ any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
				req := new(emptypb.Empty)
				if err := dec(req); err != nil {
					return nil, err
				}
				h := func(ctx context.Context, _ any) (any, error) {
					s, err := sub(ctx)
					if err != nil {
						return nil, err
					}
					return wrapperspb.String(s), nil
				}
				if in == nil {
					return h(ctx, req)
				}
				return in(ctx, req, &grpc.UnaryServerInfo{FullMethod: grpcMethod}, h)
			},
		}},
	}
}

func serveGRPC(ln net.Listener, srv *grpc.Server, sub func(context.Context) (string, error)) error {
	srv.RegisterService(grpcService(sub), struct{}{})
	return srv.Serve(ln)
}

func serveGRPCNone(ln net.Listener, _ poolFlags) error {
	return serveGRPC(ln, grpc.NewServer(), func(context.Context) (string, error) { return "anonymous", nil })
}

func serveGRPCOurs(ln net.Listener, p poolFlags) error {
	auth, err := p.ourMiddleware(grpcMethod)
	if err != nil {
		return err
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(grpcauth.UnaryServerInterceptor(auth)))
	return serveGRPC(ln, srv, func(ctx context.Context) (string, error) {
		c, ok := claims.FromContext(ctx)
		if !ok {
			return "", status.Error(codes.Internal, "no claims")
		}
		return c.Subject, nil
	})
}

type subKey struct{}

// serveGRPCMW is go-grpc-middleware v2's auth interceptor with the
// AuthFunc users write around golang-jwt and keyfunc.
func serveGRPCMW(ln net.Listener, p poolFlags) error {
	kf, err := p.keyfunc()
	if err != nil {
		return err
	}
	authFunc := func(ctx context.Context) (context.Context, error) {
		token, err := grpcmwauth.AuthFromMD(ctx, "bearer")
		if err != nil {
			return nil, err
		}
		cl, err := p.parseJWT(kf.Keyfunc, token)
		if err != nil {
			return nil, status.Error(codes.Unauthenticated, "invalid token")
		}
		return context.WithValue(ctx, subKey{}, cl.Subject), nil
	}
	srv := grpc.NewServer(grpc.ChainUnaryInterceptor(grpcmwauth.UnaryServerInterceptor(authFunc)))
	return serveGRPC(ln, srv, func(ctx context.Context) (string, error) {
		s, _ := ctx.Value(subKey{}).(string)
		return s, nil
	})
}

// runServer is the -role server process: it listens on a free loopback
// port, prints "listening on ADDR" once the stack is ready, and serves until
// killed.
func runServer(stack string, p poolFlags) error {
	for _, s := range stacks {
		if s.name != stack || s.serve == nil {
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ready := make(chan error, 1)
		go func() { ready <- s.serve(&announce{Listener: ln}, p) }()
		return <-ready
	}
	return fmt.Errorf("no Go stack %q", stack)
}

// announce prints the address on the first Accept, which every server
// reaches only after its setup (the verifier's JWKS fetch included).
type announce struct {
	net.Listener
	done bool
}

func (a *announce) Accept() (net.Conn, error) {
	if !a.done {
		a.done = true
		fmt.Printf("listening on %s\n", a.Listener.Addr())
	}
	return a.Listener.Accept()
}
