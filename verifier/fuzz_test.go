package verifier_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/internal/hostilejson"
	"github.com/cognitoauth/cognitoauth/verifier"
	"github.com/cognitoauth/cognitoauth/verifier/internal/hostile"
)

// fuzzNow is the fixed clock of FuzzVerify. The committed seeds in
// testdata/fuzz/FuzzVerify carry times relative to it (iat 1893553445, exp
// one hour later) and the kid of the first key of cognitotest's default pool.
var fuzzNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// FuzzVerify drives the whole Verify path. Each input is a raw token and a
// header/payload pair; the pair is assembled into a token and, when both are
// valid JSON, signed with the pool's key, so that mutations reach the claim
// checks and not only the parser. Both tokens go through a verifier with the
// default algorithms and one allowing every supported algorithm.
//
// Invariants: Verify never panics; a refusal is a *ValidationError wrapping
// exactly one sentinel, without claims, whose message does not contain the
// token; an accepted token has an RS256 signature by the pool's key (checked
// here with crypto/rsa) and, decoded here with encoding/json, a configured
// iss, token_use id or access, an allowed client on the right claim, and exp
// after now with nbf and iat not after now.
func FuzzVerify(f *testing.F) {
	fx := newFuzzFixture(f)
	valid := []string{
		fx.pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}}),
		fx.pool.IDToken(cognitotest.User{Username: "bob", Email: "bob@example.com", Custom: map[string]string{"tenant": "t1"}}),
		fx.pool.ClientCredentialsToken([]string{"api/read"}),
	}
	for _, tok := range valid {
		// The accepted-token invariants must be reachable: the fixtures verify.
		for _, v := range fx.verifiers {
			if _, err := v.Verify(context.Background(), tok); err != nil {
				f.Fatalf("minted token refused: %v", err)
			}
		}
		h, p := decodedParts(f, tok)
		f.Add(tok, h, p)
		f.Add("", h, p)
	}
	for _, tc := range fx.hostile {
		if len(tc.Token) <= 8<<10 { // larger ones slow mutation and minimization down
			f.Add(tc.Token, []byte(nil), []byte(nil))
		}
	}
	for _, sh := range hostilejson.Shapes() { // signed with the pool key by assemble
		iss := `"iss":"` + fx.pool.Issuer() + `","token_use":"id"`
		kid, _ := fx.pool.SigningKey()
		f.Add("", []byte(`{"alg":"RS256","kid":"`+kid+`"}`), sh.Payload(iss, 4<<10))
	}
	f.Fuzz(func(t *testing.T, token string, header, payload []byte) {
		fx.check(t, token)
		if len(header) > 0 || len(payload) > 0 {
			fx.check(t, fx.assemble(header, payload))
		}
	})
}

type fuzzFixture struct {
	pool      *cognitotest.Pool
	key       *rsa.PrivateKey
	verifiers []*verifier.Verifier
	issuers   []string
	clients   []string
	hostile   []hostile.Case
	dummySig  string
}

