// Package hostile builds a table of crafted tokens that a verifier must refuse,
// each named and paired with the sentinel error it must be refused with, plus
// a few positive controls that must be accepted (so that a refusal is known to
// come from the crafted defect and not from a broken fixture).
//
// The table is generated, not stored: every run mints the tokens afresh from a
// cognitotest pool, so new cases are added here and the whole table regrows.
//
//	pool, _ := cognitotest.NewPool(cognitotest.Options{Now: clock})
//	att, _ := hostile.NewAttacker()
//	cases, _ := hostile.Cases(hostile.Env{Pool: pool, Attacker: att, Now: clock(), ElsewhereURL: srv.URL})
//	for _, tc := range cases {
//		v, _ := verifier.New(tc.Verifier.Config(pool))
//		_, err := v.Verify(ctx, tc.Token) // errors.Is(err, tc.Want)
//	}
//
// Nothing here belongs in a production binary.
package hostile

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Variant names the verifier configuration a case runs against. All variants
// trust the pool's JWKS URL only and use the pool's clock.
type Variant int

const (
	// AnyToken accepts ID and access tokens of the pool's clients, RS256 only.
	AnyToken Variant = iota
	// IDOnly accepts ID tokens only.
	IDOnly
	// AccessOnly accepts access tokens only.
	AccessOnly
	// AllAlgorithms is AnyToken with every asymmetric algorithm the verifier
	// supports allowed, so that alg/key disagreement is caught by the key
	// check rather than by the allow list.
	AllAlgorithms
	// RequireAdmin is AnyToken with a CustomCheck that requires
	// InGroup(AdminGroup), as an authorization layer would.
	RequireAdmin
	// LargeTokens is AnyToken with MaxTokenSize raised to 1 MiB, so that
	// parsing limits (JSON nesting depth) are reached behind the size cap.
	LargeTokens
)

// AdminGroup is the group RequireAdmin demands.
const AdminGroup = "admin"

// ErrNotAdmin is the CustomCheck error of RequireAdmin.
var ErrNotAdmin = errors.New("hostile: not in group " + AdminGroup)

func (v Variant) String() string {
	switch v {
	case AnyToken:
		return "any-token"
	case IDOnly:
		return "id-only"
	case AccessOnly:
		return "access-only"
	case AllAlgorithms:
		return "all-algorithms"
	case RequireAdmin:
		return "require-admin"
	case LargeTokens:
		return "large-tokens"
	}
	return fmt.Sprintf("Variant(%d)", int(v))
}

// Variants lists every Variant, for tests that build one verifier of each.
func Variants() []Variant {
	return []Variant{AnyToken, IDOnly, AccessOnly, AllAlgorithms, RequireAdmin, LargeTokens}
}

// Config returns the verifier configuration of v for pool p.
func (v Variant) Config(p *cognitotest.Pool) verifier.Config {
	cfg := p.Config(verifier.AnyToken)
	switch v {
	case IDOnly:
		cfg.TokenUse = verifier.IDToken
	case AccessOnly:
		cfg.TokenUse = verifier.AccessToken
	case AllAlgorithms:
		cfg.AllowedAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
	case RequireAdmin:
		cfg.CustomCheck = func(_ context.Context, c *claims.Claims) error {
			if !c.InGroup(AdminGroup) {
				return ErrNotAdmin
			}
			return nil
		}
	case LargeTokens:
		cfg.MaxTokenSize = 1 << 20
	}
	return cfg
}

// Case is one crafted token.
type Case struct {
	Name  string
	Token string
	// Want is the sentinel (verifier.Err*) Verify must return; nil marks a
	// positive control, which Verify must accept.
	Want     error
	Verifier Variant
}

// Attacker holds keys the pool does not trust: what an attacker can sign
// with and point a token at.
type Attacker struct {
	RSA  *rsa.PrivateKey
	EC   *ecdsa.PrivateKey // P-256
	Cert []byte            // self-signed X.509 (DER) for RSA
	KID  string            // the kid the attacker publishes
}

// NewAttacker generates the attacker's keys.
func NewAttacker() (*Attacker, error) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "attacker"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Unix(1<<33, 0),
	}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rk.PublicKey, rk)
	if err != nil {
		return nil, err
	}
	return &Attacker{RSA: rk, EC: ek, Cert: cert, KID: "attacker-key-1"}, nil
}

// PublicJWK returns the attacker's RSA public key as a JWK object.
func (a *Attacker) PublicJWK() map[string]any {
	return map[string]any{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": a.KID,
		"n": b64(a.RSA.N.Bytes()), "e": b64(big.NewInt(int64(a.RSA.E)).Bytes()),
	}
}

