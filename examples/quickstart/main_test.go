package main

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the quickstart as README's command does: it fails unless
// every request gets its expected status.
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 7, "GET /admin   bob (user)     403  403   ok")
}

// TestSmokeRealPool runs the quickstart in real-pool mode, without AWS.
func TestSmokeRealPool(t *testing.T) {
	t.Parallel()
	smoketest.RealPool(t, run, 3)
}
