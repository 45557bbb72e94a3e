package verifier_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// cacheShapes mints valid tokens of one shape whose text is about size
// bytes: one long custom attribute, many groups, many custom attributes,
// or a long string full of escapes (whose decoded form the claims keep
// beside the payload's copy).
func cacheShapes(p *cognitotest.Pool, shape string, i, size int) string {
	u := cognitotest.User{Username: fmt.Sprintf("user%d", i)}
	n := size * 3 / 4 // payload bytes the base64url text can carry
	var opts []cognitotest.TokenOption
	switch shape {
	case "blob":
		opts = append(opts, cognitotest.WithClaim("custom:blob", strings.Repeat("x", max(n-900, 1))))
	case "groups":
		for j := 0; j < max(n-900, 0)/6; j++ {
			u.Groups = append(u.Groups, fmt.Sprintf("g%03d", j%1000))
		}
	case "customs":
		for j := 0; j < max(n-900, 0)/16; j++ {
			opts = append(opts, cognitotest.WithClaim(fmt.Sprintf("custom:a%d", j), "v"))
		}
	case "escaped":
		opts = append(opts, cognitotest.WithClaim("custom:esc", strings.Repeat(`"`, max(n-900, 2)/2)))
	}
	return p.IDToken(u, opts...)
}

// TestCacheBytesHeld fills a cache bounded in bytes with valid tokens of
// mixed sizes (1 to 16 KiB) and shapes, and checks through runtime.MemStats
// that the heap the cache holds stays within CacheBytes plus 10% and 64 KiB
// of slack (map growth, allocator rounding), that the byte bound, not the
// entry bound, stopped it, and that the accounting is not wildly high
// either (the cache holds at least half of what it accounts for). Not
// parallel: it reads the process's heap.
func TestCacheBytesHeld(t *testing.T) {
	p, _ := clockedPool(t, cognitotest.Options{})
	const bound = 4 << 20
	cfg := p.Config(verifier.IDToken)
	cfg.CacheBytes = bound
	v := buildVerifier(t, cfg)
	mustVerify(t, v, p.IDToken(cognitotest.User{})) // keys fetched before measuring

	shapes := []string{"blob", "groups", "customs", "escaped"}
	var tokens []string
	for i := range 1200 {
		size := 1024 + (i*7919)%(15<<10) // 1 KiB .. 16 KiB, spread
		tok := cacheShapes(p, shapes[i%len(shapes)], i, size)
		if len(tok) > verifier.DefaultMaxTokenSize {
			continue
		}
		tokens = append(tokens, tok)
	}
	before := heapInUse()
	for _, tok := range tokens {
		// A clone, as a request's header would be: the cache must own what
		// it keeps, and the measure must see the token text it keeps.
		if _, err := v.Verify(t.Context(), strings.Clone(tok)); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	}
	held := heapInUse() - before
	accounted := verifier.CacheBytesHeld(v)
	n := v.CachedTokens()
	t.Logf("%d of %d tokens cached; accounted %d bytes (%.0f per entry), heap held %d bytes (%.0f per entry)",
		n, len(tokens), accounted, float64(accounted)/float64(n), held, float64(held)/float64(n))
	if n == 0 || n == len(tokens) {
		t.Fatalf("cached %d of %d tokens: the byte bound did not stop the cache", n, len(tokens))
	}
	if accounted > bound {
		t.Errorf("accounted %d bytes, over the bound %d", accounted, bound)
	}
	if slack := int64(bound/10 + 64<<10); held > bound+slack {
		t.Errorf("heap held %d bytes, over the bound %d plus slack %d", held, bound, slack)
	}
	if held < accounted/2 {
		t.Errorf("heap held %d bytes, under half of the %d accounted: accounting too high", held, accounted)
	}
	runtime.KeepAlive(v)
	runtime.KeepAlive(tokens)
}

func heapInUse() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
