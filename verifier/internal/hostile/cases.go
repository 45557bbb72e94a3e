package hostile

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	v "github.com/cognitoauth/cognitoauth/verifier"
)

// Each function below adds one family of cases. The expected sentinel follows
// the order of checks documented on verifier.Verify: size, shape, header,
// alg, kid, payload, issuer, key, key/alg agreement, signature, time,
// lifetime, token_use, client, custom check.

func algNone(g *gen) {
	validSig := sigBytes(g.access())
	p := g.payload()
	for _, alg := range []string{"none", "None", "NONE", "nOnE", ""} {
		label := strconv.Quote(alg)
		h := g.header("alg", alg)
		g.add("alg "+label+", empty signature", v.ErrTokenMalformed, seg(h)+"."+seg(p)+".")
		g.add("alg "+label+", non-empty signature", v.ErrAlgorithm, withSig(h, p, validSig))
	}
	h := g.header("alg", nil)
	g.add("alg missing, empty signature", v.ErrTokenMalformed, seg(h)+"."+seg(p)+".")
	g.add("alg missing, non-empty signature", v.ErrAlgorithm, withSig(h, p, validSig))
	g.add("alg none without kid, empty signature", v.ErrTokenMalformed, seg(map[string]any{"alg": "none", "typ": "JWT"})+"."+seg(p)+".")
	g.add("alg none, signature of a single zero byte", v.ErrAlgorithm, withSig(g.header("alg", "none"), p, []byte{0}))
	g.add("alg null", v.ErrTokenMalformed, withSig(g.header("alg", json.RawMessage("null")), p, validSig))
	g.add("alg is a number", v.ErrTokenMalformed, withSig(g.header("alg", 256), p, validSig))
	g.add("alg is an array", v.ErrTokenMalformed, withSig(g.header("alg", []string{"RS256"}), p, validSig))
	g.add("alg lower case rs256", v.ErrAlgorithm, g.pool.Sign(g.header("alg", "rs256"), p))
	g.add("alg with trailing space", v.ErrAlgorithm, g.pool.Sign(g.header("alg", "RS256 "), p))
}

// hmacConfusion signs with HS* keyed by encodings of the pool's public key,
// the classic key-confusion forgery.
func hmacConfusion(g *gen) {
	pub := &g.key.PublicKey
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		g.err = err
		return
	}
	var doc struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(g.pool.JWKS(), &doc); err != nil || len(doc.Keys) == 0 {
		g.err = fmt.Errorf("hostile: pool JWKS: %v", err)
		return
	}
	secrets := []struct {
		name string
		key  []byte
	}{
		{"PEM (PKIX)", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})},
		{"DER (PKIX)", der},
		{"JWK JSON bytes", doc.Keys[len(doc.Keys)-1]},
		{"raw modulus", pub.N.Bytes()},
	}
	p := g.payload()
	for _, m := range []*jwt.SigningMethodHMAC{jwt.SigningMethodHS256, jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
		for _, s := range secrets {
			g.add(m.Name+" keyed with the public key as "+s.name, v.ErrAlgorithm, g.signWith(m, s.key, g.header("alg", m.Name), p))
		}
	}
	g.add("HS256 keyed with PKCS#1 PEM", v.ErrAlgorithm, g.signWith(jwt.SigningMethodHS256,
		pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(pub)}), g.header("alg", "HS256"), p))
	g.add("HS256 keyed with the whole JWKS document", v.ErrAlgorithm, g.signWith(jwt.SigningMethodHS256, g.pool.JWKS(), g.header("alg", "HS256"), p))
	g.addFor(AllAlgorithms, "HS256 with every asymmetric algorithm allowed", v.ErrAlgorithm,
		g.signWith(jwt.SigningMethodHS256, der, g.header("alg", "HS256"), p))
}

func (g *gen) signWith(m jwt.SigningMethod, key any, header, payload map[string]any) string {
	input := seg(header) + "." + seg(payload)
	sig, err := m.Sign(input, key)
	if err != nil {
		g.err = fmt.Errorf("hostile: sign %s: %w", m.Alg(), err)
		return ""
	}
	return input + "." + b64(sig)
}

