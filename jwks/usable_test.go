package jwks_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// TestCacheSkipsKeysNoAllowedAlgorithmUses: a Cache keeps only keys one of
// its AllowedAlgorithms can verify with, by type and curve; Ed25519 never.
func TestCacheSkipsKeysNoAllowedAlgorithmUses(t *testing.T) {
	t.Parallel()
	k := keys(t)
	doc := document(t, rsaJWK(k.rsa1, "rsa"), ecJWK(k.ec256, "p256"), edJWK(k.ed, "ed"))
	for _, tc := range []struct {
		name string
		algs []string
		want []string
	}{
		{"default: every known algorithm", nil, []string{"rsa", "p256"}},
		{"RS256 only", []string{"RS256"}, []string{"rsa"}},
		{"PS512 keeps RSA keys", []string{"PS512"}, []string{"rsa"}},
		{"ES256 only", []string{"ES256"}, []string{"p256"}},
		{"ES384 uses no P-256 key", []string{"ES384", "RS256"}, []string{"rsa"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startKeyServer(t, true, doc)
			c, clk, _ := newCache(t, s, jwks.Options{AllowedAlgorithms: tc.algs})
			if err := c.Load(doc); err != nil {
				t.Fatalf("Load: %v", err)
			}
			for _, kid := range []string{"rsa", "p256", "ed"} {
				_, ok := c.Lookup(kid, clk.Now())
				if want := contains(tc.want, kid); ok != want {
					t.Errorf("Lookup(%q) = %v, want %v", kid, ok, want)
				}
			}
		})
	}
	if _, err := jwks.New("https://example.com/jwks.json", jwks.Options{AllowedAlgorithms: []string{"EdDSA"}}); err == nil {
		t.Error("New accepted the unsupported algorithm EdDSA")
	}
}

// TestCacheUnusableSetIsFailedFetch: a fetched set whose keys no allowed
// algorithm can use (only Ed25519, or only EC under RS256) is a failed
// fetch: the working keys are kept, and the failure is counted.
func TestCacheUnusableSetIsFailedFetch(t *testing.T) {
	t.Parallel()
	k := keys(t)
	for _, tc := range []struct {
		name string
		doc  []byte
	}{
		{"only Ed25519", document(t, edJWK(k.ed, "ed"))},
		{"only EC under RS256", document(t, ecJWK(k.ec256, "p256"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startKeyServer(t, true, document(t, rsaJWK(k.rsa1, "good")))
			c, clk, log := newCache(t, s, jwks.Options{AllowedAlgorithms: []string{"RS256"}})
			mustKey(t, c, "good")
			s.setDoc(tc.doc)
			clk.Advance(jwks.DefaultRefetchCooldown)
			if _, err := c.Key(context.Background(), "new"); !errors.Is(err, jwks.ErrKeyNotFound) {
				t.Fatalf("Key(new) = %v, want ErrKeyNotFound", err)
			}
			waitFor(t, log.failed, "the failed fetch")
			mustKey(t, c, "good")
			if st := c.Stats(); st.Failures != 1 || st.Keys != 1 {
				t.Errorf("Stats = %+v, want 1 failure and the 1 good key held", st)
			}
		})
	}
}

// TestNilAndZeroValuesSafe: no exported method panics on a nil or zero
// Set, Cache or error value; a Cache not made by New holds nothing and
// fails with ErrUnavailable.
func TestNilAndZeroValuesSafe(t *testing.T) {
	t.Parallel()
	for _, s := range []*jwks.Set{nil, {}} {
		if ids := s.KeyIDs(); len(ids) != 0 {
			t.Errorf("KeyIDs = %v", ids)
		}
		if _, ok := s.Key("k"); ok || s.Len() != 0 {
			t.Error("an empty Set has a key")
		}
	}
	for _, c := range []*jwks.Cache{nil, {}} {
		ctx := context.Background()
		if _, err := c.Key(ctx, "k"); !errors.Is(err, jwks.ErrUnavailable) {
			t.Errorf("Key = %v, want ErrUnavailable", err)
		}
		if _, ok := c.Lookup("k", time.Now()); ok {
			t.Error("Lookup found a key")
		}
		if err := c.Warmup(ctx); !errors.Is(err, jwks.ErrUnavailable) {
			t.Errorf("Warmup = %v, want ErrUnavailable", err)
		}
		if err := c.Load(document(t, rsaJWK(keys(t).rsa1, "k"))); err == nil {
			t.Error("Load succeeded on a Cache not made by New")
		}
		if st := c.Stats(); st != (jwks.Stats{}) {
			t.Errorf("Stats = %+v", st)
		}
		_ = c.URL()
		c.Close()
	}
	for _, e := range []error{(*jwks.FetchError)(nil), (*jwks.SkippedKeyError)(nil)} {
		if e.Error() == "" {
			t.Errorf("%T.Error() is empty", e)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCacheBackoffWithoutKeys: with no keys held, failed fetches are
// retried after 0.75 to 1 s, then 1.5 to 2 s, doubling up to
// RefetchCooldown; with keys held, a failed refresh waits the full
// RefetchCooldown before the next fetch.
func TestCacheBackoffWithoutKeys(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	s.setHandler(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	c, clk, _ := newCache(t, s, jwks.Options{RefetchCooldown: 3 * time.Second})
	try := func() { c.Key(context.Background(), "k1") }
	steps := []struct {
		advance time.Duration
		want    int64
	}{
		{0, 1},                       // the first fetch fails
		{749 * time.Millisecond, 1},  // under the shortest first retry
		{251 * time.Millisecond, 2},  // 1 s: the first retry is due
		{1499 * time.Millisecond, 2}, // under the shortest second retry
		{501 * time.Millisecond, 3},  // 2 s: the second retry is due
		{2249 * time.Millisecond, 3}, // under the shortest capped retry
		{751 * time.Millisecond, 4},  // 3 s: capped at the cooldown, not 4 s
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		try()
		wantRequests(t, s, "backoff step "+string(rune('0'+i)), st.want)
	}

	s.handler.Store(nil)
	clk.Advance(3 * time.Second)
	mustKey(t, c, "k1") // keys held now
	s.setHandler(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	clk.Advance(3 * time.Second)
	if _, err := c.Key(context.Background(), "unknown"); !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Fatalf("Key(unknown) = %v", err)
	}
	wantRequests(t, s, "unknown kid with keys held", 6)
	clk.Advance(2 * time.Second) // past any backoff, within the cooldown
	c.Key(context.Background(), "unknown")
	wantRequests(t, s, "after a failure with keys held: the full cooldown", 6)
}
