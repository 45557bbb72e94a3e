package jwks_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// curveDoc builds a JWKS document of n RSA keys shaped like Cognito's
// (kid, alg, e, kty, n, use). The moduli are random odd 2048-bit numbers,
// not products of primes: Parse reads a modulus and checks its size and
// parity, it never factors one, so these cost what real keys cost and
// the curve needs no minute of key generation.
func curveDoc(n int) []byte {
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	type jwk struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
		E   string `json:"e"`
		Kty string `json:"kty"`
		N   string `json:"n"`
		Use string `json:"use"`
	}
	keys := make([]jwk, n)
	mod := make([]byte, 256)
	for i := range keys {
		for j := range mod {
			mod[j] = byte(rng.UintN(256))
		}
		mod[0] |= 0x80
		mod[len(mod)-1] |= 1
		keys[i] = jwk{
			Kid: base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "curve-key-%06d-%032x", i, mod[:16])),
			Alg: "RS256", E: "AQAB", Kty: "RSA", Use: "sig",
			N: base64.RawURLEncoding.EncodeToString(mod),
		}
	}
	doc, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		panic(err) // a fixed shape of strings always marshals
	}
	return doc
}

// curveDocOfSize returns the largest document of whole keys not over size
// bytes, and its key count.
func curveDocOfSize(size int) ([]byte, int) {
	perKey := len(curveDoc(2)) - len(curveDoc(1))
	n := max(1, (size-(len(curveDoc(1))-perKey))/perKey)
	doc := curveDoc(n)
	for len(doc) > size && n > 1 {
		n--
		doc = curveDoc(n)
	}
	return doc, n
}

// BenchmarkCurveJWKSKeys parses JWKS documents with jwks.Parse, the step
// every fetch and Load takes: by keys per document (n=1 to 100; Cognito
// publishes two) and, in the doc-bytes series, by document size up to the
// 1 MiB a fetch reads at most (DefaultMaxJWKSSize), filled with keys. It
// reports the time and memory of one parse, and the keys parsed.
func BenchmarkCurveJWKSKeys(b *testing.B) {
	run := func(b *testing.B, doc []byte, keys int) {
		b.ReportAllocs()
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			s, skipped, err := jwks.Parse(doc)
			if err != nil || len(skipped) != 0 || s.Len() != keys {
				b.Fatalf("parse: %v, %d skipped, want %d keys", err, len(skipped), keys)
			}
		}
		b.ReportMetric(float64(keys), "keys")
		b.ReportMetric(float64(len(doc)), "doc-bytes")
	}
	for _, n := range []int{1, 2, 5, 10, 20, 50, 100} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			run(b, curveDoc(n), n)
		})
	}
	for _, size := range []int{1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, jwks.DefaultMaxJWKSSize} {
		b.Run(fmt.Sprintf("doc-bytes/n=%d", size), func(b *testing.B) {
			if testing.Short() && size > 64<<10 {
				b.Skip("large documents run without -short")
			}
			doc, keys := curveDocOfSize(size)
			if !strings.HasPrefix(string(doc), `{"keys":[`) {
				b.Fatal("unexpected document shape")
			}
			run(b, doc, keys)
		})
	}
}
