package verifier

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"go.opentelemetry.io/otel/metric"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/internal/telemetry"
	"github.com/cognitoauth/cognitoauth/jwks"
)

// Verifier verifies Cognito tokens. It is safe for concurrent use; create one
// per process (it holds the key caches) and Close it when done.
type Verifier struct {
	pools      map[string]*pool // by exact issuer
	warm       []*jwks.Cache    // the caches Warmup fetches (first issuer of each pool)
	caches     []*jwks.Cache    // every cache, for Close
	algs       map[string]jwt.SigningMethod
	leeway     time.Duration
	lifetime   time.Duration
	maxSize    int
	now        func() time.Time
	custom     func(context.Context, *claims.Claims) error
	revocation Revocation
	cache      *tokenCache
	resolver   *resolver // nil unless Config.ResolvePool is set
	tel        *telemetry.Verify
	gauge      metric.Registration // the token cache gauge's callback, see telemetry.go
}

type pool struct {
	issuer    string
	id        string
	clientIDs []string // nil means any (SkipClientIDCheck)
	tokenUse  TokenUse
	keys      *jwks.Cache
}

// New validates cfg once and returns a Verifier. It fetches nothing; keys are
// fetched on first use, or by Warmup. Every slice cfg holds (ClientIDs,
// Pools and theirs, AllowedAlgorithms, JWKS) is copied: changing them after
// New changes nothing.
func New(cfg Config) (*Verifier, error) {
	pools, err := cfg.pools()
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		pools:      make(map[string]*pool),
		algs:       make(map[string]jwt.SigningMethod),
		leeway:     cfg.Leeway,
		lifetime:   cfg.MaxTokenLifetime,
		maxSize:    cfg.MaxTokenSize,
		now:        cfg.Now,
		custom:     cfg.CustomCheck,
		revocation: cfg.Revocation,
	}
	if v.leeway < 0 {
		return nil, errors.New("verifier: Leeway is negative")
	}
	if v.lifetime == 0 {
		v.lifetime = DefaultMaxTokenLifetime
	}
	if v.maxSize <= 0 {
		v.maxSize = DefaultMaxTokenSize
	}
	if v.now == nil {
		v.now = time.Now
	}
	algs := slices.Clone(cfg.AllowedAlgorithms) // read once here; never kept
	if len(algs) == 0 {
		algs = []string{"RS256"}
	}
	for _, a := range algs {
		if _, ok := knownAlgorithms[a]; !ok {
			return nil, fmt.Errorf("verifier: algorithm %q is not supported (asymmetric RS*, PS*, ES* only)", a)
		}
		v.algs[a] = jwt.GetSigningMethod(a)
	}
	opts := jwks.Options{
		HTTPClient: cfg.HTTPClient, FetchTimeout: cfg.FetchTimeout, MaxJWKSSize: cfg.MaxJWKSSize,
		RefetchCooldown: cfg.RefetchCooldown, RefreshInterval: cfg.RefreshInterval, MaxKeyAge: cfg.MaxKeyAge,
		InsecureAllowHTTPJWKS: cfg.InsecureAllowHTTPJWKS, Now: v.now, Logger: cfg.Logger,
		PinJWKS: cfg.PinJWKS, AllowedAlgorithms: algs,
		MeterProvider: cfg.MeterProvider, TracerProvider: cfg.TracerProvider,
	}
	byURL := make(map[string]*jwks.Cache)
	for i := range pools {
		if err := v.addPool(&pools[i], opts, byURL); err != nil {
			v.Close()
			return nil, err
		}
	}
	if cfg.CacheBytes < 0 {
		return nil, errors.New("verifier: CacheBytes is negative (set CacheSize negative to disable the cache)")
	}
	if cfg.ResolvePool != nil {
		v.resolver = newResolver(&cfg, opts, v.now)
	}
	if cfg.CacheSize >= 0 {
		size, bytes := cfg.CacheSize, cfg.CacheBytes
		if size == 0 {
			size = DefaultCacheSize
		}
		if bytes == 0 {
			bytes = DefaultCacheBytes
		}
		v.cache = newTokenCache(size, bytes)
	}
	if err := v.newTelemetry(&cfg); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

