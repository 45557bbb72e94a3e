package verifier_test

import (
	"context"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// rejectCase is one token Verify must refuse (or, with reason nil, accept).
// "(stricter)" in a case name marks where this library deliberately refuses
// what aws-jwt-verify, the reference verifier, accepts or reports otherwise.
type rejectCase struct {
	name string
	use  verifier.TokenUse // pool's TokenUse; IDToken when zero
	// token mints the token under test from the shared frozen pool.
	token func(t *testing.T, p *cognitotest.Pool) string
	// cfg adjusts the configuration; it sees the token.
	cfg    func(cfg *verifier.Config, token string)
	reason error  // nil: the token must verify
	claim  string // ValidationError.Claim
	// fetched says whether the refusal comes after the key lookup, i.e.
	// whether one JWKS fetch is expected. Refusals before it (size, shape,
	// header, payload, issuer) must cost no network at all.
	fetched bool
}

var errRefusedByHook = errors.New("refused by hook")

func idToken(opts ...cognitotest.TokenOption) func(*testing.T, *cognitotest.Pool) string {
	return func(_ *testing.T, p *cognitotest.Pool) string {
		return p.IDToken(cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true}, opts...)
	}
}

func accessToken(opts ...cognitotest.TokenOption) func(*testing.T, *cognitotest.Pool) string {
	return func(_ *testing.T, p *cognitotest.Pool) string {
		return p.AccessToken(cognitotest.User{Username: "alice"}, opts...)
	}
}

// edited mints an ID token and re-signs it after edit changes header or payload.
func edited(edit func(h, c map[string]any)) func(*testing.T, *cognitotest.Pool) string {
	return func(t *testing.T, p *cognitotest.Pool) string {
		return resign(t, p, p.IDToken(cognitotest.User{Username: "alice"}), edit)
	}
}

// rawPayload signs an ID token payload written by hand with a normal header.
func rawPayload(format func(iss string, exp, iat int64, aud string) string) func(*testing.T, *cognitotest.Pool) string {
	return func(_ *testing.T, p *cognitotest.Pool) string {
		kid, _ := p.SigningKey()
		header := `{"kid":"` + kid + `","alg":"RS256"}`
		return signRaw(p, header, format(p.Issuer(), epoch.Add(time.Hour).Unix(), epoch.Unix(), p.ClientID()))
	}
}

// segmentsEdited mints an ID token and rewrites its raw segments.
func segmentsEdited(edit func(h, c, s string) string) func(*testing.T, *cognitotest.Pool) string {
	return func(_ *testing.T, p *cognitotest.Pool) string {
		parts := strings.Split(p.IDToken(cognitotest.User{Username: "alice"}), ".")
		return edit(parts[0], parts[1], parts[2])
	}
}

func constant(s string) func(*testing.T, *cognitotest.Pool) string {
	return func(*testing.T, *cognitotest.Pool) string { return s }
}

var epochSec = epoch.Unix()

