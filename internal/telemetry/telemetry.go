// Package telemetry holds the OpenTelemetry instruments the verifiers and
// key caches share: their names, units, bucket boundaries and the fixed
// attribute values. It depends on the OpenTelemetry API only; the
// application's providers decide where the figures go.
//
// Every attribute value comes from a fixed set built here, never from a
// token: the series stay few, and no token, subject, kid or other
// client-chosen text reaches a metric.
package telemetry

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// Instrument, span, event and attribute names. They are a contract with
// users' dashboards and alerts: never rename them.
const (
	Verifications    = "cognitoauth.verifications"
	Duration         = "cognitoauth.verification.duration"
	Fetches          = "cognitoauth.jwks.fetches"
	FetchDuration    = "cognitoauth.jwks.fetch.duration"
	TokenCache       = "cognitoauth.token_cache.entries"
	FetchSpan        = "cognitoauth.jwks.fetch"
	RefusedEvent     = "cognitoauth.refused"
	AttrOutcome      = "cognitoauth.outcome"
	AttrCached       = "cognitoauth.cached"
	AttrSource       = "cognitoauth.source"
	AttrKeys         = "cognitoauth.jwks.keys"
	AttrURL          = "url.full"
	AttrURLTemplate  = "url.template"
	AttrStatusCode   = "http.response.status_code"
	SourceALB        = "alb"
	OutcomeFetchOK   = "ok"
	OutcomeFetchFail = "error"
)

// Outcome is a cognitoauth.outcome value of a verification: OK, or the
// reason of a refusal, one per sentinel error of package verifier.
type Outcome uint8

// The outcomes; their names are in String.
const (
	OK Outcome = iota
	Malformed
	TooLarge
	Algorithm
	Issuer
	KeyNotFound
	JWKSUnavailable
	Signature
	Expired
	NotYetValid
	TokenUse
	Client
	Custom
	Revoked
	RevocationUnavailable
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"ok", "malformed", "too_large", "algorithm", "issuer", "key_not_found",
	"jwks_unavailable", "signature", "expired", "not_yet_valid", "token_use",
	"client", "custom", "revoked", "revocation_unavailable",
}

// String returns the attribute value.
func (o Outcome) String() string {
	if o >= numOutcomes {
		return outcomeNames[Malformed]
	}
	return outcomeNames[o]
}

// Outcomes returns every outcome, for tests and documentation.
func Outcomes() []Outcome {
	out := make([]Outcome, numOutcomes)
	for i := range out {
		out[i] = Outcome(i)
	}
	return out
}

// VerifyBuckets are the bucket boundaries, in seconds, of
// cognitoauth.verification.duration: from 100 ns (a cache hit) through
// about 100 µs (an RSA check) to 5 s (a caller waiting on a key fetch, up to
// the default FetchTimeout).
var VerifyBuckets = []float64{
	1e-7, 2.5e-7, 5e-7,
	1e-6, 2.5e-6, 5e-6,
	1e-5, 2.5e-5, 5e-5,
	1e-4, 2.5e-4, 5e-4,
	1e-3, 2.5e-3, 5e-3,
	0.01, 0.025, 0.05,
	0.1, 0.25, 0.5,
	1, 2.5, 5,
}

// FetchBuckets are the bucket boundaries, in seconds, of
// cognitoauth.jwks.fetch.duration: 1 ms to 10 s (FetchTimeout's default is 5 s).
var FetchBuckets = []float64{
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
}

// Meter returns mp's meter for the scope, the global provider's when mp is
// nil: it records nothing until the application installs one.
func Meter(mp metric.MeterProvider, scope string) metric.Meter {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return mp.Meter(scope)
}

// Tracer returns tp's tracer for the scope, the global provider's when tp
// is nil.
func Tracer(tp trace.TracerProvider, scope string) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(scope)
}