func (v *Verifier) addPool(p *Pool, opts jwks.Options, byURL map[string]*jwks.Cache) error {
	if err := p.validate(); err != nil {
		return err
	}
	issuers, err := p.issuers()
	if err != nil {
		return err
	}
	for i, iu := range issuers {
		iss, url := iu[0], iu[1]
		if _, dup := v.pools[iss]; dup {
			return fmt.Errorf("verifier: issuer %q configured twice", iss)
		}
		keys := byURL[url]
		if keys == nil {
			if keys, err = jwks.New(url, opts); err != nil {
				return fmt.Errorf("verifier: pool %q: %w", p.UserPoolID, err)
			}
			if p.JWKS != nil {
				if err := keys.Load(bytes.Clone(p.JWKS)); err != nil {
					keys.Close()
					return fmt.Errorf("verifier: pool %q: preloaded JWKS: %w", p.UserPoolID, err)
				}
			}
			byURL[url] = keys
			v.caches = append(v.caches, keys)
			if i == 0 {
				v.warm = append(v.warm, keys)
			}
		}
		// The client IDs are copied: the caller's slice may change after New.
		v.pools[iss] = &pool{issuer: iss, id: p.UserPoolID, clientIDs: slices.Clone(p.ClientIDs), tokenUse: p.TokenUse, keys: keys}
	}
	return nil
}