func rejectCases() []rejectCase {
	b64 := b64url
	return []rejectCase{
		// Accepted tokens, as controls for the refusals around them.
		{name: "ID token accepted", token: idToken(), fetched: true},
		{name: "access token accepted", use: verifier.AccessToken, token: accessToken(), fetched: true},
		{name: "float exp accepted", token: idToken(cognitotest.WithClaim("exp", float64(epochSec)+3600.5)), fetched: true},
		{name: "typ header accepted", token: idToken(cognitotest.WithHeader("typ", "JWT")), fetched: true},
		{name: "size cap: exactly MaxTokenSize accepted", token: idToken(),
			cfg: func(c *verifier.Config, tok string) { c.MaxTokenSize = len(tok) }, fetched: true},

		// ErrTokenTooLarge: checked before anything is parsed.
		{name: "size cap: one byte over MaxTokenSize", token: idToken(),
			cfg:    func(c *verifier.Config, tok string) { c.MaxTokenSize = len(tok) - 1 },
			reason: verifier.ErrTokenTooLarge},
		{name: "size cap: default 16 KiB", token: constant(strings.Repeat("a", 16<<10+1)), reason: verifier.ErrTokenTooLarge},
		{name: "size cap: oversized garbage is not parsed", token: constant(strings.Repeat("!", 16<<10+1)), reason: verifier.ErrTokenTooLarge},

		// ErrTokenMalformed: shape and strict base64url.
		{name: "empty token", token: constant(""), reason: verifier.ErrTokenMalformed},
		{name: "two parts", token: segmentsEdited(func(h, c, s string) string { return h + "." + c }), reason: verifier.ErrTokenMalformed},
		{name: "four parts", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "." + s + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "empty signature part", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "." }), reason: verifier.ErrTokenMalformed},
		{name: "empty header part", token: segmentsEdited(func(h, c, s string) string { return "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "empty payload part", token: segmentsEdited(func(h, c, s string) string { return h + ".." + s }), reason: verifier.ErrTokenMalformed},
		{name: "leading space", token: segmentsEdited(func(h, c, s string) string { return " " + h + "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "trailing newline", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "." + s + "\n" }), reason: verifier.ErrTokenMalformed},
		{name: "Bearer prefix", token: segmentsEdited(func(h, c, s string) string { return "Bearer " + h + "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "padding (stricter)", token: segmentsEdited(func(h, c, s string) string { return h + "=." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "standard base64 alphabet (stricter)", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "+/." + s }), reason: verifier.ErrTokenMalformed},
		{name: "non-canonical trailing bits (stricter)", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "." + nonCanonical(s) }), reason: verifier.ErrTokenMalformed},

		// ErrTokenMalformed: header and payload not JSON objects.
		{name: "header not JSON", token: segmentsEdited(func(h, c, s string) string { return b64("not json") + "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "header a JSON array", token: segmentsEdited(func(h, c, s string) string { return b64(`["RS256"]`) + "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "header JSON null", token: segmentsEdited(func(h, c, s string) string { return b64("null") + "." + c + "." + s }), reason: verifier.ErrTokenMalformed},
		{name: "payload not JSON", token: rawPayload(func(string, int64, int64, string) string { return "not json" }), reason: verifier.ErrTokenMalformed},
		{name: "payload a JSON array", token: rawPayload(func(string, int64, int64, string) string { return `[1,2]` }), reason: verifier.ErrTokenMalformed},
		{name: "payload a JSON string", token: rawPayload(func(string, int64, int64, string) string { return `"x"` }), reason: verifier.ErrTokenMalformed},
		{name: "payload JSON with trailing data", token: rawPayload(func(iss string, exp, iat int64, aud string) string {
			return `{"iss":"` + iss + `"} {}`
		}), reason: verifier.ErrTokenMalformed},

		// ErrTokenMalformed: wrong claim types, missing kid.
		{name: "header alg a number", token: edited(func(h, c map[string]any) { h["alg"] = 256 }), reason: verifier.ErrTokenMalformed, claim: "header.alg"},
		{name: "header kid an object", token: edited(func(h, c map[string]any) { h["kid"] = map[string]any{"x": 1} }), reason: verifier.ErrTokenMalformed, claim: "header.kid"},
		{name: "header kid a number", token: edited(func(h, c map[string]any) { h["kid"] = 7 }), reason: verifier.ErrTokenMalformed, claim: "header.kid"},
		{name: "kid missing", token: idToken(cognitotest.WithHeader("kid", nil)), reason: verifier.ErrTokenMalformed, claim: "header.kid"},
		{name: "empty kid treated as missing (stricter)", token: idToken(cognitotest.WithKID(""), cognitotest.WithHeader("kid", "")), reason: verifier.ErrTokenMalformed, claim: "header.kid"},
		{name: "iss a number", token: idToken(cognitotest.WithClaim("iss", 1)), reason: verifier.ErrTokenMalformed, claim: "iss"},
		{name: "sub an array", token: idToken(cognitotest.WithClaim("sub", []string{"a"})), reason: verifier.ErrTokenMalformed, claim: "sub"},
		{name: "scope a number", use: verifier.AccessToken, token: accessToken(cognitotest.WithClaim("scope", 3)), reason: verifier.ErrTokenMalformed, claim: "scope"},
		{name: "jti a bool", token: idToken(cognitotest.WithClaim("jti", true)), reason: verifier.ErrTokenMalformed, claim: "jti"},
		{name: "aud a number", token: idToken(cognitotest.WithClaim("aud", 12)), reason: verifier.ErrTokenMalformed, claim: "aud"},
		{name: "aud array holding a number", token: idToken(cognitotest.WithClaim("aud", []any{"frozenclient1", 2})), reason: verifier.ErrTokenMalformed, claim: "aud"},
		{name: "exp a string", token: idToken(cognitotest.WithClaim("exp", "Garbage")), reason: verifier.ErrTokenMalformed, claim: "exp"},
		{name: "exp a numeric string", token: idToken(cognitotest.WithClaim("exp", "1800003600")), reason: verifier.ErrTokenMalformed, claim: "exp"},
		{name: "exp null", token: idToken(cognitotest.WithClaim("exp", nil)), reason: verifier.ErrTokenMalformed, claim: "exp"},
		{name: "exp out of range", token: idToken(cognitotest.WithClaim("exp", 1e300)), reason: verifier.ErrTokenMalformed, claim: "exp"},
		{name: "nbf a string", token: idToken(cognitotest.WithClaim("nbf", "foobar")), reason: verifier.ErrTokenMalformed, claim: "nbf"},
		{name: "iat a string", token: idToken(cognitotest.WithClaim("iat", "now")), reason: verifier.ErrTokenMalformed, claim: "iat"},
		{name: "auth_time a string", token: idToken(cognitotest.WithClaim("auth_time", "then")), reason: verifier.ErrTokenMalformed, claim: "auth_time"},
		{name: "token_use a number", token: idToken(cognitotest.WithClaim("token_use", 1)), reason: verifier.ErrTokenMalformed, claim: "token_use"},
		{name: "client_id a number", use: verifier.AccessToken, token: accessToken(cognitotest.WithClaim("client_id", 1)), reason: verifier.ErrTokenMalformed, claim: "client_id"},
		{name: "cognito:groups a number", token: idToken(cognitotest.WithClaim("cognito:groups", 1)), reason: verifier.ErrTokenMalformed, claim: "cognito:groups"},
		{name: "cognito:username an object", token: idToken(cognitotest.WithClaim("cognito:username", map[string]any{})), reason: verifier.ErrTokenMalformed, claim: "cognito:username"},
		{name: "exp absent (stricter)", token: idToken(cognitotest.WithoutClaim("exp")), reason: verifier.ErrTokenMalformed, claim: "exp", fetched: true},
		{name: "crit header refused", token: idToken(cognitotest.WithHeader("crit", []string{"exp"})), reason: verifier.ErrTokenMalformed, claim: "header.crit"},
		{name: "crit header refused even when empty", token: idToken(cognitotest.WithHeader("crit", []string{})), reason: verifier.ErrTokenMalformed, claim: "header.crit"},

		// ErrAlgorithm: checked before the signature.
		{name: "alg none with a signature", token: idToken(cognitotest.WithHeader("alg", "none")), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "alg none with an empty signature", token: func(t *testing.T, p *cognitotest.Pool) string {
			tok := idToken(cognitotest.WithHeader("alg", "none"))(t, p)
			return tok[:strings.LastIndexByte(tok, '.')+1]
		}, reason: verifier.ErrTokenMalformed},
		{name: "HS256", token: idToken(cognitotest.WithHeader("alg", "HS256")), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "PS256 not allowed by default", token: idToken(cognitotest.WithHeader("alg", "PS256")), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "RS512 not allowed by default", token: idToken(cognitotest.WithHeader("alg", "RS512")), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "alg compared case-sensitively", token: idToken(cognitotest.WithHeader("alg", "rs256")), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "header RS384 against JWK alg RS256", token: idToken(cognitotest.WithHeader("alg", "RS384")),
			cfg:    func(c *verifier.Config, _ string) { c.AllowedAlgorithms = []string{"RS256", "RS384"} },
			reason: verifier.ErrAlgorithm, claim: "header.alg", fetched: true},
		{name: "header PS256 against JWK alg RS256", token: idToken(cognitotest.WithHeader("alg", "PS256")),
			cfg:    func(c *verifier.Config, _ string) { c.AllowedAlgorithms = []string{"RS256", "PS256"} },
			reason: verifier.ErrAlgorithm, claim: "header.alg", fetched: true},
		{name: "alg missing", token: idToken(cognitotest.WithHeader("alg", nil)), reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "ES256 header over an RSA key (stricter)", token: idToken(cognitotest.WithHeader("alg", "ES256")),
			cfg:    func(c *verifier.Config, _ string) { c.AllowedAlgorithms = []string{"RS256", "ES256"} },
			reason: verifier.ErrAlgorithm, claim: "header.alg", fetched: true},

		// ErrKeyNotFound.
		{name: "unknown kid", token: idToken(cognitotest.WithKID("no-such-kid")), reason: verifier.ErrKeyNotFound, claim: "header.kid", fetched: true},

		// ErrSignatureInvalid.
		{name: "flipped signature byte", token: func(t *testing.T, p *cognitotest.Pool) string { return flipSignatureByte(t, idToken()(t, p)) },
			reason: verifier.ErrSignatureInvalid, fetched: true},
		{name: "signature truncated by 2 characters", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + "." + s[:len(s)-2] }),
			reason: verifier.ErrSignatureInvalid, fetched: true},
		{name: "one-byte signature", token: segmentsEdited(func(h, c, s string) string { return h + "." + c + ".AA" }),
			reason: verifier.ErrSignatureInvalid, fetched: true},
		{name: "payload swapped under another token's signature", token: func(t *testing.T, p *cognitotest.Pool) string {
			a := strings.Split(idToken()(t, p), ".")
			b := strings.Split(p.IDToken(cognitotest.User{Username: "mallory", Groups: []string{"admin"}}), ".")
			return a[0] + "." + b[1] + "." + a[2]
		}, reason: verifier.ErrSignatureInvalid, fetched: true},

		// Time; edges are in leeway_test.go.
		{name: "exp in the past", token: idToken(cognitotest.WithLifetime(-time.Minute)), reason: verifier.ErrTokenExpired, claim: "exp", fetched: true},
		{name: "nbf in the future", token: idToken(cognitotest.WithClaim("nbf", epochSec+60)), reason: verifier.ErrTokenNotYetValid, claim: "nbf", fetched: true},
		{name: "iat in the future (stricter)", token: idToken(cognitotest.WithIssuedAt(epoch.Add(time.Minute))), reason: verifier.ErrTokenNotYetValid, claim: "iat", fetched: true},
		{name: "lifetime over MaxTokenLifetime", token: idToken(cognitotest.WithLifetime(24*time.Hour + time.Second)), reason: verifier.ErrTokenMalformed, claim: "exp", fetched: true},

		// ErrIssuerMismatch: decided before any key is fetched.
		{name: "iss missing", token: idToken(cognitotest.WithoutClaim("iss")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss empty", token: idToken(cognitotest.WithClaim("iss", "")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss of another pool", token: idToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss pointing at an attacker host", token: idToken(cognitotest.WithClaim("iss", "https://127.0.0.1:1/us-east-1_TestPool1")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss with a trailing slash", token: idToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1/")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss over http", token: idToken(cognitotest.WithClaim("iss", "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss compared case-sensitively", token: idToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_testpool1")), reason: verifier.ErrIssuerMismatch, claim: "iss"},
		{name: "iss of the same pool ID in another region", token: idToken(cognitotest.WithClaim("iss", "https://cognito-idp.us-west-2.amazonaws.com/us-east-1_TestPool1")), reason: verifier.ErrIssuerMismatch, claim: "iss"},

		// ErrTokenUseMismatch.
		{name: "token_use missing", token: idToken(cognitotest.WithoutClaim("token_use")), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},
		{name: "token_use refresh refused by an AnyToken pool", use: verifier.AnyToken,
			token: idToken(cognitotest.WithClaim("token_use", "refresh")), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},
		{name: "token_use missing refused by an AnyToken pool", use: verifier.AnyToken,
			token: idToken(cognitotest.WithoutClaim("token_use")), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},
		{name: "access token to an IDToken pool", token: accessToken(), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},
		{name: "ID token to an AccessToken pool", use: verifier.AccessToken, token: idToken(), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},
		{name: "token_use compared case-sensitively", token: idToken(cognitotest.WithClaim("token_use", "ID")), reason: verifier.ErrTokenUseMismatch, claim: "token_use", fetched: true},

		// ErrClientMismatch.
		{name: "aud missing", token: idToken(cognitotest.WithoutClaim("aud")), reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "aud empty", token: idToken(cognitotest.WithClaim("aud", "")), reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "aud an array, even holding the client", token: idToken(cognitotest.WithClaim("aud", []string{"frozenclient1"})), reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "ID token of an unknown app client", token: idToken(cognitotest.WithClientID("otherclient")), reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "client ID compared case-sensitively", token: idToken(cognitotest.WithClientID("FROZENCLIENT1")), reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "access token with aud but no client_id", use: verifier.AccessToken,
			token:  accessToken(cognitotest.WithoutClaim("client_id"), cognitotest.WithClaim("aud", "frozenclient1")),
			reason: verifier.ErrClientMismatch, claim: "client_id", fetched: true},
		{name: "ID token with client_id but no aud",
			token:  idToken(cognitotest.WithoutClaim("aud"), cognitotest.WithClaim("client_id", "frozenclient1")),
			reason: verifier.ErrClientMismatch, claim: "aud", fetched: true},
		{name: "access token of an unknown app client", use: verifier.AccessToken, token: accessToken(cognitotest.WithClientID("otherclient")),
			reason: verifier.ErrClientMismatch, claim: "client_id", fetched: true},
		{name: "client-credentials token of an unknown app client", use: verifier.AccessToken,
			token: func(_ *testing.T, p *cognitotest.Pool) string {
				return p.ClientCredentialsToken([]string{"api/read"}, cognitotest.WithClientID("otherclient"))
			}, reason: verifier.ErrClientMismatch, claim: "client_id", fetched: true},

		// ErrJWKSUnavailable: the key URL answers 404.
		{name: "JWKS endpoint answers 404", token: idToken(),
			cfg:    func(c *verifier.Config, _ string) { c.JWKSURL += ".missing" },
			reason: verifier.ErrJWKSUnavailable, claim: "header.kid", fetched: true},

		// ErrCustomCheck.
		{name: "custom check refuses", token: idToken(),
			cfg: func(c *verifier.Config, _ string) {
				c.CustomCheck = func(context.Context, *claims.Claims) error { return errRefusedByHook }
			}, reason: verifier.ErrCustomCheck, fetched: true},
	}
}

// TestVerifyRejects covers every sentinel error and the negative cases that apply
// to a Cognito verifier: the reason (errors.Is), the claim at fault
// (errors.As), no claims with an error, no token text in the error, and no
// network for refusals that come before the key lookup.
func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	for _, tc := range rejectCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			use := tc.use
			if use == 0 {
				use = verifier.IDToken
			}
			token := tc.token(t, p)
			cfg := p.Config(use)
			if tc.cfg != nil {
				tc.cfg(&cfg, token)
			}
			v := buildVerifier(t, cfg)
			c, err := v.Verify(context.Background(), token)
			if tc.reason == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.Username != "alice" {
					t.Errorf("Username = %q, want alice", c.Username)
				}
			} else {
				checkRejected(t, c, err, token, tc.reason, tc.claim)
			}
			var fetches int64
			for _, s := range v.KeyStats() {
				fetches += s.Fetches
			}
			if want := map[bool]int64{false: 0, true: 1}[tc.fetched]; fetches != want {
				t.Errorf("JWKS fetches = %d, want %d", fetches, want)
			}
		})
	}
}

// TestVerifyCustomCheckErrorIsWrapped shows the hook's own error stays
// reachable through errors.Is next to ErrCustomCheck.
func TestVerifyCustomCheckErrorIsWrapped(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	cfg := p.Config(verifier.IDToken)
	cfg.CustomCheck = func(context.Context, *claims.Claims) error { return errRefusedByHook }
	v := buildVerifier(t, cfg)
	_, err := v.Verify(context.Background(), idToken()(t, p))
	if !errors.Is(err, verifier.ErrCustomCheck) || !errors.Is(err, errRefusedByHook) {
		t.Fatalf("err = %v, want both ErrCustomCheck and the hook's error", err)
	}
}

// TestVerifyErrorValueBounded checks that attacker-chosen claim values are
// quoted and cut short in errors, so a 6 KB iss cannot flood logs.
func TestVerifyErrorValueBounded(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	v := buildVerifier(t, p.Config(verifier.IDToken))
	long := "https://evil.example/" + strings.Repeat("x\n", 3000)
	token := idToken(cognitotest.WithClaim("iss", long))(t, p)
	ve := expectRejected(t, v, token, verifier.ErrIssuerMismatch, "iss")
	// 64 bytes of input at most, each escaped to at most 4 bytes, plus quotes and "...".
	if len(ve.Value) > 64*4+5 || !strings.HasSuffix(ve.Value, `"...`) {
		t.Errorf("Value = %s (%d bytes), want a truncated quote", ve.Value, len(ve.Value))
	}
	if strings.Contains(ve.Error(), "\n") {
		t.Errorf("error text holds a raw newline: %q", ve.Error())
	}
}

// TestVerifyDuplicateClaims pins the duplicate-key policy: as in encoding/json the
// last of duplicate keys wins, in the checks and in Raw alike.
func TestVerifyDuplicateClaims(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	v := buildVerifier(t, p.Config(verifier.IDToken))
	kid, _ := p.SigningKey()
	header := `{"kid":"` + kid + `","alg":"RS256"}`
	body := func(first, second string) string {
		return `{"iss":"` + first + `","iss":"` + second + `","token_use":"id","aud":"frozenclient1",` +
			`"sub":"s","cognito:username":"bob","iat":` + itoa(epochSec) + `,"exp":` + itoa(epochSec+3600) + `}`
	}
	other := "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"

	t.Run("last duplicate iss wins (accepted)", func(t *testing.T) {
		c := mustVerify(t, v, signRaw(p, header, body(other, p.Issuer())))
		if c.Issuer != p.Issuer() {
			t.Errorf("Issuer = %q", c.Issuer)
		}
		if got, _ := c.Get("iss"); got != p.Issuer() {
			t.Errorf("Raw iss = %v, want the last duplicate", got)
		}
	})
	t.Run("last duplicate iss wins (refused)", func(t *testing.T) {
		expectRejected(t, v, signRaw(p, header, body(p.Issuer(), other)), verifier.ErrIssuerMismatch, "iss")
	})
	t.Run("keys match exactly, not case-insensitively", func(t *testing.T) {
		tok := signRaw(p, header, `{"ISS":"`+p.Issuer()+`","token_use":"id","aud":"frozenclient1","exp":`+itoa(epochSec+3600)+`}`)
		expectRejected(t, v, tok, verifier.ErrIssuerMismatch, "iss")
	})
	t.Run("duplicate header alg: last wins", func(t *testing.T) {
		h := `{"kid":"` + kid + `","alg":"RS256","alg":"none"}`
		tok := signRaw(p, h, body(p.Issuer(), p.Issuer()))
		expectRejected(t, v, tok, verifier.ErrAlgorithm, "header.alg")
	})
}

// TestVerifyTokenUses runs ID, access and client-credentials tokens against
// pools accepting each TokenUse.
func TestVerifyTokenUses(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	tokens := map[string]string{
		"id":     p.IDToken(cognitotest.User{Username: "alice"}),
		"access": p.AccessToken(cognitotest.User{Username: "alice"}),
		"m2m":    p.ClientCredentialsToken([]string{"api/read"}),
	}
	for _, tc := range []struct {
		use      verifier.TokenUse
		accepted map[string]bool
	}{
		{verifier.IDToken, map[string]bool{"id": true}},
		{verifier.AccessToken, map[string]bool{"access": true, "m2m": true}},
		{verifier.AnyToken, map[string]bool{"id": true, "access": true, "m2m": true}},
	} {
		for _, kind := range []string{"id", "access", "m2m"} {
			t.Run(tc.use.String()+" pool/"+kind+" token", func(t *testing.T) {
				t.Parallel()
				v := buildVerifier(t, p.Config(tc.use))
				if tc.accepted[kind] {
					mustVerify(t, v, tokens[kind])
				} else {
					expectRejected(t, v, tokens[kind], verifier.ErrTokenUseMismatch, "token_use")
				}
			})
		}
	}
}

// TestVerifyClaims checks what a verified token hands back, for each kind of
// token Cognito issues.
func TestVerifyClaims(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	v := buildVerifier(t, p.Config(verifier.AnyToken))
	user := cognitotest.User{
		Username: "alice", Sub: "6f1c3c1e-1111-4222-8333-944444444444",
		Email: "alice@example.com", EmailVerified: true,
		Groups:        []string{"admin", "dev ops"},
		Roles:         []string{"arn:aws:iam::123456789012:role/Admin"},
		PreferredRole: "arn:aws:iam::123456789012:role/Admin",
		Custom:        map[string]string{"tenant": "acme"},
	}

	t.Run("ID token", func(t *testing.T) {
		t.Parallel()
		c := mustVerify(t, v, p.IDToken(user, cognitotest.WithClientID("frozenclient2")))
		checkEq(t, "TokenUse", c.TokenUse, claims.TokenUseID)
		checkEq(t, "Issuer", c.Issuer, p.Issuer())
		checkEq(t, "Subject", c.Subject, user.Sub)
		checkEq(t, "Username", c.Username, "alice")
		checkEq(t, "ClientID", c.ClientID, "frozenclient2")
		checkEq(t, "Email", c.Email, "alice@example.com")
		checkEq(t, "EmailVerified", c.EmailVerified, true)
		checkEq(t, "PreferredRole", c.PreferredRole, user.PreferredRole)
		checkEq(t, "ExpiresAt", c.ExpiresAt, epoch.Add(time.Hour).UTC())
		checkEq(t, "IssuedAt", c.IssuedAt, epoch.UTC())
		checkEq(t, "AuthTime", c.AuthTime, epoch.UTC())
		if !c.InAllGroups("admin", "dev ops") || c.InGroup("dev") || len(c.Roles) != 1 {
			t.Errorf("Groups = %q, Roles = %q", c.Groups, c.Roles)
		}
		if tenant, ok := c.CustomAttribute("tenant"); !ok || tenant != "acme" {
			t.Errorf("custom:tenant = %q, %v", tenant, ok)
		}
		if c.JTI == "" || c.OriginJTI == "" || c.EventID == "" {
			t.Errorf("jti/origin_jti/event_id missing: %q %q %q", c.JTI, c.OriginJTI, c.EventID)
		}
		if c.IsMachine() {
			t.Error("an ID token is not a machine token")
		}
	})
	t.Run("access token", func(t *testing.T) {
		t.Parallel()
		c := mustVerify(t, v, p.AccessToken(user, cognitotest.WithScopes("openid", "profile", "api/read")))
		checkEq(t, "TokenUse", c.TokenUse, claims.TokenUseAccess)
		checkEq(t, "Username", c.Username, "alice")
		checkEq(t, "ClientID", c.ClientID, "frozenclient1")
		if !c.HasAllScopes("openid", "profile", "api/read") || c.HasScope("api") || !c.InGroup("admin") {
			t.Errorf("Scopes = %q, Groups = %q", c.Scopes, c.Groups)
		}
		if c.IsMachine() {
			t.Error("a user's access token is not a machine token")
		}
	})
	t.Run("client-credentials token", func(t *testing.T) {
		t.Parallel()
		c := mustVerify(t, v, p.ClientCredentialsToken([]string{"https://api.example.com/read"}, cognitotest.WithClientID("frozenclient2")))
		if !c.IsMachine() {
			t.Errorf("IsMachine() = false for %+v", c)
		}
		checkEq(t, "Subject", c.Subject, "frozenclient2")
		checkEq(t, "ClientID", c.ClientID, "frozenclient2")
		checkEq(t, "Username", c.Username, "")
		if !c.HasScope("https://api.example.com/read") || len(c.Groups) != 0 {
			t.Errorf("Scopes = %q, Groups = %q", c.Scopes, c.Groups)
		}
	})
}

// TestVerifySkipClientIDCheck shows the explicit opt-out accepts any app
// client of the pool, but still checks everything else.
func TestVerifySkipClientIDCheck(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	cfg := p.Config(verifier.AnyToken)
	cfg.ClientIDs, cfg.SkipClientIDCheck = nil, true
	v := buildVerifier(t, cfg)
	mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClientID("anyclient")))
	mustVerify(t, v, p.AccessToken(cognitotest.User{}, cognitotest.WithClientID("anyclient")))
	expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("token_use", "refresh")), verifier.ErrTokenUseMismatch, "token_use")
}

func checkEq[T comparable](t *testing.T, field string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", field, got, want)
	}
}

// nonCanonical changes the last character of a base64url segment whose
// length leaves spare bits so that those bits are no longer zero.
func nonCanonical(seg string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	if len(seg)%4 == 0 {
		panic("segment has no spare bits")
	}
	v := strings.IndexByte(alphabet, seg[len(seg)-1])
	return seg[:len(seg)-1] + string(alphabet[v|1])
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
