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
