package verifier_test

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// The verified-token cache must never change a verdict: these tests pin
// each of its safety properties.

// TestCacheHitStillExpires: a cached token stops verifying at exp (leeway
// included), and the hit really is served from the cache: once the keys are
// unusable, only the cached token still verifies.
func TestCacheHitStillExpires(t *testing.T) {
	t.Parallel()
	for _, leeway := range []time.Duration{0, 30 * time.Second} {
		t.Run(leeway.String(), func(t *testing.T) {
			t.Parallel()
			p, clk := clockedPool(t, cognitotest.Options{})
			cfg := p.Config(verifier.IDToken)
			cfg.Leeway = leeway
			cfg.MaxKeyAge = time.Minute // keys held longer are not used
			v := buildVerifier(t, cfg)
			token := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(time.Hour))
			mustVerify(t, v, token)
			if n := v.CachedTokens(); n != 1 {
				t.Fatalf("CachedTokens = %d after one verification, want 1", n)
			}

			// Keys now too old and the endpoint down: verifying anything
			// afresh fails, so a success below comes from the cache.
			p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				http.Error(w, "down", http.StatusServiceUnavailable)
			}))
			clk.Advance(2 * time.Minute)
			other := p.IDToken(cognitotest.User{Username: "other"}, cognitotest.WithLifetime(time.Hour))
			expectRejected(t, v, other, verifier.ErrJWKSUnavailable, "header.kid")
			mustVerify(t, v, token)

			clk.Advance(time.Hour - 2*time.Minute + leeway - time.Second) // exp+leeway-1s
			mustVerify(t, v, token)
			clk.Advance(time.Second) // exp+leeway
			expectRejected(t, v, token, verifier.ErrTokenExpired, "exp")
			if n := v.CachedTokens(); n != 0 {
				t.Fatalf("CachedTokens = %d after the token expired, want 0 (entries live no longer than exp+leeway)", n)
			}
			// Verified afresh now, it is refused for the same reason.
			p.SetJWKSHandler(nil)
			clk.Advance(time.Hour)
			expectRejected(t, v, token, verifier.ErrTokenExpired, "exp")
		})
	}
}

type tenantKey struct{}

// TestCacheHitRunsPerRequestChecks: CustomCheck runs on every Verify, hit or
// not, with that request's context, and its verdict is never cached.
func TestCacheHitRunsPerRequestChecks(t *testing.T) {
	t.Parallel()
	p, _ := clockedPool(t, cognitotest.Options{})
	var calls atomic.Int64
	var refuseAll atomic.Bool
	cfg := p.Config(verifier.IDToken)
	cfg.CustomCheck = func(ctx context.Context, c *claims.Claims) error {
		calls.Add(1)
		if refuseAll.Load() {
			return errors.New("refused")
		}
		if tenant, _ := c.CustomAttribute("tenant"); ctx.Value(tenantKey{}) != tenant {
			return errors.New("wrong tenant")
		}
		return nil
	}
	v := buildVerifier(t, cfg)
	token := p.IDToken(cognitotest.User{Custom: map[string]string{"tenant": "acme"}})
	acme := context.WithValue(context.Background(), tenantKey{}, "acme")
	globex := context.WithValue(context.Background(), tenantKey{}, "globex")

	steps := []struct {
		name string
		ctx  context.Context
		deny bool
		ok   bool
	}{
		{"first request verifies and caches", acme, false, true},
		{"hit with the right tenant", acme, false, true},
		{"hit with another tenant is refused", globex, false, false},
		{"hit while the check refuses everything", acme, true, false},
		{"hit once the check accepts again", acme, false, true},
	}
	for i, s := range steps {
		refuseAll.Store(s.deny)
		c, err := v.Verify(s.ctx, token)
		if s.ok && err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if !s.ok {
			checkRejected(t, c, err, token, verifier.ErrCustomCheck, "")
		}
		if got := calls.Load(); got != int64(i+1) {
			t.Fatalf("%s: CustomCheck ran %d times in %d requests", s.name, got, i+1)
		}
		if n := v.CachedTokens(); n != 1 {
			t.Fatalf("%s: CachedTokens = %d, want 1", s.name, n)
		}
	}
}