// Warmup fetches the key set of every configured pool's primary issuer now,
// so that the first requests do not wait, and reports the first failure.
// Keys of Cognito's second issuer form, and of resolved pools, are fetched
// only when a token names them.
func (v *Verifier) Warmup(ctx context.Context) error {
	var errs []error
	for _, c := range v.warm {
		if err := c.Warmup(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close stops key fetches and ResolvePool calls in progress and waits for
// them. The Verifier starts no goroutine that outlives Close; verification
// after Close still works on the keys held, and resolves no new pool.
func (v *Verifier) Close() error {
	for _, c := range v.caches {
		c.Close()
	}
	if v.resolver != nil {
		v.resolver.close()
	}
	v.unregister()
	return nil
}

// KeyStats returns the key cache counters of each JWKS URL, for monitoring:
// the configured pools' and those of the resolved pools held now.
func (v *Verifier) KeyStats() map[string]jwks.Stats {
	caches := v.caches
	if v.resolver != nil {
		caches = append(slices.Clip(caches), v.resolver.caches()...)
	}
	out := make(map[string]jwks.Stats, len(caches))
	for _, c := range caches {
		out[c.URL()] = c.Stats()
	}
	return out
}

// CachedTokens returns how many verified tokens are cached now.
func (v *Verifier) CachedTokens() int {
	if v.cache == nil {
		return 0
	}
	return v.cache.len()
}

// Verify checks token completely and returns its claims. In order: size,
// shape and strict base64url, header (alg allowed, kid present, no crit),
// payload decoding, issuer (selects the pool), key by kid, key agrees with
// alg, signature, exp, nbf and iat, lifetime, token_use, client, and last
// Config.CustomCheck. The error wraps one sentinel per reason (see
// ValidationError); no partial claims are returned with an error.
//
// Verified tokens are cached until their exp; a cached token still has its
// exp checked and CustomCheck run on every call, and is verified afresh once
// a key refresh no longer serves the key that verified it.
//
// Each call is counted in the cognitoauth.verifications metric and timed in
// cognitoauth.verification.duration (see Config.MeterProvider).
func (v *Verifier) Verify(ctx context.Context, token string) (*claims.Claims, error) {
	t := v.tel.Sample(ctx)
	c, cached, err := v.check(ctx, token, &t)
	v.tel.Record(ctx, t, outcomeOf(err), cached)
	return c, err
}

// check is Verify without the counting; cached reports whether the token
// cache answered. It starts t, unless sampled already, on a cache miss.
func (v *Verifier) check(ctx context.Context, token string, t *telemetry.Timer) (_ *claims.Claims, cached bool, _ error) {
	if len(token) > v.maxSize {
		return nil, false, fail(ErrTokenTooLarge, "", "", strconv.Itoa(len(token))+" bytes, limit "+strconv.Itoa(v.maxSize))
	}
	// The clock is read once, here, and again only after a wait for keys.
	now := v.now()
	if v.cache != nil {
		if e, ok := v.cache.get(token); ok {
			var held bool
			if held, now = v.keyHeld(ctx, e, now); held {
				c, err := v.hit(ctx, token, e, seconds(now))
				return c, true, err
			}
		}
	}
	v.tel.Miss(ctx, t)
	c, key, cost, now, err := v.verify(ctx, token, now)
	if err != nil {
		return nil, false, err
	}
	if v.cache != nil {
		exp, _ := c.Expiry()
		v.cache.add(token, &cachedToken{claims: c, key: key, deadline: exp + v.leeway.Seconds(), cost: cost}, seconds(now))
	}
	return c, false, nil
}

// hit answers from a cached token: its times checked at now, and CustomCheck
// run again.
func (v *Verifier) hit(ctx context.Context, token string, e *cachedToken, now float64) (*claims.Claims, error) {
	if err := v.checkTime(e.claims, now); err != nil {
		if now >= e.deadline {
			v.cache.drop(token)
		}
		return nil, err
	}
	if err := v.checkCustom(ctx, e.claims); err != nil {
		return nil, err
	}
	return e.claims, nil
}

// keyHeld reports whether the key that verified a cached token may still
// vouch for it: a refresh that drops or replaces the key (a rotation after a
// compromise) revokes the cached tokens it signed too, which are then
// verified afresh, and refused. Keys merely unavailable revoke nothing.
// It returns the time to check the token at: now, or the clock read again
// if it had to wait for keys.
func (v *Verifier) keyHeld(ctx context.Context, e *cachedToken, now time.Time) (bool, time.Time) {
	p := v.pools[e.claims.Issuer]
	if p == nil {
		if v.resolver == nil {
			return false, now
		}
		if p = v.resolver.lookup(e.claims.Issuer); p == nil {
			return false, now // its pool was evicted: verified afresh, resolved again
		}
	}
	keys := p.keys
	k, ok := keys.Lookup(e.key.ID, now)
	if !ok {
		var err error
		k, err = keys.Key(ctx, e.key.ID)
		now = v.now()
		if err != nil {
			return !errors.Is(err, jwks.ErrKeyNotFound), now
		}
	}
	if k == e.key {
		return true, now
	}
	pub, ok := k.Public.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(e.key.Public), now
}

// verify runs every check except CustomCheck's re-run on cache hits, at
// now, or at the clock read again if it had to wait for keys; it returns
// the time it used.
func (v *Verifier) verify(ctx context.Context, token string, now time.Time) (*claims.Claims, *jwks.Key, int64, time.Time, error) {
	var hbuf [256]byte
	var pbuf [2048]byte // Cognito's payloads fit; claims.Decode copies what it keeps
	var sbuf [512]byte  // RSA 4096 and every ECDSA curve fit
	ph, pb, sig, signingInput, err := v.parse(token, hbuf[:], pbuf[:], sbuf[:])
	h, method := ph.h, ph.method
	if err != nil {
		return nil, nil, 0, now, err
	}
	c, err := claims.Decode(pb)
	if err != nil {
		var de *claims.DecodeError
		if errors.As(err, &de) {
			return nil, nil, 0, now, &ValidationError{Reason: ErrTokenMalformed, Claim: de.Claim, Detail: de.Reason}
		}
		return nil, nil, 0, now, &ValidationError{Reason: ErrTokenMalformed, Err: err}
	}
	if c.Issuer == "" {
		return nil, nil, 0, now, fail(ErrIssuerMismatch, "iss", "", "missing")
	}
	p := v.pools[c.Issuer]
	if p == nil {
		if v.resolver == nil {
			return nil, nil, 0, now, fail(ErrIssuerMismatch, "iss", c.Issuer, "not a configured pool's issuer")
		}
		var waited bool
		if p, waited, err = v.resolver.pool(ctx, c.Issuer); err != nil {
			return nil, nil, 0, now, err
		}
		if waited {
			now = v.now()
		}
	}
	key, ok := p.keys.Lookup(h.kid, now)
	if !ok {
		if key, err = p.keys.Key(ctx, h.kid); err != nil {
			reason := ErrJWKSUnavailable
			if errors.Is(err, jwks.ErrKeyNotFound) {
				reason = ErrKeyNotFound
			}
			return nil, nil, 0, now, &ValidationError{Reason: reason, Claim: "header.kid", Value: quote(h.kid), Err: err}
		}
		now = v.now() // after the wait for keys
	}
	if err := checkKey(h.alg, key); err != nil {
		return nil, nil, 0, now, err
	}
	if err := verifySignature(method, signingInput, sig, key.Public); err != nil {
		return nil, nil, 0, now, fail(ErrSignatureInvalid, "", "", "")
	}
	if err := v.checkClaims(p, c, seconds(now)); err != nil {
		return nil, nil, 0, now, err
	}
	if err := v.checkCustom(ctx, c); err != nil {
		return nil, nil, 0, now, err
	}
	var cost int64
	if v.cache != nil {
		cost = entryCost(token, pb, c)
	}
	return c, key, cost, now, nil
}

// parse checks the token's shape, decodes its segments strictly (into hbuf,
// pbuf and sbuf when they fit) and reads the header: alg allowed, kid
// present, no crit. Every error before the last segment has decoded goes through refuse (see
// split). Its results are separate values, not one struct, so that the
// compiler can keep the buffers on the caller's stack.
func (v *Verifier) parse(token string, hbuf, pbuf, sbuf []byte) (
	ph parsedHeader, payload, sig []byte, signingInput string, err error,
) {
	seg, ok := split(token)
	if !ok {
		return ph, nil, nil, "", errNotJWS()
	}
	if ph, err = v.parseHeaderSegment(token, seg.header, hbuf); err != nil {
		return parsedHeader{}, nil, nil, "", err
	}
	if payload, ok = decode(seg.payload, pbuf); !ok {
		return parsedHeader{}, nil, nil, "", refuse(token, fail(ErrTokenMalformed, "", "", "payload is not strict base64url"))
	}
	if sig, ok = decode(seg.signature, sbuf); !ok {
		return parsedHeader{}, nil, nil, "", refuse(token, fail(ErrTokenMalformed, "", "", "signature is not strict base64url"))
	}
	return ph, payload, sig, seg.signingInput, nil
}

// parseHeaderSegment decodes and reads the header segment of token.
func (v *Verifier) parseHeaderSegment(token, segment string, hbuf []byte) (parsedHeader, error) {
	hb, ok := decode(segment, hbuf)
	if !ok {
		return parsedHeader{}, refuse(token, fail(ErrTokenMalformed, "", "", "header is not strict base64url"))
	}
	h, err := parseHeader(hb)
	if err != nil {
		return parsedHeader{}, refuse(token, err)
	}
	method, ok := v.algs[h.alg]
	if !ok {
		return parsedHeader{}, refuse(token, fail(ErrAlgorithm, "header.alg", h.alg, "not in the allowed set"))
	}
	if h.kid == "" {
		return parsedHeader{}, refuse(token, fail(ErrTokenMalformed, "header.kid", "", "missing or empty"))
	}
	return parsedHeader{segment: segment, h: h, method: method}, nil
}

// verifySignature checks sig over signingInput. RS256, what Cognito uses,
// is checked with crypto/rsa directly, hashing without a copy to the heap;
// it is what jwt.SigningMethodRS256.Verify does. Other algorithms go through
// golang-jwt, with copies of the inputs: the compiler cannot see through
// that interface call, and would otherwise move the caller's buffers to the
// heap on every call, RS256 included.
func verifySignature(method jwt.SigningMethod, signingInput string, sig []byte, key crypto.PublicKey) error {
	pub, ok := key.(*rsa.PublicKey)
	if method != jwt.SigningMethodRS256 || !ok {
		return method.Verify(strings.Clone(signingInput), bytes.Clone(sig), key)
	}
	var buf [2048]byte // Cognito's signing inputs fit (about 1.3 KB); Go zeroes it on every call
	var sum [sha256.Size]byte
	if len(signingInput) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], signingInput)])
	} else {
		sum = sha256.Sum256([]byte(signingInput))
	}
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

