package verifier

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// parseHeaderReference is the encoding/json header parser that defines what
// parseHeader must accept, refuse and return.
func parseHeaderReference(b []byte) (header, error) {
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
		return header{}, fail(ErrTokenMalformed, "header.crit", "", "names extensions this verifier does not understand")
	}
	return h, nil
}

// FuzzHeaderAgreement proves that parseHeader agrees with
// parseHeaderReference on every input: same result, same error. The seed
// corpus is in testdata/fuzz/FuzzHeaderAgreement; to search further:
//
//	go test -run '^$' -fuzz FuzzHeaderAgreement -fuzztime 5m ./verifier/
func FuzzHeaderAgreement(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		want, wantErr := parseHeaderReference(bytes.Clone(b))
		got, gotErr := parseHeader(bytes.Clone(b))
		if !reflect.DeepEqual(gotErr, wantErr) || got != want {
			t.Fatalf("header %q:\nlean      %+v, %v\nreference %+v, %v", b, got, gotErr, want, wantErr)
		}
	})
}

// TestAlgorithmNamesComplete keeps the allocation-free alg lookup in step
// with the algorithms New accepts.
func TestAlgorithmNamesComplete(t *testing.T) {
	var known []string
	for name := range knownAlgorithms {
		known = append(known, name)
	}
	names := algorithmNames[:]
	slices.Sort(known)
	names = slices.Sorted(slices.Values(names))
	if !slices.Equal(known, names) {
		t.Fatalf("algorithmNames %v, knownAlgorithms %v", names, known)
	}
}

// TestParseHeaderAllocations pins the allocation budget of a Cognito header:
// the kid string only.
func TestParseHeaderAllocations(t *testing.T) {
	b := []byte(`{"kid":"xPARiky\/hZ2tXdGx1z1dCBxpl0FGIRImjC1+FXlnomc=","alg":"RS256"}`)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseHeader(b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("parseHeader allocates %v times, want at most 1", allocs)
	}
}

// parsedToken is what parse returns, in one value.
type parsedToken struct {
	header       header
	method       jwt.SigningMethod
	payload      []byte
	signature    []byte
	signingInput string
}

// parseReference is the token prefix of verify as it was written first:
// a check of every byte and the shape, then each step in turn.
func (v *Verifier) parseReference(token string) (parsedToken, error) {
	seg, ok := splitReference(token)
	if !ok {
		return parsedToken{}, fail(ErrTokenMalformed, "", "", "not three non-empty base64url segments")
	}
	hb, ok := decodeReference(seg.header)
	if !ok {
		return parsedToken{}, fail(ErrTokenMalformed, "", "", "header is not strict base64url")
	}
	h, err := parseHeaderReference(hb)
	if err != nil {
		return parsedToken{}, err
	}
	method, ok := v.algs[h.alg]
	if !ok {
		return parsedToken{}, fail(ErrAlgorithm, "header.alg", h.alg, "not in the allowed set")
	}
	if h.kid == "" {
		return parsedToken{}, fail(ErrTokenMalformed, "header.kid", "", "missing or empty")
	}
	pb, ok := decodeReference(seg.payload)
	if !ok {
		return parsedToken{}, fail(ErrTokenMalformed, "", "", "payload is not strict base64url")
	}
	sig, ok := decodeReference(seg.signature)
	if !ok {
		return parsedToken{}, fail(ErrTokenMalformed, "", "", "signature is not strict base64url")
	}
	return parsedToken{header: h, method: method, payload: pb, signature: sig, signingInput: seg.signingInput}, nil
}

func decodeReference(seg string) ([]byte, bool) {
	out, err := b64.DecodeString(seg)
	return out, err == nil
}

func splitReference(token string) (segments, bool) {
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

// FuzzParseAgreement proves that parse, which leaves the alphabet to the
// base64 decoder and checks every byte only on its error paths, agrees with
// parseReference on every input: same error, or the same header, method and
// decoded segments. To search further:
//
//	go test -run '^$' -fuzz FuzzParseAgreement -fuzztime 5m ./verifier/
func FuzzParseAgreement(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	good := enc(`{"alg":"RS256","kid":"k1"}`)
	payload := enc(`{"iss":"x"}`)
	sig := enc("0123456789abcdef")
	for _, s := range []string{
		"", ".", "..", "a.b.c", "a.b.c.", ".a.b", "a..b", "a.b.", "a.b.c.d",
		good + "." + payload + "." + sig,
		good + "." + payload + "." + sig + "=",
		good + "=." + payload + "." + sig,
		good + "." + payload + "\n." + sig,
		good + ".\r" + payload + "." + sig,
		good + "." + payload + "." + sig[:len(sig)-1] + "B", // non-canonical trailing bits
		good + "." + payload + "." + sig[:len(sig)-3],
		good + "." + payload + "+." + sig,
		good + "." + payload + "." + sig + "/",
		good + "." + payload + "." + sig + " ",
		enc(`{"alg":"none","kid":"k1"}`) + "." + payload + "." + sig + "=",
		enc(`{"alg":"none","kid":"k1"}`) + "." + payload + "." + sig,
		enc(`{"alg":"ES256"}`) + ".!." + sig,
		enc(`{"alg":"RS256","kid":""}`) + "." + payload + ".é",
		enc(`{"alg":"RS256","kid":"k","crit":[]}`) + "." + payload + "." + sig,
		enc(`{"alg":"PS384","kid":"k"`) + "." + payload + "." + sig,
		"eyJhbGciOiJSUzI1NiJ9x." + payload + "." + sig,
	} {
		f.Add(s)
	}
	v, err := New(Config{UserPoolID: "us-east-1_Abc", ClientIDs: []string{"client"}, TokenUse: IDToken,
		AllowedAlgorithms: []string{"RS256", "ES256", "PS384"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, token string) {
		var hbuf [256]byte
		var pbuf [64]byte // small, so that payloads both fit and do not
		var sbuf [512]byte
		var got parsedToken
		ph, payload, sig, signingInput, gotErr := v.parse(token, hbuf[:], pbuf[:], sbuf[:])
		got = parsedToken{header: ph.h, method: ph.method, payload: payload, signature: sig, signingInput: signingInput}
		want, wantErr := v.parseReference(token)
		if !reflect.DeepEqual(gotErr, wantErr) {
			t.Fatalf("token %q:\nparse     error %v\nreference error %v", token, gotErr, wantErr)
		}
		if got.header != want.header || got.method != want.method || got.signingInput != want.signingInput ||
			!bytes.Equal(got.payload, want.payload) || !bytes.Equal(got.signature, want.signature) {
			t.Fatalf("token %q:\nparse     %+v\nreference %+v", token, got, want)
		}
	})
}
