package verifier_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestHeaderCache: only a verified token's header is kept; a token whose
// header segment is kept verifies, and is refused, exactly as by a verifier
// that has never seen it; the cache keeps at most eight headers.
func TestHeaderCache(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	cfg := p.Config(verifier.IDToken)
	v := buildVerifier(t, cfg)
	good := p.IDToken(cognitotest.User{})

	forged := flipSignatureByte(t, good)
	expectRejected(t, v, forged, verifier.ErrSignatureInvalid, "")
	if verifier.HeaderCached(v, forged) {
		t.Fatal("a forged token's header was kept")
	}
	mustVerify(t, v, good)
	if !verifier.HeaderCached(v, good) {
		t.Fatal("a verified token's header was not kept")
	}

	// Same header segment, every other part varied: the verdicts and errors
	// of a verifier holding the header equal those of a fresh one.
	dot1, dot2 := strings.IndexByte(good, '.'), strings.LastIndexByte(good, '.')
	header, payload, sig := good[:dot1], good[dot1+1:dot2], good[dot2+1:]
	cases := map[string]string{
		"another token":              p.IDToken(cognitotest.User{Username: "other"}),
		"forged":                     forged,
		"payload not base64url":      header + "." + payload[:10] + "*" + payload[11:] + "." + sig,
		"payload not canonical":      header + "." + payload + "A." + sig,
		"signature not base64url":    header + "." + payload + "." + sig[:5] + "=" + sig[6:],
		"byte outside base64url":     header + "." + payload + "." + sig + "\x00",
		"payload of another token":   header + "." + strings.Split(p.IDToken(cognitotest.User{Username: "x"}), ".")[1] + "." + sig,
		"four segments":              good + ".e30",
		"payload one shorter":        header + "." + payload[:len(payload)-1] + "." + sig,
		"payload two shorter":        header + "." + payload[:len(payload)-2] + "." + sig,
		"empty signature":            header + "." + payload + ".",
		"expired token, same header": p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(-1)),
	}
	for name, token := range cases {
		fresh := buildVerifier(t, cfg)
		if !strings.HasPrefix(token, header+".") {
			t.Fatalf("%s: the case does not share the header", name)
		}
		want, wantErr := fresh.Verify(context.Background(), token)
		got, gotErr := v.Verify(context.Background(), token)
		if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
			t.Errorf("%s: error %v, a fresh verifier's %v", name, gotErr, wantErr)
		}
		if (got == nil) != (want == nil) || (got != nil && got.Subject != want.Subject) {
			t.Errorf("%s: claims %+v, a fresh verifier's %+v", name, got, want)
		}
	}

	// Bounded: of twenty verified headers (each with a member of its own),
	// the last eight are kept.
	var tokens []string
	for i := range 20 {
		tok := p.IDToken(cognitotest.User{}, cognitotest.WithHeader("n", strconv.Itoa(i)))
		mustVerify(t, v, tok)
		tokens = append(tokens, tok)
	}
	for i, tok := range tokens {
		if got, want := verifier.HeaderCached(v, tok), i >= 12; got != want {
			t.Errorf("header %d kept: %v, want %v", i, got, want)
		}
	}
}
