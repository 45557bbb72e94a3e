package main

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

// TestSmoke runs the example's -smoke mode: it fails unless every request
// gets its expected status.
func TestSmoke(t *testing.T) {
	t.Parallel()
	smoketest.Embedded(t, run, 7, "export USER_TOKEN='ey", "export ADMIN_TOKEN='ey",
		"curl -i http://127.0.0.1:", `-H "Authorization: Bearer $ADMIN_TOKEN"`)
}

// TestSmokeRealPool runs -smoke in real-pool mode, without AWS.
func TestSmokeRealPool(t *testing.T) {
	t.Parallel()
	smoketest.RealPool(t, run, 3)
}
