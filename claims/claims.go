package claims

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token uses found in the token_use claim.
const (
	TokenUseID     = "id"
	TokenUseAccess = "access"
)

// CustomPrefix is the prefix Cognito puts before custom user attributes.
const CustomPrefix = "custom:"

// Claims are the claims of a verified Cognito token. Fields that the token does
// not carry are left at their zero value. A Claims must not be modified: the
// same value may be handed to many concurrent requests.
type Claims struct {
	// Subject is "sub": the user's stable UUID, or the app client ID for a
	// client-credentials (machine) token. Prefer it to Username as a user key.
	Subject string
	// Issuer is "iss", the user pool's issuer URL.
	Issuer string
	// TokenUse is "token_use": TokenUseID or TokenUseAccess.
	TokenUse string
	// ClientID is the app client the token was issued to: "aud" for ID
	// tokens and "client_id" for access tokens.
	ClientID string
	// Audience is "aud" as it appears in the token (ID tokens only).
	Audience []string
	// Username is "cognito:username" (ID tokens) or "username" (access tokens).
	Username string
	// Groups is "cognito:groups"; nil when the user is in no group.
	Groups []string
	// Roles is "cognito:roles", the IAM role ARNs of the user's groups.
	Roles []string
	// PreferredRole is "cognito:preferred_role"; empty when Cognito did not
	// set one (for example when groups of equal precedence have different roles).
	PreferredRole string
	// Scopes is "scope" split on spaces (access tokens only).
	Scopes []string
	// Email is "email". It proves nothing unless EmailVerified is true.
	Email string
	// EmailVerified is "email_verified", given as a JSON boolean or as the
	// strings "true"/"false"; any other value reads as false.
	EmailVerified bool
	// AuthTime is "auth_time", when the user authenticated.
	AuthTime time.Time
	// IssuedAt is "iat".
	IssuedAt time.Time
	// ExpiresAt is "exp".
	ExpiresAt time.Time
	// NotBefore is "nbf" (Cognito does not set it; zero when absent).
	NotBefore time.Time
	// JTI is "jti", the token's unique ID (present when revocation is enabled).
	JTI string
	// OriginJTI is "origin_jti", shared by all tokens minted from one
	// authentication (the refresh-token family that RevokeToken invalidates).
	OriginJTI string
	// EventID is "event_id", the sign-in event.
	EventID string
	// times holds exp/nbf/iat as given, in seconds, for exact comparisons.
	exp, nbf, iat   float64
	hasExp, hasNbf  bool
	hasIat, hasAuth bool

	// custom holds the custom attributes by name (without the prefix),
	// one per name, in document order: see Custom.
	custom []attribute

	raw *rawPayload
}

// rawPayload decodes the payload into a map on first use only: most requests
// never need it, and decoding a map costs more than the typed fields together.
type rawPayload struct {
	once sync.Once
	data string
	m    map[string]any
}

// Raw returns every claim of the token as decoded by encoding/json (numbers as
// float64). The map is decoded once, on first call, and shared: do not modify it.
func (c *Claims) Raw() map[string]any {
	if c.raw == nil {
		return nil
	}
	c.raw.once.Do(func() {
		var m map[string]any
		if err := json.Unmarshal([]byte(c.raw.data), &m); err == nil {
			c.raw.m = m
		}
	})
	return c.raw.m
}

// Decode unmarshals the verified payload into v with encoding/json's
// semantics (the last of duplicate members wins, unknown members are
// ignored, field tags apply): for custom claims that are not strings, such
// as the objects and arrays a pre-token-generation trigger adds. v must be
// a non-nil pointer. Decode reads the payload each call and never changes c.
func (c *Claims) Decode(v any) error {
	if c == nil || c.raw == nil {
		return errors.New("claims: no payload to decode")
	}
	if err := json.Unmarshal([]byte(c.raw.data), v); err != nil {
		return fmt.Errorf("claims: decode payload: %w", err)
	}
	return nil
}

