// Package verifier verifies Amazon Cognito user pool tokens (ID and access
// tokens, including client-credentials tokens) offline, with the pool's
// published keys, and returns their claims.
//
// # Quick start
//
// Create one Verifier per process, at start-up, and share it: it holds the
// key cache and is safe for concurrent use.
//
//	v, err := verifier.New(verifier.Config{
//		UserPoolID: "us-east-1_AbCdEf123",
//		ClientIDs:  []string{"4tg7fhidb5adr5jc1bna4me2i6"},
//		TokenUse:   verifier.AccessToken,
//	})
//	if err != nil {
//		log.Fatal(err) // a configuration error, reported once
//	}
//	defer v.Close()
//
//	func handler(w http.ResponseWriter, r *http.Request) {
//		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
//		c, err := v.Verify(r.Context(), token)
//		switch {
//		case errors.Is(err, verifier.ErrJWKSUnavailable):
//			http.Error(w, "try again", http.StatusServiceUnavailable)
//			return
//		case err != nil:
//			http.Error(w, "unauthorized", http.StatusUnauthorized)
//			return
//		}
//		if !c.InGroup("admin") {
//			http.Error(w, "forbidden", http.StatusForbidden)
//			return
//		}
//		fmt.Fprintf(w, "hello %s", c.Username)
//	}
//
// New validates the configuration and fetches nothing: the pool ID must match
// ^[\w-]+_[0-9a-zA-Z]+$ and name an AWS region (or Issuer be set, for
// emulators), every client ID must match ^[\w+]+$, ClientIDs may be empty
// only with SkipClientIDCheck, TokenUse must be IDToken, AccessToken or
// AnyToken, and only asymmetric algorithms may be allowed. Keys are fetched
// on first use, or at start-up with Warmup; Config.JWKS preloads them
// (cold starts, air-gapped hosts), refreshed later like fetched ones unless
// Config.PinJWKS freezes them. ConfigFromEnv builds a Config from
// COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_TOKEN_USE and the other
// COGNITO_* variables its Env* constants name.
//
// Package cognitotest provides a fake user pool for tests: it mints tokens
// and serves its keys locally, and Pool.Config returns a Config pointing at
// it.
//
// # What Verify checks, in order
//
//  1. Size: at most MaxTokenSize bytes (16 KiB), before anything is parsed.
//  2. Shape: three non-empty segments of strict base64url (no padding, no
//     white space, no "Bearer " prefix).
//  3. Header: a JSON object; alg in AllowedAlgorithms (RS256 only by
//     default; never "none" or HMAC); kid present and non-empty; no crit.
//     jku, x5u, jwk and x5c are ignored: keys come only from the pool's
//     configured key URL.
//  4. Payload: a JSON object whose registered and Cognito claims have the
//     right JSON types (see package claims).
//  5. Issuer: iss must be exactly a configured pool's issuer; this is a map
//     lookup that chooses the pool. An unknown iss is refused before any key
//     is fetched, unless Config.ResolvePool resolves it (see Pools
//     resolved at run time).
//  6. Key: the kid in that pool's key set (fetched if needed, see below),
//     whose kty, curve, use and alg must fit the header alg.
//  7. Signature.
//  8. Time: exp is required and must be after now - Leeway; nbf and iat,
//     when present, must not be after now + Leeway; exp - iat must not
//     exceed MaxTokenLifetime (24 h, Cognito's maximum).
//  9. token_use: "id" or "access", and accepted by the pool's TokenUse.
//  10. Client: aud (ID tokens; a single string, as Cognito writes it) or
//     client_id (access tokens) in the pool's ClientIDs.
//  11. Config.CustomCheck, last, on claims that passed everything else.
//
// A verified token is cached until its exp: presenting it again skips the
// signature check, but its time checks and CustomCheck run on every call.
// The cache is bounded by CacheSize entries and CacheBytes of memory, each
// entry accounted from its real size; when full, new tokens are verified
// but not cached.
//
// # Errors
//
// Every error Verify returns is a *ValidationError (errors.As) that wraps
// exactly one sentinel (errors.Is) and names the claim at fault. It never
// contains the token; values from the token are quoted and cut to 64
// bytes, and times say when and how far from now ("verifier: token
// expired: exp 2026-12-02T00:39:51Z, 3m12s before now").
//
//	sentinel             reason                                        Claim
//	ErrTokenTooLarge     longer than MaxTokenSize                      ""
//	ErrTokenMalformed    bad shape, base64, JSON or claim type; kid,   "", "header.kid", "exp", ...
//	                     exp missing; crit; lifetime over the maximum
//	ErrAlgorithm         alg not allowed, or not the key's             "header.alg"
//	ErrKeyNotFound       no key with that kid, after at most one       "header.kid"
//	                     refetch per cooldown
//	ErrSignatureInvalid  the signature does not verify                 ""
//	ErrTokenExpired      exp not after now - Leeway                    "exp"
//	ErrTokenNotYetValid  nbf or iat after now + Leeway                 "nbf", "iat"
//	ErrIssuerMismatch    iss missing or not a configured pool's,       "iss"
//	                     or refused by ResolvePool
//	ErrTokenUseMismatch  token_use missing, unknown, or not accepted   "token_use"
//	ErrClientMismatch    aud / client_id not in ClientIDs              "aud", "client_id"
//	ErrJWKSUnavailable   no usable keys: fetch failed, keys too old;   "header.kid"
//	                     ResolvePool not asked now (budget, context)   "iss"
//	ErrCustomCheck       CustomCheck refused (its error is wrapped)    ""
//
// ErrJWKSUnavailable is the only one that says nothing about the token: a
// server should answer it with 503, not 401.
//
// # Keys
//
// Each pool's key set is fetched from
// https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json
// (amazonaws.com.cn for cn-* regions), or from JWKSURL. Cognito's second
// issuer form, https://issuer-cognito-idp.{region}.{suffix}/{pool}, is
// accepted too, with its own key URL, fetched only when a token names it.
//
// An unknown kid causes at most one refetch per RefetchCooldown (10 s),
// shared by all concurrent callers; during the cooldown unknown kids fail at
// once with ErrKeyNotFound. A bad signature under a known kid never causes a
// fetch. While no usable key is held (a cold start during an outage), failed
// fetches are retried sooner: after 0.75 to 1 s, doubling up to
// RefetchCooldown. Keys no allowed algorithm can use (Ed25519, a curve not
// allowed) are skipped, and a set left with none is a failed fetch. Keys older than RefreshInterval (1 h) are refreshed in the
// background; when refreshes fail, the last good keys keep serving for up to
// MaxKeyAge (24 h). Fetches are bounded by FetchTimeout (5 s) and the
// caller's context, read at most MaxJWKSSize (1 MiB), require status 200 and
// https (unless InsecureAllowHTTPJWKS, for emulators), and never follow
// redirects. See package jwks.
//
// # Pools resolved at run time
//
// A service with a user pool per tenant sets Config.ResolvePool instead of
// (or besides) listing pools. It is asked only about an iss of Cognito's
// exact shape, https://cognito-idp.{region}.amazonaws.com/{pool} or the
// issuer-cognito-idp form, that no configured pool has; the pool it
// returns is validated as a configured one and must accept exactly that
// issuer, or the token is refused. Up to MaxPools (1,000) resolved pools
// are kept, least recently used evicted with their keys. Tokens naming one
// issuer at once share one call; a refusal is remembered for
// RefetchCooldown; and all calls are bounded by MaxPools at once plus
// MaxPools per RefetchCooldown, so a flood of tokens naming random pools
// costs a bounded number of calls and fetches no key.
//
// # Revocation
//
// Verification is offline: on its own it cannot see revocation. A token
// revoked with RevokeToken, or belonging to a user signed out with
// GlobalSignOut or AdminUserGlobalSignOut, or disabled with AdminDisableUser,
// keeps a valid signature and would verify until its exp. Set
// Config.Revocation to a *revocation.List (package revocation), in which the
// app records those events: every Verify consults it, cached tokens
// included, and instances sharing one Redis refuse such tokens within
// milliseconds.
//
// # Metrics and traces
//
// Config.MeterProvider and Config.TracerProvider (the global OpenTelemetry
// providers when nil) receive cognitoauth.verifications, counted by
// cognitoauth.outcome (ok, or one value per sentinel: expired, signature,
// ...) and cognitoauth.cached; cognitoauth.verification.duration (every
// cache miss, and one cache hit in 64 at random); the key fetch counter,
// histogram and span; and cognitoauth.token_cache.entries. Attribute values
// come from fixed sets, never from a token. The package depends on the
// OpenTelemetry API only; see ExampleConfig_meterProvider.
package verifier