// Verify records verifications into cognitoauth.verifications and
// cognitoauth.verification.duration.
//
// The counter is kept in atomic counters of its own, one per (outcome,
// cached) pair, and observed at each collection (an asynchronous counter:
// the exported sum is the same, exact at every collection); a synchronous
// counter costs more than a cache hit itself. For the same reason the
// histogram holds every verification that misses the token cache but only
// a random one in HitSample of those the cache answers (and of tokens
// refused before the lookup): a uniform sample, so its quantiles hold, and
// the counter has their number. Verifications are counted once a provider
// collects the counter or records durations: like a synchronous counter,
// the no-op providers count nothing.
//
// The attribute options are built once, one per pair, so that recording
// neither builds a set nor boxes an option: the hot path allocates nothing.
type Verify struct {
	count    metric.Int64ObservableCounter
	duration metric.Float64Histogram
	reg      metric.Registration
	observed atomic.Bool // a provider has collected the counter
	totals   [numOutcomes][2]atomic.Int64
	obs      [numOutcomes][2][]metric.ObserveOption
	rec      [numOutcomes][2][]metric.RecordOption
}

// HitSample is how many cache hits there are in the duration histogram for
// one timed: one in HitSample, at random.
const HitSample = 64

// NewVerify creates the instruments on meter. extra (fixed values only) is
// added to every attribute set; errors are prefixed with pkg. Close stops
// the counter's callback.
func NewVerify(meter metric.Meter, pkg string, extra ...attribute.KeyValue) (*Verify, error) {
	v := new(Verify)
	var err error
	v.count, err = meter.Int64ObservableCounter(Verifications,
		metric.WithUnit("{verification}"),
		metric.WithDescription("Tokens verified, by outcome and whether the token cache answered."))
	if err != nil {
		return nil, fmt.Errorf("%s: metric %s: %w", pkg, Verifications, err)
	}
	v.duration, err = meter.Float64Histogram(Duration,
		metric.WithUnit("s"),
		metric.WithDescription("How long a verification took, by outcome and whether the token cache answered; "+
			"cache hits are sampled, one in 64."),
		metric.WithExplicitBucketBoundaries(VerifyBuckets...))
	if err != nil {
		return nil, fmt.Errorf("%s: metric %s: %w", pkg, Duration, err)
	}
	for o := range numOutcomes {
		for c, cached := range []bool{false, true} {
			kvs := append([]attribute.KeyValue{
				attribute.String(AttrOutcome, o.String()),
				attribute.Bool(AttrCached, cached),
			}, extra...)
			opt := metric.WithAttributeSet(attribute.NewSet(kvs...))
			v.obs[o][c] = []metric.ObserveOption{opt}
			v.rec[o][c] = []metric.RecordOption{opt}
		}
	}
	v.reg, err = meter.RegisterCallback(v.observe, v.count)
	if err != nil {
		return nil, fmt.Errorf("%s: metric %s: %w", pkg, Verifications, err)
	}
	return v, nil
}

// observe reports the counter's totals; pairs never seen are left out.
func (v *Verify) observe(_ context.Context, o metric.Observer) error {
	v.observed.Store(true)
	for i := range v.totals {
		for c := range v.totals[i] {
			if n := v.totals[i][c].Load(); n > 0 {
				o.ObserveInt64(v.count, n, v.obs[i][c]...)
			}
		}
	}
	return nil
}

// Close stops reporting the counter, so that the provider no longer holds
// v.
func (v *Verify) Close() {
	if v != nil && v.reg != nil {
		v.reg.Unregister()
	}
}

// base is the origin of the monotonic readings Timer holds.
var base = time.Now()

// monotonic reads the monotonic clock only (time.Now reads the wall clock
// too), in nanoseconds since base, never 0.
func monotonic() int64 { return int64(time.Since(base)) | 1 }

// Timer says how one verification is recorded: counted or not, and since
// when it is timed (0 when it is not).
type Timer struct {
	start int64
	count bool
}

// on reports whether to count verifications (a provider has collected the
// counter, or records durations) and whether to time them. On the no-op
// providers, and the global one before the application installs its own,
// both are false and a verification costs two predictable branches: no
// clock read, no atomic write.
func (v *Verify) on(ctx context.Context) (count, timed bool) {
	timed = v.duration.Enabled(ctx)
	return timed || v.observed.Load(), timed
}

// Start times a verification from now.
func (v *Verify) Start(ctx context.Context) Timer {
	count, timed := v.on(ctx)
	t := Timer{count: count}
	if timed {
		t.start = monotonic()
	}
	return t
}

// Sample times one verification in HitSample, at random; Miss then times
// the others that miss the token cache.
func (v *Verify) Sample(ctx context.Context) Timer {
	count, timed := v.on(ctx)
	if !timed {
		return Timer{count: count}
	}
	return sample()
}

