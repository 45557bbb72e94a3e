package verifier_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric/noop"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/internal/oteltest"
	"github.com/cognitoauth/cognitoauth/internal/outcome"
	"github.com/cognitoauth/cognitoauth/internal/telemetry"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// outcomeCase produces one real verification with the given outcome.
type outcomeCase struct {
	name    string
	outcome string
	use     verifier.TokenUse // IDToken when zero
	edit    func(cfg *verifier.Config)
	token   func(t *testing.T, p *cognitotest.Pool) string
	down    bool // the pool's key server answers 500
}

func outcomeCases() []outcomeCase {
	revokeWith := func(err error) func(*verifier.Config) {
		return func(cfg *verifier.Config) { cfg.Revocation = &scriptedRevocation{err: err} }
	}
	return []outcomeCase{
		{name: "accepted", outcome: "ok", token: idToken()},
		{name: "not a JWS", outcome: "malformed", token: func(*testing.T, *cognitotest.Pool) string { return "not.a-token" }},
		{name: "oversized", outcome: "too_large", token: func(*testing.T, *cognitotest.Pool) string { return strings.Repeat("a", verifier.DefaultMaxTokenSize+1) }},
		{name: "alg not allowed", outcome: "algorithm", token: edited(func(h, _ map[string]any) { h["alg"] = "RS512" })},
		{name: "foreign issuer", outcome: "issuer", token: edited(func(_, c map[string]any) { c["iss"] = "https://evil.example/us-east-1_Evil" })},
		{name: "unknown kid", outcome: "key_not_found", token: idToken(cognitotest.WithKID("no-such-kid"))},
		{name: "keys unavailable", outcome: "jwks_unavailable", token: idToken(), down: true},
		{name: "bad signature", outcome: "signature", token: func(t *testing.T, p *cognitotest.Pool) string { return flipSignatureByte(t, idToken()(t, p)) }},
		{name: "expired", outcome: "expired", token: idToken(cognitotest.WithLifetime(-time.Minute))},
		{name: "issued in the future", outcome: "not_yet_valid", token: idToken(cognitotest.WithIssuedAt(epoch.Add(time.Hour)))},
		{name: "access token to an ID pool", outcome: "token_use", token: accessToken()},
		{name: "unknown app client", outcome: "client", token: idToken(cognitotest.WithClientID("otherclient"))},
		{name: "custom check", outcome: "custom", token: idToken(), edit: func(cfg *verifier.Config) {
			cfg.CustomCheck = func(context.Context, *claims.Claims) error { return errRefusedByHook }
		}},
		{name: "revoked", outcome: "revoked", token: idToken(), edit: revokeWith(verifier.ErrTokenRevoked)},
		{name: "revocation list down", outcome: "revocation_unavailable", token: idToken(), edit: revokeWith(errors.New("redis: connection refused"))},
	}
}

// outcomeKey is the counter's attribute set for an outcome.
func outcomeKey(outcome string, cached bool) string {
	return oteltest.Key(attribute.NewSet(
		attribute.String("cognitoauth.outcome", outcome), attribute.Bool("cognitoauth.cached", cached)))
}

// meteredVerifier builds a verifier on a fresh pool recording into rec.
func meteredVerifier(t *testing.T, rec *oteltest.Recorder, tc outcomeCase) (*verifier.Verifier, *cognitotest.Pool) {
	t.Helper()
	p, _ := clockedPool(t, cognitotest.Options{})
	if tc.down {
		p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusInternalServerError)
		}))
	}
	use := tc.use
	if use == 0 {
		use = verifier.IDToken
	}
	cfg := p.Config(use)
	cfg.MeterProvider, cfg.TracerProvider = rec.MeterProvider, rec.TracerProvider
	if tc.edit != nil {
		tc.edit(&cfg)
	}
	return buildVerifier(t, cfg), p
}

// TestMetricsOutcomes: every outcome value comes from a real refusal (or
// acceptance), counted once with cached=false, and timed when the token
// reached the cache lookup; the cases cover the whole fixed set.
func TestMetricsOutcomes(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, tc := range outcomeCases() {
		covered[tc.outcome] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			v, p := meteredVerifier(t, rec, tc)
			_, err := v.Verify(context.Background(), tc.token(t, p))
			if (err == nil) != (tc.outcome == "ok") {
				t.Fatalf("Verify error = %v, want outcome %s", err, tc.outcome)
			}
			want := map[string]int64{outcomeKey(tc.outcome, false): 1}
			if got := rec.Ints(t, "cognitoauth.verifications"); !equalMaps(got, want) {
				t.Errorf("cognitoauth.verifications = %v, want %v (error: %v)", got, want, err)
			}
			hist := rec.Histogram(t, "cognitoauth.verification.duration")
			if tc.outcome == "too_large" {
				return // refused before the cache lookup: sampled, like hits
			}
			pt, ok := hist[outcomeKey(tc.outcome, false)]
			if !ok || pt.Count != 1 || len(hist) != 1 {
				t.Fatalf("cognitoauth.verification.duration = %v, want one point of count 1 for %s", hist, tc.outcome)
			}
			if pt.Sum <= 0 || pt.Sum > 10 {
				t.Errorf("duration sum = %v s, want a positive time under 10 s", pt.Sum)
			}
			if len(pt.Bounds) != len(telemetry.VerifyBuckets) || pt.Bounds[0] != 1e-7 {
				t.Errorf("bucket bounds = %v, want VerifyBuckets", pt.Bounds)
			}
		})
	}
	for _, o := range telemetry.Outcomes() {
		if !covered[o.String()] {
			t.Errorf("outcome %q has no case", o)
		}
	}
}

