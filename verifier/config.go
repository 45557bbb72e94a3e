package verifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/claims"
)

// TokenUse says which Cognito tokens a pool accepts. The zero value is not a
// valid choice: New rejects it, so that nobody accepts ID tokens where access
// tokens were meant (or the reverse) by forgetting a field.
type TokenUse int

const (
	// IDToken accepts only tokens with token_use "id"; the client is checked on aud.
	IDToken TokenUse = iota + 1
	// AccessToken accepts only tokens with token_use "access"; the client is
	// checked on client_id.
	AccessToken
	// AnyToken accepts both; each is checked on its own client claim.
	AnyToken
)

func (u TokenUse) String() string {
	switch u {
	case IDToken:
		return "id"
	case AccessToken:
		return "access"
	case AnyToken:
		return "any"
	}
	return fmt.Sprintf("TokenUse(%d)", int(u))
}

// Defaults applied by New.
const (
	DefaultMaxTokenSize     = 16 << 10
	DefaultMaxTokenLifetime = 24 * time.Hour
	DefaultCacheSize        = 65536
	DefaultCacheBytes       = 32 << 20
	DefaultRefreshInterval  = time.Hour
	DefaultRefetchCooldown  = 10 * time.Second
)

// Pool is one user pool a Verifier accepts tokens from. The same fields at
// the top of Config describe the first pool; Config.Pools adds more.
type Pool struct {
	// UserPoolID is the pool's ID, "{region}_{suffix}" such as
	// "us-east-1_AbCdEfGhI". The issuer and JWKS URL derive from it.
	UserPoolID string
	// ClientIDs are the app clients whose tokens are accepted. Required
	// unless SkipClientIDCheck is set.
	ClientIDs []string
	// SkipClientIDCheck accepts tokens of any app client of the pool. It
	// must be set explicitly: any other app client, including one created
	// later by someone else, can then obtain tokens this verifier accepts.
	SkipClientIDCheck bool
	// TokenUse is IDToken, AccessToken or AnyToken. Required.
	TokenUse TokenUse
	// Issuer overrides the derived issuer
	// "https://cognito-idp.{region}.amazonaws.com/{pool}" (".amazonaws.com.cn"
	// for cn-* regions), for emulators, proxies and other partitions. When
	// set, Cognito's second issuer form is not accepted for this pool.
	Issuer string
	// JWKSURL overrides the key URL "{issuer}/.well-known/jwks.json". It
	// comes from configuration only: nothing in a token can choose it.
	JWKSURL string
	// JWKS preloads the pool's key set (a JWKS document), so that no fetch is
	// needed at cold start or on hosts without access to the endpoint. The
	// keys are refreshed from the key URL every RefreshInterval like fetched
	// ones (a failed refresh keeps them, so air-gapped hosts lose nothing),
	// unless Config.PinJWKS freezes them.
	JWKS []byte
}

