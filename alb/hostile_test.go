package alb_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestHostileTokens: hand-made ALB tokens an attacker could send. Those
// refused before the key is needed must cost no fetch.
func TestHostileTokens(t *testing.T) {
	t.Parallel()
	fake, v := newALB(t, nil, nil)
	kid, key := fake.SigningKey()
	pem, _ := fake.PublicKeyPEM(kid)
	exp := "4102444800" // 2100-01-01
	hdr := func(extra string) string {
		return `{"alg":"ES256","kid":"` + kid + `","signer":"` + fake.ARN() + `","iss":"` + fake.Issuer() + `","client":"` + fake.ClientID() + `","exp":` + exp + extra + `}`
	}
	payload := `{"sub":"3f1f0a2b-0000-4000-8000-000000000001","email_verified":"true","username":"mallory","exp":` + exp + `,"iss":"` + fake.Issuer() + `"}`
	pad, raw := base64.URLEncoding, base64.RawURLEncoding
	// signed assembles header and payload with the given encodings and signs
	// the result with the ALB's key.
	signed := func(h, p string, he, pe *base64.Encoding) string {
		input := he.EncodeToString([]byte(h)) + "." + pe.EncodeToString([]byte(p))
		return input + "." + pad.EncodeToString(cognitotest.SignES256(key, input))
	}
	withSig := func(h, p string, sig []byte) string {
		return pad.EncodeToString([]byte(h)) + "." + pad.EncodeToString([]byte(p)) + "." + pad.EncodeToString(sig)
	}
	good := signed(hdr(""), payload, pad, pad)
	goodParts := strings.Split(good, ".")

	hsInput := raw.EncodeToString([]byte(strings.Replace(hdr(""), "ES256", "HS256", 1))) + "." + raw.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, pem)
	mac.Write([]byte(hsInput))
	hs256 := hsInput + "." + raw.EncodeToString(mac.Sum(nil))

	esSig := cognitotest.SignES256(key, goodParts[0]+"."+goodParts[1])
	der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(esSig[:32]), new(big.Int).SetBytes(esSig[32:])})
	if err != nil {
		t.Fatal(err)
	}
	rawSig := raw.EncodeToString(esSig) // 86 characters: the last holds 2 bits
	last := rawSig[len(rawSig)-1]
	flipped := byte('B')
	if last == 'B' {
		flipped = 'C'
	}

	// cold holds no key: the tokens refused before the key is needed must
	// not make it fetch one.
	cold, err := alb.New(fake.Config())
	if err != nil {
		t.Fatal(err)
	}
	defer cold.Close()
	for _, tc := range []struct {
		name  string
		token string
		want  error // nil: must verify
		fetch bool  // the key may be fetched
	}{
		{"control: as ALB writes it", good, nil, true},
		{"mixed padding, each segment valid", signed(hdr(""), payload, pad, raw), nil, true},
		{"jku and x5u are ignored", signed(hdr(`,"jku":"https://evil.example/k","x5u":"https://evil.example/c"`), payload, pad, pad), nil, true},
		{"alg none, no signature", pad.EncodeToString([]byte(strings.Replace(hdr(""), "ES256", "none", 1))) + "." + goodParts[1] + ".", verifier.ErrTokenMalformed, false},
		{"alg none with a signature", withSig(strings.Replace(hdr(""), "ES256", "none", 1), payload, esSig), verifier.ErrAlgorithm, false},
		{"HS256 keyed with the public PEM", hs256, verifier.ErrAlgorithm, false},
		{"ES384", withSig(strings.Replace(hdr(""), "ES256", "ES384", 1), payload, esSig), verifier.ErrAlgorithm, false},
		{"alg in another case", withSig(strings.Replace(hdr(""), `"alg"`, `"ALG"`, 1), payload, esSig), verifier.ErrAlgorithm, false},
		{"crit", withSig(hdr(`,"crit":["exp"]`), payload, esSig), verifier.ErrTokenMalformed, false},
		{"kid a number", withSig(strings.Replace(hdr(""), `"kid":"`+kid+`"`, `"kid":7`, 1), payload, esSig), verifier.ErrTokenMalformed, false},
		{"duplicate kid, traversal last", withSig(hdr(`,"kid":"../../x"`), payload, esSig), verifier.ErrTokenMalformed, false},
		{"signer an array", withSig(strings.Replace(hdr(""), `"signer":"`+fake.ARN()+`"`, `"signer":["`+fake.ARN()+`"]`, 1), payload, esSig), verifier.ErrTokenMalformed, false},
		{"header not JSON", pad.EncodeToString([]byte("{alg:ES256}")) + "." + goodParts[1] + "." + goodParts[2], verifier.ErrTokenMalformed, false},
		{"payload an array", signed(hdr(""), `["sub"]`, pad, pad), verifier.ErrTokenMalformed, true},
		{"signature DER-encoded", goodParts[0] + "." + goodParts[1] + "." + pad.EncodeToString(der), verifier.ErrSignatureInvalid, false},
		{"signature 65 bytes", goodParts[0] + "." + goodParts[1] + "." + pad.EncodeToString(append(esSig, 0)), verifier.ErrSignatureInvalid, false},
		{"signature zeros", goodParts[0] + "." + goodParts[1] + "." + pad.EncodeToString(make([]byte, 64)), verifier.ErrSignatureInvalid, true},
		{"signature non-canonical trailing bits", goodParts[0] + "." + goodParts[1] + "." + rawSig[:len(rawSig)-1] + string(flipped), verifier.ErrTokenMalformed, false},
		{"padding where none is due", goodParts[0] + "." + goodParts[1] + "." + pad.EncodeToString(esSig) + "==", verifier.ErrTokenMalformed, false},
		{"half the padding", goodParts[0] + "." + goodParts[1] + "." + strings.TrimSuffix(pad.EncodeToString(esSig), "="), verifier.ErrTokenMalformed, false},
		{"standard base64 alphabet", strings.NewReplacer("-", "+", "_", "/").Replace(good) + "+/", verifier.ErrTokenMalformed, false},
		{"four segments", good + ".AAAA", verifier.ErrTokenMalformed, false},
		{"empty payload", goodParts[0] + ".." + goodParts[2], verifier.ErrTokenMalformed, false},
		{"newline inside", goodParts[0] + "\n." + goodParts[1] + "." + goodParts[2], verifier.ErrTokenMalformed, false},
		{"surrounding space", " " + good + " ", verifier.ErrTokenMalformed, false},
		{"empty", "", verifier.ErrTokenMalformed, false},
		{"dots only", "..", verifier.ErrTokenMalformed, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := fake.KeyRequests()
			c, err := verify(t, v, tc.token)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if c.Username != "mallory" {
					t.Errorf("Username %q", c.Username)
				}
			} else {
				wantRefusal(t, err, tc.want)
				if len(tc.token) > 40 && strings.Contains(err.Error(), tc.token) {
					t.Errorf("error echoes the token")
				}
			}
			if tc.fetch {
				return
			}
			if fake.KeyRequests() != before {
				t.Errorf("refused before the key is needed, yet fetched")
			}
			_, err = verify(t, cold, tc.token)
			wantRefusal(t, err, tc.want)
			if n := cold.KeyFetches(); n != 0 {
				t.Errorf("a verifier holding no key fetched %d times", n)
			}
		})
	}
	if got := fake.KeyRequests(); got != 1 {
		t.Errorf("%d key requests, want 1", got)
	}
}
