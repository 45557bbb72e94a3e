package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/internal/telemetry"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Verifier verifies the tokens an Application Load Balancer sends in
// x-amzn-oidc-data. It is safe for concurrent use; create one per process
// (it holds the key cache) and Close it when done.
type Verifier struct {
	arns      []string
	clientIDs []string // nil means any (SkipClientIDCheck)
	issuer    string
	leeway    time.Duration
	maxSize   int
	now       func() time.Time
	keys      *keyCache
	tel       *telemetry.Verify
}

// New validates cfg once and returns a Verifier. It fetches nothing; each
// key is fetched when a token first names it.
func New(cfg Config) (*Verifier, error) {
	base, err := cfg.keyURL()
	if err != nil {
		return nil, err
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	v := &Verifier{
		arns:    append([]string(nil), cfg.ALBARNs...),
		issuer:  cfg.Issuer,
		leeway:  cfg.Leeway,
		maxSize: cfg.MaxTokenSize,
		now:     cfg.Now,
	}
	if !cfg.SkipClientIDCheck {
		v.clientIDs = append([]string(nil), cfg.ClientIDs...)
	}
	if v.maxSize <= 0 {
		v.maxSize = DefaultMaxTokenSize
	}
	if v.now == nil {
		v.now = time.Now
	}
	timeout, maxBody, cooldown := cfg.FetchTimeout, cfg.MaxJWKSSize, cfg.RefetchCooldown
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxJWKSSize
	}
	if cooldown <= 0 {
		cooldown = DefaultRefetchCooldown
	}
	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	v.keys = newKeyCache(base, client, timeout, maxBody, cooldown, v.now)
	if err := v.newTelemetry(&cfg, base); err != nil {
		return nil, err
	}
	return v, nil
}

// Close stops a key fetch in progress and waits for it. Verification after
// Close still works with the keys held, but fetches nothing.
func (v *Verifier) Close() error {
	v.keys.close()
	v.tel.Close()
	return nil
}

// KeyFetches returns how many key fetches the Verifier has started, for
// monitoring.
func (v *Verifier) KeyFetches() int64 { return v.keys.fetches.Load() }

// Verify checks an x-amzn-oidc-data token completely and returns its
// claims. In order: size; three segments of base64url, each with or without
// its "=" padding (the signature covers the segments as written); header alg
// ES256, kid a UUID, no crit; header signer among Config.ALBARNs and header
// client among Config.ClientIDs; payload decoding and iss equal to
// Config.Issuer; the key by kid (fetched from Config.KeyURL, within the
// bounds); signature; exp (required), nbf and iat with the leeway.
//
// The claims are the payload's (Subject, Email, EmailVerified, Username,
// Raw), with ClientID taken from the header's client. Every error is a
// *verifier.ValidationError wrapping exactly one sentinel: ErrSignerMismatch
// or one of the verifier's.
//
// Each call is counted in the cognitoauth.verifications metric and timed in
// cognitoauth.verification.duration (see Config.MeterProvider).
func (v *Verifier) Verify(ctx context.Context, token string) (*claims.Claims, error) {
	t := v.tel.Start(ctx)
	c, err := v.check(ctx, token)
	v.tel.Record(ctx, t, outcomeOf(err), false)
	return c, err
}

// check is Verify without the counting.
func (v *Verifier) check(ctx context.Context, token string) (*claims.Claims, error) {
	if len(token) > v.maxSize {
		return nil, fail(verifier.ErrTokenTooLarge, "", "", strconv.Itoa(len(token))+" bytes, limit "+strconv.Itoa(v.maxSize))
	}
	seg, ok := split(token)
	if !ok {
		return nil, fail(verifier.ErrTokenMalformed, "", "", "not three non-empty base64url segments")
	}
	hb, ok := decodeSegment(seg.header)
	if !ok {
		return nil, fail(verifier.ErrTokenMalformed, "", "", "header is not strict base64url")
	}
	h, err := parseHeader(hb)
	if err != nil {
		return nil, err
	}
	if err := v.checkHeader(h); err != nil {
		return nil, err
	}
	pb, ok := decodeSegment(seg.payload)
	if !ok {
		return nil, fail(verifier.ErrTokenMalformed, "", "", "payload is not strict base64url")
	}
	sig, ok := decodeSegment(seg.signature)
	if !ok {
		return nil, fail(verifier.ErrTokenMalformed, "", "", "signature is not strict base64url")
	}
	if len(sig) != 64 {
		return nil, fail(verifier.ErrSignatureInvalid, "", "", "an ES256 signature is 64 bytes, not "+strconv.Itoa(len(sig)))
	}
	c, err := claims.Decode(pb)
	if err != nil {
		var de *claims.DecodeError
		if errors.As(err, &de) {
			return nil, &verifier.ValidationError{Reason: verifier.ErrTokenMalformed, Claim: de.Claim, Detail: de.Reason}
		}
		return nil, &verifier.ValidationError{Reason: verifier.ErrTokenMalformed, Err: err}
	}
	if c.Issuer != v.issuer {
		return nil, fail(verifier.ErrIssuerMismatch, "iss", c.Issuer, "not the configured issuer")
	}
	key, ok := v.keys.lookup(h.kid)
	if !ok {
		if key, err = v.keys.key(ctx, h.kid); err != nil {
			reason := verifier.ErrJWKSUnavailable
			switch {
			case errors.Is(err, errUnavailable):
			case errors.Is(err, errKeyNotFound):
				reason = verifier.ErrKeyNotFound
			}
			return nil, &verifier.ValidationError{Reason: reason, Claim: "header.kid", Value: quote(h.kid), Err: err}
		}
	}
	if !verifyES256(key, seg.signingInput, sig) {
		return nil, fail(verifier.ErrSignatureInvalid, "", "", "")
	}
	if err := v.checkTime(c, seconds(v.now())); err != nil {
		return nil, err
	}
	c.ClientID = h.client
	return c, nil
}