// checkKey makes sure the key found by kid is one the header alg may use:
// same family (and curve), use "sig" if given, alg equal if given.
func checkKey(alg string, k *jwks.Key) error {
	want := knownAlgorithms[alg]
	if k.Type != want.kty {
		return fail(ErrAlgorithm, "header.alg", alg, "key "+quote(k.ID)+" has kty "+quote(k.Type))
	}
	switch pub := k.Public.(type) {
	case *rsa.PublicKey:
	case *ecdsa.PublicKey:
		if pub.Curve.Params().Name != want.crv {
			return fail(ErrAlgorithm, "header.alg", alg, "key "+quote(k.ID)+" is on curve "+pub.Curve.Params().Name)
		}
	default:
		return fail(ErrAlgorithm, "header.alg", alg, "key "+quote(k.ID)+" cannot verify it")
	}
	if k.Use != "" && k.Use != "sig" {
		return fail(ErrAlgorithm, "header.alg", alg, "key "+quote(k.ID)+" is not a signing key")
	}
	if k.Algorithm != "" && k.Algorithm != alg {
		return fail(ErrAlgorithm, "header.alg", alg, "key "+quote(k.ID)+" is for "+quote(k.Algorithm))
	}
	return nil
}

func (v *Verifier) checkClaims(p *pool, c *claims.Claims, now float64) error {
	if err := v.checkTime(c, now); err != nil {
		return err
	}
	exp, _ := c.Expiry()
	if v.lifetime > 0 {
		base, ok := c.IssuedAtSeconds()
		if !ok {
			base = now
		}
		if exp-base > (v.lifetime + v.leeway).Seconds() {
			return &ValidationError{Reason: ErrTokenMalformed, Claim: "exp", Value: formatTime(exp),
				Detail: "lifetime over " + v.lifetime.String()}
		}
	}
	switch c.TokenUse {
	case claims.TokenUseID, claims.TokenUseAccess:
	case "":
		return fail(ErrTokenUseMismatch, "token_use", "", "missing")
	default:
		return fail(ErrTokenUseMismatch, "token_use", c.TokenUse, "not id or access")
	}
	if (p.tokenUse == IDToken && c.TokenUse != claims.TokenUseID) ||
		(p.tokenUse == AccessToken && c.TokenUse != claims.TokenUseAccess) {
		return fail(ErrTokenUseMismatch, "token_use", c.TokenUse, "pool accepts "+p.tokenUse.String()+" tokens")
	}
	if p.clientIDs != nil {
		claim := "client_id"
		if c.TokenUse == claims.TokenUseID {
			claim = "aud"
		}
		if c.ClientID == "" || !contains(p.clientIDs, c.ClientID) {
			return fail(ErrClientMismatch, claim, c.ClientID, "not an allowed app client")
		}
	}
	return nil
}

