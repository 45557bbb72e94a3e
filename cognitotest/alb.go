package cognitotest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/cognitoauth/cognitoauth/alb"
)

// DefaultALBARN is the load balancer a fake ALB signs as unless
// ALBOptions.ARN says otherwise.
const DefaultALBARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/test-alb/50dc6c495c0c9188"

// ALBOptions configure an ALB.
type ALBOptions struct {
	// ARN is the load balancer's ARN, written into the header's signer
	// (default DefaultALBARN).
	ARN string
	// ClientID is the app client written into the header's client (default
	// DefaultClientID).
	ClientID string
	// Issuer is the identity provider's issuer, written into iss (default
	// the issuer of a pool with DefaultUserPoolID).
	Issuer string
	// Now is the clock for exp (default time.Now).
	Now func() time.Time
}

// ALB is a fake Application Load Balancer with Cognito authentication: it
// serves its public keys as PEM per kid over HTTPS on 127.0.0.1, as ALB's
// regional key endpoint does, and mints x-amzn-oidc-data tokens as ALB
// writes them (ES256, "=" padded base64url segments, signer and client in
// the header). Its methods are safe for concurrent use.
type ALB struct {
	opts ALBOptions
	srv  *httptest.Server

	mu      sync.Mutex
	keys    map[string]*ecdsa.PrivateKey
	signing string // kid of the key new tokens are signed with

	requests atomic.Int64
	handler  atomic.Pointer[http.Handler]
}

// NewALB generates a P-256 key and starts the key server.
func NewALB(opts ALBOptions) (*ALB, error) {
	if opts.ARN == "" {
		opts.ARN = DefaultALBARN
	}
	if opts.ClientID == "" {
		opts.ClientID = DefaultClientID
	}
	if opts.Issuer == "" {
		opts.Issuer = "https://cognito-idp.us-east-1.amazonaws.com/" + DefaultUserPoolID
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &ALB{opts: opts, keys: map[string]*ecdsa.PrivateKey{}}
	if _, err := a.RotateKey(); err != nil {
		return nil, err
	}
	a.srv = httptest.NewTLSServer(http.HandlerFunc(a.serve))
	return a, nil
}

// Close stops the key server.
func (a *ALB) Close() { a.srv.Close() }

// ARN returns the load balancer's ARN (the header's signer).
func (a *ALB) ARN() string { return a.opts.ARN }

// ClientID returns the app client of minted tokens (the header's client).
func (a *ALB) ClientID() string { return a.opts.ClientID }

// Issuer returns the iss of minted tokens.
func (a *ALB) Issuer() string { return a.opts.Issuer }

// KeyURL returns the local base URL keys are served under, as
// KeyURL() + "/" + kid.
func (a *ALB) KeyURL() string { return a.srv.URL }

// HTTPClient returns a client that trusts the key server's certificate.
func (a *ALB) HTTPClient() *http.Client { return a.srv.Client() }

// KeyRequests counts requests the key server has answered.
func (a *ALB) KeyRequests() int64 { return a.requests.Load() }

// Config returns an alb.Config accepting this ALB's tokens, with the key
// URL and HTTP client pointing at the local server. Adjust fields as
// needed before alb.New.
func (a *ALB) Config() alb.Config {
	return alb.Config{
		ALBARNs:    []string{a.opts.ARN},
		ClientIDs:  []string{a.opts.ClientID},
		Issuer:     a.opts.Issuer,
		KeyURL:     a.KeyURL(),
		HTTPClient: a.HTTPClient(),
		Now:        a.opts.Now,
	}
}

// RotateKey adds a new key and makes it the one new tokens are signed
// with; earlier keys stay served. It returns the new kid, a UUID.
func (a *ALB) RotateKey() (string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("cognitotest: generate key: %w", err)
	}
	kid := randomUUID()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys[kid], a.signing = key, kid
	return kid, nil
}

// SigningKey returns the current signing key and its kid, for tests that
// craft tokens by hand (see SignES256).
func (a *ALB) SigningKey() (kid string, key *ecdsa.PrivateKey) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.signing, a.keys[a.signing]
}

// SetKeyHandler replaces the key server's behaviour (for fault tests); nil
// restores it. Requests are still counted.
func (a *ALB) SetKeyHandler(h http.Handler) {
	if h == nil {
		a.handler.Store(nil)
		return
	}
	a.handler.Store(&h)
}