func equalMaps[V comparable](a, b map[string]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestMetricsCached: the token cache's answers carry cached=true; their
// durations are a one-in-HitSample sample.
func TestMetricsCached(t *testing.T) {
	t.Parallel()
	rec := oteltest.New(t)
	v, p := meteredVerifier(t, rec, outcomeCase{})
	token := p.IDToken(cognitotest.User{Username: "alice"})
	const hits = 64 * 100
	for range hits + 1 {
		mustVerify(t, v, token)
	}
	want := map[string]int64{outcomeKey("ok", false): 1, outcomeKey("ok", true): hits}
	if got := rec.Ints(t, "cognitoauth.verifications"); !equalMaps(got, want) {
		t.Errorf("cognitoauth.verifications = %v, want %v", got, want)
	}
	hist := rec.Histogram(t, "cognitoauth.verification.duration")
	if n := hist[outcomeKey("ok", false)].Count; n != 1 {
		t.Errorf("uncached durations = %d, want 1", n)
	}
	// Binomial(6400, 1/64): mean 100, standard deviation about 10.
	if n := hist[outcomeKey("ok", true)].Count; n < 40 || n > 160 {
		t.Errorf("sampled cache-hit durations = %d of %d, want about %d", n, hits, hits/telemetry.HitSample)
	}
}

// TestMetricsAllocateNothing: a cache hit recording into an SDK provider
// allocates nothing.
func TestMetricsAllocateNothing(t *testing.T) {
	rec := oteltest.New(t)
	v, p := meteredVerifier(t, rec, outcomeCase{})
	token := p.IDToken(cognitotest.User{Username: "alice"})
	mustVerify(t, v, token)
	if n := testing.AllocsPerRun(1000, func() { v.Verify(context.Background(), token) }); n != 0 {
		t.Errorf("cache hit with an SDK MeterProvider: %v allocations, want 0", n)
	}
}

// TestMetricsKeyFetches: each key fetch is counted and timed by outcome and
// makes one span with the URL, the status and the key count.
func TestMetricsKeyFetches(t *testing.T) {
	t.Parallel()
	for _, down := range []bool{false, true} {
		name, outcome, status := "ok", "ok", 200
		if down {
			name, outcome, status = "server error", "error", 500
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			v, p := meteredVerifier(t, rec, outcomeCase{down: down})
			v.Verify(context.Background(), p.IDToken(cognitotest.User{Username: "alice"}))
			key := oteltest.Key(attribute.NewSet(attribute.String("cognitoauth.outcome", outcome)))
			if got, want := rec.Ints(t, "cognitoauth.jwks.fetches"), map[string]int64{key: 1}; !equalMaps(got, want) {
				t.Errorf("cognitoauth.jwks.fetches = %v, want %v", got, want)
			}
			if got := rec.Histogram(t, "cognitoauth.jwks.fetch.duration"); got[key].Count != 1 || len(got) != 1 {
				t.Errorf("cognitoauth.jwks.fetch.duration = %v, want one point of count 1 for %s", got, key)
			}
			spans := rec.Spans()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1 (one per fetch, none per verification)", len(spans))
			}
			s := spans[0]
			if s.Name() != "cognitoauth.jwks.fetch" {
				t.Errorf("span name %q", s.Name())
			}
			attrs := attribute.NewSet(s.Attributes()...)
			if u, _ := attrs.Value("url.full"); u.AsString() != p.JWKSURL() {
				t.Errorf("url.full = %q, want %q", u.AsString(), p.JWKSURL())
			}
			if c, _ := attrs.Value("http.response.status_code"); c.AsInt64() != int64(status) {
				t.Errorf("http.response.status_code = %v, want %d", c.Emit(), status)
			}
			keys, hasKeys := attrs.Value("cognitoauth.jwks.keys")
			switch {
			case down && (hasKeys || s.Status().Code != codes.Error || !strings.Contains(s.Status().Description, "500")):
				t.Errorf("failed fetch: keys %v (%v), status %v, want no keys and an error status", keys.Emit(), hasKeys, s.Status())
			case !down && (keys.AsInt64() != int64(len(p.KeyIDs())) || s.Status().Code == codes.Error):
				t.Errorf("fetch: keys %v, status %v, want %d keys and no error", keys.Emit(), s.Status(), len(p.KeyIDs()))
			}
		})
	}
}