// checkHeader checks what the header alone decides, before any key is
// fetched: alg, a kid that cannot steer the key URL, signer and client.
func (v *Verifier) checkHeader(h header) error {
	if h.alg != "ES256" {
		return fail(verifier.ErrAlgorithm, "header.alg", h.alg, "ALB signs with ES256 only")
	}
	if h.kid == "" {
		return fail(verifier.ErrTokenMalformed, "header.kid", "", "missing or empty")
	}
	if !isUUID(h.kid) {
		return fail(verifier.ErrTokenMalformed, "header.kid", h.kid, "not a UUID")
	}
	if h.signer == "" {
		return fail(ErrSignerMismatch, "header.signer", "", "missing")
	}
	if !contains(v.arns, h.signer) {
		return fail(ErrSignerMismatch, "header.signer", h.signer, "not a configured ALB")
	}
	if v.clientIDs != nil && (h.client == "" || !contains(v.clientIDs, h.client)) {
		return fail(verifier.ErrClientMismatch, "header.client", h.client, "not an allowed app client")
	}
	return nil
}

// checkTime checks exp (required), nbf and iat against now (seconds) and
// the leeway.
func (v *Verifier) checkTime(c *claims.Claims, now float64) error {
	leeway := v.leeway.Seconds()
	exp, ok := c.Expiry()
	if !ok {
		return fail(verifier.ErrTokenMalformed, "exp", "", "missing")
	}
	if now >= exp+leeway {
		return fail(verifier.ErrTokenExpired, "exp", formatSeconds(exp), "")
	}
	if nbf, ok := c.NotBeforeSeconds(); ok && nbf > now+leeway {
		return fail(verifier.ErrTokenNotYetValid, "nbf", formatSeconds(nbf), "")
	}
	if iat, ok := c.IssuedAtSeconds(); ok && iat > now+leeway {
		return fail(verifier.ErrTokenNotYetValid, "iat", formatSeconds(iat), "in the future")
	}
	return nil
}

// segments holds the three parts of a compact JWS, as slices of the token.
type segments struct {
	header, payload, signature string
	signingInput               string // header "." payload, padding included
}

// split finds exactly three non-empty segments. Base64 decoders skip '\r'
// and '\n', so split refuses them; the strict decoding of each segment
// refuses every other byte outside the alphabet and misplaced padding.
func split(token string) (segments, bool) {
	if strings.ContainsAny(token, "\r\n") {
		return segments{}, false
	}
	parts := strings.SplitN(token, ".", 4)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return segments{}, false
	}
	return segments{
		header: parts[0], payload: parts[1], signature: parts[2],
		signingInput: token[:len(parts[0])+1+len(parts[1])],
	}, true
}

var (
	padded   = base64.URLEncoding.Strict()
	unpadded = base64.RawURLEncoding.Strict()
)

// decodeSegment decodes base64url strictly: canonical trailing bits, and
// either the full "=" padding ALB writes or none.
func decodeSegment(s string) ([]byte, bool) {
	enc := unpadded
	if strings.HasSuffix(s, "=") {
		enc = padded
	}
	b, err := enc.DecodeString(s)
	return b, err == nil
}

// header is the part of ALB's JOSE header the verifier reads. iss and exp
// are copies of the payload's, which are the ones checked; key location
// members (jku, x5u, jwk, x5c) are ignored: keys come only from KeyURL.
type header struct {
	alg, kid, signer, client string
}

// parseHeader decodes the header object: members match exactly, the last
// of duplicates wins, alg, kid, signer and client must be strings, and crit
// is refused (no extension is understood, RFC 7515 §4.1.11).
func parseHeader(b []byte) (header, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return header{}, fail(verifier.ErrTokenMalformed, "", "", "header is not a JSON object")
	}
	if _, ok := m["crit"]; ok {
		return header{}, fail(verifier.ErrTokenMalformed, "header.crit", "", "names extensions this verifier does not understand")
	}
	var h header
	for _, f := range []struct {
		name string
		dst  *string
	}{{"alg", &h.alg}, {"kid", &h.kid}, {"signer", &h.signer}, {"client", &h.client}} {
		raw, ok := m[f.name]
		if !ok {
			continue
		}
		if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, f.dst) != nil {
			return header{}, fail(verifier.ErrTokenMalformed, "header."+f.name, "", "is not a string")
		}
	}
	return h, nil
}

// isUUID reports whether s is a UUID in its 36-character text form (hex
// digits of either case and four dashes), so that appending it to the key
// URL can only name a file, never a path or a query.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// verifyES256 checks a JWS ES256 signature: R and S, 32 bytes each, over
// the SHA-256 of the signing input.
func verifyES256(key *ecdsa.PublicKey, signingInput string, sig []byte) bool {
	sum := sha256.Sum256([]byte(signingInput))
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(key, sum[:], r, s)
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
