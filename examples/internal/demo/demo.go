// Package demo is the plumbing the example programs share: choosing between
// an embedded local user pool and a real one, minting demo tokens, the
// -addr and -smoke flags, printing ready-to-paste commands and the table of
// smoke-test outcomes. The examples themselves hold what a reader should
// copy: the middleware and the routes.
package demo

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Environment variables that switch an example to a real user pool.
const (
	EnvPoolID     = "COGNITO_USER_POOL_ID" // e.g. us-east-1_AbCdEfGhI
	EnvClientID   = "COGNITO_CLIENT_ID"    // one app client ID, or several separated by commas
	EnvTokenUse   = "COGNITO_TOKEN_USE"    // access (default), id or any
	EnvUserToken  = "COGNITO_USER_TOKEN"   // optional: a token of a plain user, for -smoke
	EnvAdminToken = "COGNITO_ADMIN_TOKEN"  // optional: a token of a user in group "admin", for -smoke
)

// Names used by every example.
const (
	AdminGroup = "admin"
	DemoPoolID = "us-east-1_DemoPool1"
	DemoClient = "demoapp0123456789abcdef"
	bogusToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJvZ3VzIn0.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl"
)

// Env is what an example runs with: a verifier, and the tokens its
// smoke test and printed commands use.
type Env struct {
	Verifier *verifier.Verifier
	// Embedded is true when the tokens come from the local fake pool.
	Embedded bool
	// PoolID is the user pool whose tokens are accepted.
	PoolID string
	// User and Admin are tokens of a plain user ("bob") and of a member of
	// AdminGroup ("alice"); empty for a real pool unless the environment
	// provides them. Bad is a token the verifier refuses.
	User, Admin, Bad string

	pool *cognitotest.Pool
}

// Setup reads the environment through getenv (os.Getenv in main, a map in
// tests). With EnvPoolID and EnvClientID set it verifies that real pool's
// tokens (keys are fetched from AWS on first use); with neither it starts
// an embedded pool on 127.0.0.1 and mints demo tokens, so no AWS account is
// needed. Close releases what Setup started.
func Setup(getenv func(string) string) (*Env, error) {
	return SetupRevocation(getenv, nil)
}

// SetupRevocation is Setup with rev as the verifier's Config.Revocation
// (nil: none).
func SetupRevocation(getenv func(string) string, rev verifier.Revocation) (*Env, error) {
	poolID, clientID := getenv(EnvPoolID), getenv(EnvClientID)
	switch {
	case poolID != "" && clientID != "":
		return realPool(getenv, poolID, clientID, rev)
	case poolID != "" || clientID != "":
		return nil, fmt.Errorf("set both %s and %s for a real pool, or neither for the embedded one", EnvPoolID, EnvClientID)
	}
	pool, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: DemoPoolID, ClientIDs: []string{DemoClient}})
	if err != nil {
		return nil, err
	}
	cfg := pool.Config(verifier.AccessToken)
	cfg.Revocation = rev
	v, err := verifier.New(cfg)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Env{
		Verifier: v, Embedded: true, PoolID: pool.UserPoolID(), pool: pool,
		User:  pool.AccessToken(cognitotest.User{Username: "bob", Email: "bob@example.com"}),
		Admin: pool.AccessToken(cognitotest.User{Username: "alice", Email: "alice@example.com", Groups: []string{AdminGroup}}),
		Bad:   pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute)), // expired
	}, nil
}