// TestCacheNeverStoresFailures: a token refused for any reason, signature
// and CustomCheck included, leaves no entry behind.
func TestCacheNeverStoresFailures(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{ClientIDs: []string{"client1", "client2"}})
	var deny atomic.Bool
	cfg := p.Config(verifier.IDToken)
	cfg.ClientIDs = []string{"client1"}
	cfg.CustomCheck = func(context.Context, *claims.Claims) error {
		if deny.Load() {
			return errors.New("denied")
		}
		return nil
	}
	v := buildVerifier(t, cfg)
	good := p.IDToken(cognitotest.User{})
	cases := []struct {
		name   string
		token  string
		deny   bool
		reason error
		claim  string
	}{
		{"bad signature", flipSignatureByte(t, good), false, verifier.ErrSignatureInvalid, ""},
		{"expired", p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(-time.Minute)), false, verifier.ErrTokenExpired, "exp"},
		{"not yet valid", p.IDToken(cognitotest.User{}, cognitotest.WithIssuedAt(clk.Now().Add(time.Hour))), false, verifier.ErrTokenNotYetValid, "iat"},
		{"other client", p.IDToken(cognitotest.User{}, cognitotest.WithClientID("client2")), false, verifier.ErrClientMismatch, "aud"},
		{"access token", p.AccessToken(cognitotest.User{}), false, verifier.ErrTokenUseMismatch, "token_use"},
		{"custom check", good, true, verifier.ErrCustomCheck, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			deny.Store(tc.deny)
			for range 2 { // the second attempt must not be a hit either
				expectRejected(t, v, tc.token, tc.reason, tc.claim)
			}
			if n := v.CachedTokens(); n != 0 {
				t.Fatalf("CachedTokens = %d after a refusal, want 0", n)
			}
		})
	}
	deny.Store(false)
	mustVerify(t, v, good)
	if n := v.CachedTokens(); n != 1 {
		t.Fatalf("CachedTokens = %d after a success, want 1", n)
	}
}

