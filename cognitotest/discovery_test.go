package cognitotest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cognitoauth/cognitoauth/cognitotest"
)

// TestPoolOpenIDConfiguration: the discovery document names the pool's
// issuer and a jwks_uri on the server that answered, on the pool's own
// server and on one serving Handler elsewhere, whose key set is the pool's.
func TestPoolOpenIDConfiguration(t *testing.T) {
	t.Parallel()
	p := newPool(t, cognitotest.Options{UserPoolID: "eu-west-1_Disco"})
	other := httptest.NewServer(p.Handler())
	t.Cleanup(other.Close)

	for _, tc := range []struct {
		name     string
		base     string
		client   *http.Client
		wantJWKS string
	}{
		{"pool server", p.JWKSURL()[:len(p.JWKSURL())-len("/eu-west-1_Disco/.well-known/jwks.json")], p.HTTPClient(), p.JWKSURL()},
		{"own listener", other.URL, other.Client(), other.URL + "/eu-west-1_Disco/.well-known/jwks.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc struct {
				Issuer  string `json:"issuer"`
				JWKSURI string `json:"jwks_uri"`
			}
			getJSON(t, tc.client, tc.base+p.OpenIDConfigurationPath(), &doc)
			if doc.Issuer != p.Issuer() || doc.JWKSURI != tc.wantJWKS {
				t.Fatalf("issuer %q, jwks_uri %q; want %q, %q", doc.Issuer, doc.JWKSURI, p.Issuer(), tc.wantJWKS)
			}
			var set struct{ Keys []struct{ Kid string } }
			getJSON(t, tc.client, doc.JWKSURI, &set)
			if len(set.Keys) != 1 || set.Keys[0].Kid != p.KeyIDs()[0] {
				t.Fatalf("key set %+v, want the pool's kid %q", set, p.KeyIDs()[0])
			}
		})
	}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