// checkTime checks exp (required), nbf and iat against now (seconds) and
// the leeway.
func (v *Verifier) checkTime(c *claims.Claims, now float64) error {
	leeway := v.leeway.Seconds()
	exp, ok := c.Expiry()
	if !ok {
		return fail(ErrTokenMalformed, "exp", "", "missing")
	}
	if now >= exp+leeway {
		return failTime(ErrTokenExpired, "exp", exp, now, v.leeway, "")
	}
	if nbf, ok := c.NotBeforeSeconds(); ok && nbf > now+leeway {
		return failTime(ErrTokenNotYetValid, "nbf", nbf, now, v.leeway, "")
	}
	if iat, ok := c.IssuedAtSeconds(); ok && iat > now+leeway {
		return failTime(ErrTokenNotYetValid, "iat", iat, now, v.leeway, "in the future")
	}
	return nil
}

// checkCustom runs the checks that come last, on cache hits too: the
// revocation list, then Config.CustomCheck.
func (v *Verifier) checkCustom(ctx context.Context, c *claims.Claims) error {
	if err := v.checkRevoked(ctx, c); err != nil {
		return err
	}
	if v.custom == nil {
		return nil
	}
	if err := v.custom(ctx, c); err != nil {
		return &ValidationError{Reason: ErrCustomCheck, Err: err}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func seconds(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func formatSeconds(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
