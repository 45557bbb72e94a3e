package verifier

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
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

// splitReference is the byte-by-byte split that split must agree with.
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

// FuzzSplitAgreement proves that split agrees with splitReference.
func FuzzSplitAgreement(f *testing.F) {
	for _, s := range []string{"", ".", "..", "...", "a.b.c", "a.b.c.", ".a.b", "a..b", "a.b.", "a.b.c.d",
		"aB9-_.xY.z", "a=.b.c", "a.b.c=", "a b.c.d", "a.b\n.c", "a.b.c\r", "a+b.c.d", "a/b.c.d", "é.b.c", "a.b.\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		got, gotOK := split(token)
		want, wantOK := splitReference(token)
		if got != want || gotOK != wantOK {
			t.Fatalf("split(%q) = %+v, %v; reference %+v, %v", token, got, gotOK, want, wantOK)
		}
	})
}