// Config configures a Verifier. Fields left zero take the documented default,
// except those marked required.
type Config struct {
	// UserPoolID, ClientIDs, SkipClientIDCheck, TokenUse, Issuer, JWKSURL and
	// JWKS describe the first pool; see Pool. Leave UserPoolID empty to use
	// Pools alone.
	UserPoolID        string
	ClientIDs         []string
	SkipClientIDCheck bool
	TokenUse          TokenUse
	Issuer            string
	JWKSURL           string
	JWKS              []byte

	// Pools are further user pools. A token picks its pool by an exact
	// lookup of its iss; a token whose iss names no pool is refused with
	// ErrIssuerMismatch before any key is fetched (unless ResolvePool
	// resolves it).
	Pools []Pool

	// ResolvePool, when set, finds pools at run time (a pool per tenant):
	// it is asked about a token whose iss names no configured pool but has
	// Cognito's shape, "https://cognito-idp.{region}.amazonaws.com/{pool}"
	// or "https://issuer-cognito-idp.{region}.amazonaws.com/{pool}"
	// (".amazonaws.com.cn" for cn-* regions), with a valid pool ID of that
	// region. Any other iss never reaches it, so it only ever sees short
	// strings of that form, and it runs before the signature is checked:
	// a forged token can name any pool.
	//
	// It returns the pool (validated as a configured one; UserPoolID must
	// be the issuer's pool and the issuer one the pool accepts, exactly),
	// or nil and nil for an issuer it does not know, or an error. A nil
	// pool, an error (or a panic) or an invalid pool refuses the token with
	// ErrIssuerMismatch, wrapping the error, and the refusal is remembered
	// for RefetchCooldown. A pool is kept (see MaxPools) and ResolvePool
	// is not asked about its issuer again while it is; each issuer form of
	// a pool is resolved, and kept, on its own. The top-level settings
	// (AllowedAlgorithms, HTTPClient, FetchTimeout, RefetchCooldown,
	// RefreshInterval, MaxKeyAge, MaxJWKSSize, PinJWKS,
	// InsecureAllowHTTPJWKS, Logger, the token cache) apply to resolved
	// pools as to configured ones.
	//
	// Tokens naming one issuer at the same time share one call. The call
	// runs on its own goroutine with the first token's context values but
	// not its cancellation; its context ends after FetchTimeout or at
	// Close, and it must return then. A Verify whose context ends first
	// stops waiting, with ErrJWKSUnavailable; the answer is kept for the
	// next tokens. With ResolvePool set, no configured pool is needed.
	ResolvePool func(ctx context.Context, issuer string) (*Pool, error)
	// MaxPools bounds the pools ResolvePool returned that are kept
	// (default 1,000): beyond it, the least recently used is dropped with
	// its keys, and resolved again when a token names it. It bounds the
	// refusals remembered too (the oldest forgotten first), and the calls
	// to ResolvePool: at most MaxPools at once, then MaxPools per
	// RefetchCooldown spread evenly (100 a second by default), whatever
	// the tokens. So a flood of tokens naming 10,000 random pools makes at
	// most MaxPools calls at once and MaxPools more per RefetchCooldown,
	// never more than one per issuer per RefetchCooldown, and fetches no
	// key; a token that finds the budget spent is refused with
	// ErrJWKSUnavailable (retrying later may succeed). Requires
	// ResolvePool.
	MaxPools int

	// AllowedAlgorithms lists the accepted header alg values (default
	// ["RS256"], what Cognito uses). RS384, RS512, PS256, PS384, PS512,
	// ES256, ES384 and ES512 may be added; "none" and HMAC algorithms are
	// refused by New.
	AllowedAlgorithms []string
	// Leeway tolerates clock skew in the exp, nbf and iat checks (default 0).
	Leeway time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MaxTokenSize is the longest token accepted, in bytes, checked before
	// any parsing (default 16 KiB).
	MaxTokenSize int
	// MaxTokenLifetime refuses tokens whose exp lies further than this after
	// iat (or after now when iat is absent). Cognito issues tokens for at
	// most one day. Default 24 h; negative disables the check.
	MaxTokenLifetime time.Duration

	// HTTPClient fetches key sets (default: a new client). It is copied; the
	// copy never follows redirects.
	HTTPClient *http.Client
	// InsecureAllowHTTPJWKS permits http:// key URLs. Only for local
	// emulators: keys fetched over plain HTTP can be swapped by anyone on
	// the network path, who can then mint tokens this verifier accepts.
	InsecureAllowHTTPJWKS bool
	// FetchTimeout bounds one key fetch (default 5 s); a caller also stops
	// waiting when its context ends.
	FetchTimeout time.Duration
	// RefetchCooldown is the least time between two key fetches for one URL
	// caused by unknown kids or failures (default 10 s).
	RefetchCooldown time.Duration
	// RefreshInterval is the age after which keys are refreshed in the
	// background (default 1 h).
	RefreshInterval time.Duration
	// MaxKeyAge is how long fetched keys keep serving while refreshes fail
	// (default 24 h).
	MaxKeyAge time.Duration
	// MaxJWKSSize bounds a key set response (default 1 MiB).
	MaxJWKSSize int64
	// PinJWKS freezes preloaded key sets (JWKS fields): they are never
	// refreshed nor fetched, so a key the pool withdraws keeps verifying
	// until the program is reconfigured, and tokens of a new key are refused
	// with ErrKeyNotFound. Off by default; pools without JWKS still fetch.
	PinJWKS bool
	// Logger receives key fetch results (default: discarded). Tokens are
	// never logged.
	Logger *slog.Logger
	// MeterProvider receives the verifier's metrics: verifications by
	// outcome, their duration, key fetches and the token cache's size (the
	// README's Observability section lists them). Nil means the global
	// provider, otel.GetMeterProvider(), which records nothing until the
	// application installs one. Attribute values come from fixed sets,
	// never from a token.
	MeterProvider metric.MeterProvider
	// TracerProvider receives one span per key fetch
	// ("cognitoauth.jwks.fetch"); verifications make no spans. Nil means
	// the global provider, otel.GetTracerProvider().
	TracerProvider trace.TracerProvider

	// CustomCheck, when set, runs after every other check has passed; an
	// error refuses the token with ErrCustomCheck wrapping it.
	CustomCheck func(ctx context.Context, c *claims.Claims) error

	// Revocation, when set, is consulted on every Verify, cached tokens
	// included, after the signature and claim checks and before
	// CustomCheck (see Revocation). A *revocation.List is one.
	Revocation Revocation

	// CacheSize bounds the verified-token cache (default 65536 tokens);
	// negative disables it.
	CacheSize int
	// CacheBytes bounds the memory the verified-token cache holds (default
	// 32 MiB), accounted per entry from its real size: token text, decoded
	// payload, claims and overhead (about 2.6 KB for a typical 1 KB token,
	// 30 KB for a 16 KiB one). When either bound is reached, new tokens are
	// verified but not cached.
	CacheBytes int64
}

