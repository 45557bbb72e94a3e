package jwks_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// FuzzParse feeds arbitrary documents to Parse. Invariants: it never panics;
// an error comes with no set; a set holds at least one key, each under a
// unique non-empty kid, each one Go's crypto can actually verify with (so a
// set of unusable keys can never replace a good one); every skipped key is
// reported as a *SkippedKeyError. Seeds are in testdata/fuzz/FuzzParse; run
// scripts/fuzz.sh to fuzz.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"keys":[]}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"k","e":"AQAB","n":"AQAB"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		set, skipped, err := jwks.Parse(doc)
		for _, s := range skipped {
			var ske *jwks.SkippedKeyError
			if !errors.As(s, &ske) {
				t.Fatalf("skipped entry %T is not a *SkippedKeyError", s)
			}
		}
		if err != nil {
			if set != nil {
				t.Fatalf("Parse returned a set with error %v", err)
			}
			return
		}
		checkUsableSet(t, set)
	})
}

func checkUsableSet(t *testing.T, set *jwks.Set) {
	t.Helper()
	ids := set.KeyIDs()
	if set.Len() == 0 || len(ids) != set.Len() {
		t.Fatalf("accepted set: Len %d, %d kids", set.Len(), len(ids))
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("kid %q is empty or repeated", id)
		}
		seen[id] = true
		k, ok := set.Key(id)
		if !ok || k.ID != id {
			t.Fatalf("Key(%q) = %v, %v", id, k, ok)
		}
		if k.Use != "" && k.Use != "sig" {
			t.Fatalf("key %q has use %q", id, k.Use)
		}
		if err := checkUsableKey(k); err != nil {
			t.Fatalf("key %q (kty %s) is not usable: %v", id, k.Type, err)
		}
	}
}

// checkUsableKey proves the key can take part in a verification: the
// library's verify function gets past its key checks and reports a bad
// signature (or, for EC, the point is a valid public point).
func checkUsableKey(k *jwks.Key) error {
	digest := sha256.Sum256([]byte("fuzz"))
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
		if k.Type != "RSA" || pub.N.BitLen() < jwks.MinRSABits {
			return errors.New("wrong type or short modulus")
		}
		sig := make([]byte, pub.Size())
		sig[len(sig)-1] = 1
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); !errors.Is(err, rsa.ErrVerification) {
			return err
		}
	case *ecdsa.PublicKey:
		if k.Type != "EC" || k.Curve != pub.Curve.Params().Name {
			return errors.New("wrong type or curve name")
		}
		if _, err := pub.ECDH(); err != nil {
			return err
		}
		ecdsa.VerifyASN1(pub, digest[:], []byte{0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01})
	case ed25519.PublicKey:
		if len(pub) != ed25519.PublicKeySize {
			return errors.New("wrong Ed25519 key length")
		}
		ed25519.Verify(pub, digest[:], make([]byte, ed25519.SignatureSize))
	default:
		return errors.New("unexpected public key type")
	}
	return nil
}
