package verifier_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// TestTimeErrorsSayWhen: exp, nbf and iat refusals say when the time is,
// in RFC 3339, and how far from now, instead of a bare number; never the
// token.
func TestTimeErrorsSayWhen(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	expired := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(time.Hour))
	future := p.IDToken(cognitotest.User{}, cognitotest.WithIssuedAt(epoch.Add(5*time.Minute)))
	notBefore := p.IDToken(cognitotest.User{}, cognitotest.WithClaim("nbf", epoch.Add(90*time.Second).Unix()))
	for _, tc := range []struct {
		name    string
		token   string
		advance time.Duration
		leeway  time.Duration
		want    string
	}{
		{"exp", expired, time.Hour + 3*time.Minute + 12*time.Second, 0,
			"verifier: token expired: exp " + epoch.Add(time.Hour).UTC().Format(time.RFC3339) + ", 3m12s before now"},
		{"exp with leeway", expired, time.Hour + 3*time.Minute, 30 * time.Second,
			"exp " + epoch.Add(time.Hour).UTC().Format(time.RFC3339) + ", 3m0s before now (leeway 30s)"},
		{"iat", future, 0, 0,
			"verifier: token not yet valid: iat " + epoch.Add(5*time.Minute).UTC().Format(time.RFC3339) + ", in the future: 5m0s after now"},
		{"nbf", notBefore, 0, 0,
			"verifier: token not yet valid: nbf " + epoch.Add(90*time.Second).UTC().Format(time.RFC3339) + ", 1m30s after now"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := clk.Now().Add(tc.advance)
			cfg := p.Config(verifier.IDToken)
			cfg.Now, cfg.Leeway = func() time.Time { return now }, tc.leeway
			v := buildVerifier(t, cfg)
			_, err := v.Verify(t.Context(), tc.token)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			assertNoTokenInError(t, err, tc.token)
		})
	}
}