// TestCacheKeyedByWholeToken: tokens that share everything but part of the
// signature never answer for each other, in either order.
func TestCacheKeyedByWholeToken(t *testing.T) {
	t.Parallel()
	p, _ := clockedPool(t, cognitotest.Options{})
	good := p.IDToken(cognitotest.User{})
	forged := flipSignatureByte(t, good)
	if shared := commonPrefix(good, forged); shared < len(good)*3/4 {
		t.Fatalf("forged token shares only %d of %d bytes with the good one", shared, len(good))
	}
	// The same payload signed with another published key: a second valid
	// token that differs from good in its header and signature only.
	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	header, payload := tokenParts(t, good)
	header["kid"], _ = p.SigningKey()
	otherKey := p.Sign(header, payload)

	t.Run("valid first", func(t *testing.T) {
		v := buildVerifier(t, p.Config(verifier.IDToken))
		mustVerify(t, v, good)
		expectRejected(t, v, forged, verifier.ErrSignatureInvalid, "")
		mustVerify(t, v, otherKey)
		if n := v.CachedTokens(); n != 2 {
			t.Fatalf("CachedTokens = %d, want 2", n)
		}
		expectRejected(t, v, forged, verifier.ErrSignatureInvalid, "")
	})
	t.Run("forged first", func(t *testing.T) {
		v := buildVerifier(t, p.Config(verifier.IDToken))
		expectRejected(t, v, forged, verifier.ErrSignatureInvalid, "")
		mustVerify(t, v, good)
		expectRejected(t, v, forged, verifier.ErrSignatureInvalid, "")
	})
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// TestCacheSize: 0 means the default, negative disables the cache, and a
// positive size is never exceeded; tokens beyond it still verify.
func TestCacheSize(t *testing.T) {
	t.Parallel()
	p, _ := clockedPool(t, cognitotest.Options{})
	tokens := make([]string, 6)
	for i := range tokens {
		tokens[i] = p.IDToken(cognitotest.User{Username: "user" + string(rune('a'+i))})
	}
	for _, tc := range []struct {
		size, want int
	}{
		{0, len(tokens)}, // default 65536
		{-1, 0},
		{1, 1},
		{4, 4},
	} {
		cfg := p.Config(verifier.IDToken)
		cfg.CacheSize = tc.size
		v := buildVerifier(t, cfg)
		for range 2 {
			for _, tok := range tokens {
				mustVerify(t, v, tok)
			}
		}
		if n := v.CachedTokens(); n != tc.want {
			t.Errorf("CacheSize %d: CachedTokens = %d, want %d", tc.size, n, tc.want)
		}
	}
}

// TestCacheSizeUnderConcurrency: many goroutines verifying many tokens at
// once never push the cache past its bound, as seen at any moment.
func TestCacheSizeUnderConcurrency(t *testing.T) {
	t.Parallel()
	p, _ := clockedPool(t, cognitotest.Options{})
	const size = 5
	tokens := make([]string, 24)
	for i := range tokens {
		tokens[i] = p.IDToken(cognitotest.User{Username: "user" + strings.Repeat("x", i)})
	}
	cfg := p.Config(verifier.IDToken)
	cfg.CacheSize = size
	v := buildVerifier(t, cfg)
	mustVerify(t, v, tokens[0]) // fetch the keys once, before the race

	var peak atomic.Int64
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			if n := int64(v.CachedTokens()); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-done:
				return
			default:
				runtime.Gosched()
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tokens {
				tok := tokens[(i+g*3)%len(tokens)]
				if _, err := v.Verify(context.Background(), tok); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	<-watched
	if n := v.CachedTokens(); n != size {
		t.Errorf("CachedTokens = %d after the run, want exactly %d", n, size)
	}
	if peak.Load() > size {
		t.Errorf("CachedTokens peaked at %d, bound %d", peak.Load(), size)
	}
}

// TestCacheFullMakesRoomAfterExpiry: a full cache takes new tokens again
// once its entries have expired, on the Verifier's clock.
func TestCacheFullMakesRoomAfterExpiry(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.IDToken)
	cfg.MaxKeyAge = 10 * time.Minute
	cfg.CacheSize = 1
	v := buildVerifier(t, cfg)
	short := p.IDToken(cognitotest.User{Username: "short"}, cognitotest.WithLifetime(time.Minute))
	long := p.IDToken(cognitotest.User{Username: "long"})
	mustVerify(t, v, short)
	mustVerify(t, v, long) // the cache is full: verified, not cached
	p.SetJWKSHandler(http.NotFoundHandler())

	// cached reports whether long is served from the cache: with the held
	// keys aged past MaxKeyAge and the endpoint gone, nothing else verifies.
	cached := func() bool {
		clk.Advance(11 * time.Minute)
		defer clk.Advance(-11 * time.Minute)
		_, err := v.Verify(context.Background(), long)
		return err == nil
	}
	if cached() {
		t.Fatal("a full cache took a new token")
	}
	clk.Advance(time.Minute) // short's exp: its entry is dead
	mustVerify(t, v, long)
	if !cached() {
		t.Fatal("the full cache did not take a new token once its entry expired")
	}
	if n := v.CachedTokens(); n != 1 {
		t.Fatalf("CachedTokens = %d, want 1", n)
	}
	expectRejected(t, v, short, verifier.ErrTokenExpired, "exp")
}

// TestCacheHitAllocations pins the cache hit's allocation budget (at most
// one per Verify; the time budget is in BenchmarkRS256/verify-cached).
func TestCacheHitAllocations(t *testing.T) {
	p, _ := clockedPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.IDToken))
	token := p.IDToken(cognitotest.User{Groups: []string{"admin"}})
	mustVerify(t, v, token)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := v.Verify(context.Background(), token); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 1 {
		t.Fatalf("a cache hit allocates %v times per Verify, want at most 1", allocs)
	}
}

// TestCacheStartsNoGoroutine: neither the cache nor anything else in the
// Verifier leaves a goroutine behind after Close, even after key fetches and
// a full cache. Not parallel: it counts the process's goroutines.
func TestCacheStartsNoGoroutine(t *testing.T) {
	p, _ := clockedPool(t, cognitotest.Options{})
	tokens := make([]string, 8)
	for i := range tokens {
		tokens[i] = p.IDToken(cognitotest.User{Username: "user" + strings.Repeat("y", i)})
	}
	settle := func() { p.HTTPClient().CloseIdleConnections() }
	settle()
	before := runtime.NumGoroutine()

	cfg := p.Config(verifier.IDToken)
	cfg.CacheSize = 4
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Warmup(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		for _, tok := range tokens {
			mustVerify(t, v, tok)
		}
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(10 * time.Second)
	for {
		settle()
		after := runtime.NumGoroutine()
		if after <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before New, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Verification after Close still works, from the cache and afresh.
	mustVerify(t, v, tokens[0])
	mustVerify(t, v, tokens[7])
}
