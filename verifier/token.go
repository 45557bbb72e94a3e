package verifier

import (
	"encoding/base64"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognitoauth/cognitoauth/internal/jsonscan"
)

// segments holds the three parts of a compact JWS, as slices of the token.
type segments struct {
	header, payload, signature string
	signingInput               string // header "." payload
}

// split finds the token's three segments and checks its shape: exactly
// three non-empty segments. It does not look at every byte: the strict
// base64url decoding of each segment refuses every byte outside the
// alphabet except '\r' and '\n', which base64 decoders skip, so split
// refuses those two itself. Until all three segments have decoded, an error
// must go through refuse, which reports a byte outside the alphabet first,
// as a check of every byte up front would.
func split(token string) (segments, bool) {
	if strings.IndexByte(token, '\n') >= 0 || strings.IndexByte(token, '\r') >= 0 {
		return segments{}, false
	}
	dot1 := strings.IndexByte(token, '.')
	if dot1 <= 0 {
		return segments{}, false
	}
	dot2 := strings.IndexByte(token[dot1+1:], '.') + dot1 + 1
	if dot2 <= dot1+1 || dot2 == len(token)-1 || strings.IndexByte(token[dot2+1:], '.') >= 0 {
		return segments{}, false
	}
	return segments{
		header:       token[:dot1],
		payload:      token[dot1+1 : dot2],
		signature:    token[dot2+1:],
		signingInput: token[:dot2],
	}, true
}

// errNotJWS is the error for a token split refuses, or with a byte outside
// base64url and the dots.
func errNotJWS() error {
	return fail(ErrTokenMalformed, "", "", "not three non-empty base64url segments")
}

// refuse returns err, found before all three segments have decoded, unless
// token has a byte outside base64url and the dots, which is reported first.
func refuse(token string, err error) error {
	valid := uint8(1)
	for i := 0; i < len(token); i++ {
		valid &= jwsByte[token[i]] // no branch per byte: tokens are long
	}
	if valid == 0 {
		return errNotJWS()
	}
	return err
}

// jwsByte is 1 for the bytes of a compact JWS (base64url and the dot).
var jwsByte = func() (t [256]uint8) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") {
		t[c] = 1
	}
	return t
}()

var b64 = base64.RawURLEncoding.Strict()

// decode decodes one segment strictly (no padding, canonical trailing bits)
// into buf when it fits, so that the header and signature need no heap.
func decode(seg string, buf []byte) ([]byte, bool) {
	if n := b64.DecodedLen(len(seg)); n > len(buf) {
		buf = make([]byte, n)
	}
	n, err := b64.Decode(buf, []byte(seg))
	if err != nil {
		return nil, false
	}
	return buf[:n], true
}

// header is the part of the JOSE header the verifier reads. Key location
// members (jku, x5u, jwk, x5c) are deliberately ignored: keys come only from
// the configured JWKS URL.
type header struct {
	alg, kid string
	hasAlg   bool
}

// parseHeader decodes the header object. Keys match exactly and the last of
// duplicate keys wins, as for the payload. It accepts and refuses what
// encoding/json would (FuzzHeaderAgreement checks it against that reference).
func parseHeader(b []byte) (header, error) {
	var alg, kid []byte
	crit := false
	var keyBuf [16]byte
	obj := jsonscan.Members(b)
	for {
		key, value, ok := obj.Next()
		if !ok {
			break
		}
		name := key[1 : len(key)-1]
		if keyPlain, _ := obj.Plain(); !keyPlain {
			name = jsonscan.AppendUnquoted(keyBuf[:0], key)
		}
		switch string(name) {
		case "alg":
			alg = value
		case "kid":
			kid = value
		case "crit":
			crit = true
		}
	}
	if !obj.Valid() {
		return header{}, fail(ErrTokenMalformed, "", "", "header is not a JSON object")
	}
	var h header
	if alg != nil {
		if alg[0] != '"' {
			return header{}, fail(ErrTokenMalformed, "header.alg", "", "is not a string")
		}
		h.alg, h.hasAlg = algorithmName(alg), true
	}
	if kid != nil {
		if kid[0] != '"' {
			return header{}, fail(ErrTokenMalformed, "header.kid", "", "is not a string")
		}
		h.kid = unquote(kid)
	}
	if crit {
		// No extension is understood, so any crit list must be refused (RFC 7515 §4.1.11).
		return header{}, fail(ErrTokenMalformed, "header.crit", "", "names extensions this verifier does not understand")
	}
	return h, nil
}

// algorithmName returns a known alg as a constant, without allocating.
func algorithmName(quoted []byte) string {
	if s, ok := jsonscan.Plain(quoted); ok {
		for _, name := range algorithmNames {
			if string(s) == name {
				return name
			}
		}
	}
	return unquote(quoted)
}

var algorithmNames = [...]string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

func unquote(quoted []byte) string {
	if s, ok := jsonscan.Plain(quoted); ok {
		return string(s)
	}
	var buf [64]byte
	return string(jsonscan.AppendUnquoted(buf[:0], quoted))
}

// parsedHeader is a header segment, parsed, with the allowed method its
// alg names.
type parsedHeader struct {
	segment string
	h       header
	method  jwt.SigningMethod
}
