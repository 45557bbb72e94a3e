package main

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the example's -smoke mode on the embedded pool: it fails
// unless the function and the authorizer decide every request as expected.
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 14, "function GET /admin", "authorizer GET /admin")
}

// TestSmokeRealPool runs -smoke configured for a real pool, without AWS:
// only the requests that need no token are sent.
func TestSmokeRealPool(t *testing.T) {
	t.Parallel()
	smoketest.RealPool(t, run, 6)
}
