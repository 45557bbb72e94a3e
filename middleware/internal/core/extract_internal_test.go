package core

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseAuthorization: the parser never panics, returns a token only
// for "<Bearer, any case> <b64token>" exactly, and classifies every
// failure as a refusal class.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"Bearer a.b.c", "bearer x", "Bearer  x", "Bearer", "Basic x", "", " Bearer x", "Bearer x ", "Bearer x=", "Bearer =x", "Bearer\tx", "Bearer:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		token, err := parseAuthorization(v)
		if err != nil {
			if token != "" {
				t.Fatalf("%q: token with error", v)
			}
			if !errors.Is(err, ErrNoToken) && !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("%q: unclassified error %v", v, err)
			}
			if strings.Contains(err.Error(), v) && len(v) > 8 {
				t.Fatalf("%q: error echoes the value: %v", v, err)
			}
			return
		}
		if !strings.EqualFold(v[:7], "Bearer ") || v[7:] != token || !isB64Token(token) {
			t.Fatalf("%q: accepted token %q", v, token)
		}
	})
}

func TestParseAuthorization(t *testing.T) {
	for _, tc := range []struct {
		in, token string
		err       error
	}{
		{"Bearer abc.DEF-_~+/.x==", "abc.DEF-_~+/.x==", nil},
		{"bEaReR t", "t", nil},
		{"Basic dXNlcg==", "", ErrNoToken},
		{"Negotiate", "", ErrNoToken},
		{"Bearer", "", ErrInvalidRequest},
		{"Bearer ", "", ErrInvalidRequest},
		{"Bearer  t", "", ErrInvalidRequest},
		{"Bearer \tt", "", ErrInvalidRequest},
		{"Bearer t u", "", ErrInvalidRequest},
		{"Bearer =t", "", ErrInvalidRequest},
		{"Bearer t=u", "", ErrInvalidRequest},
		{" Bearer t", "", ErrInvalidRequest},
		{"", "", ErrInvalidRequest},
		{"Bearer:t", "", ErrInvalidRequest},
		{"eyJ.eyJ.sig", "", ErrInvalidRequest},
	} {
		token, err := parseAuthorization(tc.in)
		if token != tc.token || (tc.err == nil) != (err == nil) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("parseAuthorization(%q) = %q, %v; want %q, %v", tc.in, token, err, tc.token, tc.err)
		}
	}
}
