package cognitotest

import (
	"encoding/json"
	"net/http"
)

// OpenIDConfigurationPath returns the path, on the pool's server, of its
// OpenID configuration document
// ("/{pool}/.well-known/openid-configuration", as Cognito serves it under
// the issuer).
func (p *Pool) OpenIDConfigurationPath() string {
	return "/" + p.opts.UserPoolID + "/.well-known/openid-configuration"
}

// Handler returns the pool's HTTP handler: the JWKS at
// "/{pool}/.well-known/jwks.json" and the OpenID configuration document,
// honouring SetJWKSHandler and counted by JWKSRequests. It lets a program
// serve the fake pool on a listener of its own choosing (another address,
// its own certificate) in addition to the pool's local server.
func (p *Pool) Handler() http.Handler { return http.HandlerFunc(p.serve) }

// serveOpenIDConfiguration writes the discovery document. Its jwks_uri
// points at the server the request reached, so that the document is right
// whichever listener serves the pool; the issuer stays the pool's.
func (p *Pool) serveOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	doc := map[string]any{
		"issuer":                                p.issuer,
		"jwks_uri":                              scheme + "://" + r.Host + "/" + p.opts.UserPoolID + "/.well-known/jwks.json",
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
	}
	b, err := json.Marshal(doc)
	if err != nil { // cannot happen: strings only
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
