package verifier

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// TestResolverRefusalsBounded: the refusals remembered are bounded by
// MaxPools, the oldest forgotten first; remembering an issuer again
// replaces its entry.
func TestResolverRefusalsBounded(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	r := newResolver(&Config{MaxPools: 3}, jwks.Options{}, func() time.Time { return now })
	defer r.close()
	iss := func(i int) string { return fmt.Sprintf("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_R%d", i) }
	for i := range 5 {
		r.remember(&refusal{issuer: iss(i), until: now.Add(time.Minute), err: errNoPool})
	}
	r.remember(&refusal{issuer: iss(3), until: now.Add(time.Minute), err: errNoPool})
	if len(r.refused) != 3 || r.refusals.Len() != 3 {
		t.Fatalf("%d refusals remembered (list %d), want 3", len(r.refused), r.refusals.Len())
	}
	var order []string
	for e := r.refusals.Front(); e != nil; e = e.Next() {
		order = append(order, e.Value.(*refusal).issuer)
	}
	if want := []string{iss(2), iss(4), iss(3)}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("remembered, oldest first: %q, want %q", order, want)
	}
}

// TestResolverBudget: the token bucket allows MaxPools calls at once, then
// MaxPools per RefetchCooldown, evenly; a clock going back refills nothing.
func TestResolverBudget(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	r := newResolver(&Config{MaxPools: 4, RefetchCooldown: 8 * time.Second, ResolvePool: func(context.Context, string) (*Pool, error) { return nil, nil }},
		jwks.Options{}, func() time.Time { return now })
	defer r.close()
	spent := func(at time.Time, n int) int {
		got := 0
		for range n {
			if r.spend(at) {
				got++
			}
		}
		return got
	}
	for _, step := range []struct {
		name  string
		at    time.Duration
		tries int
		want  int
	}{
		{"a burst of MaxPools", 0, 10, 4},
		{"empty", 0, 1, 0},
		{"one per RefetchCooldown/MaxPools", 2 * time.Second, 3, 1},
		{"half a cooldown: two", 6 * time.Second, 5, 2},
		{"clock back: nothing", time.Second, 5, 0},
		{"a long pause: MaxPools, no more", time.Hour, 10, 4},
	} {
		if got := spent(now.Add(step.at), step.tries); got != step.want {
			t.Errorf("%s: %d calls allowed, want %d", step.name, got, step.want)
		}
	}
}