// Get returns the raw value of one claim, as Raw would.
func (c *Claims) Get(name string) (any, bool) {
	v, ok := c.Raw()[name]
	return v, ok
}

// InGroup reports whether the token lists group in cognito:groups. Group
// names are compared exactly (they are case-sensitive in Cognito).
func (c *Claims) InGroup(group string) bool {
	for _, g := range c.Groups {
		if g == group {
			return true
		}
	}
	return false
}

// InAnyGroup reports whether the token lists at least one of groups.
func (c *Claims) InAnyGroup(groups ...string) bool {
	for _, g := range groups {
		if c.InGroup(g) {
			return true
		}
	}
	return false
}

// InAllGroups reports whether the token lists every one of groups.
func (c *Claims) InAllGroups(groups ...string) bool {
	for _, g := range groups {
		if !c.InGroup(g) {
			return false
		}
	}
	return true
}

// HasScope reports whether the token's scope claim contains scope exactly.
func (c *Claims) HasScope(scope string) bool {
	for _, s := range c.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// HasAnyScope reports whether the token has at least one of scopes.
func (c *Claims) HasAnyScope(scopes ...string) bool {
	for _, s := range scopes {
		if c.HasScope(s) {
			return true
		}
	}
	return false
}

// HasAllScopes reports whether the token has every one of scopes.
func (c *Claims) HasAllScopes(scopes ...string) bool {
	for _, s := range scopes {
		if !c.HasScope(s) {
			return false
		}
	}
	return true
}

// IsMachine reports whether this is a client-credentials (machine-to-machine)
// access token: an access token with no username whose subject is its client.
func (c *Claims) IsMachine() bool {
	return c.TokenUse == TokenUseAccess && c.Username == "" && c.Subject != "" && c.Subject == c.ClientID
}

// attribute is one custom attribute.
type attribute struct{ name, value string }

// Custom returns the custom attributes ("custom:*" claims) keyed by their
// name without the "custom:" prefix, in a new map the caller may keep; nil
// when the token has none. Cognito always emits them as strings; a custom
// claim of another JSON type is left out here (see Raw). To read one,
// CustomAttribute does not build a map.
func (c *Claims) Custom() map[string]string {
	if len(c.custom) == 0 {
		return nil
	}
	m := make(map[string]string, len(c.custom))
	for _, a := range c.custom {
		m[a.name] = a.value
	}
	return m
}

// CustomAttribute returns a custom attribute by name, with or without the
// "custom:" prefix.
func (c *Claims) CustomAttribute(name string) (string, bool) {
	name = strings.TrimPrefix(name, CustomPrefix)
	for _, a := range c.custom {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}

// CustomBool parses a custom attribute with strconv.ParseBool.
func (c *Claims) CustomBool(name string) (bool, error) {
	v, err := c.customValue(name)
	if err != nil {
		return false, err
	}
	return strconv.ParseBool(v)
}

// CustomInt parses a custom attribute as a base-10 int64.
func (c *Claims) CustomInt(name string) (int64, error) {
	v, err := c.customValue(name)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

func (c *Claims) customValue(name string) (string, error) {
	v, ok := c.CustomAttribute(name)
	if !ok {
		return "", &MissingClaimError{Name: CustomPrefix + strings.TrimPrefix(name, CustomPrefix)}
	}
	return v, nil
}

// MissingClaimError reports that a claim asked for is not in the token.
type MissingClaimError struct{ Name string }

func (e *MissingClaimError) Error() string { return "claims: no claim " + strconv.Quote(e.Name) }

// Expiry returns the exp claim in seconds since the epoch (fractions kept)
// and whether the token has one.
func (c *Claims) Expiry() (float64, bool) { return c.exp, c.hasExp }

// NotBeforeSeconds returns the nbf claim in seconds and whether it is present.
func (c *Claims) NotBeforeSeconds() (float64, bool) { return c.nbf, c.hasNbf }

// IssuedAtSeconds returns the iat claim in seconds and whether it is present.
func (c *Claims) IssuedAtSeconds() (float64, bool) { return c.iat, c.hasIat }
