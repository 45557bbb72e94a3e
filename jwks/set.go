package jwks

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// MinRSABits is the smallest RSA modulus accepted. Cognito uses 2048.
const MinRSABits = 2048

// Key is one usable public signing key.
type Key struct {
	ID        string // kid
	Type      string // kty: "RSA" or "EC"
	Use       string // use: "sig" or empty
	Algorithm string // alg as published, or empty
	Curve     string // crv for EC keys
	// Public is *rsa.PublicKey or *ecdsa.PublicKey.
	Public crypto.PublicKey
}

// Set is an immutable set of keys indexed by kid.
type Set struct {
	keys map[string]*Key
	ids  []string
}

// Key returns the key with the given kid.
func (s *Set) Key(kid string) (*Key, bool) {
	if s == nil {
		return nil, false
	}
	k, ok := s.keys[kid]
	return k, ok
}

// Len returns the number of usable keys.
func (s *Set) Len() int {
	if s == nil {
		return 0
	}
	return len(s.ids)
}

// KeyIDs returns the kids in document order (nil for a nil Set).
func (s *Set) KeyIDs() []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s.ids...)
}

// ErrNoUsableKeys is returned by Parse when a set holds no key that can verify
// a signature. A fetch that yields it counts as failed: the keys served so far
// are kept.
var ErrNoUsableKeys = errors.New("jwks: no usable keys in set")

// SkippedKeyError explains why one key of a set was not used.
type SkippedKeyError struct {
	Index  int    // position in the "keys" array
	KeyID  string // kid, if the key had one
	Reason string
}

func (e *SkippedKeyError) Error() string {
	if e == nil {
		return "jwks: <nil SkippedKeyError>"
	}
	return fmt.Sprintf("jwks: key %d (kid %q) skipped: %s", e.Index, truncate(e.KeyID), e.Reason)
}

// Parse parses a JWKS document. It fails only when the document is not a JSON
// object with a "keys" array, or when no key in it is usable; the keys it
// skipped are returned as *SkippedKeyError values. A key is usable when an
// algorithm jwks knows (RS256, RS384, RS512, PS256, PS384, PS512, ES256,
// ES384, ES512) can verify with it: OKP (Ed25519) keys are skipped. A Cache
// narrows that to Options.AllowedAlgorithms.
func Parse(data []byte) (*Set, []error, error) { return parse(data, nil) }

// parse is Parse keeping only keys one of algs (nil: every known one) can use.
func parse(data []byte, algs []string) (*Set, []error, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
		return nil, nil, errors.New("jwks: document is not a JSON object")
	}
	var raws []json.RawMessage
	if r, ok := doc["keys"]; !ok || len(r) == 0 || r[0] != '[' || json.Unmarshal(r, &raws) != nil {
		return nil, nil, errors.New(`jwks: document has no "keys" array`)
	}
	s := &Set{keys: make(map[string]*Key, len(raws))}
	var skipped []error
	for i, raw := range raws {
		k, err := parseKey(raw)
		if err == nil {
			err = usable(k, algs)
		}
		if err == nil && s.keys[k.ID] != nil {
			err = errors.New("duplicate kid; the first key with it is used")
		}
		if err != nil {
			kid := ""
			if k != nil {
				kid = k.ID
			}
			skipped = append(skipped, &SkippedKeyError{Index: i, KeyID: kid, Reason: err.Error()})
			continue
		}
		s.keys[k.ID] = k
		s.ids = append(s.ids, k.ID)
	}
	if len(s.ids) == 0 {
		return nil, skipped, ErrNoUsableKeys
	}
	return s, skipped, nil
}

// parseKey returns the key even on error when its kid is known, for reports.
func parseKey(raw json.RawMessage) (*Key, error) {
	jk, err := jwk.ParseKey(raw)
	if err != nil {
		return nil, fmt.Errorf("not a valid JWK: %w", err)
	}
	k := &Key{Type: jk.KeyType().String()}
	k.ID, _ = jk.KeyID()
	if k.ID == "" {
		return k, errors.New("no kid")
	}
	k.Use, _ = jk.KeyUsage()
	if k.Use != "" && k.Use != "sig" {
		return k, fmt.Errorf("use %q is not sig", k.Use)
	}
	if alg, ok := jk.Algorithm(); ok {
		k.Algorithm = alg.String()
	}
	pub, err := jwk.PublicRawKeyOf(jk)
	if err != nil {
		return k, fmt.Errorf("no public key: %w", err)
	}
	switch p := pub.(type) {
	case *rsa.PublicKey:
		if k.Type != "RSA" {
			return k, fmt.Errorf("kty %q holds an RSA key", k.Type)
		}
		if p.N.BitLen() < MinRSABits {
			return k, fmt.Errorf("RSA modulus of %d bits is under %d", p.N.BitLen(), MinRSABits)
		}
		// crypto/rsa refuses these keys on every verification; holding one
		// would let a set of only such keys replace a good one.
		if p.N.Bit(0) == 0 || p.E < 3 || p.E%2 == 0 || p.E > 1<<31-1 {
			return k, errors.New("RSA key with an even modulus or an exponent crypto/rsa refuses")
		}
		k.Public = p
	case *ecdsa.PublicKey:
		if k.Type != "EC" {
			return k, fmt.Errorf("kty %q holds an EC key", k.Type)
		}
		k.Curve = p.Curve.Params().Name
		k.Public = p
	default: // OKP (Ed25519) among others: no supported algorithm uses them
		return k, fmt.Errorf("key type %q cannot verify signatures", k.Type)
	}
	return k, nil
}

// truncate keeps reports short: kids come from documents we do not control.
func truncate(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// algorithms are the JWS algorithms a key may serve, each with the key type
// (and curve) it needs. Cognito signs with RS256; ALB with ES256.
var algorithms = map[string]struct{ Type, Curve string }{
	"RS256": {"RSA", ""}, "RS384": {"RSA", ""}, "RS512": {"RSA", ""},
	"PS256": {"RSA", ""}, "PS384": {"RSA", ""}, "PS512": {"RSA", ""},
	"ES256": {"EC", "P-256"}, "ES384": {"EC", "P-384"}, "ES512": {"EC", "P-521"},
}

// usable reports why no algorithm of algs (nil: every one in algorithms)
// can verify with k, by key type and curve: a set is judged by what its
// keys can check, so a set of keys nobody can use never replaces working
// ones. A key whose published alg differs from the token's is kept: the
// verifier refuses that token with its own, clearer error.
func usable(k *Key, algs []string) error {
	ok := func(alg string) bool {
		a, known := algorithms[alg]
		return known && a.Type == k.Type && a.Curve == k.Curve
	}
	if algs == nil {
		for alg := range algorithms {
			if ok(alg) {
				return nil
			}
		}
	}
	for _, alg := range algs {
		if ok(alg) {
			return nil
		}
	}
	return fmt.Errorf("no allowed algorithm uses a %s key (crv %q)", k.Type, k.Curve)
}
