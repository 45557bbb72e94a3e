package verifier

import (
	"slices"
	"testing"
)

// TestTokenCacheSweep drives the cache on its own clock (seconds): a full
// cache refuses new entries until a sweep, at most once a second, finds dead
// ones; an entry is dead from its deadline on, and a dead one is never added.
func TestTokenCacheSweep(t *testing.T) {
	c := newTokenCache(2, 1<<30)
	steps := []struct {
		name     string
		now      float64
		token    string
		deadline float64
		want     []string // the tokens cached afterwards
	}{
		{"room", 0, "a", 100, []string{"a"}},
		{"fills", 0, "b", 1000, []string{"a", "b"}},
		{"full, nothing dead", 10, "c", 1000, []string{"a", "b"}},
		{"full, a dead at its deadline", 100, "c", 1000, []string{"b", "c"}},
		{"full, sweep too recent", 100.5, "d", 1500, []string{"b", "c"}},
		{"already dead", 200, "e", 200, []string{"b", "c"}},
		{"full, both dead", 1001, "d", 1500, []string{"d"}},
		{"room again", 1001, "f", 2000, []string{"d", "f"}},
		{"clock went back: sweep, nothing dead", 400, "g", 3000, []string{"d", "f"}},
	}
	for _, s := range steps {
		c.add(s.token, &cachedToken{deadline: s.deadline}, s.now)
		var got []string
		for _, tok := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			if _, ok := c.get(tok); ok {
				got = append(got, tok)
			}
		}
		if !slices.Equal(got, s.want) || c.len() != len(s.want) {
			t.Fatalf("%s: cached %v (len %d), want %v", s.name, got, c.len(), s.want)
		}
	}
}