var (
	poolIDPattern   = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)
	clientIDPattern = regexp.MustCompile(`^[\w+]+$`)
	regionPattern   = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]+$`)
)

// issuers returns the pool's accepted issuers, each with its JWKS URL.
func (p *Pool) issuers() ([][2]string, error) {
	if p.Issuer != "" {
		if err := checkURL("Issuer", p.Issuer); err != nil {
			return nil, err
		}
		jwksURL := p.JWKSURL
		if jwksURL == "" {
			jwksURL = strings.TrimSuffix(p.Issuer, "/") + "/.well-known/jwks.json"
		}
		return [][2]string{{p.Issuer, jwksURL}}, nil
	}
	region := p.UserPoolID[:strings.LastIndexByte(p.UserPoolID, '_')]
	if !regionPattern.MatchString(region) {
		return nil, fmt.Errorf("verifier: pool %q: %q is not an AWS region; set Issuer (and JWKSURL) for emulators", p.UserPoolID, region)
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	var out [][2]string
	for _, host := range []string{"cognito-idp", "issuer-cognito-idp"} {
		iss := "https://" + host + "." + region + "." + suffix + "/" + p.UserPoolID
		jwksURL := p.JWKSURL
		if jwksURL == "" {
			jwksURL = iss + "/.well-known/jwks.json"
		}
		out = append(out, [2]string{iss, jwksURL})
	}
	return out, nil
}

func (p *Pool) validate() error {
	if len(p.UserPoolID) > 55 || !poolIDPattern.MatchString(p.UserPoolID) {
		if strings.HasPrefix(p.UserPoolID, "https://") || strings.HasPrefix(p.UserPoolID, "http://") {
			return fmt.Errorf("verifier: user pool ID %s is a URL: set UserPoolID to the pool ID after its last '/' (such as us-east-1_AbCdEfGhI), or Issuer for an emulator's issuer URL", quote(p.UserPoolID))
		}
		return fmt.Errorf("verifier: user pool ID %s does not match %s", quote(p.UserPoolID), poolIDPattern)
	}
	switch p.TokenUse {
	case IDToken, AccessToken, AnyToken:
	default:
		return fmt.Errorf("verifier: pool %q: TokenUse must be IDToken, AccessToken or AnyToken", p.UserPoolID)
	}
	if len(p.ClientIDs) == 0 && !p.SkipClientIDCheck {
		return fmt.Errorf("verifier: pool %q: no ClientIDs (set SkipClientIDCheck to accept every app client, knowingly)", p.UserPoolID)
	}
	if len(p.ClientIDs) > 0 && p.SkipClientIDCheck {
		return fmt.Errorf("verifier: pool %q: ClientIDs and SkipClientIDCheck are both set", p.UserPoolID)
	}
	for _, id := range p.ClientIDs {
		if len(id) > 128 || !clientIDPattern.MatchString(id) {
			return fmt.Errorf("verifier: pool %q: client ID %s does not match %s", p.UserPoolID, quote(id), clientIDPattern)
		}
	}
	if p.JWKSURL != "" {
		if err := checkURL("JWKSURL", p.JWKSURL); err != nil {
			return err
		}
	}
	return nil
}

func checkURL(field, s string) error {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		if poolIDPattern.MatchString(s) {
			return fmt.Errorf("verifier: %s %s is a user pool ID, not a URL: set UserPoolID instead", field, quote(s))
		}
		return fmt.Errorf("verifier: %s %s is not an absolute http(s) URL", field, quote(s))
	}
	return nil
}

// algorithm describes what key a header alg needs.
type algorithm struct {
	kty, crv string
}

var knownAlgorithms = map[string]algorithm{
	"RS256": {"RSA", ""}, "RS384": {"RSA", ""}, "RS512": {"RSA", ""},
	"PS256": {"RSA", ""}, "PS384": {"RSA", ""}, "PS512": {"RSA", ""},
	"ES256": {"EC", "P-256"}, "ES384": {"EC", "P-384"}, "ES512": {"EC", "P-521"},
}

func (c *Config) pools() ([]Pool, error) {
	var pools []Pool
	if c.UserPoolID != "" {
		pools = append(pools, Pool{
			UserPoolID: c.UserPoolID, ClientIDs: c.ClientIDs, SkipClientIDCheck: c.SkipClientIDCheck,
			TokenUse: c.TokenUse, Issuer: c.Issuer, JWKSURL: c.JWKSURL, JWKS: c.JWKS,
		})
	} else if len(c.ClientIDs) > 0 || c.TokenUse != 0 || c.Issuer != "" || c.JWKSURL != "" || c.JWKS != nil || c.SkipClientIDCheck {
		return nil, errors.New("verifier: pool fields are set but UserPoolID is empty")
	}
	pools = append(pools, c.Pools...) // a copy; New clones their slices in turn
	if len(pools) == 0 && c.ResolvePool == nil {
		return nil, errors.New("verifier: no user pool configured (set UserPoolID, Pools or ResolvePool)")
	}
	if c.MaxPools < 0 {
		return nil, errors.New("verifier: MaxPools is negative")
	}
	if c.MaxPools > 0 && c.ResolvePool == nil {
		return nil, errors.New("verifier: MaxPools is set but ResolvePool is nil")
	}
	return pools, nil
}