// otherAlgorithms labels tokens with algorithms other than RS256, signed the
// way the label says where a key for it exists, once against the default
// allow list and once with every asymmetric algorithm allowed (then the key,
// published with alg RS256, must still refuse them).
func otherAlgorithms(g *gen) {
	p := g.payload()
	signed := []struct {
		alg string
		m   jwt.SigningMethod
		key any
	}{
		{"RS384", jwt.SigningMethodRS384, g.key},
		{"RS512", jwt.SigningMethodRS512, g.key},
		{"PS256", jwt.SigningMethodPS256, g.key},
		{"ES256", jwt.SigningMethodES256, g.att.EC},
	}
	for _, s := range signed {
		tok := g.signWith(s.m, s.key, g.header("alg", s.alg), p)
		g.add(s.alg+" against the RS256 key", v.ErrAlgorithm, tok)
		g.addFor(AllAlgorithms, s.alg+" against the RS256 key, all algorithms allowed", v.ErrAlgorithm, tok)
	}
	g.addFor(AllAlgorithms, "RS256 signature labelled RS384, all algorithms allowed", v.ErrAlgorithm, g.pool.Sign(g.header("alg", "RS384"), p))
	g.addFor(AllAlgorithms, "RS256 signature labelled ES256, all algorithms allowed", v.ErrAlgorithm, g.pool.Sign(g.header("alg", "ES256"), p))
	for _, alg := range []string{"PS512", "ES512", "EdDSA", "RSA-OAEP"} {
		g.add(alg+" label", v.ErrAlgorithm, g.pool.Sign(g.header("alg", alg), p))
	}
}

func kids(g *gen) {
	p := g.payload()
	g.add("kid missing", v.ErrTokenMalformed, g.pool.Sign(g.header("kid", nil), p))
	g.add("kid empty", v.ErrTokenMalformed, g.pool.Sign(g.header("kid", ""), p))
	g.add("kid null", v.ErrTokenMalformed, g.pool.Sign(g.header("kid", json.RawMessage("null")), p))
	g.add("kid is a number", v.ErrTokenMalformed, g.pool.Sign(g.header("kid", 1), p))
	g.add("kid is an array of the real kid", v.ErrTokenMalformed, g.pool.Sign(g.header("kid", []string{g.kid}), p))
	for _, k := range []struct{ name, kid string }{
		{"unknown", "no-such-key"},
		{"very long (4 KiB)", strings.Repeat("k", 4096)},
		{"path traversal ../../x", "../../x"},
		{"URL https://evil/x", "https://evil/x"},
		{"percent-encoded %2e%2e", "%2e%2e"},
		{"percent-encoded %2e%2e%2fjwks.json", "%2e%2e%2fjwks.json"},
		{"the JWKS URL itself", g.pool.JWKSURL()},
		{"real kid with a trailing space", g.kid + " "},
		{"real kid with a trailing NUL", g.kid + "\x00"},
		{"real kid in lower case", strings.ToLower(g.kid)},
		{"real kid without its padding", strings.TrimRight(g.kid, "=")},
	} {
		g.add("kid "+k.name, v.ErrKeyNotFound, g.access(cognitotest.WithKID(k.kid)))
	}
}

// keyLocations points the token at keys of the attacker's choosing through
// the header. The verifier must ignore them all; the test asserts that the
// server under ElsewhereURL gets no request.
func keyLocations(g *gen) {
	p := g.payload()
	jku := g.env.ElsewhereURL + "/jwks.json"
	x5u := g.env.ElsewhereURL + "/cert.pem"
	x5c := []string{base64.StdEncoding.EncodeToString(g.att.Cert)}
	asAttacker := func(h map[string]any) string { return g.signWith(jwt.SigningMethodRS256, g.att.RSA, h, p) }
	g.add("jku elsewhere, attacker kid, attacker signature", v.ErrKeyNotFound, asAttacker(g.header("jku", jku, "kid", g.att.KID)))
	g.add("jku elsewhere, real kid, attacker signature", v.ErrSignatureInvalid, asAttacker(g.header("jku", jku)))
	g.add("x5u elsewhere, attacker kid, attacker signature", v.ErrKeyNotFound, asAttacker(g.header("x5u", x5u, "kid", g.att.KID)))
	g.add("x5u elsewhere, real kid, attacker signature", v.ErrSignatureInvalid, asAttacker(g.header("x5u", x5u)))
	g.add("jwk embedded, real kid, attacker signature", v.ErrSignatureInvalid, asAttacker(g.header("jwk", g.att.PublicJWK())))
	g.add("jwk embedded, no kid, attacker signature", v.ErrTokenMalformed, asAttacker(g.header("jwk", g.att.PublicJWK(), "kid", nil)))
	g.add("x5c embedded, real kid, attacker signature", v.ErrSignatureInvalid, asAttacker(g.header("x5c", x5c)))
	g.add("x5c embedded, attacker kid, attacker signature", v.ErrKeyNotFound, asAttacker(g.header("x5c", x5c, "kid", g.att.KID)))
	g.add("jku, x5u, jwk and x5c together, real kid, attacker signature", v.ErrSignatureInvalid,
		asAttacker(g.header("jku", jku, "x5u", x5u, "jwk", g.att.PublicJWK(), "x5c", x5c)))
}

