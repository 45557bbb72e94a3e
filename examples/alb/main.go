// Command alb is the demo of a service behind an Application Load Balancer
// with Cognito authentication: the ALB authenticates users and sends each
// request on with the user's claims in X-Amzn-Oidc-Data, a token it signs;
// the service verifies that token before trusting a word of it.
//
//	go run ./examples/alb            # embedded fake ALB, prints curl lines
//	go run ./examples/alb -smoke     # also calls itself, prints the outcomes, exits
//
// Set ALB_ARN, ALB_CLIENT_ID and ALB_ISSUER (the user pool's issuer URL) to
// verify a real ALB's tokens instead; ALB_KEY_URL is needed in GovCloud.
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
	"strconv"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/middleware"
)

// Environment variables that switch the example to a real ALB.
const (
	envARN      = "ALB_ARN"
	envClientID = "ALB_CLIENT_ID"
	envIssuer   = "ALB_ISSUER"
	envKeyURL   = "ALB_KEY_URL"
)

// header is where ALB puts the user's claims.
const header = "X-Amzn-Oidc-Data"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "alb:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error {
	fs := flag.NewFlagSet("alb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port; port 0 picks a free one)")
	smoke := fs.Bool("smoke", false, "send the demo requests to the server, print the outcomes and exit (non-zero if any is unexpected)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: alb [-addr host:port] [-smoke]\n\n")
		fmt.Fprintf(stderr, "Without environment variables it runs against an embedded fake ALB and prints\n")
		fmt.Fprintf(stderr, "demo tokens. Set %s, %s and %s (and %s in GovCloud) for a real ALB.\n\n", envARN, envClientID, envIssuer, envKeyURL)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	env, err := setup(getenv)
	if err != nil {
		return err
	}
	defer env.close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	api, err := newAPI(env.v)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	base := "http://" + ln.Addr().String()
	env.print(out, base)
	if *smoke {
		return env.smoke(ctx, out, base)
	}
	fmt.Fprintln(out, "press Ctrl-C to stop")
	return demo.Wait(ctx, done)
}

// newAPI is the part to copy: every route but /public requires a verified
// X-Amzn-Oidc-Data token, and a route nobody declared is refused. Never
// trust that header unverified: anything that reaches the service can set it.
func newAPI(v *alb.Verifier) (http.Handler, error) {
	auth, err := middleware.New(v, middleware.WithHeader(header), middleware.DefaultDeny(),
		middleware.Exclude("GET /public"),
		middleware.Rule("GET /me")) // any user the ALB signed in
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /public", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"message": "hello, anonymous"})
	})
	mux.HandleFunc("GET /me", me)
	return auth.Handler(mux), nil
}

func me(w http.ResponseWriter, r *http.Request) {
	c, _ := claims.FromContext(r.Context()) // always set behind a Rule
	writeJSON(w, map[string]any{"username": c.Username, "sub": c.Subject, "email": c.Email, "email_verified": c.EmailVerified, "client": c.ClientID})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// env is what the example runs with.
type env struct {
	v        *alb.Verifier
	fake     *cognitotest.ALB // nil for a real ALB
	arn      string
	calls    []call
	userTok  string
	otherTok string
}

type call struct {
	path, caller, token string
	want                int
}

func setup(getenv func(string) string) (*env, error) {
	arn, client, issuer := getenv(envARN), getenv(envClientID), getenv(envIssuer)
	if arn != "" || client != "" || issuer != "" {
		if arn == "" || client == "" || issuer == "" {
			return nil, fmt.Errorf("set all of %s, %s and %s for a real ALB, or none for the embedded one", envARN, envClientID, envIssuer)
		}
		v, err := alb.New(alb.Config{ALBARNs: []string{arn}, ClientIDs: []string{client}, Issuer: issuer, KeyURL: getenv(envKeyURL)})
		if err != nil {
			return nil, err
		}
		return &env{v: v, arn: arn, calls: []call{
			{"/public", "anonymous", "", http.StatusOK},
			{"/me", "anonymous", "", http.StatusUnauthorized},
		}}, nil
	}
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{ClientID: demo.DemoClient, Issuer: "https://cognito-idp.us-east-1.amazonaws.com/" + demo.DemoPoolID})
	if err != nil {
		return nil, err
	}
	v, err := alb.New(fake.Config())
	if err != nil {
		fake.Close()
		return nil, err
	}
	alice := cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true}
	other := "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/someone-else/0123456789abcdef"
	e := &env{v: v, fake: fake, arn: fake.ARN(), userTok: fake.Token(alice)}
	e.otherTok = fake.Token(alice, cognitotest.WithHeader("signer", other))
	e.calls = []call{
		{"/public", "anonymous", "", http.StatusOK},
		{"/me", "anonymous", "", http.StatusUnauthorized},
		{"/me", "alice (via the ALB)", e.userTok, http.StatusOK},
		{"/me", "expired token", fake.Token(alice, cognitotest.WithLifetime(-time.Minute)), http.StatusUnauthorized},
		{"/me", "another ALB's token", e.otherTok, http.StatusUnauthorized},
		{"/me", "kid ../../etc/passwd", fake.Token(alice, cognitotest.WithHeader("kid", "../../etc/passwd")), http.StatusUnauthorized},
		{"/me", "unpadded re-encoding", fake.Token(alice, cognitotest.WithoutPadding()), http.StatusOK},
	}
	return e, nil
}

func (e *env) close() {
	e.v.Close()
	if e.fake != nil {
		e.fake.Close()
	}
}

func (e *env) print(w io.Writer, base string) {
	fmt.Fprintf(w, "cognitoauth demo (ALB, %s) listening on %s\n", header, base)
	if e.fake == nil {
		fmt.Fprintf(w, "load balancer: %s (real; keys fetched from AWS on first use)\n\n", e.arn)
		return
	}
	fmt.Fprintf(w, "load balancer: %s, a fake on 127.0.0.1 (no AWS account needed)\n\n", e.arn)
	fmt.Fprintf(w, "# x-amzn-oidc-data tokens as the ALB writes them, valid for an hour; OTHER_TOKEN was signed as another ALB\n")
	fmt.Fprintf(w, "export ALB_TOKEN='%s'\n", e.userTok)
	fmt.Fprintf(w, "export OTHER_TOKEN='%s'\n\n", e.otherTok)
	fmt.Fprintf(w, "curl -i %s/public\n", base)
	fmt.Fprintf(w, "curl -i -H \"%s: $ALB_TOKEN\" %s/me     # → 200\n", header, base)
	fmt.Fprintf(w, "curl -i -H \"%s: $OTHER_TOKEN\" %s/me   # → 401\n\n", header, base)
}

func (e *env) smoke(ctx context.Context, w io.Writer, base string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	var rows []demo.Outcome
	for _, c := range e.calls {
		got, err := status(ctx, client, base+c.path, c.token)
		if err != nil {
			got = "error: " + err.Error()
		}
		rows = append(rows, demo.Outcome{Request: "GET " + c.path, Caller: c.caller, Got: got, Want: strconv.Itoa(c.want)})
	}
	return demo.PrintTable(w, rows)
}

func status(ctx context.Context, client *http.Client, url, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	if token != "" {
		req.Header.Set(header, token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return strconv.Itoa(resp.StatusCode), nil
}