func sample() Timer {
	if rand.Uint32()%HitSample != 0 {
		return Timer{count: true}
	}
	return Timer{start: monotonic(), count: true}
}

// Miss times, from now, a verification that missed the token cache, unless
// it is timed already.
func (v *Verify) Miss(ctx context.Context, t *Timer) {
	if t.start == 0 && t.count && v.duration.Enabled(ctx) {
		t.start = monotonic()
	}
}

// Record counts one verification and, when t timed it, records its
// duration.
func (v *Verify) Record(ctx context.Context, t Timer, o Outcome, cached bool) {
	if t.count { // inlined: the no-op providers cost a branch here
		v.record(ctx, t, o, cached)
	}
}

func (v *Verify) record(ctx context.Context, t Timer, o Outcome, cached bool) {
	if o >= numOutcomes {
		o = Malformed
	}
	c := 0
	if cached {
		c = 1
	}
	v.totals[o][c].Add(1)
	if t.start != 0 {
		v.duration.Record(ctx, float64(monotonic()-t.start)/1e9, v.rec[o][c]...)
	}
}

// Fetch records key fetches: cognitoauth.jwks.fetches, its duration, and
// one cognitoauth.jwks.fetch span each.
type Fetch struct {
	count    metric.Int64Counter
	duration metric.Float64Histogram
	tracer   trace.Tracer
	add      [2][]metric.AddOption // by failed
	rec      [2][]metric.RecordOption
	target   attribute.KeyValue
}

// NewFetch creates the instruments on meter and the tracer's spans, which
// carry target: the key URL (configuration, never a token's). extra (fixed
// values only) is added to every metric attribute set; errors are prefixed
// with pkg.
func NewFetch(meter metric.Meter, tracer trace.Tracer, target attribute.KeyValue, pkg string, extra ...attribute.KeyValue) (*Fetch, error) {
	f := &Fetch{tracer: tracer, target: target}
	var err error
	f.count, err = meter.Int64Counter(Fetches,
		metric.WithUnit("{fetch}"),
		metric.WithDescription("Key set fetches, by outcome."))
	if err != nil {
		return nil, fmt.Errorf("%s: metric %s: %w", pkg, Fetches, err)
	}
	f.duration, err = meter.Float64Histogram(FetchDuration,
		metric.WithUnit("s"),
		metric.WithDescription("How long a key set fetch took, by outcome."),
		metric.WithExplicitBucketBoundaries(FetchBuckets...))
	if err != nil {
		return nil, fmt.Errorf("%s: metric %s: %w", pkg, FetchDuration, err)
	}
	for i, name := range []string{OutcomeFetchOK, OutcomeFetchFail} {
		kvs := append([]attribute.KeyValue{attribute.String(AttrOutcome, name)}, extra...)
		opt := metric.WithAttributeSet(attribute.NewSet(kvs...))
		f.add[i] = []metric.AddOption{opt}
		f.rec[i] = []metric.RecordOption{opt}
	}
	return f, nil
}

// Fetching is one key fetch in progress.
type Fetching struct {
	f     *Fetch
	span  trace.Span
	start time.Time
}

// Start begins a fetch: its span is a child of ctx's span, if any, and
// the context returned carries it to the HTTP request (an instrumented
// transport nests its own span under it).
func (f *Fetch) Start(ctx context.Context) (context.Context, Fetching) {
	ctx, span := f.tracer.Start(ctx, FetchSpan,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(f.target))
	return ctx, Fetching{f: f, span: span, start: time.Now()}
}

// End records the fetch: the HTTP status (0 when no response came), the
// number of usable keys, and err, which marks the span as failed.
func (s Fetching) End(ctx context.Context, status, keys int, err error) {
	i := 0
	if err != nil {
		i = 1
	}
	s.f.count.Add(ctx, 1, s.f.add[i]...)
	s.f.duration.Record(ctx, time.Since(s.start).Seconds(), s.f.rec[i]...)
	if status != 0 {
		s.span.SetAttributes(attribute.Int(AttrStatusCode, status))
	}
	if err != nil {
		s.span.SetStatus(codes.Error, err.Error())
	} else {
		s.span.SetAttributes(attribute.Int(AttrKeys, keys))
	}
	s.span.End()
}
