package verifier_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestVerifyNonRSAAlgorithms covers the algorithms a caller may add to
// AllowedAlgorithms: the header alg must fit the key's type and curve even
// when the JWK names no alg (stricter than aws-jwt-verify), and a malformed ECDSA signature is
// an invalid signature, not some other error (stricter than aws-jwt-verify).
func TestVerifyNonRSAAlgorithms(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	rsaKid, rsaKey := p.SigningKey()
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Keys []map[string]any }
	if err := json.Unmarshal(p.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	rsaNoAlg := doc.Keys[0]
	delete(rsaNoAlg, "alg")
	keySet, err := json.Marshal(map[string]any{"keys": []any{
		rsaNoAlg,
		ecJWK(p256, "p256", "P-256", 32, ""),
		ecJWK(p384, "p384", "P-384", 48, ""),
		ecJWK(p256, "p256-es256", "P-256", 32, "ES256"),
		map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": "ed", "x": base64.RawURLEncoding.EncodeToString(edPub)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(keySet) }))
	t.Cleanup(srv.Close)

	_, payload := tokenParts(t, p.IDToken(cognitotest.User{Username: "alice"}))
	// sign builds a token with the given header alg and kid, signed by
	// method with key, then lets mangle change the raw signature.
	sign := func(alg, kid string, method jwt.SigningMethod, key crypto.PrivateKey, mangle func([]byte) []byte) string {
		h, _ := json.Marshal(map[string]any{"alg": alg, "kid": kid})
		c, _ := json.Marshal(payload)
		input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
		sig, err := method.Sign(input, key)
		if err != nil {
			t.Fatal(err)
		}
		if mangle != nil {
			sig = mangle(sig)
		}
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	der := func(key *ecdsa.PrivateKey) func([]byte) []byte {
		return func([]byte) []byte {
			h, _ := json.Marshal(map[string]any{"alg": "ES256", "kid": "p256"})
			c, _ := json.Marshal(payload)
			input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
			sum := sha256.Sum256([]byte(input))
			sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}
	}
	all := []string{"RS256", "PS256", "ES256", "ES384"}

	for _, tc := range []struct {
		name   string
		token  string
		reason error
		claim  string
	}{
		{"ES256 over a P-256 key", sign("ES256", "p256", jwt.SigningMethodES256, p256, nil), nil, ""},
		{"ES256 over a P-256 key whose JWK says ES256", sign("ES256", "p256-es256", jwt.SigningMethodES256, p256, nil), nil, ""},
		{"ES384 over a P-384 key", sign("ES384", "p384", jwt.SigningMethodES384, p384, nil), nil, ""},
		{"PS256 over an RSA key without alg", sign("PS256", rsaKid, jwt.SigningMethodPS256, rsaKey, nil), nil, ""},
		{"RS256 over an RSA key without alg", sign("RS256", rsaKid, jwt.SigningMethodRS256, rsaKey, nil), nil, ""},
		{"ES256 header over a P-384 key (stricter)", sign("ES256", "p384", jwt.SigningMethodES384, p384, nil), verifier.ErrAlgorithm, "header.alg"},
		{"ES384 header over a P-256 key (stricter)", sign("ES384", "p256", jwt.SigningMethodES256, p256, nil), verifier.ErrAlgorithm, "header.alg"},
		{"ES256 header over an RSA key (stricter)", sign("ES256", rsaKid, jwt.SigningMethodES256, p256, nil), verifier.ErrAlgorithm, "header.alg"},
		{"RS256 header over an EC key (stricter)", sign("RS256", "p256", jwt.SigningMethodRS256, rsaKey, nil), verifier.ErrAlgorithm, "header.alg"},
		{"Ed25519 keys are skipped: an RS256 header naming one finds no key", sign("RS256", "ed", jwt.SigningMethodRS256, rsaKey, nil), verifier.ErrKeyNotFound, "header.kid"},
		{"ES384 header against JWK alg ES256", sign("ES384", "p256-es256", jwt.SigningMethodES256, p256, nil), verifier.ErrAlgorithm, "header.alg"},
		{"ES256 signature of 63 bytes (stricter)", sign("ES256", "p256", jwt.SigningMethodES256, p256, func(s []byte) []byte { return s[1:] }), verifier.ErrSignatureInvalid, ""},
		{"ES256 signature of 65 bytes (stricter)", sign("ES256", "p256", jwt.SigningMethodES256, p256, func(s []byte) []byte { return append(s, 0) }), verifier.ErrSignatureInvalid, ""},
		{"ES256 signature of 1 byte (stricter)", sign("ES256", "p256", jwt.SigningMethodES256, p256, func([]byte) []byte { return []byte{1} }), verifier.ErrSignatureInvalid, ""},
		{"ES256 signature r = s = 0 (stricter)", sign("ES256", "p256", jwt.SigningMethodES256, p256, func(s []byte) []byte { return make([]byte, len(s)) }), verifier.ErrSignatureInvalid, ""},
		{"ES256 DER-encoded signature (stricter)", sign("ES256", "p256", jwt.SigningMethodES256, p256, der(p256)), verifier.ErrSignatureInvalid, ""},
		{"ES256 signed by another P-256 key", sign("ES256", "p256", jwt.SigningMethodES256, mustP256(t), nil), verifier.ErrSignatureInvalid, ""},
		{"PS256 signature labelled RS256", sign("RS256", rsaKid, jwt.SigningMethodPS256, rsaKey, nil), verifier.ErrSignatureInvalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := p.Config(verifier.IDToken)
			cfg.JWKSURL, cfg.HTTPClient, cfg.AllowedAlgorithms = srv.URL, srv.Client(), all
			v := buildVerifier(t, cfg)
			if tc.reason == nil {
				if c := mustVerify(t, v, tc.token); c.Username != "alice" {
					t.Errorf("Username = %q", c.Username)
				}
			} else {
				expectRejected(t, v, tc.token, tc.reason, tc.claim)
			}
		})
	}
}

func ecJWK(k *ecdsa.PrivateKey, kid, crv string, size int, alg string) map[string]any {
	point, err := k.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		panic(err)
	}
	m := map[string]any{
		"kty": "EC", "crv": crv, "kid": kid, "use": "sig",
		"x": base64.RawURLEncoding.EncodeToString(point[1 : 1+size]),
		"y": base64.RawURLEncoding.EncodeToString(point[1+size:]),
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func mustP256(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
