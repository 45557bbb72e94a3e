package main

import (
	"context"
	"os/exec"
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
)

func needRedis(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH: install the Debian package redis-server to run this test")
	}
}

// TestSmoke runs the fleet as CI does (it starts its own redis-server): a
// logout on A is refused on B, a disable on B is refused on A.
func TestSmoke(t *testing.T) {
	t.Parallel()
	needRedis(t)
	smoketest.Embedded(t, run, 8,
		"POST /logout                 bob @A                   204  204   ok",
		"GET /me                      bob @B, logged out on A  401  401   ok",
		"GET /me                      bob @B, other sign-in    200  200   ok",
		"POST /admin/disable?sub=bob  alice @B                 204  204   ok",
		"GET /me                      bob @A, disabled on B    401  401   ok")
}

// TestSmokeRedisFlag: -redis host:port uses that Redis instead of starting one.
func TestSmokeRedisFlag(t *testing.T) {
	t.Parallel()
	needRedis(t)
	srv, err := startRedis(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()
	smoketest.EmbeddedArgs(t, run, []string{"-redis", srv.addr}, 8, "sharing Redis "+srv.addr)
}
