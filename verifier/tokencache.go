package verifier

import (
	"bytes"
	"sync"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/jwks"
)

// tokenCache remembers fully verified tokens until their exp (plus the
// leeway), so that a token presented on every request is checked with RSA
// once. It is bounded twice, by entries and by the bytes its entries hold;
// when either bound is reached new tokens are simply not cached. It starts
// no goroutine, so nothing outlives the Verifier.
//
// Entries carry their deadline, on the Verifier's clock: a hit reads that
// clock once, for the exp check. An entry found past its deadline is
// dropped; the others past theirs are swept when the cache is full, at most
// once a second, in place (the map is never copied).
type tokenCache struct {
	mu        sync.RWMutex // a hit takes the read lock once
	m         map[string]*cachedToken
	max       int
	maxBytes  int64
	bytes     int64   // sum of the entries' cost
	lastSweep float64 // seconds, on the Verifier's clock
}

// cachedToken is what the cache holds for a verified token: its claims, the
// key that verified it (a hit checks the key is still served), the instant,
// in seconds, from which it can never verify again (exp + leeway), and what
// it costs in memory.
type cachedToken struct {
	claims   *claims.Claims
	key      *jwks.Key
	deadline float64
	cost     int64
}

// Per-entry overheads, measured (TestCacheBytesHeld) on 64-bit Go: the map
// slot and its share of the buckets, the cachedToken, the Claims with its
// raw payload holder and fixed lists, and each string header of a list.
const (
	entryOverhead   = 96  // map slot, bucket share, cachedToken
	claimsOverhead  = 640 // claims.Claims and what Decode allocates with it
	stringOverhead  = 16  // a string header in Audience, Groups, Roles, Scopes
	customOverhead  = 48  // one custom attribute (two headers, map-free)
	sizeClassFactor = 8   // allocations round up to a size class: 1/8 more
)

// entryCost is the memory an entry holds: the token text (the map key), the
// decoded payload the claims keep (with room for unescaped strings when the
// payload has escapes), the string headers of the claim lists and custom
// attributes, and the fixed overheads. It errs high, never low.
func entryCost(token string, payload []byte, c *claims.Claims) int64 {
	arena := len(payload)
	if bytes.IndexByte(payload, '\\') >= 0 {
		arena *= 2 // escaped strings are decoded after the payload's copy
	}
	lists := len(c.Audience) + len(c.Groups) + len(c.Roles) + len(c.Scopes)
	custom := bytes.Count(payload, []byte(`"`+claims.CustomPrefix))
	variable := int64(len(token) + arena)
	variable += variable / sizeClassFactor
	return variable + entryOverhead + claimsOverhead +
		int64(lists*stringOverhead+custom*customOverhead)
}

func newTokenCache(max int, maxBytes int64) *tokenCache {
	return &tokenCache{m: make(map[string]*cachedToken), max: max, maxBytes: maxBytes}
}

// get looks the token up by its full text (the map compares whole strings).
// The caller checks the entry's time.
func (t *tokenCache) get(token string) (*cachedToken, bool) {
	t.mu.RLock()
	e, ok := t.m[token]
	t.mu.RUnlock()
	return e, ok
}

// add caches e unless its deadline has passed at now. When the cache is
// full (entries or bytes) the token is simply not cached, after an
// occasional sweep of the entries past their deadline.
func (t *tokenCache) add(token string, e *cachedToken, now float64) {
	if e.deadline <= now || e.cost > t.maxBytes {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, dup := t.m[token]; dup {
		return
	}
	if t.full(e.cost) {
		if now-t.lastSweep >= 1 || now < t.lastSweep {
			t.lastSweep = now
			t.sweep(now)
		}
		if t.full(e.cost) {
			return
		}
	}
	t.m[token] = e
	t.bytes += e.cost
}

func (t *tokenCache) full(cost int64) bool {
	return len(t.m) >= t.max || t.bytes+cost > t.maxBytes
}

// sweep drops every entry past its deadline, in place. It runs under the
// write lock, when the cache is full, at most once a second.
func (t *tokenCache) sweep(now float64) {
	for token, e := range t.m {
		if e.deadline <= now {
			delete(t.m, token)
			t.bytes -= e.cost
		}
	}
}

// drop removes a token that can never verify again.
func (t *tokenCache) drop(token string) {
	t.mu.Lock()
	if e, ok := t.m[token]; ok {
		delete(t.m, token)
		t.bytes -= e.cost
	}
	t.mu.Unlock()
}

func (t *tokenCache) len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.m)
}

// held returns the bytes the entries are accounted for.
func (t *tokenCache) held() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.bytes
}
