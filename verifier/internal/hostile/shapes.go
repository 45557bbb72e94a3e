package hostile

import (
	"encoding/base64"
	"strings"

	"github.com/cognitoauth/cognitoauth/internal/hostilejson"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// ShapeToken returns a token of at most maxSize bytes (and within a few
// bytes of it) whose payload is the members in prefix followed by shape
// repeated, under header (JSON) and with sig as its signature bytes. The
// signature is whatever the caller gives: the cost cases are refused before
// it is checked (a junk iss) or by it.
func ShapeToken(header string, shape hostilejson.Shape, prefix string, maxSize int, sig []byte) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(header))
	s := base64.RawURLEncoding.EncodeToString(sig)
	n := (maxSize - len(h) - len(s) - 2) * 3 / 4
	return h + "." + base64.RawURLEncoding.EncodeToString(shape.Payload(prefix, n)) + "." + s
}

// JunkIssuer is the issuer of the cost cases refused before their
// signature: shaped like a pool's, configured nowhere.
const JunkIssuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Junk00000"

// costs adds, for each worst-case payload shape of package hostilejson, a
// token filling the default MaxTokenSize with a junk iss and one with the
// real iss and an attacker's signature, and a 256 KiB one under
// LargeTokens: each must be refused in time linear in its size
// (verifier.TestHostileCostLinear bounds it).
func costs(g *gen) {
	hj := string(mustJSON(g.header()))
	badSig := make([]byte, 256)
	for i := range badSig {
		badSig[i] = byte(i)
	}
	junk := `"iss":"` + JunkIssuer + `"`
	real := `"iss":"` + g.pool.Issuer() + `"`
	for _, sh := range hostilejson.Shapes() {
		want := verifier.ErrSignatureInvalid
		if strings.HasPrefix(sh.Open, `"iss"`) { // the shape's iss replaces the real one
			want = verifier.ErrIssuerMismatch
		}
		g.add(sh.Name+", 16 KiB, junk iss", verifier.ErrIssuerMismatch, ShapeToken(hj, sh, junk, verifier.DefaultMaxTokenSize, badSig))
		g.add(sh.Name+", 16 KiB, bad signature", want, ShapeToken(hj, sh, real, verifier.DefaultMaxTokenSize, badSig))
		g.addFor(LargeTokens, sh.Name+", 256 KiB, junk iss", verifier.ErrIssuerMismatch, ShapeToken(hj, sh, junk, 256<<10, badSig))
	}
}
