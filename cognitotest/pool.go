package cognitotest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Defaults used when Options leaves a field empty.
const (
	DefaultUserPoolID = "us-east-1_TestPool1"
	DefaultClientID   = "testclient1234567890abcdef"
	DefaultKeyBits    = 2048
)

// Options configure a Pool.
type Options struct {
	// UserPoolID is the pool ID (default DefaultUserPoolID). Its region
	// decides the issuer, as in Cognito.
	UserPoolID string
	// ClientIDs are the pool's app clients; the first is used when minting
	// unless a token says otherwise (default [DefaultClientID]).
	ClientIDs []string
	// Issuer overrides the AWS-shaped issuer derived from UserPoolID.
	Issuer string
	// KeyBits is the RSA key size (default 2048, as Cognito); NewPool
	// refuses less than jwks.MinRSABits.
	KeyBits int
	// Now is the clock used for iat, auth_time and exp (default time.Now).
	Now func() time.Time
}

// Pool is a fake user pool. Its methods are safe for concurrent use.
type Pool struct {
	opts   Options
	issuer string
	srv    *httptest.Server

	mu      sync.Mutex
	keys    []*signingKey // published, in order
	signing *signingKey   // used by default for new tokens
	nextKID int

	requests atomic.Int64
	handler  atomic.Pointer[http.Handler]
}

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

// NewPool generates a key and starts the JWKS server on 127.0.0.1 over HTTPS.
func NewPool(opts Options) (*Pool, error) {
	if opts.UserPoolID == "" {
		opts.UserPoolID = DefaultUserPoolID
	}
	if len(opts.ClientIDs) == 0 {
		opts.ClientIDs = []string{DefaultClientID}
	}
	if opts.KeyBits == 0 {
		opts.KeyBits = DefaultKeyBits
	}
	if opts.KeyBits < jwks.MinRSABits {
		return nil, fmt.Errorf("cognitotest: KeyBits %d is under %d: verifiers skip such keys, so no token of the pool would verify", opts.KeyBits, jwks.MinRSABits)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	i := strings.LastIndexByte(opts.UserPoolID, '_')
	if i <= 0 {
		return nil, fmt.Errorf("cognitotest: %q is not a user pool ID", opts.UserPoolID)
	}
	p := &Pool{opts: opts, issuer: opts.Issuer}
	if p.issuer == "" {
		region := opts.UserPoolID[:i]
		suffix := "amazonaws.com"
		if strings.HasPrefix(region, "cn-") {
			suffix = "amazonaws.com.cn"
		}
		p.issuer = "https://cognito-idp." + region + "." + suffix + "/" + opts.UserPoolID
	}
	if _, err := p.RotateKey(); err != nil {
		return nil, err
	}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	return p, nil
}

// Close stops the JWKS server.
func (p *Pool) Close() { p.srv.Close() }

// UserPoolID returns the pool ID.
func (p *Pool) UserPoolID() string { return p.opts.UserPoolID }

// ClientID returns the default app client ID.
func (p *Pool) ClientID() string { return p.opts.ClientIDs[0] }

// ClientIDs returns all app client IDs.
func (p *Pool) ClientIDs() []string { return append([]string(nil), p.opts.ClientIDs...) }

// Issuer returns the iss of minted tokens.
func (p *Pool) Issuer() string { return p.issuer }

// JWKSURL returns the local URL of the pool's key set.
func (p *Pool) JWKSURL() string {
	return p.srv.URL + "/" + p.opts.UserPoolID + "/.well-known/jwks.json"
}

// HTTPClient returns a client that trusts the pool's TLS certificate.
func (p *Pool) HTTPClient() *http.Client { return p.srv.Client() }

// JWKSRequests counts requests the JWKS server has answered.
func (p *Pool) JWKSRequests() int64 { return p.requests.Load() }

// Config returns a verifier.Config for this pool accepting tokens of use, for
// every app client of the pool, with the JWKS URL and HTTP client pointing at
// the local server. Adjust fields as needed before verifier.New.
func (p *Pool) Config(use verifier.TokenUse) verifier.Config {
	return verifier.Config{
		UserPoolID: p.opts.UserPoolID,
		ClientIDs:  p.ClientIDs(),
		TokenUse:   use,
		Issuer:     p.issuerOverride(),
		JWKSURL:    p.JWKSURL(),
		HTTPClient: p.HTTPClient(),
		Now:        p.opts.Now,
	}
}

func (p *Pool) issuerOverride() string {
	if p.opts.Issuer != "" {
		return p.issuer
	}
	return ""
}

// SetJWKSHandler replaces the JWKS server's behaviour (for fault tests); nil
// restores the normal key set. Requests are still counted.
func (p *Pool) SetJWKSHandler(h http.Handler) {
	if h == nil {
		p.handler.Store(nil)
		return
	}
	p.handler.Store(&h)
}

func (p *Pool) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	if h := p.handler.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	if r.URL.Path == p.OpenIDConfigurationPath() {
		p.serveOpenIDConfiguration(w, r)
		return
	}
	if r.URL.Path != "/"+p.opts.UserPoolID+"/.well-known/jwks.json" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(p.JWKS())
}

// RotateKey adds a new key to the published set and makes it the signing key
// for new tokens. Earlier keys stay published until RemoveKey, as in a real
// rotation. It returns the new kid.
func (p *Pool) RotateKey() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, p.opts.KeyBits)
	if err != nil {
		return "", fmt.Errorf("cognitotest: generate key: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextKID++
	// Cognito kids are base64 of a hash and end in '='; imitate the shape.
	kid := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("cognitotest-key-%04d-%s", p.nextKID, p.opts.UserPoolID)))
	k := &signingKey{kid: kid, key: key}
	p.keys = append(p.keys, k)
	p.signing = k
	return kid, nil
}

// RemoveKey unpublishes a key. Tokens signed with it stop verifying once the
// verifier refreshes its key set.
func (p *Pool) RemoveKey(kid string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, k := range p.keys {
		if k.kid == kid {
			if k == p.signing {
				return errors.New("cognitotest: cannot remove the current signing key; rotate first")
			}
			p.keys = append(p.keys[:i:i], p.keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("cognitotest: no key %q", kid)
}

// KeyIDs returns the published kids, oldest first.
func (p *Pool) KeyIDs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, len(p.keys))
	for i, k := range p.keys {
		ids[i] = k.kid
	}
	return ids
}

// SigningKey returns the current signing key and its kid, for tests that
// craft tokens by hand.
func (p *Pool) SigningKey() (kid string, key *rsa.PrivateKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.signing.kid, p.signing.key
}

// JWKS returns the published key set as a JWKS document (public keys only).
func (p *Pool) JWKS() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	type jwk struct {
		Alg string `json:"alg"`
		E   string `json:"e"`
		Kid string `json:"kid"`
		Kty string `json:"kty"`
		N   string `json:"n"`
		Use string `json:"use"`
	}
	doc := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for _, k := range p.keys {
		pub := k.key.PublicKey
		doc.Keys = append(doc.Keys, jwk{
			Alg: "RS256", Kty: "RSA", Use: "sig", Kid: k.kid,
			N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		})
	}
	b, err := json.Marshal(doc)
	if err != nil { // cannot happen: only strings
		panic(err)
	}
	return b
}