func crit(g *gen) {
	p := g.payload()
	g.add("crit names an unknown extension", v.ErrTokenMalformed, g.pool.Sign(g.header("crit", []string{"x-unknown"}, "x-unknown", true), p))
	g.add("crit empty array", v.ErrTokenMalformed, g.pool.Sign(g.header("crit", []string{}), p))
	g.add("crit b64 false (unencoded payload)", v.ErrTokenMalformed, g.pool.Sign(g.header("crit", []string{"b64"}, "b64", false), p))
	g.add("crit null", v.ErrTokenMalformed, g.pool.Sign(g.header("crit", json.RawMessage("null")), p))
}

func signatures(g *gen) {
	tok := g.access()
	h, p, s := parts(tok)
	sig := sigBytes(tok)
	with := func(b []byte) string { return h + "." + p + "." + b64(b) }
	flipped := append([]byte(nil), sig...)
	flipped[len(flipped)/2] ^= 0x01
	lastBit := append([]byte(nil), sig...)
	lastBit[len(lastBit)-1] ^= 0x80
	g.add("signature stripped, trailing dot kept", v.ErrTokenMalformed, h+"."+p+".")
	g.add("signature truncated by one character", v.ErrTokenMalformed, h+"."+p+"."+s[:len(s)-1])
	g.add("signature truncated to 255 bytes", v.ErrSignatureInvalid, with(sig[:len(sig)-1]))
	g.add("signature truncated to 128 bytes", v.ErrSignatureInvalid, with(sig[:128]))
	g.add("signature extended by a zero byte", v.ErrSignatureInvalid, with(append(append([]byte(nil), sig...), 0)))
	g.add("signature extended by a zero byte in front", v.ErrSignatureInvalid, with(append([]byte{0}, sig...)))
	g.add("signature doubled", v.ErrSignatureInvalid, with(append(append([]byte(nil), sig...), sig...)))
	g.add("signature bit-flipped in the middle", v.ErrSignatureInvalid, with(flipped))
	g.add("signature bit-flipped in the last byte", v.ErrSignatureInvalid, with(lastBit))
	g.add("signature all zero", v.ErrSignatureInvalid, with(make([]byte, len(sig))))
	g.add("signature one byte", v.ErrSignatureInvalid, with([]byte{1}))
	g.add("signature with non-canonical trailing bits", v.ErrTokenMalformed, h+"."+p+"."+nonCanonical(s))
	_, _, other := parts(g.access(cognitotest.WithClaim("jti", "another")))
	g.add("signature of another valid token", v.ErrSignatureInvalid, h+"."+p+"."+other)
	g.add("signed by the attacker's key under the real kid", v.ErrSignatureInvalid, g.signWith(jwt.SigningMethodRS256, g.att.RSA, g.header(), g.payload()))
}

// nonCanonical changes the unused low bits of the last character of an
// unpadded base64url segment whose length is not a multiple of 4, so that a
// lenient decoder yields the same bytes while a strict one refuses.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	last := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[last|1])
}

func tampering(g *gen) {
	tok := g.access()
	h, _, s := parts(tok)
	orig := decodeSegment(strings.Split(tok, ".")[1])
	swap := func(k string, val any) string {
		m := make(map[string]any, len(orig))
		for kk, vv := range orig {
			m[kk] = vv
		}
		m[k] = val
		return h + "." + seg(m) + "." + s
	}
	g.add("payload tampered: groups admin added", v.ErrSignatureInvalid, swap("cognito:groups", []string{"admin"}))
	g.add("payload tampered: sub changed", v.ErrSignatureInvalid, swap("sub", "00000000-0000-4000-8000-000000000000"))
	g.add("payload tampered: exp extended", v.ErrSignatureInvalid, swap("exp", g.now+7200))
	g.add("payload tampered: scope widened", v.ErrSignatureInvalid, swap("scope", "aws.cognito.signin.user.admin openid admin"))
	_, idp, _ := parts(g.id())
	g.add("payload of an ID token under an access token's signature", v.ErrSignatureInvalid, h+"."+idp+"."+s)
	hb, _ := base64.RawURLEncoding.DecodeString(h)
	g.add("header tampered: typ added", v.ErrSignatureInvalid, b64(append(hb[:len(hb)-1:len(hb)-1], []byte(`,"typ":"JWT"}`)...))+"."+strings.SplitN(tok, ".", 2)[1])
}

