// Package jwks fetches, parses and caches the JSON Web Key Set of a Cognito
// user pool (https://cognito-idp.{region}.amazonaws.com/{pool}/.well-known/jwks.json).
//
// A Cache serves keys by kid from memory. It fetches the set lazily on first
// use, or eagerly with Warmup; Load installs a set without a fetch (refreshed
// later like a fetched one, or frozen with PinJWKS for air-gapped hosts), and
// it protects the key endpoint:
//
//   - one fetch at a time per Cache; concurrent callers share it (single flight);
//   - at most one fetch per RefetchCooldown (default 10 s) for unknown kids and after
//     failures; during the cooldown an unknown kid fails at once with
//     ErrKeyNotFound and never waits;
//   - a known kid never causes a fetch, whatever its signature turns out to be;
//   - keys older than RefreshInterval (default 1 h) are refreshed in the
//     background while the old ones keep serving;
//   - when refreshes fail the last good keys keep serving until they are
//     MaxKeyAge old (default 24 h); with no usable keys lookups fail with
//     ErrUnavailable.
//
// Fetches are bounded by FetchTimeout (default 5 s), read at most MaxJWKSSize
// bytes (default 1 MiB), require status 200, never follow redirects and require
// https unless InsecureAllowHTTPJWKS is set (for local emulators only).
//
// Keys are parsed with github.com/lestrrat-go/jwx/v3. A key that cannot be
// used (no kid, not a public RSA or EC signing key, a type or curve no
// algorithm of Options.AllowedAlgorithms uses, OKP/Ed25519 always, an RSA
// modulus under 2048 bits or one crypto/rsa refuses, use other than "sig") is
// skipped, not fatal; a fetched set left with no usable key is a failed
// fetch, and the keys held are kept. No exported method panics on a nil or
// zero value. When two usable keys share a kid the first one in the
// document wins and the later ones are skipped and reported: a kid must name
// exactly one key.
//
// Options.MeterProvider and Options.TracerProvider (the global
// OpenTelemetry providers when nil) receive cognitoauth.jwks.fetches and
// cognitoauth.jwks.fetch.duration, by cognitoauth.outcome "ok" or "error",
// and one cognitoauth.jwks.fetch span per fetch with url.full,
// http.response.status_code and cognitoauth.jwks.keys.
package jwks
