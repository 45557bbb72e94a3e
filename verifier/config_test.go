package verifier_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// validConfig is a configuration New accepts; each case below breaks one thing.
func validConfig() verifier.Config {
	return verifier.Config{
		UserPoolID: "us-east-1_AbCdEf123",
		ClientIDs:  []string{"4tg7fhidb5adr5jc1bna4me2i6"},
		TokenUse:   verifier.IDToken,
	}
}

// TestNewValidatesConfig: New refuses a bad configuration once, with an
// error naming what is wrong, and fetches nothing.
func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		edit    func(c *verifier.Config)
		mention string // a fragment the error must contain
	}{
		{"no pool at all", func(c *verifier.Config) { *c = verifier.Config{} }, "no user pool"},
		{"pool fields without UserPoolID", func(c *verifier.Config) { c.UserPoolID = "" }, "UserPoolID is empty"},
		{"pool ID without suffix", func(c *verifier.Config) { c.UserPoolID = "us-east-1_" }, "us-east-1_"},
		{"pool ID without underscore", func(c *verifier.Config) { c.UserPoolID = "us-east-1" }, "does not match"},
		{"pool ID with - in the suffix", func(c *verifier.Config) { c.UserPoolID = "us-east-1_abc-def" }, "does not match"},
		{"pool ID with a space", func(c *verifier.Config) { c.UserPoolID = "us east-1_abc" }, "does not match"},
		{"pool ID with a slash", func(c *verifier.Config) { c.UserPoolID = "us-east-1_abc/../x" }, "does not match"},
		{"pool ID longer than 55", func(c *verifier.Config) { c.UserPoolID = "us-east-1_" + strings.Repeat("a", 50) }, "does not match"},
		{"upper-case region without Issuer", func(c *verifier.Config) { c.UserPoolID = "US-EAST-1_abc" }, "not an AWS region"},
		{"non-AWS region without Issuer", func(c *verifier.Config) { c.UserPoolID = "local_abc123" }, "not an AWS region"},
		{"no client IDs", func(c *verifier.Config) { c.ClientIDs = nil }, "SkipClientIDCheck"},
		{"empty client ID list", func(c *verifier.Config) { c.ClientIDs = []string{} }, "SkipClientIDCheck"},
		{"client IDs and SkipClientIDCheck both", func(c *verifier.Config) { c.SkipClientIDCheck = true }, "both"},
		{"empty client ID", func(c *verifier.Config) { c.ClientIDs = []string{""} }, "client ID"},
		{"client ID with -", func(c *verifier.Config) { c.ClientIDs = []string{"abc-def"} }, "client ID"},
		{"client ID with a space", func(c *verifier.Config) { c.ClientIDs = []string{"abc def"} }, "client ID"},
		{"client ID longer than 128", func(c *verifier.Config) { c.ClientIDs = []string{strings.Repeat("a", 129)} }, "client ID"},
		{"zero TokenUse", func(c *verifier.Config) { c.TokenUse = 0 }, "TokenUse"},
		{"unknown TokenUse", func(c *verifier.Config) { c.TokenUse = 9 }, "TokenUse"},
		{"alg none allowed", func(c *verifier.Config) { c.AllowedAlgorithms = []string{"none"} }, `"none"`},
		{"HS256 allowed", func(c *verifier.Config) { c.AllowedAlgorithms = []string{"RS256", "HS256"} }, `"HS256"`},
		{"EdDSA allowed", func(c *verifier.Config) { c.AllowedAlgorithms = []string{"EdDSA"} }, `"EdDSA"`},
		{"negative leeway", func(c *verifier.Config) { c.Leeway = -time.Second }, "Leeway"},
		{"duplicate pool", func(c *verifier.Config) {
			c.Pools = []verifier.Pool{{UserPoolID: c.UserPoolID, ClientIDs: []string{"other"}, TokenUse: verifier.AccessToken}}
		}, "configured twice"},
		{"duplicate Issuer override", func(c *verifier.Config) {
			c.Issuer = "https://idp.example.test/pool"
			c.Pools = []verifier.Pool{{UserPoolID: "eu-west-1_Other", ClientIDs: []string{"x"}, TokenUse: verifier.IDToken, Issuer: c.Issuer}}
		}, "configured twice"},
		{"Issuer override clashing with a derived issuer", func(c *verifier.Config) {
			c.Pools = []verifier.Pool{{UserPoolID: "eu-west-1_Other", ClientIDs: []string{"x"}, TokenUse: verifier.IDToken,
				Issuer: "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"}}
		}, "configured twice"},
		{"bad pool in Pools", func(c *verifier.Config) {
			c.Pools = []verifier.Pool{{UserPoolID: "eu-west-1_Other", TokenUse: verifier.IDToken}}
		}, "eu-west-1_Other"},
		{"http JWKS URL without the opt-in", func(c *verifier.Config) { c.JWKSURL = "http://127.0.0.1:9229/jwks.json" }, "https"},
		{"http Issuer without the opt-in (derived JWKS URL)", func(c *verifier.Config) {
			c.UserPoolID, c.Issuer = "local_abc123", "http://127.0.0.1:9229/local_abc123"
		}, "https"},
		{"JWKS URL not absolute", func(c *verifier.Config) { c.JWKSURL = "/jwks.json" }, "JWKSURL"},
		{"JWKS URL of another scheme", func(c *verifier.Config) { c.JWKSURL = "file:///etc/jwks.json" }, "JWKSURL"},
		{"Issuer not a URL", func(c *verifier.Config) { c.Issuer = "cognito" }, "Issuer"},
		{"preloaded JWKS not JSON", func(c *verifier.Config) { c.JWKS = []byte("not json") }, "preloaded JWKS"},
		{"pool ID given as the issuer URL hints at Issuer", func(c *verifier.Config) {
			c.UserPoolID = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
		}, "is a URL: set UserPoolID to the pool ID after its last '/'"},
		{"pool ID given as Issuer hints at UserPoolID", func(c *verifier.Config) { c.Issuer = "us-east-1_AbCdEf123" }, "set UserPoolID instead"},
		{"a long pool ID is truncated", func(c *verifier.Config) { c.UserPoolID = strings.Repeat("x", 500) }, `xxx"...`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := validConfig()
			tc.edit(&cfg)
			v, err := verifier.New(cfg)
			if err == nil {
				v.Close()
				t.Fatal("New accepted the configuration")
			}
			if v != nil {
				t.Error("New returned a verifier with its error")
			}
			if !strings.HasPrefix(err.Error(), "verifier: ") || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("error %q does not mention %q", err, tc.mention)
			}
		})
	}
}