func segments(g *gen) {
	tok := g.access()
	h, p, s := parts(tok)
	jwe := seg(map[string]any{"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": g.kid})
	g.add("empty token", v.ErrTokenMalformed, "")
	g.add("one segment", v.ErrTokenMalformed, h)
	g.add("two segments (header.payload)", v.ErrTokenMalformed, h+"."+p)
	g.add("four segments", v.ErrTokenMalformed, tok+"."+s)
	g.add("four segments, empty last", v.ErrTokenMalformed, tok+".")
	g.add("five segments (JWE shape)", v.ErrTokenMalformed, jwe+"."+b64(make([]byte, 256))+"."+b64(make([]byte, 12))+"."+p+"."+b64(make([]byte, 16)))
	g.add("five segments (JWE dir, empty key)", v.ErrTokenMalformed, seg(map[string]any{"alg": "dir", "enc": "A256GCM"})+".."+b64(make([]byte, 12))+"."+p+"."+b64(make([]byte, 16)))
	g.add("only dots", v.ErrTokenMalformed, "..")
	g.add("empty header", v.ErrTokenMalformed, "."+p+"."+s)
	g.add("empty payload", v.ErrTokenMalformed, h+".."+s)
	g.add("JWS JSON serialization", v.ErrTokenMalformed, string(mustJSON(map[string]string{"protected": h, "payload": p, "signature": s})))
}

func encodings(g *gen) {
	tok := g.access()
	h, p, s := parts(tok)
	i := len(h) + 1 + len(p)/2
	for _, e := range []struct{ name, token string }{
		{"padding '=' on the header", h + "=." + p + "." + s},
		{"padding '==' on the payload", h + "." + p + "==." + s},
		{"padding '==' on the signature", tok + "=="},
		{"leading space", " " + tok},
		{"trailing space", tok + " "},
		{"space inside the payload", tok[:i] + " " + tok[i:]},
		{"tab inside the payload", tok[:i] + "\t" + tok[i:]},
		{"trailing newline", tok + "\n"},
		{"CRLF inside the payload", tok[:i] + "\r\n" + tok[i:]},
		{"Bearer prefix", "Bearer " + tok},
		{"'+' (standard base64) in the signature", replaceAt(tok, len(tok)-10, '+')},
		{"'/' (standard base64) in the signature", replaceAt(tok, len(tok)-10, '/')},
		{"'*' in the payload", replaceAt(tok, i, '*')},
		{"percent-encoded dot", h + "%2E" + p + "." + s},
		{"NUL byte appended", tok + "\x00"},
		{"non-ASCII letter in the payload", tok[:i] + "é" + tok[i:]},
		{"full-width dot separator", h + "．" + p + "." + s},
		{"header base64 with non-canonical trailing bits", g.nonCanonicalHeader(p, s)},
		{"header not JSON", b64([]byte("hello")) + "." + p + "." + s},
		{"header a JSON array", b64([]byte(`["RS256"]`)) + "." + p + "." + s},
		{"header JSON null", b64([]byte("null")) + "." + p + "." + s},
		{"header with a UTF-8 BOM", b64(append([]byte("\xef\xbb\xbf"), mustJSON(g.header())...)) + "." + p + "." + s},
		{"header with trailing garbage", b64(append(mustJSON(g.header()), 'x')) + "." + p + "." + s},
		{"payload not JSON", g.signed(string(mustJSON(g.header())), "hello")},
		{"payload a JSON array", g.signed(string(mustJSON(g.header())), `[{"iss":"x"}]`)},
		{"payload JSON null", g.signed(string(mustJSON(g.header())), "null")},
		{"payload with trailing garbage", g.signed(string(mustJSON(g.header())), string(mustJSON(g.payload()))+"}")},
		{"payload two JSON objects", g.signed(string(mustJSON(g.header())), string(mustJSON(g.payload()))+string(mustJSON(g.payload())))},
	} {
		g.add(e.name, v.ErrTokenMalformed, e.token)
	}
}

func replaceAt(s string, i int, c byte) string { return s[:i] + string(c) + s[i+1:] }

// nonCanonicalHeader builds a header whose base64url form has spare bits in
// its last character, and sets them.
func (g *gen) nonCanonicalHeader(p, s string) string {
	hj := mustJSON(g.header())
	for len(hj)%3 != 1 { // 1 byte in the last quantum: 4 spare bits
		hj = append(hj[:len(hj)-1:len(hj)-1], ' ', '}')
	}
	return nonCanonical(b64(hj)) + "." + p + "." + s
}

