package verifier

import (
	"sync"
	"time"

	gocache "github.com/patrickmn/go-cache"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/jwks"
)

// tokenCache remembers fully verified tokens until their exp, so that a
// token presented on every request is checked with RSA once. It wraps
// go-cache with a bound and without go-cache's janitor goroutine: expired
// entries are swept on insertion when the cache is full, at most once a
// second. No goroutine is ever started, so nothing outlives the Verifier.
type tokenCache struct {
	c   *gocache.Cache
	max int

	mu        sync.Mutex // serialises inserts so the bound holds exactly
	lastSweep time.Time
}

func newTokenCache(max int) *tokenCache {
	return &tokenCache{c: gocache.New(gocache.NoExpiration, 0), max: max}
}

// cachedToken is what the cache holds for a verified token: its claims and
// the key that verified it, so that a hit can check the key is still served.
type cachedToken struct {
	claims *claims.Claims
	key    *jwks.Key
}

// get looks the token up by its full text (the map compares whole strings).
func (t *tokenCache) get(token string) (*cachedToken, bool) {
	v, ok := t.c.Get(token)
	if !ok {
		return nil, false
	}
	return v.(*cachedToken), true
}

// add caches e for at most ttl. When the cache is full the token is simply
// not cached, after an occasional sweep of expired entries.
func (t *tokenCache) add(token string, e *cachedToken, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.c.ItemCount() >= t.max {
		if now := time.Now(); now.Sub(t.lastSweep) >= time.Second {
			t.lastSweep = now
			t.c.DeleteExpired()
		}
		if t.c.ItemCount() >= t.max {
			return
		}
	}
	t.c.Set(token, e, ttl)
}

func (t *tokenCache) len() int { return t.c.ItemCount() }
