package jwks_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// testKeys are generated once per test binary: RSA generation is slow.
type testKeys struct {
	rsa1, rsa2 *rsa.PrivateKey
	rsaSmall   *rsa.PrivateKey // 1024 bits, under MinRSABits
	ec256      *ecdsa.PrivateKey
	ed         ed25519.PublicKey
}

var (
	keysOnce sync.Once
	keysVal  testKeys
)

func keys(t testing.TB) testKeys {
	t.Helper()
	keysOnce.Do(func() {
		must := func(k *rsa.PrivateKey, err error) *rsa.PrivateKey {
			if err != nil {
				panic(err)
			}
			return k
		}
		keysVal.rsa1 = must(rsa.GenerateKey(rand.Reader, 2048))
		keysVal.rsa2 = must(rsa.GenerateKey(rand.Reader, 2048))
		keysVal.rsaSmall = must(rsa.GenerateKey(rand.Reader, 1024))
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		keysVal.ec256 = ec
		keysVal.ed, _, _ = ed25519.GenerateKey(rand.Reader)
	})
	return keysVal
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// rsaJWK is the JWK of k's public key as Cognito publishes it.
func rsaJWK(k *rsa.PrivateKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
	}
}

func ecJWK(k *ecdsa.PrivateKey, kid string) map[string]any {
	point, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	return map[string]any{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": kid,
		"x": b64(point[1:33]), "y": b64(point[33:]),
	}
}

func edJWK(k ed25519.PublicKey, kid string) map[string]any {
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(k)}
}

// edit returns a copy of jwk with change applied.
func edit(jwk map[string]any, change func(map[string]any)) map[string]any {
	out := make(map[string]any, len(jwk))
	for k, v := range jwk {
		out[k] = v
	}
	change(out)
	return out
}

