package claims

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/internal/hostilejson"
)

// FuzzDecodeAgreement proves that Decode's hand-written decoder agrees with
// decodeReference, the encoding/json decoder that defines the semantics: the
// same payloads accepted, the same error for the others, and equal values in
// every field (Claims is compared whole, unexported fields included).
//
// The seed corpus in testdata/fuzz/FuzzDecodeAgreement runs with every
// `go test`; to search further:
//
//	go test -run '^$' -fuzz FuzzDecodeAgreement -fuzztime 5m ./claims/
func FuzzDecodeAgreement(f *testing.F) {
	// The worst-case shapes, at a size the fuzzer can still mutate.
	for _, sh := range hostilejson.Shapes() {
		f.Add(sh.Payload(`"iss":"x"`, 4<<10))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		checkAgreement(t, payload)
	})
}

func checkAgreement(t *testing.T, payload []byte) {
	t.Helper()
	// Each decoder gets its own copy, so that one modifying its input shows.
	want, wantErr := decodeReference(bytes.Clone(payload))
	got, gotErr := decodeFast(bytes.Clone(payload))
	if got != nil {
		// Decode keeps custom attributes in document order, the reference in
		// name order; the order carries no meaning (names are unique).
		got.custom = slices.Clone(got.custom)
		sortAttributes(got.custom)
	}
	if !reflect.DeepEqual(gotErr, wantErr) {
		t.Fatalf("payload %q:\nfast error      %v\nreference error %v", payload, gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("payload %q:\nfast      %+v\nreference %+v", payload, got, want)
	}
}

// TestDecodeAgreementDepth covers what the fuzzer is unlikely to reach:
// encoding/json's nesting limit of 10000 containers, met exactly and passed.
func TestDecodeAgreementDepth(t *testing.T) {
	for _, depth := range []int{9999, 10000, 10001} {
		inner := depth - 1 // the payload object is the first container
		payload := `{"iss":"x","deep":` + strings.Repeat("[", inner) + strings.Repeat("]", inner) + `}`
		t.Run(strconv.Itoa(depth), func(t *testing.T) {
			checkAgreement(t, []byte(payload))
			_, err := decodeFast([]byte(payload))
			if ok := err == nil; ok != (depth <= 10000) {
				t.Fatalf("depth %d: error %v", depth, err)
			}
		})
	}
}

// TestDecodeFastSeeds makes sure the committed corpus reaches both outcomes
// for every claim type, so that the agreement above is not vacuous.
func TestDecodeFastSeeds(t *testing.T) {
	fields := map[string]func(*Claims) bool{
		"Issuer":        func(c *Claims) bool { return c.Issuer != "" },
		"Audience":      func(c *Claims) bool { return len(c.Audience) > 1 },
		"ClientID":      func(c *Claims) bool { return c.ClientID != "" },
		"Groups":        func(c *Claims) bool { return len(c.Groups) > 0 },
		"Roles":         func(c *Claims) bool { return len(c.Roles) > 0 },
		"Scopes":        func(c *Claims) bool { return len(c.Scopes) > 1 },
		"EmailVerified": func(c *Claims) bool { return c.EmailVerified },
		"ExpiresAt":     func(c *Claims) bool { return c.hasExp && c.exp != float64(int64(c.exp)) },
		"AuthTime":      func(c *Claims) bool { return c.hasAuth },
		"Custom":        func(c *Claims) bool { return len(c.custom) > 1 },
		"escapes":       func(c *Claims) bool { return strings.Contains(c.Issuer, "/") && strings.ContainsRune(c.Subject, 'é') },
		"replacement":   func(c *Claims) bool { return strings.ContainsRune(c.Subject+c.Email+c.Username, '\uFFFD') },
	}
	seen := map[string]bool{}
	claimErrs := map[string]bool{}
	for _, payload := range readCorpus(t, "testdata/fuzz/FuzzDecodeAgreement") {
		c, err := decodeFast(payload)
		if err != nil {
			claimErrs[err.(*DecodeError).Claim] = true
			continue
		}
		for name, has := range fields {
			if has(c) {
				seen[name] = true
			}
		}
	}
	for name := range fields {
		if !seen[name] {
			t.Errorf("no accepted seed exercises %s", name)
		}
	}
	for _, claim := range append([]string{""}, claimNames[:]...) {
		if claim == "email_verified" { // never an error
			continue
		}
		if !claimErrs[claim] {
			t.Errorf("no seed is refused for claim %q", claim)
		}
	}
}

// readCorpus reads the []byte inputs of a seed corpus directory.
func readCorpus(t *testing.T, dir string) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed corpus in %s: %v", dir, err)
	}
	var out [][]byte
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		arg, ok := strings.CutPrefix(lines[len(lines)-1], "[]byte(")
		if !ok || len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a one-argument []byte corpus file", name)
		}
		s, err := strconv.Unquote(strings.TrimSuffix(arg, ")"))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, []byte(s))
	}
	return out
}
