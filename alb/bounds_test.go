package alb_test

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestExistingKeysBoundedPerCooldown: even tokens naming real kids (they
// are public) cost a bounded number of fetches per cooldown.
func TestExistingKeysBoundedPerCooldown(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, v := newALB(t, clk, nil)
	var tokens []string
	for range 5 {
		if _, err := fake.RotateKey(); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, fake.Token(cognitotest.User{}))
	}
	for i, tok := range tokens[:4] {
		if _, err := verify(t, v, tok); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	_, err := verify(t, v, tokens[4])
	wantRefusal(t, err, verifier.ErrKeyNotFound)
	if got := fake.KeyRequests(); got != 4 {
		t.Errorf("%d key requests in one cooldown, want 4", got)
	}
	clk.Advance(alb.DefaultRefetchCooldown)
	if _, err := verify(t, v, tokens[4]); err != nil {
		t.Errorf("after the cooldown: %v", err)
	}
}

// TestKeyCacheBounded: at most MaxKeys keys are held; the oldest is
// dropped and fetched again when a token names it.
func TestKeyCacheBounded(t *testing.T) {
	t.Parallel()
	clk := newClock()
	fake, v := newALB(t, clk, nil)
	first := fake.Token(cognitotest.User{})
	tokens := []string{first}
	for range alb.MaxKeys {
		if _, err := fake.RotateKey(); err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, fake.Token(cognitotest.User{}))
	}
	for i, tok := range tokens {
		if i%4 == 0 {
			clk.Advance(alb.DefaultRefetchCooldown)
		}
		if _, err := verify(t, v, tok); err != nil {
			t.Fatalf("key %d: %v", i, err)
		}
	}
	n := fake.KeyRequests()
	if n != int64(len(tokens)) {
		t.Fatalf("%d key requests for %d keys", n, len(tokens))
	}
	if _, err := verify(t, v, tokens[len(tokens)-1]); err != nil || fake.KeyRequests() != n {
		t.Errorf("newest key: %v, %d requests (want it held)", err, fake.KeyRequests()-n)
	}
	clk.Advance(alb.DefaultRefetchCooldown)
	if _, err := verify(t, v, first); err != nil || fake.KeyRequests() != n+1 {
		t.Errorf("oldest key: %v, %d new requests (want it dropped and fetched again)", err, fake.KeyRequests()-n)
	}
}
