package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// refusal describes one verifier sentinel for operators.
type refusal struct {
	sentinel error
	name     string // the sentinel's Go name
	outcome  string // short machine name, as in the library's metrics
	why      string
}

var refusals = []refusal{
	{verifier.ErrTokenTooLarge, "ErrTokenTooLarge", "too_large", "the token is longer than the verifier accepts; it was not parsed"},
	{verifier.ErrTokenMalformed, "ErrTokenMalformed", "malformed", "the token is not a well-formed Cognito JWT (shape, base64url, JSON, claim types, or a required kid/exp)"},
	{verifier.ErrAlgorithm, "ErrAlgorithm", "algorithm", "the header's alg is not allowed, or does not fit the key"},
	{verifier.ErrIssuerMismatch, "ErrIssuerMismatch", "issuer", "iss is not the issuer of the pool given with --pool"},
	{verifier.ErrKeyNotFound, "ErrKeyNotFound", "key_not_found", "the pool's key set has no key with the token's kid: another pool's token, a removed key, or a forgery"},
	{verifier.ErrJWKSUnavailable, "ErrJWKSUnavailable", "jwks_unavailable", "the pool's keys could not be fetched; this says nothing about the token"},
	{verifier.ErrSignatureInvalid, "ErrSignatureInvalid", "signature", "the signature does not verify under the pool's key: the token was altered or forged"},
	{verifier.ErrTokenExpired, "ErrTokenExpired", "expired", "exp lies before the time of verification"},
	{verifier.ErrTokenNotYetValid, "ErrTokenNotYetValid", "not_yet_valid", "nbf or iat lies after the time of verification (clock skew?)"},
	{verifier.ErrTokenUseMismatch, "ErrTokenUseMismatch", "token_use", "token_use is not the use accepted (--use)"},
	{verifier.ErrClientMismatch, "ErrClientMismatch", "client", "the token was issued to another app client than --client"},
	{verifier.ErrCustomCheck, "ErrCustomCheck", "custom", "a custom check refused the token"},
}

func classify(err error) refusal {
	for _, r := range refusals {
		if errors.Is(err, r.sentinel) {
			return r
		}
	}
	return refusal{err, "", "error", "unexpected error"}
}

func runVerify(ctx context.Context, e env, args []string) int {
	fs := newFlags("verify", "verify --pool ID --client ID [--use id|access|any] [--jwks FILE | --jwks-url URL] [--at TIME] [--json] [TOKEN|-]\n\n"+
		"Verifies a token exactly as a service using cognitoauth would, and prints the\n"+
		"verdict: on success who the token is for; on refusal the reason and the field\n"+
		"at fault. The token is read from standard input when TOKEN is \"-\" or absent.\n"+
		"Exit status: 0 valid, 1 refused, 2 usage error, 3 keys unavailable.")
	pool := fs.String("pool", "", "user pool ID, such as us-east-1_AbCdEf123 (required)")
	var clients listFlag
	fs.Var(&clients, "client", "app client ID accepted; repeat or comma-separate for several (required)")
	use := fs.String("use", "any", "token use accepted: id, access or any")
	jwksFile := fs.String("jwks", "", "verify offline against the key set (JWKS document) in this file")
	jwksURL := fs.String("jwks-url", "", "fetch keys from this URL instead of the pool's (http only for 127.0.0.1 / ::1)")
	caFile := fs.String("ca", "", "trust only the CA certificates (PEM) in this file for --jwks-url, such as the one \"cognitoauth pool\" writes")
	var at timeFlag
	fs.Var(&at, "at", "verify as of this RFC 3339 time instead of now")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on the key fetch")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	rest, help, err := parse(e, fs, args)
	if help {
		return exitOK
	}
	if err != nil {
		return fail(e, "verify", err, exitUsage)
	}
	cfg, err := verifyConfig(*pool, clients, *use, *jwksFile, *jwksURL, *caFile, *timeout)
	if err != nil {
		return fail(e, "verify", err, exitUsage)
	}
	token, err := readToken(e, rest)
	if err != nil {
		return fail(e, "verify", err, exitUsage)
	}
	when := at.now().UTC()
	cfg.Now = func() time.Time { return when }
	cfg.CacheSize = -1
	v, err := verifier.New(cfg)
	if err != nil {
		return fail(e, "verify", usagef("%v", err), exitUsage)
	}
	defer v.Close()
	c, err := v.Verify(ctx, token)
	if err != nil {
		return reportRefusal(e, err, when, token, *asJSON)
	}
	reportValid(e, c, when, *asJSON)
	return exitOK
}

