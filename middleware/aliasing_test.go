package middleware_test

import (
	"testing"

	"github.com/cognitoauth/cognitoauth/middleware"
)

// TestOptionsNotAliased: the slices given to options and requirements
// (Exclude's patterns, a guard's groups and scopes) are copied, so changing
// them after New changes nothing the Middleware decides.
func TestOptionsNotAliased(t *testing.T) {
	t.Parallel()
	patterns := []string{"GET /health"}
	groups := []string{"admin"}
	m := mw(t, v, middleware.DefaultDeny(),
		middleware.Exclude(patterns...),
		middleware.Rule("/admin", middleware.AnyGroup(groups...)),
		middleware.Rule("/me"))
	srv := serve(t, m.Handler(whoami))

	patterns[0] = "GET /admin"
	groups[0] = "readers" // bob's token has no groups at all; alice is in admin
	cases := []struct {
		name, path, token string
		status            int
	}{
		{"excluded path still excluded", "/health", "", 200},
		{"changed pattern not excluded", "/admin", "", 401},
		{"group requirement unchanged: admin passes", "/admin", adminToken(), 200},
		{"group requirement unchanged: others refused", "/admin", userToken(), 403},
		{"signed-in route", "/me", userToken(), 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mod = bearer(tc.token)
			if tc.token == "" {
				mod = nil
			}
			if res := send(t, srv, "GET", tc.path, mod); res.status != tc.status {
				t.Errorf("GET %s: %d, want %d", tc.path, res.status, tc.status)
			}
		})
	}
}
