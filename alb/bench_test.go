package alb_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
)

// BenchmarkVerify: key_cached is the cost of every request (ALB signs a
// token per session, so no verified-token cache is kept: each Verify checks
// the ES256 signature); key_fetch adds a PEM key fetch over HTTPS on
// loopback, the first token of each new kid.
func BenchmarkVerify(b *testing.B) {
	fake, v := newALB(b, nil, nil)
	token := fake.Token(cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true})
	ctx := context.Background()
	// floor is the signature check alone, through crypto/ecdsa.
	b.Run("floor_ecdsa", func(b *testing.B) {
		_, key := fake.SigningKey()
		parts := strings.Split(token, ".")
		sig, err := base64.URLEncoding.DecodeString(parts[2])
		if err != nil {
			b.Fatal(err)
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		b.ReportAllocs()
		for b.Loop() {
			sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
			if !ecdsa.Verify(&key.PublicKey, sum[:], r, s) {
				b.Fatal("signature does not verify")
			}
		}
	})
	b.Run("key_cached", func(b *testing.B) {
		if _, err := v.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("key_fetch", func(b *testing.B) {
		cfg := fake.Config()
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			cold, err := alb.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := cold.Verify(ctx, token); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cold.Close()
			b.StartTimer()
		}
	})
}