func issuers(g *gen) {
	iss := g.pool.Issuer()
	id := g.pool.UserPoolID()
	region := id[:strings.LastIndexByte(id, '_')]
	for _, c := range []struct {
		name string
		iss  any
		want error
	}{
		{"iss with http scheme", strings.Replace(iss, "https://", "http://", 1), v.ErrIssuerMismatch},
		{"iss with a trailing slash", iss + "/", v.ErrIssuerMismatch},
		{"iss with the pool ID in other case", strings.Replace(iss, id, strings.ToUpper(id), 1), v.ErrIssuerMismatch},
		{"iss with the host in upper case", strings.Replace(iss, "cognito-idp", "COGNITO-IDP", 1), v.ErrIssuerMismatch},
		{"iss of another region", strings.Replace(iss, "."+region+".", ".eu-west-1.", 1), v.ErrIssuerMismatch},
		{"iss of another pool", strings.Replace(iss, id, region+"_OtherPool9", 1), v.ErrIssuerMismatch},
		{"iss with a query", iss + "?x=1", v.ErrIssuerMismatch},
		{"iss with a fragment", iss + "#x", v.ErrIssuerMismatch},
		{"iss with a trailing space", iss + " ", v.ErrIssuerMismatch},
		{"iss with a trailing NUL", iss + "\x00", v.ErrIssuerMismatch},
		{"iss with a user-info host", strings.Replace(iss, "https://", "https://evil.example@", 1), v.ErrIssuerMismatch},
		{"iss empty", "", v.ErrIssuerMismatch},
		{"iss a number", 1, v.ErrTokenMalformed},
		{"iss an array of the right issuer", []string{iss}, v.ErrTokenMalformed},
		{"iss null", json.RawMessage("null"), v.ErrTokenMalformed},
	} {
		g.add(c.name, c.want, g.access(cognitotest.WithClaim("iss", c.iss)))
	}
	g.add("iss missing", v.ErrIssuerMismatch, g.access(cognitotest.WithoutClaim("iss")))
	g.add("iss key in other case only (ISS)", v.ErrIssuerMismatch, g.access(cognitotest.WithoutClaim("iss"), cognitotest.WithClaim("ISS", iss)))
	g.add("control: iss in Cognito's second form (issuer-cognito-idp)", nil,
		g.access(cognitotest.WithClaim("iss", strings.Replace(iss, "https://cognito-idp.", "https://issuer-cognito-idp.", 1))))
}

func tokenUses(g *gen) {
	for _, c := range []struct {
		name string
		use  any
		want error
	}{
		{"token_use refresh", "refresh", v.ErrTokenUseMismatch},
		{"token_use ID in upper case", "ID", v.ErrTokenUseMismatch},
		{"token_use empty", "", v.ErrTokenUseMismatch},
		{"token_use access with a trailing space", "access ", v.ErrTokenUseMismatch},
		{"token_use a number", 1, v.ErrTokenMalformed},
		{"token_use an array", []string{"access"}, v.ErrTokenMalformed},
		{"token_use a boolean", true, v.ErrTokenMalformed},
	} {
		g.add(c.name, c.want, g.access(cognitotest.WithClaim("token_use", c.use)))
	}
	g.add("token_use missing", v.ErrTokenUseMismatch, g.access(cognitotest.WithoutClaim("token_use")))
	g.addFor(IDOnly, "access token where an ID token is required", v.ErrTokenUseMismatch, g.access())
	g.addFor(IDOnly, "client-credentials token where an ID token is required", v.ErrTokenUseMismatch, g.pool.ClientCredentialsToken([]string{"api/read"}))
	g.addFor(AccessOnly, "ID token where an access token is required", v.ErrTokenUseMismatch, g.id())
	g.addFor(AccessOnly, "ID token relabelled access (no client_id)", v.ErrClientMismatch, g.id(cognitotest.WithClaim("token_use", "access")))
}

func clients(g *gen) {
	client := g.pool.ClientID()
	g.add("ID token with aud an array of the right client", v.ErrClientMismatch, g.id(cognitotest.WithClaim("aud", []string{client})))
	g.add("ID token with aud an array of two clients", v.ErrClientMismatch, g.id(cognitotest.WithClaim("aud", []string{client, "otherclient"})))
	g.add("ID token without aud", v.ErrClientMismatch, g.id(cognitotest.WithoutClaim("aud")))
	g.add("ID token with aud empty", v.ErrClientMismatch, g.id(cognitotest.WithClaim("aud", "")))
	g.add("ID token of another client", v.ErrClientMismatch, g.id(cognitotest.WithClientID("otherclient0000000000000")))
	g.add("ID token with client_id right but aud wrong", v.ErrClientMismatch,
		g.id(cognitotest.WithClientID("otherclient0000000000000"), cognitotest.WithClaim("client_id", client)))
	g.add("ID token with aud a number", v.ErrTokenMalformed, g.id(cognitotest.WithClaim("aud", 1)))
	g.add("access token without client_id", v.ErrClientMismatch, g.access(cognitotest.WithoutClaim("client_id")))
	g.add("access token without client_id but with aud", v.ErrClientMismatch, g.access(cognitotest.WithoutClaim("client_id"), cognitotest.WithClaim("aud", client)))
	g.add("access token of another client", v.ErrClientMismatch, g.access(cognitotest.WithClientID("otherclient0000000000000")))
	g.add("access token with client_id empty", v.ErrClientMismatch, g.access(cognitotest.WithClaim("client_id", "")))
	g.add("access token with client_id in upper case", v.ErrClientMismatch, g.access(cognitotest.WithClaim("client_id", strings.ToUpper(client))))
	g.add("access token with client_id a number", v.ErrTokenMalformed, g.access(cognitotest.WithClaim("client_id", 1)))
}

