package verifier

import (
	"sync"

	gocache "github.com/patrickmn/go-cache"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/jwks"
)

// tokenCache remembers fully verified tokens until their exp (plus the
// leeway), so that a token presented on every request is checked with RSA
// once. It wraps go-cache with a bound and without go-cache's janitor
// goroutine: no goroutine is ever started, so nothing outlives the Verifier.
//
// Entries carry their deadline themselves instead of a go-cache expiration,
// measured on the Verifier's clock: go-cache would read the wall clock on
// every hit, and the hit path already reads the Verifier's clock to check
// exp, so a hit reads it once. An entry found past its deadline is dropped;
// the others past theirs are swept when the cache is full, at most once a
// second.
type tokenCache struct {
	c   *gocache.Cache
	max int

	mu        sync.Mutex // serialises inserts so the bound holds exactly
	lastSweep float64    // seconds, on the Verifier's clock
}

// cachedToken is what the cache holds for a verified token: its claims, the
// key that verified it (a hit checks the key is still served) and the
// instant, in seconds, from which it can never verify again: exp + leeway.
type cachedToken struct {
	claims   *claims.Claims
	key      *jwks.Key
	deadline float64
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{c: gocache.New(gocache.NoExpiration, 0), max: max}
}

// get looks the token up by its full text (the map compares whole strings).
// The caller checks the entry's time.
func (t *tokenCache) get(token string) (*cachedToken, bool) {
	v, ok := t.c.Get(token)
	if !ok {
		return nil, false
	}
	return v.(*cachedToken), true
}

// add caches e unless its deadline has passed at now. When the cache is
// full the token is simply not cached, after an occasional sweep of the
// entries past their deadline.
func (t *tokenCache) add(token string, e *cachedToken, now float64) {
	if e.deadline <= now {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.c.ItemCount() >= t.max {
		if now-t.lastSweep >= 1 || now < t.lastSweep {
			t.lastSweep = now
			t.sweep(now)
		}
		if t.c.ItemCount() >= t.max {
			return
		}
	}
	t.c.Set(token, e, gocache.NoExpiration)
}

// sweep drops every entry past its deadline. It runs under mu, when the
// cache is full, so inserts wait for it; hits do not.
func (t *tokenCache) sweep(now float64) {
	for token, item := range t.c.Items() {
		if item.Object.(*cachedToken).deadline <= now {
			t.c.Delete(token)
		}
	}
}

// drop removes a token that can never verify again.
func (t *tokenCache) drop(token string) { t.c.Delete(token) }

func (t *tokenCache) len() int { return t.c.ItemCount() }