func verifyConfig(pool string, clients []string, use, jwksFile, jwksURL, caFile string, timeout time.Duration) (verifier.Config, error) {
	cfg := verifier.Config{UserPoolID: pool, ClientIDs: clients, FetchTimeout: timeout}
	if pool == "" {
		return cfg, usagef("--pool is required")
	}
	if len(clients) == 0 {
		return cfg, usagef("--client is required (the app client IDs whose tokens are accepted)")
	}
	switch use {
	case "id":
		cfg.TokenUse = verifier.IDToken
	case "access":
		cfg.TokenUse = verifier.AccessToken
	case "any":
		cfg.TokenUse = verifier.AnyToken
	default:
		return cfg, usagef("--use %q: want id, access or any", use)
	}
	if jwksFile != "" && jwksURL != "" {
		return cfg, usagef("--jwks and --jwks-url exclude each other")
	}
	if jwksFile != "" {
		if caFile != "" {
			return cfg, usagef("--ca is for --jwks-url; --jwks verifies offline")
		}
		b, err := os.ReadFile(jwksFile)
		if err != nil {
			return cfg, usagef("--jwks: %v", err)
		}
		cfg.JWKS = b
		// Offline: a kid the file lacks must not send a request anywhere.
		cfg.HTTPClient = &http.Client{Transport: offline{}}
		return cfg, nil
	}
	client, allowHTTP, err := httpClient(jwksURL, caFile, timeout)
	if err != nil {
		return cfg, err
	}
	cfg.JWKSURL, cfg.HTTPClient, cfg.InsecureAllowHTTPJWKS = jwksURL, client, allowHTTP
	return cfg, nil
}

// offline refuses every request: --jwks means no network.
type offline struct{}

func (offline) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("offline: only the key set given with --jwks is used")
}

func reportValid(e env, c *claims.Claims, at time.Time, asJSON bool) {
	if asJSON {
		writeJSON(e.stdout, map[string]any{
			"valid":              true,
			"outcome":            "ok",
			"at":                 at.Format(time.RFC3339),
			"token_use":          c.TokenUse,
			"subject":            c.Subject,
			"username":           c.Username,
			"client_id":          c.ClientID,
			"groups":             nonNil(c.Groups),
			"scopes":             nonNil(c.Scopes),
			"machine":            c.IsMachine(),
			"expires_at":         c.ExpiresAt.UTC().Format(time.RFC3339),
			"expires_in_seconds": int64(c.ExpiresAt.Sub(at) / time.Second),
		})
		return
	}
	fmt.Fprintf(e.stdout, "valid %s token (verified as of %s)\n", c.TokenUse, at.Format(time.RFC3339))
	username := c.Username
	if c.IsMachine() {
		username = "(none: a client-credentials token)"
	}
	rows := [][2]string{
		{"subject", c.Subject},
		{"username", username},
		{"client", c.ClientID},
		{"groups", orNone(c.Groups, ", ")},
		{"scopes", orNone(c.Scopes, " ")},
		{"expires", c.ExpiresAt.UTC().Format(time.RFC3339) + " (" + relative(c.ExpiresAt, at) + ")"},
	}
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "  %-9s %s\n", r[0], r[1])
	}
}

func reportRefusal(e env, err error, at time.Time, token string, asJSON bool) int {
	r := classify(err)
	var ve *verifier.ValidationError
	field, value, detail, cause := "", "", "", ""
	if errors.As(err, &ve) {
		field, value, detail = ve.Claim, ve.Value, ve.Detail
		if ve.Err != nil {
			cause = ve.Err.Error()
		}
	}
	code := exitRefused
	if r.outcome == "jwks_unavailable" {
		code = exitUnavailable
	}
	why := r.why
	// For time refusals, the token's own (now authenticated or not) times
	// answer "when did it stop being valid?".
	if d, derr := decodeToken(token); derr == nil && (r.outcome == "expired" || r.outcome == "not_yet_valid") {
		if t, ok := unixTime(d.payload[field]); ok {
			why = fmt.Sprintf("%s %s is %s the time of verification %s", field, t.Format(time.RFC3339), order(t, at), at.Format(time.RFC3339))
		}
	}
	if asJSON {
		out := map[string]any{
			"valid":    false,
			"outcome":  r.outcome,
			"at":       at.Format(time.RFC3339),
			"reason":   r.sentinel.Error(),
			"sentinel": "verifier." + r.name,
			"field":    field,
			"value":    value,
			"detail":   detail,
			"error":    err.Error(),
			"why":      why,
		}
		if cause != "" {
			out["cause"] = cause
		}
		writeJSON(e.stdout, out)
		return code
	}
	fmt.Fprintf(e.stdout, "refused: %s\n", strings.TrimPrefix(r.sentinel.Error(), "verifier: "))
	rows := [][2]string{{"field", field}, {"value", value}, {"detail", detail}, {"cause", cause}, {"sentinel", "verifier." + r.name}, {"why", why}}
	for _, row := range rows {
		if row[1] != "" && row[1] != "verifier." {
			fmt.Fprintf(e.stdout, "  %-9s %s\n", row[0], row[1])
		}
	}
	return code
}

func order(t, at time.Time) string {
	d := at.Sub(t)
	if d >= 0 {
		return roughly(d) + " before"
	}
	return roughly(-d) + " after"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