func expiry(g *gen) {
	exp := func(val any) cognitotest.TokenOption { return cognitotest.WithClaim("exp", val) }
	g.add("exp missing", v.ErrTokenMalformed, g.access(cognitotest.WithoutClaim("exp")))
	g.add("exp a string", v.ErrTokenMalformed, g.access(exp(strconv.FormatInt(g.now+3600, 10))))
	g.add("exp null", v.ErrTokenMalformed, g.access(exp(json.RawMessage("null"))))
	g.add("exp a boolean", v.ErrTokenMalformed, g.access(exp(true)))
	g.add("control: exp a float in the future", nil, g.access(exp(float64(g.now)+1800.5)))
	g.add("exp a float just past", v.ErrTokenExpired, g.access(exp(float64(g.now)-0.5)))
	g.add("exp now (exp is exclusive)", v.ErrTokenExpired, g.access(exp(g.now)))
	g.add("exp an hour ago", v.ErrTokenExpired, g.access(cognitotest.WithIssuedAt(g.env.Now.Add(-2*time.Hour))))
	g.add("exp negative", v.ErrTokenExpired, g.access(exp(-1)))
	g.add("exp zero", v.ErrTokenExpired, g.access(exp(0)))
	g.add("exp huge (1e300)", v.ErrTokenMalformed, g.access(exp(1e300)))
	g.add("exp hugely negative (-1e300)", v.ErrTokenMalformed, g.access(exp(-1e300)))
	g.add("exp 1e15 (beyond the lifetime cap)", v.ErrTokenMalformed, g.access(exp(1e15)))
	g.add("exp past 2^53", v.ErrTokenMalformed, g.access(exp(json.RawMessage("9007199254740993"))))
	g.add("exp with an exponent overflowing float64 (1e400)", v.ErrTokenMalformed, g.access(exp(json.RawMessage("1e400"))))
	g.add("lifetime of 25 hours", v.ErrTokenMalformed, g.access(cognitotest.WithLifetime(25*time.Hour)))
	g.add("exp 25 hours ahead without iat", v.ErrTokenMalformed, g.access(cognitotest.WithoutClaim("iat"), exp(g.now+25*3600)))
}

func notBefore(g *gen) {
	g.add("nbf an hour ahead", v.ErrTokenNotYetValid, g.access(cognitotest.WithClaim("nbf", g.now+3600)))
	g.add("nbf one second ahead", v.ErrTokenNotYetValid, g.access(cognitotest.WithClaim("nbf", g.now+1)))
	g.add("nbf a string", v.ErrTokenMalformed, g.access(cognitotest.WithClaim("nbf", "0")))
	g.add("iat an hour ahead", v.ErrTokenNotYetValid, g.access(cognitotest.WithIssuedAt(g.env.Now.Add(time.Hour))))
	g.add("iat a string", v.ErrTokenMalformed, g.access(cognitotest.WithClaim("iat", strconv.FormatInt(g.now, 10))))
}