func newFuzzFixture(f *testing.F) *fuzzFixture {
	pool, err := cognitotest.NewPool(cognitotest.Options{Now: func() time.Time { return fuzzNow }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(pool.Close)
	_, key := pool.SigningKey()
	fx := &fuzzFixture{
		pool: pool, key: key, clients: pool.ClientIDs(),
		issuers:  []string{pool.Issuer(), strings.Replace(pool.Issuer(), "://cognito-idp.", "://issuer-cognito-idp.", 1)},
		dummySig: base64.RawURLEncoding.EncodeToString(make([]byte, 256)),
	}
	for _, algs := range [][]string{nil, {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}} {
		cfg := pool.Config(verifier.AnyToken)
		cfg.JWKS = pool.JWKS() // no fetch needed for the pool's own kid
		cfg.AllowedAlgorithms = algs
		v, err := verifier.New(cfg)
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(func() { v.Close() })
		fx.verifiers = append(fx.verifiers, v)
	}
	att, err := hostile.NewAttacker()
	if err != nil {
		f.Fatal(err)
	}
	// Nothing listens on the discard port; no case may contact it anyway.
	fx.hostile, err = hostile.Cases(hostile.Env{Pool: pool, Attacker: att, ElsewhereURL: "http://127.0.0.1:9", Now: fuzzNow})
	if err != nil {
		f.Fatal(err)
	}
	return fx
}

// assemble builds a token from raw header and payload bytes, signed by the
// pool when both are JSON (a parser refuses the others before any signature
// check, so a constant one saves an RSA signing per input).
func (fx *fuzzFixture) assemble(header, payload []byte) string {
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	if !json.Valid(header) || !json.Valid(payload) {
		return input + "." + fx.dummySig
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(fx.key, input))
}

func (fx *fuzzFixture) check(t *testing.T, token string) {
	t.Helper()
	for _, v := range fx.verifiers {
		c, err := v.Verify(context.Background(), token)
		if err != nil {
			if c != nil {
				t.Fatal("claims returned together with an error")
			}
			checkRefusal(t, err, token)
			continue
		}
		fx.checkAccepted(t, token, c)
	}
}

// checkAccepted re-derives, without the verifier's code, that an accepted
// token deserved it.
func (fx *fuzzFixture) checkAccepted(t *testing.T, token string, c *claims.Claims) {
	t.Helper()
	seg := strings.Split(token, ".")
	if len(seg) != 3 {
		t.Fatalf("accepted a token of %d segments", len(seg))
	}
	var hdr struct{ Alg string }
	if err := json.Unmarshal(mustB64(t, seg[0]), &hdr); err != nil || hdr.Alg != "RS256" {
		t.Fatalf("accepted a token with alg %q (%v)", hdr.Alg, err)
	}
	digest := sha256.Sum256([]byte(seg[0] + "." + seg[1]))
	if err := rsa.VerifyPKCS1v15(&fx.key.PublicKey, crypto.SHA256, digest[:], mustB64(t, seg[2])); err != nil {
		t.Fatalf("accepted a token the pool did not sign: %v", err)
	}
	var p map[string]any
	d := json.NewDecoder(bytes.NewReader(mustB64(t, seg[1])))
	if err := d.Decode(&p); err != nil {
		t.Fatalf("accepted a payload encoding/json cannot decode: %v", err)
	}
	iss, _ := p["iss"].(string)
	if !slices.Contains(fx.issuers, iss) {
		t.Fatalf("accepted iss %q", iss)
	}
	use, _ := p["token_use"].(string)
	clientClaim := map[string]string{"id": "aud", "access": "client_id"}[use]
	if clientClaim == "" {
		t.Fatalf("accepted token_use %v", p["token_use"])
	}
	if client, _ := p[clientClaim].(string); !slices.Contains(fx.clients, client) {
		t.Fatalf("accepted %s %v", clientClaim, p[clientClaim])
	}
	now := float64(fuzzNow.Unix())
	if exp, ok := p["exp"].(float64); !ok || !(exp > now) {
		t.Fatalf("accepted exp %v at %v", p["exp"], now)
	}
	for _, name := range []string{"nbf", "iat"} {
		if x, ok := p[name]; ok {
			if f, ok := x.(float64); !ok || f > now {
				t.Fatalf("accepted %s %v at %v", name, x, now)
			}
		}
	}
	base, ok := p["iat"].(float64)
	if !ok {
		base = now
	}
	if exp := p["exp"].(float64); exp-base > verifier.DefaultMaxTokenLifetime.Seconds() {
		t.Fatalf("accepted a lifetime of %v s", exp-base)
	}
	checkRawAgrees(t, c)
}

func mustB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatalf("accepted a segment that is not base64url: %v", err)
	}
	return b
}

func decodedParts(tb testing.TB, token string) (header, payload []byte) {
	tb.Helper()
	seg := strings.Split(token, ".")
	h, err1 := base64.RawURLEncoding.DecodeString(seg[0])
	p, err2 := base64.RawURLEncoding.DecodeString(seg[1])
	if err1 != nil || err2 != nil {
		tb.Fatalf("minted token does not decode: %v %v", err1, err2)
	}
	return h, p
}
