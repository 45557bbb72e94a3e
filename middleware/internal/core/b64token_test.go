package core

import (
	"regexp"
	"strings"
	"testing"
)

// b64tokenGrammar is RFC 6750 §2.1 b64token, written as plainly as possible:
// the specification isB64Token's table loop must agree with.
var b64tokenGrammar = regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`)

func TestIsB64TokenMatchesGrammar(t *testing.T) {
	long := strings.Repeat("eyJhbGciOiJSUzI1NiJ9.abc_-~+/", 50)
	for _, s := range []string{
		"", "=", "==", "a", "a=", "a==", "=a", "a=b", "abc", "abcd", "abcde", "abcdefgh=",
		"a b", "a\tb", "a,b", "ab\x00", "ab\xff", "Ä", long, long + "==", long + "=x", long[:7] + " " + long,
	} {
		if got, want := isB64Token(s), b64tokenGrammar.MatchString(s); got != want {
			t.Errorf("isB64Token(%q) = %v, grammar says %v", s, got, want)
		}
	}
}

func FuzzIsB64Token(f *testing.F) {
	for _, s := range []string{"abc==", "=", "a=b", "abcdefgh=", "abc d", strings.Repeat("x", 33) + "~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isB64Token(s), b64tokenGrammar.MatchString(s); got != want {
			t.Fatalf("isB64Token(%q) = %v, grammar says %v", s, got, want)
		}
	})
}