// duplicateKeys signs JSON with repeated members. encoding/json, which both
// the typed claims and Raw() use, keeps the last one; the signature covers
// the exact bytes, so only the issuer could have made such a token, and an
// attacker who adds a member to a signed token breaks the signature.
func duplicateKeys(g *gen) {
	hj := string(mustJSON(g.header()))
	pj := string(mustJSON(g.payload()))
	iss := g.pool.Issuer()
	first := func(obj, member string) string { return "{" + member + "," + obj[1:] }
	last := func(obj, member string) string { return obj[:len(obj)-1] + "," + member + "}" }
	evil := `"iss":"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Evil"`
	g.add("duplicate iss, the last one foreign", v.ErrIssuerMismatch, g.signed(hj, last(pj, evil)))
	g.add("control: duplicate iss, the first one foreign (last wins)", nil, g.signed(hj, first(pj, evil)))
	g.add("duplicate iss, the last one written with a \\u escape", v.ErrIssuerMismatch, g.signed(hj, last(pj, `"\u0069ss":"`+iss+`/"`)))
	g.add("duplicate token_use, the last one refresh", v.ErrTokenUseMismatch, g.signed(hj, last(pj, `"token_use":"refresh"`)))
	g.addFor(IDOnly, "duplicate token_use id then access", v.ErrTokenUseMismatch, g.signed(hj, last(pj, `"token_use":"access"`)))
	g.add("duplicate client_id, the last one foreign", v.ErrClientMismatch, g.signed(hj, last(pj, `"client_id":"otherclient0000000000000"`)))
	g.add("duplicate exp, the last one past", v.ErrTokenExpired, g.signed(hj, last(pj, `"exp":`+strconv.FormatInt(g.now-60, 10))))
	g.add("duplicate exp, the last one a string", v.ErrTokenMalformed, g.signed(hj, last(pj, `"exp":"`+strconv.FormatInt(g.now+60, 10)+`"`)))
	g.add("duplicate alg in the header, the last one none", v.ErrAlgorithm, g.signed(last(hj, `"alg":"none"`), pj))
	g.add("control: duplicate alg in the header, the first one none", nil, g.signed(first(hj, `"alg":"none"`), pj))
	g.add("duplicate kid in the header, the last one unknown", v.ErrKeyNotFound, g.signed(last(hj, `"kid":"no-such-key"`), pj))
	tok := g.access()
	h, p, s := parts(tok)
	pb, _ := base64.RawURLEncoding.DecodeString(p)
	g.add("attacker appends a duplicate cognito:groups to a signed token", v.ErrSignatureInvalid,
		h+"."+b64([]byte(last(string(pb), `"cognito:groups":["admin"]`)))+"."+s)
	g.add("attacker prepends a duplicate iss to a signed token", v.ErrSignatureInvalid,
		h+"."+b64([]byte(first(string(pb), evil)))+"."+s)
}

// nesting puts deeply nested JSON in the token. Under the default 16 KiB cap
// at most ~6,000 levels fit; LargeTokens lets encoding/json's own depth limit
// (10,000) be reached.
func nesting(g *gen) {
	hj := string(mustJSON(g.header()))
	pj := string(mustJSON(g.payload()))
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	deepObj := func(n int) string { return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) }
	with := func(obj, member string) string { return obj[:len(obj)-1] + "," + member + "}" }
	g.add("10,000 nested arrays in a custom claim", v.ErrTokenTooLarge, g.signed(hj, with(pj, `"custom:deep":`+deep(10000))))
	g.add("3,000 nested arrays as iss", v.ErrTokenMalformed, g.signed(hj, `{"iss":`+deep(3000)+`}`))
	g.add("control: 3,000 nested arrays in an unread header member", nil, g.signed(with(hj, `"x":`+deep(3000)), pj))
	g.add("3,000 nested arrays in a custom claim, attacker signature", v.ErrSignatureInvalid,
		g.signWithRaw(hj, with(pj, `"custom:deep":`+deep(3000))))
	g.add("control: 3,000 nested arrays in a custom claim", nil, g.signed(hj, with(pj, `"custom:deep":`+deep(3000))))
	g.add("control: 1,000 nested objects in a custom claim", nil, g.signed(hj, with(pj, `"custom:deep":`+deepObj(1000))))
	g.addFor(LargeTokens, "100,000 nested arrays in a custom claim", v.ErrTokenMalformed, g.signed(hj, with(pj, `"custom:deep":`+deep(100000))))
	g.addFor(LargeTokens, "100,000 nested objects in the header", v.ErrTokenMalformed, g.signed(with(hj, `"x":`+deepObj(100000)), pj))
	g.addFor(LargeTokens, "10,001 nested arrays as a claim", v.ErrTokenMalformed, g.signed(hj, with(pj, `"custom:deep":`+deep(10001))))
}

// signWithRaw signs raw JSON with the attacker's key under the real kid.
func (g *gen) signWithRaw(header, payload string) string {
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	sig, err := jwt.SigningMethodRS256.Sign(input, g.att.RSA)
	if err != nil {
		g.err = err
	}
	return input + "." + b64(sig)
}

func sizes(g *gen) {
	const limit = v.DefaultMaxTokenSize
	g.add("1 MiB of base64url", v.ErrTokenTooLarge, strings.Repeat("A", 1<<20))
	g.add("1 MiB token of valid shape", v.ErrTokenTooLarge, g.access(cognitotest.WithClaim("custom:pad", strings.Repeat("x", 1<<20))))
	g.add("1 MiB of dots", v.ErrTokenTooLarge, strings.Repeat(".", 1<<20))
	g.addFor(LargeTokens, "1 MiB and one byte, 1 MiB cap", v.ErrTokenTooLarge, strings.Repeat("A", 1<<20+1))
	exact := g.tokenOfLength(limit)
	g.add("control: token of exactly the 16 KiB cap", nil, exact)
	g.add("token one byte over the 16 KiB cap", v.ErrTokenTooLarge, g.tokenOfLength(limit+1))
	g.add("garbage of exactly the 16 KiB cap", v.ErrTokenMalformed, strings.Repeat("A", limit))
}

