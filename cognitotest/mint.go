package cognitotest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DefaultLifetime is the lifetime of minted tokens, Cognito's default.
const DefaultLifetime = time.Hour

// User describes the person a token is minted for. Zero fields are left out
// of the token, except Username (default "testuser") and Sub (default a UUID
// derived from Username, stable across calls).
type User struct {
	Username      string
	Sub           string
	Email         string
	EmailVerified bool
	Groups        []string
	Roles         []string // IAM role ARNs (cognito:roles)
	PreferredRole string   // cognito:preferred_role
	// Custom holds custom attributes by name without the "custom:" prefix;
	// they go into ID tokens only, as strings, as Cognito does.
	Custom map[string]string
}

// TokenOption adjusts one minted token.
type TokenOption func(*spec)

type spec struct {
	lifetime time.Duration
	iat      time.Time
	kid      string
	clientID string
	scopes   []string
	set      map[string]any
	del      []string
	header   map[string]any
	unpadded bool // ALB tokens only: see WithoutPadding
}

// WithLifetime sets exp to iat plus d (default one hour); a negative d mints
// an already expired token.
func WithLifetime(d time.Duration) TokenOption { return func(s *spec) { s.lifetime = d } }

// WithIssuedAt sets iat and auth_time (default: the pool's clock now).
func WithIssuedAt(t time.Time) TokenOption { return func(s *spec) { s.iat = t } }

// WithKID signs with the published key of that kid. A kid the pool does not
// publish is written into the header and the token is signed with the
// current key, which a verifier must refuse as an unknown key.
func WithKID(kid string) TokenOption { return func(s *spec) { s.kid = kid } }

// WithClientID mints for that app client instead of the pool's first one.
func WithClientID(id string) TokenOption { return func(s *spec) { s.clientID = id } }

// WithScopes sets the access token's scope claim (default
// "aws.cognito.signin.user.admin" for user tokens).
func WithScopes(scopes ...string) TokenOption { return func(s *spec) { s.scopes = scopes } }

// WithClaim sets (or overrides) a payload claim. The value must be
// marshalable by encoding/json; minting panics otherwise.
func WithClaim(name string, value any) TokenOption {
	return func(s *spec) {
		if s.set == nil {
			s.set = map[string]any{}
		}
		s.set[name] = value
	}
}

// WithoutClaim removes a payload claim the pool would otherwise write.
func WithoutClaim(name string) TokenOption { return func(s *spec) { s.del = append(s.del, name) } }

// WithHeader sets (or, with a nil value, removes) a JOSE header member, for
// tokens that must be refused (alg games, jku, crit, ...). The signature is
// still made with RS256 over the resulting header.
func WithHeader(name string, value any) TokenOption {
	return func(s *spec) {
		if s.header == nil {
			s.header = map[string]any{}
		}
		s.header[name] = value
	}
}

// IDToken mints an ID token for u.
func (p *Pool) IDToken(u User, opts ...TokenOption) string {
	s, now := p.spec(opts)
	u = defaults(u)
	c := p.base(s, now, u.Sub, "id")
	c["aud"] = s.clientID
	c["cognito:username"] = u.Username
	if u.Email != "" {
		c["email"] = u.Email
		c["email_verified"] = u.EmailVerified
	}
	for k, v := range u.Custom {
		c["custom:"+k] = v
	}
	userGroups(c, u)
	return p.sign(s, c)
}

// AccessToken mints an access token for u.
func (p *Pool) AccessToken(u User, opts ...TokenOption) string {
	s, now := p.spec(opts)
	u = defaults(u)
	c := p.base(s, now, u.Sub, "access")
	c["client_id"] = s.clientID
	c["username"] = u.Username
	c["version"] = 2
	scopes := s.scopes
	if scopes == nil {
		scopes = []string{"aws.cognito.signin.user.admin"}
	}
	c["scope"] = strings.Join(scopes, " ")
	userGroups(c, u)
	return p.sign(s, c)
}

// ClientCredentialsToken mints a machine-to-machine access token: no user,
// sub equal to the client ID, and the given scopes (resource-server scopes
// look like "https://api.example.com/read").
func (p *Pool) ClientCredentialsToken(scopes []string, opts ...TokenOption) string {
	s, now := p.spec(opts)
	c := p.base(s, now, s.clientID, "access")
	delete(c, "origin_jti")
	delete(c, "event_id")
	c["client_id"] = s.clientID
	c["version"] = 2
	c["scope"] = strings.Join(scopes, " ")
	return p.sign(s, c)
}

// Sign signs arbitrary header and payload maps with the key of kid (or the
// current key when kid is unknown or empty, keeping the header as given). It
// adds nothing: the result may well be a token a verifier must refuse.
func (p *Pool) Sign(header, payload map[string]any) string {
	kid, _ := header["kid"].(string)
	return p.signWith(p.keyFor(kid), header, payload)
}

func defaults(u User) User {
	if u.Username == "" {
		u.Username = "testuser"
	}
	if u.Sub == "" {
		u.Sub = uuidFrom([]byte("sub:" + u.Username))
	}
	return u
}

func userGroups(c map[string]any, u User) {
	if len(u.Groups) > 0 {
		c["cognito:groups"] = u.Groups
	}
	if len(u.Roles) > 0 {
		c["cognito:roles"] = u.Roles
	}
	if u.PreferredRole != "" {
		c["cognito:preferred_role"] = u.PreferredRole
	}
}

func (p *Pool) spec(opts []TokenOption) (*spec, time.Time) {
	s := &spec{lifetime: DefaultLifetime, clientID: p.ClientID()}
	for _, o := range opts {
		o(s)
	}
	now := s.iat
	if now.IsZero() {
		now = p.opts.Now()
	}
	return s, now
}

func (p *Pool) base(s *spec, now time.Time, sub, use string) map[string]any {
	return map[string]any{
		"sub":        sub,
		"iss":        p.issuer,
		"token_use":  use,
		"auth_time":  now.Unix(),
		"iat":        now.Unix(),
		"exp":        now.Add(s.lifetime).Unix(),
		"jti":        randomUUID(),
		"origin_jti": randomUUID(),
		"event_id":   randomUUID(),
	}
}

func (p *Pool) sign(s *spec, c map[string]any) string {
	for k, v := range s.set {
		c[k] = v
	}
	for _, k := range s.del {
		delete(c, k)
	}
	key := p.keyFor(s.kid)
	kid := s.kid
	if kid == "" {
		kid = key.kid
	}
	h := map[string]any{"kid": kid, "alg": "RS256"}
	for k, v := range s.header {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	return p.signWith(key, h, c)
}

func (p *Pool) keyFor(kid string) *signingKey {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, k := range p.keys {
		if k.kid == kid {
			return k
		}
	}
	return p.signing
}

func (p *Pool) signWith(k *signingKey, header, payload map[string]any) string {
	input := segment(header) + "." + segment(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(SignRS256(k.key, input))
}

// SignRS256 signs a JWS signing input ("header.payload") with RS256 through
// golang-jwt, for tests that assemble tokens byte by byte.
func SignRS256(key *rsa.PrivateKey, signingInput string) []byte {
	sig, err := jwt.SigningMethodRS256.Sign(signingInput, key)
	if err != nil { // only on a broken key or a failing random source
		panic(fmt.Sprintf("cognitotest: sign: %v", err))
	}
	return sig
}

func segment(v map[string]any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("cognitotest: claim value cannot be marshaled: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func randomUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return formatUUID(b)
}

func uuidFrom(seed []byte) string {
	sum := sha256.Sum256(seed)
	var b [16]byte
	copy(b[:], sum[:16])
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