// PublicKeyPEM returns the PEM document served for kid, and whether the
// ALB has that key.
func (a *ALB) PublicKeyPEM(kid string) ([]byte, bool) {
	a.mu.Lock()
	key, ok := a.keys[kid]
	a.mu.Unlock()
	if !ok {
		return nil, false
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil { // cannot happen for a P-256 key
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), true
}

func (a *ALB) serve(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	if h := a.handler.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	doc, ok := a.PublicKeyPEM(strings.TrimPrefix(r.URL.Path, "/"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Write(doc)
}

// WithoutPadding mints an ALB token with unpadded base64url segments, as a
// proxy that re-encodes it might pass it on. It has no effect on user pool
// tokens, which are never padded.
func WithoutPadding() TokenOption { return func(s *spec) { s.unpadded = true } }

// Token mints an x-amzn-oidc-data token for u as ALB writes it: header
// alg, kid, signer, iss, client and exp; payload sub, email_verified (the
// string "true" or "false", as Cognito's userinfo endpoint gives it),
// email, username, custom attributes, exp and iss; each segment base64url
// with "=" padding, signed with ES256. TokenOptions apply as for pool
// tokens: WithClientID sets the header's client, WithKID the kid (a kid
// the ALB does not have is written as given and signed with the current
// key), WithHeader and WithClaim add or override members (WithHeader
// signs with ES256), WithLifetime and WithIssuedAt set exp, WithoutPadding
// drops the padding.
func (a *ALB) Token(u User, opts ...TokenOption) string {
	s := &spec{lifetime: DefaultLifetime, clientID: a.opts.ClientID}
	for _, o := range opts {
		o(s)
	}
	now := s.iat
	if now.IsZero() {
		now = a.opts.Now()
	}
	u = defaults(u)
	exp := now.Add(s.lifetime).Unix()
	a.mu.Lock()
	kid, key := a.signing, a.keys[a.signing]
	if k, ok := a.keys[s.kid]; ok {
		kid, key = s.kid, k
	} else if s.kid != "" {
		kid = s.kid
	}
	a.mu.Unlock()

	h := members{{"alg", "ES256"}, {"kid", kid}, {"signer", a.opts.ARN}, {"iss", a.opts.Issuer}, {"client", s.clientID}, {"exp", exp}}
	for _, k := range slices.Sorted(maps.Keys(s.header)) {
		h = h.set(k, s.header[k])
	}
	p := members{{"sub", u.Sub}, {"email_verified", fmt.Sprint(u.EmailVerified)}}
	if u.Email != "" {
		p = append(p, member{"email", u.Email})
	}
	p = append(p, member{"username", u.Username})
	for _, k := range slices.Sorted(maps.Keys(u.Custom)) {
		p = append(p, member{"custom:" + k, u.Custom[k]})
	}
	p = append(p, member{"exp", exp}, member{"iss", a.opts.Issuer})
	for _, k := range slices.Sorted(maps.Keys(s.set)) {
		p = p.set(k, s.set[k])
	}
	for _, k := range s.del {
		p = p.set(k, nil)
	}
	enc := base64.URLEncoding
	if s.unpadded {
		enc = base64.RawURLEncoding
	}
	input := enc.EncodeToString(h.json()) + "." + enc.EncodeToString(p.json())
	return input + "." + enc.EncodeToString(SignES256(key, input))
}

// SignES256 signs a JWS signing input with ES256 (R and S, 32 bytes each)
// through golang-jwt, for tests that assemble ALB tokens byte by byte.
func SignES256(key *ecdsa.PrivateKey, signingInput string) []byte {
	sig, err := jwt.SigningMethodES256.Sign(signingInput, key)
	if err != nil { // only on a broken key or a failing random source
		panic(fmt.Sprintf("cognitotest: sign: %v", err))
	}
	return sig
}

// members is a JSON object that keeps its order, as ALB writes its own.
type members []member

type member struct {
	name  string
	value any
}

// set replaces the member name (or appends it); a nil value removes it.
func (ms members) set(name string, value any) members {
	for i, m := range ms {
		if m.name == name {
			if value == nil {
				return append(ms[:i:i], ms[i+1:]...)
			}
			ms[i].value = value
			return ms
		}
	}
	if value == nil {
		return ms
	}
	return append(ms, member{name, value})
}

func (ms members) json() []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(m.name)
		value, err := json.Marshal(m.value)
		if err != nil {
			panic(fmt.Sprintf("cognitotest: claim value cannot be marshaled: %v", err))
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes()
}
