package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
)

// poolUser is one user named on the command line: --user starts one, and
// --groups, --scopes and --email after it apply to it.
type poolUser struct {
	name   string
	groups []string
	scopes []string
	email  string
}

type userFlags struct{ users []*poolUser }

func (u *userFlags) last(flag string) (*poolUser, error) {
	if len(u.users) == 0 {
		return nil, fmt.Errorf("--%s applies to the --user before it; give --user first", flag)
	}
	return u.users[len(u.users)-1], nil
}

func runPool(ctx context.Context, e env, args []string) int {
	fs := newFlags("pool", "pool [--addr HOST:PORT] [--pool-id ID] [--client ID]... [--user NAME [--groups G,..] [--scopes S,..] [--email E]]... [--ca-out FILE] [--json]\n\n"+
		"Runs a fake Cognito user pool on a loopback address until interrupted. It serves\n"+
		"over HTTPS, with a CA made for this run (written to --ca-out, or printed):\n"+
		"  GET  /{pool}/.well-known/jwks.json              the pool's keys\n"+
		"  GET  /{pool}/.well-known/openid-configuration   the OpenID configuration\n"+
		"  POST /mint                                      mints a token (JSON in and out):\n"+
		"       {\"username\":\"bob\",\"groups\":[\"ops\"],\"scopes\":[\"orders.read\"],\"email\":\"bob@example.com\",\n"+
		"        \"token_use\":\"id\"|\"access\",\"client_id\":\"...\",\"ttl\":\"15m\",\"custom\":{\"tenant\":\"acme\"}}\n"+
		"       -> {\"token\":\"eyJ...\",\"token_use\":\"access\",\"expires_at\":\"2026-...Z\"}\n"+
		"       every field optional (username \"testuser\", token_use \"access\", ttl \"1h\";\n"+
		"       a negative ttl mints an expired token); Content-Type must be application/json.\n"+
		"It prints an ID and an access token for each --user (for \"testuser\" when none is\n"+
		"named); --groups, --scopes and --email apply to the --user before them.\n"+
		"Tokens carry Cognito's issuer for the pool ID; point verifiers' key URL at the JWKS URL.")
	addr := fs.String("addr", "127.0.0.1:9443", "loopback address to listen on (port 0 picks a free one)")
	poolID := fs.String("pool-id", cognitotest.DefaultUserPoolID, "user pool ID (its region names the issuer)")
	var clients listFlag
	fs.Var(&clients, "client", "app client ID; repeat for several, the first mints by default (default "+cognitotest.DefaultClientID+")")
	var users userFlags
	fs.Func("user", "a user to print tokens for; repeatable", func(s string) error {
		if s == "" {
			return errors.New("empty user name")
		}
		users.users = append(users.users, &poolUser{name: s})
		return nil
	})
	fs.Func("groups", "groups (comma-separated) of the --user before it", func(s string) error {
		u, err := users.last("groups")
		if err == nil {
			u.groups = append(u.groups, splitList(s)...)
		}
		return err
	})
	fs.Func("scopes", "access-token scopes (comma-separated) of the --user before it", func(s string) error {
		u, err := users.last("scopes")
		if err == nil {
			u.scopes = append(u.scopes, splitList(s)...)
		}
		return err
	})
	fs.Func("email", "verified e-mail address of the --user before it", func(s string) error {
		u, err := users.last("email")
		if err == nil {
			u.email = s
		}
		return err
	})
	ttl := fs.Duration("ttl", time.Hour, "lifetime of the printed tokens")
	caOut := fs.String("ca-out", "", "write the CA certificate (PEM) to this file instead of printing it")
	asJSON := fs.Bool("json", false, "print the pool's details and tokens as one JSON line")
	rest, help, err := parse(e, fs, args)
	if help {
		return exitOK
	}
	if err == nil && len(rest) > 0 {
		err = usagef("unexpected argument %q", rest[0])
	}
	if err != nil {
		return fail(e, "pool", err, exitUsage)
	}
	if *ttl > 24*time.Hour {
		return fail(e, "pool", usagef("--ttl %v: Cognito tokens live at most 24h, and verifiers refuse longer", *ttl), exitUsage)
	}
	host, _, err := net.SplitHostPort(*addr)
	if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		return fail(e, "pool", usagef("--addr %q: want a loopback HOST:PORT such as 127.0.0.1:9443 (the pool mints tokens for anyone who can reach it)", *addr), exitUsage)
	}
	p, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: *poolID, ClientIDs: clients})
	if err != nil {
		return fail(e, "pool", usagef("%v", err), exitUsage)
	}
	defer p.Close()
	caPEM, cert, err := newLocalCA(host)
	if err != nil {
		return fail(e, "pool", err, exitRefused)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(e, "pool", err, exitRefused)
	}
	base := "https://" + ln.Addr().String()
	if *caOut != "" {
		if err := os.WriteFile(*caOut, caPEM, 0o644); err != nil {
			ln.Close()
			return fail(e, "pool", err, exitUsage)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /"+p.UserPoolID()+"/.well-known/", p.Handler())
	mux.Handle("POST /mint", mintHandler(p))
	srv := &http.Server{
		Handler:           mux,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		// Handshakes of clients that do not trust the CA are their own news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, "", "") }()

	if len(users.users) == 0 {
		users.users = []*poolUser{{name: "testuser"}}
	}
	b := banner{
		UserPoolID: p.UserPoolID(), ClientID: p.ClientID(), ClientIDs: p.ClientIDs(), Issuer: p.Issuer(),
		JWKSURL: base + "/" + p.UserPoolID() + "/.well-known/jwks.json",
		OpenID:  base + p.OpenIDConfigurationPath(), MintURL: base + "/mint", CAFile: *caOut,
	}
	if *caOut == "" {
		b.CAPEM = string(caPEM)
	}
	for _, u := range users.users {
		cu := cognitotest.User{Username: u.name, Groups: u.groups, Email: u.email, EmailVerified: u.email != ""}
		opts := []cognitotest.TokenOption{cognitotest.WithLifetime(*ttl)}
		b.Users = append(b.Users, bannerUser{
			Username: u.name, Groups: nonNil(u.groups), Scopes: nonNil(u.scopes),
			IDToken:     p.IDToken(cu, opts...),
			AccessToken: p.AccessToken(cu, append(opts, scopesOption(u.scopes)...)...),
		})
	}
	if *asJSON {
		line, _ := json.Marshal(b)
		fmt.Fprintf(e.stdout, "%s\n", line)
	} else {
		b.print(e.stdout)
	}

	select {
	case err := <-served:
		return fail(e, "pool", err, exitRefused)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shut)
	if !*asJSON {
		fmt.Fprintln(e.stdout, "pool stopped")
	}
	return exitOK
}

func scopesOption(scopes []string) []cognitotest.TokenOption {
	if len(scopes) == 0 {
		return nil
	}
	return []cognitotest.TokenOption{cognitotest.WithScopes(scopes...)}
}

type bannerUser struct {
	Username    string   `json:"username"`
	Groups      []string `json:"groups"`
	Scopes      []string `json:"scopes"`
	IDToken     string   `json:"id_token"`
	AccessToken string   `json:"access_token"`
}

type banner struct {
	UserPoolID string       `json:"user_pool_id"`
	ClientID   string       `json:"client_id"`
	ClientIDs  []string     `json:"client_ids"`
	Issuer     string       `json:"issuer"`
	JWKSURL    string       `json:"jwks_url"`
	OpenID     string       `json:"openid_configuration"`
	MintURL    string       `json:"mint_url"`
	CAFile     string       `json:"ca_file,omitempty"`
	CAPEM      string       `json:"ca_pem,omitempty"`
	Users      []bannerUser `json:"users"`
}

func (b *banner) print(w io.Writer) {
	fmt.Fprintln(w, "cognitoauth pool: a fake Cognito user pool for local development and tests (never production)")
	fmt.Fprintln(w)
	rows := [][2]string{
		{"user pool ID", b.UserPoolID}, {"client ID", strings.Join(b.ClientIDs, ", ")}, {"issuer", b.Issuer},
		{"JWKS URL", b.JWKSURL}, {"OpenID config", b.OpenID}, {"mint", "POST " + b.MintURL + ` {"username":"bob","groups":["ops"],"token_use":"id","ttl":"15m"}`},
	}
	if b.CAFile != "" {
		rows = append(rows, [2]string{"CA certificate", b.CAFile})
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-15s %s\n", r[0], r[1])
	}
	if b.CAPEM != "" {
		fmt.Fprintf(w, "\nCA certificate (trust it to fetch the keys; --ca-out FILE writes it to a file):\n%s", b.CAPEM)
	}
	for _, u := range b.Users {
		fmt.Fprintf(w, "\n%s (groups: %s; scopes: %s)\n", u.Username, orNone(u.Groups, ", "), orNone(u.Scopes, " "))
		fmt.Fprintf(w, "  ID token      %s\n  access token  %s\n", u.IDToken, u.AccessToken)
	}
	fmt.Fprintln(w, "\nserving until interrupted (Ctrl-C)")
}

// mintRequest is the body of POST /mint.
type mintRequest struct {
	Username string            `json:"username"`
	Groups   []string          `json:"groups"`
	Scopes   []string          `json:"scopes"`
	Email    string            `json:"email"`
	TokenUse string            `json:"token_use"`
	ClientID string            `json:"client_id"`
	TTL      string            `json:"ttl"`
	Custom   map[string]string `json:"custom"`
}

// mintHandler mints tokens on request. It takes JSON only, which a web page
// cannot send across origins without the browser asking first.
func mintHandler(p *cognitotest.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reply := func(status int, v any) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(v)
		}
		bad := func(format string, a ...any) {
			reply(http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(format, a...)})
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			bad("Content-Type must be application/json")
			return
		}
		var req mintRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			bad("body: %v", err)
			return
		}
		ttl := time.Hour
		if req.TTL != "" {
			d, err := time.ParseDuration(req.TTL)
			if err != nil || d > 24*time.Hour {
				bad("ttl %q: want a duration such as \"15m\" or \"-1m\", at most 24h", req.TTL)
				return
			}
			ttl = d
		}
		opts := []cognitotest.TokenOption{cognitotest.WithLifetime(ttl)}
		if req.ClientID != "" {
			opts = append(opts, cognitotest.WithClientID(req.ClientID))
		}
		u := cognitotest.User{Username: req.Username, Groups: req.Groups, Email: req.Email, EmailVerified: req.Email != "", Custom: req.Custom}
		var token string
		switch req.TokenUse {
		case "", "access":
			req.TokenUse = "access"
			token = p.AccessToken(u, append(opts, scopesOption(req.Scopes)...)...)
		case "id":
			token = p.IDToken(u, opts...)
		default:
			bad("token_use %q: want \"id\" or \"access\"", req.TokenUse)
			return
		}
		reply(http.StatusOK, map[string]string{
			"token":      token,
			"token_use":  req.TokenUse,
			"expires_at": time.Now().Add(ttl).UTC().Format(time.RFC3339),
		})
	})
}