// document marshals {"keys": keys}.
func document(t testing.TB, keys ...any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseSkipsUnusableKeys: every key that cannot be used is skipped and
// reported with its position and kid; the others make the set.
func TestParseSkipsUnusableKeys(t *testing.T) {
	t.Parallel()
	k := keys(t)
	good := rsaJWK(k.rsa1, "good")
	type skip struct {
		index int
		kid   string
	}
	for _, tc := range []struct {
		name    string
		keys    []any
		wantIDs []string
		skipped []skip
	}{
		{"all usable, document order kept",
			[]any{rsaJWK(k.rsa2, "b"), good, ecJWK(k.ec256, "ec")},
			[]string{"b", "good", "ec"}, nil},
		{"OKP (Ed25519) keys skipped: no supported algorithm uses them",
			[]any{rsaJWK(k.rsa2, "b"), edJWK(k.ed, "ed"), good}, []string{"b", "good"}, []skip{{1, "ed"}}},
		{"no kid", []any{edit(rsaJWK(k.rsa2, ""), func(m map[string]any) { delete(m, "kid") }), good},
			[]string{"good"}, []skip{{0, ""}}},
		{"empty kid", []any{rsaJWK(k.rsa2, ""), good}, []string{"good"}, []skip{{0, ""}}},
		{"use enc", []any{edit(rsaJWK(k.rsa2, "enc"), func(m map[string]any) { m["use"] = "enc" }), good},
			[]string{"good"}, []skip{{0, "enc"}}},
		{"use absent is fine", []any{edit(rsaJWK(k.rsa2, "nouse"), func(m map[string]any) { delete(m, "use") })},
			[]string{"nouse"}, nil},
		{"kty oct", []any{map[string]any{"kty": "oct", "kid": "hmac", "k": b64([]byte("a shared secret key"))}, good},
			[]string{"good"}, []skip{{0, "hmac"}}},
		// jwx itself refuses RSA keys under 2048 bits, before the kid is read.
		{"RSA under 2048 bits", []any{rsaJWK(k.rsaSmall, "small"), good}, []string{"good"}, []skip{{0, ""}}},
		{"bad base64 in n", []any{edit(rsaJWK(k.rsa2, "badn"), func(m map[string]any) { m["n"] = "!!not base64!!" }), good},
			[]string{"good"}, []skip{{0, ""}}},
		{"n missing", []any{edit(rsaJWK(k.rsa2, "non"), func(m map[string]any) { delete(m, "n") }), good},
			[]string{"good"}, []skip{{0, ""}}},
		{"EC key without y", []any{edit(ecJWK(k.ec256, "ec"), func(m map[string]any) { delete(m, "y") }), good},
			[]string{"good"}, []skip{{0, ""}}},
		{"kty a number", []any{map[string]any{"kty": 5, "kid": "x"}, good}, []string{"good"}, []skip{{0, ""}}},
		{"a key that is not an object", []any{"garbage", 7, nil, good}, []string{"good"}, []skip{{0, ""}, {1, ""}, {2, ""}}},
		{"private RSA key published by mistake: public half used", []any{privateRSAJWK(k.rsa2, "priv")}, []string{"priv"}, nil},
		{"duplicate kid: the first wins, the later are reported",
			[]any{rsaJWK(k.rsa1, "dup"), rsaJWK(k.rsa2, "dup"), rsaJWK(k.rsa2, "other"), ecJWK(k.ec256, "dup")},
			[]string{"dup", "other"}, []skip{{1, "dup"}, {3, "dup"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set, skipped, err := jwks.Parse(document(t, tc.keys...))
			if err != nil {
				t.Fatalf("Parse: %v (skipped %v)", err, skipped)
			}
			if got := set.KeyIDs(); !slices.Equal(got, tc.wantIDs) {
				t.Errorf("KeyIDs = %q, want %q", got, tc.wantIDs)
			}
			if set.Len() != len(tc.wantIDs) {
				t.Errorf("Len = %d", set.Len())
			}
			if len(skipped) != len(tc.skipped) {
				t.Fatalf("skipped = %v, want %d entries", skipped, len(tc.skipped))
			}
			for i, want := range tc.skipped {
				var se *jwks.SkippedKeyError
				if !errors.As(skipped[i], &se) {
					t.Fatalf("skipped[%d] = %T, want *jwks.SkippedKeyError", i, skipped[i])
				}
				if se.Index != want.index || se.KeyID != want.kid || se.Reason == "" {
					t.Errorf("skipped[%d] = %+v, want index %d kid %q", i, se, want.index, want.kid)
				}
			}
		})
	}
}

// TestParseDuplicateKidKeepsFirstKey checks the policy on the key itself.
func TestParseDuplicateKidKeepsFirstKey(t *testing.T) {
	t.Parallel()
	k := keys(t)
	set, _, err := jwks.Parse(document(t, rsaJWK(k.rsa1, "dup"), rsaJWK(k.rsa2, "dup")))
	if err != nil {
		t.Fatal(err)
	}
	key, ok := set.Key("dup")
	if !ok || !k.rsa1.PublicKey.Equal(key.Public) {
		t.Fatalf("Key(dup) = %v, %v; want the first key of the document", key, ok)
	}
}

// TestParseKeyFields checks what a usable key carries.
func TestParseKeyFields(t *testing.T) {
	t.Parallel()
	k := keys(t)
	set, _, err := jwks.Parse(document(t, rsaJWK(k.rsa1, "r"), ecJWK(k.ec256, "e")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		kid, kty, use, alg, crv string
		pub                     interface{ Equal(crypto.PublicKey) bool }
	}{
		{"r", "RSA", "sig", "RS256", "", &k.rsa1.PublicKey},
		{"e", "EC", "", "ES256", "P-256", &k.ec256.PublicKey},
	} {
		got, ok := set.Key(want.kid)
		if !ok {
			t.Fatalf("Key(%q) missing", want.kid)
		}
		if got.ID != want.kid || got.Type != want.kty || got.Use != want.use || got.Algorithm != want.alg || got.Curve != want.crv {
			t.Errorf("Key(%q) = %+v", want.kid, got)
		}
		if !want.pub.Equal(got.Public) {
			t.Errorf("Key(%q).Public is not the published key", want.kid)
		}
	}
	if _, ok := set.Key("absent"); ok {
		t.Error("Key(absent) found")
	}
	ids := set.KeyIDs()
	ids[0] = "changed"
	if set.KeyIDs()[0] != "r" {
		t.Error("KeyIDs returned the set's own slice")
	}
	var nilSet *jwks.Set
	if _, ok := nilSet.Key("r"); ok || nilSet.Len() != 0 {
		t.Error("a nil *Set is not empty")
	}
}

// TestParseRefusesDocuments: a document that is not an object with a keys
// array, or that has no usable key, is an error.
func TestParseRefusesDocuments(t *testing.T) {
	t.Parallel()
	k := keys(t)
	for _, tc := range []struct {
		name     string
		doc      string
		noUsable bool // ErrNoUsableKeys rather than a shape error
	}{
		{"empty", "", false},
		{"not JSON", "<html>Service Unavailable</html>", false},
		{"JSON null", "null", false},
		{"a JSON array", `[{"kty":"RSA"}]`, false},
		{"a JSON string", `"keys"`, false},
		{"trailing garbage", string(document(t, rsaJWK(k.rsa1, "a"))) + "}", false},
		{"no keys member", `{}`, false},
		{"keys null", `{"keys":null}`, false},
		{"keys an object", `{"keys":{"kid":"a"}}`, false},
		{"keys a number", `{"keys":5}`, false},
		{"keys empty", `{"keys":[]}`, true},
		{"only unusable keys", string(document(t, rsaJWK(k.rsaSmall, "small"), map[string]any{"kty": "oct", "kid": "s", "k": "c2VjcmV0"})), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			set, _, err := jwks.Parse([]byte(tc.doc))
			if err == nil || set != nil {
				t.Fatalf("Parse = %v, %v; want an error and no set", set, err)
			}
			if errors.Is(err, jwks.ErrNoUsableKeys) != tc.noUsable {
				t.Errorf("err = %v; ErrNoUsableKeys expected: %v", err, tc.noUsable)
			}
			if !strings.HasPrefix(err.Error(), "jwks: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestSkippedKeyErrorTruncatesKid: kids come from documents we do not
// control; reports stay short.
func TestSkippedKeyErrorTruncatesKid(t *testing.T) {
	t.Parallel()
	k := keys(t)
	long := strings.Repeat("k", 5000)
	enc := edit(rsaJWK(k.rsa2, long), func(m map[string]any) { m["use"] = "enc" })
	_, skipped, err := jwks.Parse(document(t, enc, rsaJWK(k.rsa1, "ok")))
	if err != nil || len(skipped) != 1 {
		t.Fatalf("Parse: %v, skipped %v", err, skipped)
	}
	if msg := skipped[0].Error(); len(msg) > 300 || !strings.Contains(msg, "...") {
		t.Errorf("report is %d bytes: %.100q", len(msg), msg)
	}
}

func privateRSAJWK(k *rsa.PrivateKey, kid string) map[string]any {
	m := rsaJWK(k, kid)
	m["d"] = b64(k.D.Bytes())
	m["p"] = b64(k.Primes[0].Bytes())
	m["q"] = b64(k.Primes[1].Bytes())
	return m
}
