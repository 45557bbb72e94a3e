package verifier_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// realFixture is testdata/real-cognito-us-west-2.json: two ID tokens a real
// Cognito user pool issued in March 2020, with that pool's JWKS.
type realFixture struct {
	UserPoolID string          `json:"userPoolId"`
	Issuer     string          `json:"issuer"`
	JWKS       json.RawMessage `json:"jwks"`
	Tokens     []struct {
		TokenUse string `json:"tokenUse"`
		ClientID string `json:"clientId"`
		Token    string `json:"token"`
	} `json:"tokens"`
}

func loadRealFixture(t *testing.T) realFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/real-cognito-us-west-2.json")
	if err != nil {
		t.Fatal(err)
	}
	var f realFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Tokens) != 2 {
		t.Fatalf("fixture has %d tokens, want 2", len(f.Tokens))
	}
	return f
}

// noNetwork fails every request: the real pool's keys are preloaded and no
// test may reach AWS.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("unexpected request to %s", r.URL)
	return nil, errors.New("no network in tests")
}

// realConfig is the configuration a user of that pool would write, with the
// keys preloaded from the fixture.
func realConfig(t *testing.T, f realFixture, now func() time.Time) verifier.Config {
	return verifier.Config{
		UserPoolID: "us-west-2_XRsUGkwyU",
		ClientIDs:  []string{f.Tokens[0].ClientID},
		TokenUse:   verifier.IDToken,
		JWKS:       f.JWKS,
		HTTPClient: &http.Client{Transport: noNetwork{t}},
		Now:        now,
	}
}

// TestRealCognitoTokens verifies tokens signed by a real user pool (escaped
// slashes in iss, a kid with '/' and '+', Cognito's own claim layout) at a
// clock between their iat and exp, and refuses them as expired today.
func TestRealCognitoTokens(t *testing.T) {
	t.Parallel()
	f := loadRealFixture(t)
	if f.UserPoolID != "us-west-2_XRsUGkwyU" || f.Issuer != "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_XRsUGkwyU" {
		t.Fatalf("unexpected fixture pool %q / %q", f.UserPoolID, f.Issuer)
	}
	for i, want := range []struct {
		username, sub, email string
		iat, exp             int64
		groups               []string
	}{
		{"BasicUser", "0024a622-4314-4df6-b9dd-680a1f0a20b5", "al@tabayoyon.net", 1585177613, 1585181213, nil},
		{"TechSupportUser", "df0c456e-05ed-4517-912d-2dfd7a8d12ef", "alt@xedware.com", 1585113842, 1585117442, []string{"admin-techsupport"}},
	} {
		tok := f.Tokens[i]
		t.Run(want.username, func(t *testing.T) {
			t.Parallel()
			between := time.Unix(want.iat+600, 0)
			v := buildVerifier(t, realConfig(t, f, func() time.Time { return between }))
			c := mustVerify(t, v, tok.Token)
			checkEq(t, "Issuer", c.Issuer, f.Issuer)
			checkEq(t, "TokenUse", c.TokenUse, tok.TokenUse)
			checkEq(t, "ClientID", c.ClientID, tok.ClientID)
			checkEq(t, "Username", c.Username, want.username)
			checkEq(t, "Subject", c.Subject, want.sub)
			checkEq(t, "Email", c.Email, want.email)
			checkEq(t, "EmailVerified", c.EmailVerified, true)
			checkEq(t, "IssuedAt", c.IssuedAt, time.Unix(want.iat, 0).UTC())
			checkEq(t, "ExpiresAt", c.ExpiresAt, time.Unix(want.exp, 0).UTC())
			checkEq(t, "AuthTime.IsZero", c.AuthTime.IsZero(), false)
			if len(c.Groups) != len(want.groups) || (len(want.groups) > 0 && !c.InGroup(want.groups[0])) {
				t.Errorf("Groups = %q, want %q", c.Groups, want.groups)
			}
			if c.InGroup("admin") {
				t.Error("InGroup(admin) matched a prefix of admin-techsupport")
			}
			if got, _ := c.Get("phone_number_verified"); got != true {
				t.Errorf("Raw phone_number_verified = %v", got)
			}

			// The last second before exp verifies; exp itself does not.
			atExp := time.Unix(want.exp, 0)
			v = buildVerifier(t, realConfig(t, f, func() time.Time { return atExp.Add(-time.Second) }))
			mustVerify(t, v, tok.Token)
			v = buildVerifier(t, realConfig(t, f, func() time.Time { return atExp }))
			expectRejected(t, v, tok.Token, verifier.ErrTokenExpired, "exp")
			// Before iat it is not yet valid.
			v = buildVerifier(t, realConfig(t, f, func() time.Time { return time.Unix(want.iat-1, 0) }))
			expectRejected(t, v, tok.Token, verifier.ErrTokenNotYetValid, "iat")
		})
	}
}

// TestRealCognitoTokensExpiredToday: at the real clock the tokens are long
// expired; the verdict needs no network, the keys being preloaded.
func TestRealCognitoTokensExpiredToday(t *testing.T) {
	t.Parallel()
	f := loadRealFixture(t)
	v := buildVerifier(t, realConfig(t, f, nil))
	for _, tok := range f.Tokens {
		expectRejected(t, v, tok.Token, verifier.ErrTokenExpired, "exp")
	}
}

// TestRealCognitoTokensWrongConfig: the same genuine tokens are refused by a
// verifier configured for another client, token use or pool.
func TestRealCognitoTokensWrongConfig(t *testing.T) {
	t.Parallel()
	f := loadRealFixture(t)
	tok := f.Tokens[0].Token
	between := func() time.Time { return time.Unix(1585177613+60, 0) }
	for _, tc := range []struct {
		name   string
		edit   func(*verifier.Config)
		reason error
		claim  string
	}{
		{"another app client", func(c *verifier.Config) { c.ClientIDs = []string{"someotherclient"} }, verifier.ErrClientMismatch, "aud"},
		{"access tokens only", func(c *verifier.Config) { c.TokenUse = verifier.AccessToken }, verifier.ErrTokenUseMismatch, "token_use"},
		{"another pool", func(c *verifier.Config) { c.UserPoolID = "us-west-2_Other" }, verifier.ErrIssuerMismatch, "iss"},
		{"the same pool ID in another region", func(c *verifier.Config) {
			c.UserPoolID = "us-west-2_XRsUGkwyU"
			c.Issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-west-2_XRsUGkwyU"
		}, verifier.ErrIssuerMismatch, "iss"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := realConfig(t, f, between)
			tc.edit(&cfg)
			expectRejected(t, buildVerifier(t, cfg), tok, tc.reason, tc.claim)
		})
	}
}