// tokenOfLength mints a valid access token of exactly n bytes by padding a
// custom claim, adjusting a header member when base64 cannot land on n.
func (g *gen) tokenOfLength(n int) string {
	for extra := 0; extra < 4; extra++ {
		h := g.header()
		if extra > 0 {
			h["typ"] = strings.Repeat("J", extra)
		}
		base := g.pool.Sign(h, g.payload("custom:pad", ""))
		for pad := max(0, (n-len(base))*3/4-8); pad < n; pad++ {
			tok := g.pool.Sign(h, g.payload("custom:pad", strings.Repeat("x", pad)))
			if len(tok) == n {
				return tok
			}
			if len(tok) > n {
				break
			}
		}
	}
	g.err = fmt.Errorf("hostile: cannot mint a token of %d bytes", n)
	return ""
}

// groups holds tokens whose cognito:groups look like "admin" but are not.
// They are authentic, so Verify accepts them; RequireAdmin's CustomCheck
// (claims.InGroup) must refuse them.
func groups(g *gen) {
	for _, c := range []struct{ name, group string }{
		{"zero-width space after", "admin\u200b"},
		{"zero-width space before", "\u200badmin"},
		{"zero-width joiner inside", "ad\u200dmin"},
		{"soft hyphen inside", "adm\u00adin"},
		{"Cyrillic а", "\u0430dmin"},
		{"Cyrillic і (dotted i)", "adm\u0456n"},
		{"full-width letters", "\uff41\uff44\uff4d\uff49\uff4e"},
		{"combining acute accent", "admi\u0301n"},
		{"capitalised", "Admin"},
		{"upper case", "ADMIN"},
		{"trailing space", "admin "},
		{"trailing NUL", "admin\x00"},
		{"invalid UTF-8 byte after", "admin\xff"},
		{"right-to-left override", "\u202enimda"},
		{"comma list in one entry", "admin,readers"},
	} {
		u := g.user
		u.Groups = []string{"readers", c.group}
		g.addFor(RequireAdmin, "group "+c.name, v.ErrCustomCheck, g.pool.AccessToken(u))
	}
	g.addFor(RequireAdmin, "group admin given as a number", v.ErrTokenMalformed, g.access(cognitotest.WithClaim("cognito:groups", []any{1})))
	g.addFor(RequireAdmin, "group admin only in custom:groups", v.ErrCustomCheck, g.id(cognitotest.WithClaim("custom:groups", "admin")))
	g.addFor(RequireAdmin, "group admin only in cognito:roles", v.ErrCustomCheck, g.access(cognitotest.WithClaim("cognito:roles", []string{"admin"})))
	u := g.user
	u.Groups = []string{"admin"}
	g.addFor(RequireAdmin, "control: group admin", nil, g.pool.AccessToken(u))
	g.addFor(RequireAdmin, "control: group admin as a single string", nil, g.access(cognitotest.WithClaim("cognito:groups", "admin")))
}

// order shows which check wins when a token has several defects, as
// documented on Verify.
func order(g *gen) {
	expired := cognitotest.WithIssuedAt(g.env.Now.Add(-2 * time.Hour))
	g.add("expired and token_use refresh: expiry first", v.ErrTokenExpired, g.access(expired, cognitotest.WithClaim("token_use", "refresh")))
	g.add("expired and unknown kid: key first", v.ErrKeyNotFound, g.access(expired, cognitotest.WithKID("no-such-key")))
	g.add("expired and attacker signature: signature first", v.ErrSignatureInvalid,
		g.signWith(jwt.SigningMethodRS256, g.att.RSA, g.header(), g.payload("exp", g.now-3600)))
	g.add("foreign iss and unknown kid: issuer first", v.ErrIssuerMismatch, g.access(cognitotest.WithKID("no-such-key"), cognitotest.WithClaim("iss", "https://evil.example")))
	g.add("alg none and foreign iss: alg first", v.ErrAlgorithm, withSig(g.header("alg", "none"), g.payload("iss", "https://evil.example"), []byte{1}))
	g.add("wrong client and refresh token_use: token_use first", v.ErrTokenUseMismatch,
		g.access(cognitotest.WithClaim("token_use", "refresh"), cognitotest.WithClaim("client_id", "otherclient0000000000000")))
	g.add("control: an ordinary access token", nil, g.access())
	g.add("control: an ordinary ID token", nil, g.id())
	g.addFor(AccessOnly, "control: a client-credentials token", nil, g.pool.ClientCredentialsToken([]string{"api/read"}))
}
