package verifier

import (
	"encoding/base64"
	"encoding/json"
)

// segments holds the three parts of a compact JWS, as slices of the token.
type segments struct {
	header, payload, signature string
	signingInput               string // header "." payload
}

// split checks the token's alphabet and shape in one pass: exactly three
// non-empty segments of base64url characters. It refuses padding, white space
// and anything else that base64 decoders might silently skip.
func split(token string) (segments, bool) {
	dots := [2]int{-1, -1}
	n := 0
	for i := 0; i < len(token); i++ {
		c := token[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		case c == '.':
			if n == 2 {
				return segments{}, false
			}
			dots[n] = i
			n++
		default:
			return segments{}, false
		}
	}
	if n != 2 || dots[0] == 0 || dots[1] == dots[0]+1 || dots[1] == len(token)-1 {
		return segments{}, false
	}
	return segments{
		header:       token[:dots[0]],
		payload:      token[dots[0]+1 : dots[1]],
		signature:    token[dots[1]+1:],
		signingInput: token[:dots[1]],
	}, true
}

var b64 = base64.RawURLEncoding.Strict()

// decode decodes one segment strictly (no padding, canonical trailing bits).
func decode(seg string) ([]byte, bool) {
	out := make([]byte, b64.DecodedLen(len(seg)))
	n, err := b64.Decode(out, []byte(seg))
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// header is the part of the JOSE header the verifier reads. Key location
// members (jku, x5u, jwk, x5c) are deliberately ignored: keys come only from
// the configured JWKS URL.
type header struct {
	alg, kid string
	hasAlg   bool
}

// parseHeader decodes the header object. Keys match exactly and the last of
// duplicate keys wins, as for the payload.
func parseHeader(b []byte) (header, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return header{}, fail(ErrTokenMalformed, "", "", "header is not a JSON object")
	}
	var h header
	if raw, ok := m["alg"]; ok {
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &h.alg) != nil {
			return header{}, fail(ErrTokenMalformed, "header.alg", "", "is not a string")
		}
		h.hasAlg = true
	}
	if raw, ok := m["kid"]; ok {
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &h.kid) != nil {
			return header{}, fail(ErrTokenMalformed, "header.kid", "", "is not a string")
		}
	}
	if _, ok := m["crit"]; ok {
		// No extension is understood, so any crit list must be refused (RFC 7515 §4.1.11).
		return header{}, fail(ErrTokenMalformed, "header.crit", "", "names extensions this verifier does not understand")
	}
	return h, nil
}