// TestMetricsTokenCacheGauge: the gauge reports the cached tokens, and
// nothing once the Verifier is closed.
func TestMetricsTokenCacheGauge(t *testing.T) {
	t.Parallel()
	rec := oteltest.New(t)
	v, p := meteredVerifier(t, rec, outcomeCase{})
	for _, user := range []string{"alice", "bob", "carol"} {
		mustVerify(t, v, p.IDToken(cognitotest.User{Username: user}))
	}
	if got, want := rec.Ints(t, "cognitoauth.token_cache.entries"), map[string]int64{"": 3}; !equalMaps(got, want) {
		t.Errorf("cognitoauth.token_cache.entries = %v, want %v", got, want)
	}
	v.Close()
	if got := rec.Ints(t, "cognitoauth.token_cache.entries"); len(got) != 0 {
		t.Errorf("after Close, cognitoauth.token_cache.entries = %v, want nothing", got)
	}
	if got := rec.Ints(t, "cognitoauth.verifications"); len(got) != 0 {
		t.Errorf("after Close, cognitoauth.verifications = %v, want nothing", got)
	}
}

// TestMetricsNoClientValues: no attribute value of any metric, span or
// event holds the token, a segment of it, the subject, the username or
// the kid, whatever the outcome.
func TestMetricsNoClientValues(t *testing.T) {
	t.Parallel()
	for _, tc := range outcomeCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			v, p := meteredVerifier(t, rec, tc)
			token := tc.token(t, p)
			v.Verify(context.Background(), token)
			v.Verify(context.Background(), token) // a cache hit when accepted
			kid, _ := p.SigningKey()
			secrets := []string{token, kid, "no-such-kid", "alice"}
			for _, seg := range strings.Split(token, ".") {
				if len(seg) >= 8 {
					secrets = append(secrets, seg)
				}
			}
			if c, err := v.Verify(context.Background(), p.IDToken(cognitotest.User{Username: "alice"})); err == nil {
				secrets = append(secrets, c.Subject)
			}
			values := rec.AttributeValues(t)
			if len(values) == 0 {
				t.Fatal("no attribute recorded")
			}
			for _, val := range values {
				for _, s := range secrets {
					if strings.Contains(val, s) {
						t.Errorf("attribute value %q holds client-chosen %q", val, s)
					}
				}
			}
		})
	}
}

// TestMetricsGlobalProviders: with no provider configured the verifier
// records into the global ones, installed after it was built.
func TestMetricsGlobalProviders(t *testing.T) {
	// Not parallel: it sets the global providers.
	prevM, prevT := otel.GetMeterProvider(), otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetMeterProvider(prevM); otel.SetTracerProvider(prevT) })
	p := startPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.IDToken)) // providers nil: the globals
	rec := oteltest.New(t)
	otel.SetMeterProvider(rec.MeterProvider)
	otel.SetTracerProvider(rec.TracerProvider)
	mustVerify(t, v, p.IDToken(cognitotest.User{Username: "alice"}))
	if got, want := rec.Ints(t, "cognitoauth.verifications"), map[string]int64{outcomeKey("ok", false): 1}; !equalMaps(got, want) {
		t.Errorf("cognitoauth.verifications = %v, want %v", got, want)
	}
	if n := len(rec.Spans()); n != 1 {
		t.Errorf("%d fetch spans through the global TracerProvider, want 1", n)
	}
}

// TestMetricsNoopProvider: an explicit no-op provider works and a cache hit
// still allocates nothing.
func TestMetricsNoopProvider(t *testing.T) {
	p := startPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.IDToken)
	cfg.MeterProvider = noop.NewMeterProvider()
	v := buildVerifier(t, cfg)
	token := p.IDToken(cognitotest.User{Username: "alice"})
	mustVerify(t, v, token)
	if n := testing.AllocsPerRun(1000, func() { v.Verify(context.Background(), token) }); n != 0 {
		t.Errorf("cache hit with the no-op provider: %v allocations, want 0", n)
	}
}

// TestOutcomeTables: the verifier's outcome switch and the table the
// middleware and alb use agree, and give every outcome but ok to exactly
// one sentinel.
func TestOutcomeTables(t *testing.T) {
	seen := map[telemetry.Outcome]error{}
	for sentinel, o := range outcome.Reasons {
		if got := verifier.OutcomeOf(&verifier.ValidationError{Reason: sentinel}); got != o.String() {
			t.Errorf("%v: verifier records %q, the shared table says %q", sentinel, got, o)
		}
		if prev, dup := seen[o]; dup {
			t.Errorf("%v and %v both map to %s", prev, sentinel, o)
		}
		seen[o] = sentinel
	}
	for _, o := range telemetry.Outcomes() {
		if _, ok := seen[o]; !ok && o != telemetry.OK {
			t.Errorf("outcome %s has no sentinel", o)
		}
	}
	if got := verifier.OutcomeOf(nil); got != "ok" {
		t.Errorf("OutcomeOf(nil) = %q", got)
	}
}
