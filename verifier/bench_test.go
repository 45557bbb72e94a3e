package verifier_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// The benchmarks below run on one token, shaped like a real Cognito ID token
// (escaped slashes, groups, custom attributes; about 1.2 KB), so that their
// ratios compare like with like. Run them together, in one run:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./verifier/
//
// BENCHMARKS.md explains the targets.

type benchFixture struct {
	pool   *cognitotest.Pool
	token  string
	pub    *rsa.PublicKey
	config verifier.Config
}

var (
	benchOnce sync.Once
	bench     benchFixture
	benchErr  error
)

// benchSetup builds the shared token and pool once per test binary.
func benchSetup(b *testing.B) *benchFixture {
	b.Helper()
	benchOnce.Do(func() {
		pool, err := cognitotest.NewPool(cognitotest.Options{})
		if err != nil {
			benchErr = err
			return
		}
		kid, key := pool.SigningKey()
		cfg := pool.Config(verifier.IDToken)
		cfg.JWKS = pool.JWKS() // preloaded: the benchmarks never touch the network
		cfg.Leeway = 5 * time.Second
		cfg.CustomCheck = func(_ context.Context, c *claims.Claims) error {
			if !c.InGroup("admin") {
				return errors.New("not an admin")
			}
			return nil
		}
		bench = benchFixture{
			pool:   pool,
			token:  benchToken(kid, key, pool.Issuer(), pool.ClientID(), time.Now()),
			pub:    &key.PublicKey,
			config: cfg,
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return &bench
}

// benchToken writes the JSON as Cognito does (Java's serializer escapes
// '/'), which encoding/json-based minting would not.
func benchToken(kid string, key *rsa.PrivateKey, iss, client string, now time.Time) string {
	esc := func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b), "/", `\/`)
	}
	header := `{"kid":` + esc(kid) + `,"alg":"RS256"}`
	t := strconv.FormatInt(now.Unix(), 10)
	exp := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	payload := `{"sub":"df0c456e-05ed-4517-912d-2dfd7a8d12ef","cognito:groups":["admin","support"],` +
		`"email_verified":true,"iss":` + esc(iss) + `,"phone_number_verified":true,` +
		`"cognito:username":"TechSupportUser","given_name":"TechSupport","custom:tenant":"acme-corp",` +
		`"origin_jti":"6a8a3c4e-5b0e-4d5e-9d7e-0f1c2b3a4d5e","aud":` + esc(client) + `,` +
		`"event_id":"4a7bca38-b71c-49a2-aa86-3b93a259c21c","token_use":"id","auth_time":` + t + `,` +
		`"phone_number":"+15033308402","exp":` + exp + `,"iat":` + t + `,` +
		`"jti":"0b9b1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b","family_name":"Admin","email":"alt@example.com"}`
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	return input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(key, input))
}

func newBenchVerifier(b *testing.B, cacheSize int) *verifier.Verifier {
	b.Helper()
	cfg := benchSetup(b).config
	cfg.CacheSize = cacheSize
	v, err := verifier.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	if _, err := v.Verify(context.Background(), bench.token); err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkRS256 holds the comparisons the targets are stated in; keep them
// in one function so that one run measures them on the same token.
func BenchmarkRS256(b *testing.B) {
	f := benchSetup(b)
	ctx := context.Background()

	// (a) The floor: what any RS256 verifier must do, with the key parsed.
	b.Run("floor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := benchFloor(f.token, f.pub); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("floor-parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := benchFloor(f.token, f.pub); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	// (b) Verify with every check and the cache disabled.
	b.Run("verify-uncached", func(b *testing.B) {
		v := newBenchVerifier(b, -1)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, f.token); err != nil {
				b.Fatal(err)
			}
		}
	})
	// (b') The ratio of (b) to (a), measured on alternating calls so that a
	// machine whose load changes by the second slows both alike. It reports
	// x-floor, the quantity the uncached target is stated in.
	b.Run("verify-uncached-vs-floor", func(b *testing.B) {
		v := newBenchVerifier(b, -1)
		var floorTime, verifyTime time.Duration
		timeFloor := func() {
			t := time.Now()
			if err := benchFloor(f.token, f.pub); err != nil {
				b.Fatal(err)
			}
			floorTime += time.Since(t)
		}
		timeVerify := func() {
			t := time.Now()
			if _, err := v.Verify(ctx, f.token); err != nil {
				b.Fatal(err)
			}
			verifyTime += time.Since(t)
		}
		odd := false
		for b.Loop() {
			if odd = !odd; odd {
				timeFloor()
				timeVerify()
			} else {
				timeVerify()
				timeFloor()
			}
		}
		b.ReportMetric(float64(verifyTime)/float64(floorTime), "x-floor")
	})
	// (c) Verify of a token already in the cache.
	b.Run("verify-cached", func(b *testing.B) {
		v := newBenchVerifier(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, f.token); err != nil {
				b.Fatal(err)
			}
		}
	})
	// (d) The same two under b.RunParallel (GOMAXPROCS goroutines).
	b.Run("verify-uncached-parallel", func(b *testing.B) {
		v := newBenchVerifier(b, -1)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(ctx, f.token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("verify-cached-parallel", func(b *testing.B) {
		v := newBenchVerifier(b, 0)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := v.Verify(ctx, f.token); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

var benchB64 = base64.RawURLEncoding.Strict()

// benchFloor decodes the three segments, hashes the signing input and checks the
// PKCS #1 v1.5 signature: no JSON, no claim checks, no key lookup.
func benchFloor(token string, pub *rsa.PublicKey) error {
	dot1 := strings.IndexByte(token, '.')
	dot2 := dot1 + 1 + strings.IndexByte(token[dot1+1:], '.')
	var hbuf, pbuf [2048]byte
	var sbuf [512]byte
	if _, err := benchB64.Decode(hbuf[:], []byte(token[:dot1])); err != nil {
		return err
	}
	if _, err := benchB64.Decode(pbuf[:], []byte(token[dot1+1:dot2])); err != nil {
		return err
	}
	n, err := benchB64.Decode(sbuf[:], []byte(token[dot2+1:]))
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(token[:dot2]))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sbuf[:n])
}
