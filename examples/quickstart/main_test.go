package main

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the quickstart as README's command does: it fails unless
// every request gets its expected status, alice's sign-out included (her
// token is refused after it, bob's still accepted).
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 10, "GET /admin    bob (user)         403  403   ok",
		"POST /logout  alice (admin)      204  204   ok",
		"GET /me       alice, signed out  401  401   ok",
		"GET /me       bob (user)         200  200   ok\nall 10")
}

// TestSmokeRealPool runs the quickstart in real-pool mode, without AWS.
func TestSmokeRealPool(t *testing.T) {
	t.Parallel()
	smoketest.RealPool(t, run, 3)
}