func realPool(getenv func(string) string, poolID, clientIDs string, rev verifier.Revocation) (*Env, error) {
	use := verifier.AccessToken
	switch u := getenv(EnvTokenUse); u {
	case "", "access":
	case "id":
		use = verifier.IDToken
	case "any":
		use = verifier.AnyToken
	default:
		return nil, fmt.Errorf("%s=%q: want access, id or any", EnvTokenUse, u)
	}
	var ids []string
	for _, id := range strings.Split(clientIDs, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	v, err := verifier.New(verifier.Config{UserPoolID: poolID, ClientIDs: ids, TokenUse: use, Revocation: rev})
	if err != nil {
		return nil, err
	}
	return &Env{
		Verifier: v, PoolID: poolID,
		User: getenv(EnvUserToken), Admin: getenv(EnvAdminToken), Bad: bogusToken,
	}, nil
}

// MintUsers returns access tokens of n distinct plain users (user-0 …),
// for load tests; it needs the embedded pool.
func (e *Env) MintUsers(n int) ([]string, error) {
	if e.pool == nil {
		return nil, errors.New("minting users needs the embedded pool")
	}
	out := make([]string, n)
	for i := range out {
		out[i] = e.pool.AccessToken(cognitotest.User{Username: fmt.Sprintf("user-%d", i)})
	}
	return out, nil
}

// Close stops the verifier and the embedded pool.
func (e *Env) Close() {
	e.Verifier.Close()
	if e.pool != nil {
		e.pool.Close()
	}
}

// Flags are the command-line flags every example accepts.
type Flags struct {
	Addr  string // -addr: where to listen
	Smoke bool   // -smoke: send the demo requests, print the outcomes, exit
}

// ParseFlags parses args for the example called name.
func ParseFlags(name string, args []string, defaultAddr string, stderr io.Writer) (Flags, error) {
	return ParseFlagsWith(name, args, defaultAddr, stderr, nil)
}

// ParseFlagsWith is ParseFlags for an example with flags of its own, which
// extra (if not nil) defines on the flag set.
func ParseFlagsWith(name string, args []string, defaultAddr string, stderr io.Writer, extra func(*flag.FlagSet)) (Flags, error) {
	var f Flags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if extra != nil {
		extra(fs)
	}
	fs.StringVar(&f.Addr, "addr", defaultAddr, "listen address (host:port; port 0 picks a free one)")
	fs.BoolVar(&f.Smoke, "smoke", false, "send the demo requests to the server, print the outcomes and exit (non-zero if any is unexpected)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: %s [-addr host:port] [-smoke]\n\n", name)
		fmt.Fprintf(stderr, "Without environment variables it runs against an embedded local user pool and\n")
		fmt.Fprintf(stderr, "prints demo tokens. Set %s and %s to verify a real pool's tokens\n", EnvPoolID, EnvClientID)
		fmt.Fprintf(stderr, "(%s: access, id or any; %s and %s feed -smoke).\n\n", EnvTokenUse, EnvUserToken, EnvAdminToken)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, errors.New("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	return f, nil
}

// PrintTokens prints the banner and shell lines exporting the demo tokens,
// so that the printed commands can use $USER_TOKEN and $ADMIN_TOKEN.
func PrintTokens(w io.Writer, stack, target string, env *Env) {
	fmt.Fprintf(w, "cognitoauth demo (%s) listening on %s\n", stack, target)
	if env.Embedded {
		fmt.Fprintf(w, "user pool: %s, embedded on 127.0.0.1 (no AWS account needed)\n\n", env.PoolID)
		fmt.Fprintf(w, "# demo access tokens, valid for %s: bob is a plain user, alice is in group %q; BAD_TOKEN has expired\n",
			strings.TrimSuffix(cognitotest.DefaultLifetime.String(), "0m0s"), AdminGroup)
		fmt.Fprintf(w, "export USER_TOKEN='%s'\n", env.User)
		fmt.Fprintf(w, "export ADMIN_TOKEN='%s'\n", env.Admin)
		fmt.Fprintf(w, "export BAD_TOKEN='%s'\n\n", env.Bad)
		return
	}
	fmt.Fprintf(w, "user pool: %s (real; keys fetched from AWS on first use)\n\n", env.PoolID)
	fmt.Fprintf(w, "# export USER_TOKEN and ADMIN_TOKEN with tokens of your pool (ADMIN_TOKEN's user in group %q), e.g. from\n", AdminGroup)
	fmt.Fprintf(w, "# aws cognito-idp initiate-auth --auth-flow USER_PASSWORD_AUTH --client-id ... --auth-parameters USERNAME=...,PASSWORD=...\n")
	fmt.Fprintf(w, "# (and set %s / %s to include them in -smoke)\n", EnvUserToken, EnvAdminToken)
	fmt.Fprintf(w, "export BAD_TOKEN='%s'\n\n", env.Bad)
}