// TestNewAcceptsConfig lists configurations New must accept.
func TestNewAcceptsConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(c *verifier.Config)
	}{
		{"the minimal configuration", func(*verifier.Config) {}},
		{"mixed-case pool suffix", func(c *verifier.Config) { c.UserPoolID = "eu-central-1_aBcDeF9" }},
		{"China pool", func(c *verifier.Config) { c.UserPoolID = "cn-north-1_AbC" }},
		{"GovCloud pool", func(c *verifier.Config) { c.UserPoolID = "us-gov-west-1_AbC" }},
		{"sovereign region no list knows", func(c *verifier.Config) { c.UserPoolID = "eusc-de-east-1_AbC" }},
		{"two-digit region number", func(c *verifier.Config) { c.UserPoolID = "ap-southeast-10_AbC" }},
		{"client IDs with + and _", func(c *verifier.Config) { c.ClientIDs = []string{"abc+def_123", "x"} }},
		{"SkipClientIDCheck without client IDs", func(c *verifier.Config) { c.ClientIDs, c.SkipClientIDCheck = nil, true }},
		{"AccessToken", func(c *verifier.Config) { c.TokenUse = verifier.AccessToken }},
		{"AnyToken", func(c *verifier.Config) { c.TokenUse = verifier.AnyToken }},
		{"asymmetric algorithms", func(c *verifier.Config) {
			c.AllowedAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}
		}},
		{"emulator over http with the opt-in", func(c *verifier.Config) {
			c.UserPoolID, c.Issuer, c.InsecureAllowHTTPJWKS = "local_abc123", "http://127.0.0.1:9229/local_abc123", true
		}},
		{"Pools only", func(c *verifier.Config) {
			c.Pools = []verifier.Pool{{UserPoolID: c.UserPoolID, ClientIDs: c.ClientIDs, TokenUse: c.TokenUse}}
			c.UserPoolID, c.ClientIDs, c.TokenUse = "", nil, 0
		}},
		{"several pools", func(c *verifier.Config) {
			c.Pools = []verifier.Pool{
				{UserPoolID: "eu-west-1_Two", ClientIDs: []string{"b"}, TokenUse: verifier.AccessToken},
				{UserPoolID: "cn-north-1_Three", SkipClientIDCheck: true, TokenUse: verifier.AnyToken},
			}
		}},
		{"token cache off", func(c *verifier.Config) { c.CacheSize = -1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := validConfig()
			tc.edit(&cfg)
			v, err := verifier.New(cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			v.Close()
		})
	}
}

func TestTokenUseString(t *testing.T) {
	t.Parallel()
	for use, want := range map[verifier.TokenUse]string{
		verifier.IDToken: "id", verifier.AccessToken: "access", verifier.AnyToken: "any", 0: "TokenUse(0)",
	} {
		if got := use.String(); got != want {
			t.Errorf("TokenUse(%d).String() = %q, want %q", int(use), got, want)
		}
	}
}
