package verifier_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
	"github.com/cognitoauth/cognitoauth/verifier/internal/hostile"
)

// minHostileCases is the least number of refused rows the table must hold.
const minHostileCases = 80

// TestHostileTokens runs the generated table of crafted tokens (see package
// verifier/internal/hostile): every row is refused with exactly its sentinel, without
// a panic and without the token in the error; every positive control is
// accepted with typed claims that agree with Raw(); and no token makes the
// verifier contact the server its jku/x5u headers name.
func TestHostileTokens(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	pool, err := cognitotest.NewPool(cognitotest.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	att, err := hostile.NewAttacker()
	if err != nil {
		t.Fatal(err)
	}
	// The server an attacker's key-location headers point at. It would serve
	// the attacker's keys, so a verifier that followed jku or x5u would
	// accept forged tokens; it must never be contacted at all.
	var elsewhere atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		if strings.HasSuffix(r.URL.Path, ".pem") {
			w.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: att.Cert}))
			return
		}
		w.Write(att.JWKS())
	}))
	defer srv.Close()

	cases, err := hostile.Cases(hostile.Env{Pool: pool, Attacker: att, ElsewhereURL: srv.URL, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	verifiers := make(map[hostile.Variant]*verifier.Verifier)
	for _, vr := range hostile.Variants() {
		v, err := verifier.New(vr.Config(pool))
		if err != nil {
			t.Fatalf("%v: %v", vr, err)
		}
		defer v.Close()
		verifiers[vr] = v
	}

	t.Run("cases", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.Name, func(t *testing.T) {
				t.Parallel()
				checkHostileCase(t, verifiers[tc.Verifier], tc)
			})
		}
	})

	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the server named by jku/x5u headers got %d requests, want 0", n)
	}
	// Hostile tokens must not drive key fetches either: with the clock
	// standing still the cooldown never ends, so each verifier fetches once.
	if n := pool.JWKSRequests(); n > int64(len(verifiers)) {
		t.Errorf("the pool's JWKS got %d requests for %d verifiers, want at most one each", n, len(verifiers))
	}
	rejected, bySentinel := tally(cases)
	if rejected < minHostileCases {
		t.Errorf("%d refused rows, want at least %d", rejected, minHostileCases)
	}
	t.Logf("%d hostile tokens refused with their sentinel (%s), %d positive controls accepted",
		rejected, bySentinel, len(cases)-rejected)
}

func checkHostileCase(t *testing.T, v *verifier.Verifier, tc hostile.Case) {
	t.Helper()
	c, err := v.Verify(context.Background(), tc.Token)
	if tc.Want == nil {
		if err != nil {
			t.Fatalf("positive control refused: %v", err)
		}
		checkRawAgrees(t, c)
		return
	}
	if err == nil {
		t.Fatalf("accepted; want %v", tc.Want)
	}
	if c != nil {
		t.Errorf("claims returned together with an error")
	}
	if !errors.Is(err, tc.Want) {
		t.Fatalf("got %v; want %v", err, tc.Want)
	}
	checkRefusal(t, err, tc.Token)
	assertNoTokenInError(t, err, tc.Token) // stricter: no segment either
}

// checkRefusal asserts the shape of any error from Verify, crafted input
// or not: a *ValidationError whose Reason is the one sentinel (allReasons)
// it matches, and a message that does not quote the token.
func checkRefusal(t testing.TB, err error, token string) {
	t.Helper()
	var ve *verifier.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T is not a *verifier.ValidationError: %v", err, err)
	}
	var matched []error
	for _, s := range allReasons {
		if errors.Is(err, s) {
			matched = append(matched, s)
		}
	}
	if len(matched) != 1 || ve.Reason != matched[0] {
		t.Fatalf("error matches sentinels %v with Reason %v; want exactly its Reason", matched, ve.Reason)
	}
	// Short inputs can occur in any text by chance; a token of 20 bytes or
	// more in the message can only have been copied there.
	if msg := err.Error(); len(token) >= 20 && strings.Contains(msg, token) {
		t.Fatalf("error message contains the token")
	}
	if i := strings.LastIndexByte(token, '.'); i >= 0 && len(token)-i > 20 && strings.Contains(err.Error(), token[i+1:]) {
		t.Fatalf("error message contains the token's signature")
	}
}

// checkRawAgrees asserts that the typed claims and Raw() read the same JSON
// the same way (encoding/json, last duplicate wins), so that no check can
// see one value and a handler another.
func checkRawAgrees(t testing.TB, c *claims.Claims) {
	t.Helper()
	raw := c.Raw()
	if raw == nil {
		t.Fatal("Raw() is nil for an accepted token")
	}
	if raw["iss"] != c.Issuer || raw["token_use"] != c.TokenUse {
		t.Errorf("Raw iss/token_use %v/%v, typed %q/%q", raw["iss"], raw["token_use"], c.Issuer, c.TokenUse)
	}
	clientClaim := "client_id"
	if c.TokenUse == claims.TokenUseID {
		clientClaim = "aud"
	}
	if raw[clientClaim] != c.ClientID {
		t.Errorf("Raw %s %v, typed client %q", clientClaim, raw[clientClaim], c.ClientID)
	}
	if exp, _ := c.Expiry(); raw["exp"] != exp {
		t.Errorf("Raw exp %v, typed %v", raw["exp"], exp)
	}
}

func tally(cases []hostile.Case) (int, string) {
	counts := map[string]int{}
	n := 0
	for _, c := range cases {
		if c.Want != nil {
			n++
			counts[strings.TrimPrefix(c.Want.Error(), "verifier: ")]++
		}
	}
	var parts []string
	for k, v := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(parts)
	return n, strings.Join(parts, ", ")
}
