package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
	"github.com/cognitoauth/cognitoauth/examples/internal/smoketest"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
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

// TestLogout: POST /logout revokes the caller's sign-in; the same token is
// then refused, another user's is not.
func TestLogout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	list, err := revocation.New(ctx, revocation.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	cfg := pool.Config(verifier.AccessToken)
	cfg.Revocation = list
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	api, err := newAPI(v, list)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()
	alice, bob := pool.AccessToken(cognitotest.User{Username: "alice"}), pool.AccessToken(cognitotest.User{Username: "bob"})
	for _, tc := range []struct {
		name, method, token string
		want                int
	}{
		{"alice before", http.MethodGet, alice, http.StatusOK},
		{"alice logs out", http.MethodPost, alice, http.StatusNoContent},
		{"alice after", http.MethodGet, alice, http.StatusUnauthorized},
		{"alice logs out again", http.MethodPost, alice, http.StatusUnauthorized},
		{"bob after", http.MethodGet, bob, http.StatusOK},
	} {
		path := "/me"
		if tc.method == http.MethodPost {
			path = "/logout"
		}
		if o := demo.Send(ctx, tc.method, srv.URL+path, tc.name, tc.token, tc.want); o.Got != o.Want {
			t.Errorf("%s: %s %s got %s, want %s", tc.name, o.Request, o.Caller, o.Got, o.Want)
		}
	}
}

// TestUsersFile: -users-file writes -users distinct tokens the server accepts.
func TestUsersFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "users.txt")
	var out, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-smoke", "-users-file", path, "-users", "5"}, &out, &stderr, func(string) string { return "" }); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(b))
	if len(lines) != 5 || lines[0] == lines[1] || !strings.HasPrefix(lines[0], "ey") {
		t.Fatalf("users file: %q", b)
	}
}