// JWKS returns the attacker's key set document, what a server at a jku URL
// would serve.
func (a *Attacker) JWKS() []byte {
	b, _ := json.Marshal(map[string]any{"keys": []any{a.PublicJWK()}})
	return b
}

// Env is what Cases needs.
type Env struct {
	// Pool signs the tokens; the verifier trusts its keys. Its clock must
	// read Now.
	Pool *cognitotest.Pool
	// Attacker signs the tokens the pool would not.
	Attacker *Attacker
	// ElsewhereURL is the base URL of a server no verification may contact;
	// jku and x5u headers point under it.
	ElsewhereURL string
	// Now is the verifier's clock reading.
	Now time.Time
}

// Cases builds the table. Names are unique.
func Cases(env Env) ([]Case, error) {
	if env.Pool == nil || env.Attacker == nil || env.ElsewhereURL == "" || env.Now.IsZero() {
		return nil, errors.New("hostile: Env needs Pool, Attacker, ElsewhereURL and Now")
	}
	g := newGen(env)
	for _, add := range []func(*gen){
		algNone, hmacConfusion, otherAlgorithms, kids, keyLocations, crit,
		signatures, tampering, segments, encodings, issuers, tokenUses,
		clients, expiry, notBefore, duplicateKeys, nesting, sizes, groups, order, costs,
	} {
		add(g)
	}
	if g.err != nil {
		return nil, g.err
	}
	seen := make(map[string]bool, len(g.cases))
	for _, c := range g.cases {
		if seen[c.Name] {
			return nil, fmt.Errorf("hostile: duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
	}
	return g.cases, nil
}

// gen accumulates cases and holds the material they share.
type gen struct {
	env   Env
	pool  *cognitotest.Pool
	att   *Attacker
	kid   string
	key   *rsa.PrivateKey
	now   int64
	user  cognitotest.User
	cases []Case
	err   error
}

func newGen(env Env) *gen {
	kid, key := env.Pool.SigningKey()
	return &gen{
		env: env, pool: env.Pool, att: env.Attacker, kid: kid, key: key, now: env.Now.Unix(),
		user: cognitotest.User{Username: "mallory", Email: "mallory@example.com", Groups: []string{"readers"}},
	}
}

func (g *gen) add(name string, want error, token string) {
	g.cases = append(g.cases, Case{Name: name, Token: token, Want: want, Verifier: AnyToken})
}

func (g *gen) addFor(v Variant, name string, want error, token string) {
	g.cases = append(g.cases, Case{Name: name, Token: token, Want: want, Verifier: v})
}

// access and id mint ordinary tokens of the pool for the default user.
func (g *gen) access(opts ...cognitotest.TokenOption) string {
	return g.pool.AccessToken(g.user, opts...)
}
func (g *gen) id(opts ...cognitotest.TokenOption) string { return g.pool.IDToken(g.user, opts...) }

// header returns the pool's usual header with changes; a nil value deletes.
func (g *gen) header(kv ...any) map[string]any {
	h := map[string]any{"alg": "RS256", "kid": g.kid}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(h, kv[i].(string))
		} else {
			h[kv[i].(string)] = kv[i+1]
		}
	}
	return h
}

// payload returns the claims of a freshly minted access token, numbers kept
// exact, with changes; a nil value deletes.
func (g *gen) payload(kv ...any) map[string]any {
	p := decodeSegment(strings.Split(g.access(), ".")[1])
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(p, kv[i].(string))
		} else {
			p[kv[i].(string)] = kv[i+1]
		}
	}
	return p
}

// signed signs raw header and payload JSON with the pool key (RS256), byte
// for byte as given.
func (g *gen) signed(header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	return input + "." + b64(cognitotest.SignRS256(g.key, input))
}

// withSig assembles header and payload maps with the given signature bytes.
func withSig(header, payload map[string]any, sig []byte) string {
	return seg(header) + "." + seg(payload) + "." + b64(sig)
}

func seg(v any) string { return b64(mustJSON(v)) }

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hostile: marshal: %v", err)) // only literal values are marshaled
	}
	return b
}

func decodeSegment(s string) map[string]any {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("hostile: minted segment: %v", err))
	}
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		panic(fmt.Sprintf("hostile: minted segment: %v", err))
	}
	return m
}

// parts splits a minted token.
func parts(token string) (header, payload, sig string) {
	p := strings.SplitN(token, ".", 3)
	return p[0], p[1], p[2]
}

func sigBytes(token string) []byte {
	_, _, s := parts(token)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		panic(fmt.Sprintf("hostile: minted signature: %v", err))
	}
	return b
}
