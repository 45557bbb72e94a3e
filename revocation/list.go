package revocation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Defaults for the zero values of Options.
const (
	// DefaultKey is the Redis key prefix when Options.Key is empty.
	DefaultKey = "cognitoauth:revocations"
	// DefaultRetain is how long an entry is kept when Options.Retain is
	// zero: Cognito's longest access and ID token lifetime.
	DefaultRetain = 24 * time.Hour
	// DefaultMaxStaleness is Options.MaxStaleness when it is zero.
	DefaultMaxStaleness = 30 * time.Second
)

var (
	// ErrMissingClaim: a write names a token, session or user by a claim or
	// argument that is empty. A token without "jti" or "origin_jti" comes from
	// an app client with token revocation turned off; it cannot be revoked
	// alone or by session, only by SignOut or DisableUser of its user.
	ErrMissingClaim = errors.New("revocation: missing claim")
	// ErrClosed: the List was closed; writes fail and Check refuses every
	// token with an error wrapping verifier.ErrRevocationUnavailable.
	ErrClosed = errors.New("revocation: list closed")
)

// Check's verdicts are built once so that a refusal allocates nothing and
// never carries a value the client chose.
var (
	errTokenRevoked   = fmt.Errorf("revocation: token revoked (jti): %w", verifier.ErrTokenRevoked)
	errSessionRevoked = fmt.Errorf("revocation: session revoked (origin_jti): %w", verifier.ErrTokenRevoked)
	errSignedOut      = fmt.Errorf("revocation: user signed out after the token was issued: %w", verifier.ErrTokenRevoked)
	errDisabled       = fmt.Errorf("revocation: user disabled: %w", verifier.ErrTokenRevoked)
	errStale          = fmt.Errorf("revocation: view not refreshed from Redis within MaxStaleness: %w", verifier.ErrRevocationUnavailable)
	errCheckClosed    = fmt.Errorf("%w: %w", ErrClosed, verifier.ErrRevocationUnavailable)
	errNilClaims      = fmt.Errorf("revocation: nil claims: %w", verifier.ErrRevocationUnavailable)
)

// Options configure a List. The zero value is a list held by this process
// only, with the defaults documented on each field.
type Options struct {
	// Redis shares the list between every List that uses the same Redis and
	// Key: writes are appended to a Redis stream that each List tails. Nil
	// keeps the list in this process only. The client is the caller's: TLS,
	// authentication, Sentinel and Cluster are configured there, the List
	// opens no connection of its own and Close does not close the client.
	Redis redis.UniversalClient
	// Key is the prefix of the Redis keys (default DefaultKey). The List uses
	// "{Key}:log" (a stream) and "{Key}:disabled" (a hash); the braces keep
	// both in one Cluster slot. Entries inside are keyed by issuer, so pools
	// sharing a Key never collide.
	Key string
	// Retain is how long a token, session or sign-out entry is kept (default
	// DefaultRetain). It must be at least the lifetime of the longest token
	// the service accepts: an entry that expires before the token it matches
	// lets that token through again. Disabled users are kept until enabled.
	Retain time.Duration
	// MaxStaleness bounds how long Check trusts its view without hearing
	// from Redis (default DefaultMaxStaleness). Past it, Check refuses every
	// token with an error wrapping verifier.ErrRevocationUnavailable until
	// Redis answers again. Negative: never stale, a token revoked elsewhere
	// during an outage is accepted here. Unused without Redis. Measured on
	// the monotonic clock, whatever Now says.
	MaxStaleness time.Duration
	// Now is the clock that dates entries and expires them (default
	// time.Now). Redis stream IDs and trimming use Redis's and the real clock.
	Now func() time.Time
	// Logger receives outages, recoveries and data-loss warnings (default:
	// discarded). Tokens and subjects are never logged.
	Logger *slog.Logger
	// MeterProvider provides the gauges cognitoauth.revocation.entries and
	// cognitoauth.revocation.staleness (default otel.GetMeterProvider()).
	MeterProvider metric.MeterProvider
	// TracerProvider traces writes and the initial load, never Check
	// (default otel.GetTracerProvider()).
	TracerProvider trace.TracerProvider
}

// List is a revocation list: it refuses tokens that were revoked alone, by
// session, by a sign-out of their user after they were issued, or because
// their user is disabled. Check answers from a local view in memory, never
// from the network; with Options.Redis, writes made on any List sharing the
// Redis reach every other within milliseconds. A List is safe for concurrent
// use; Close releases it.
type List struct {
	opts    Options
	now     func() time.Time
	retain  int64 // seconds
	view    view
	writeMu sync.Mutex // serializes publishers of the view

	rdb        redis.UniversalClient
	logKey     string
	disableKey string
	block      time.Duration

	// state is fresh, stale or closed; Check reads it with one atomic load.
	state     atomic.Int32
	start     time.Time    // monotonic origin of lastHeard
	lastHeard atomic.Int64 // nanoseconds since start at the last answer from Redis
	staleT    *time.Timer
	nextSweep atomic.Int64 // unix nanoseconds on the Now clock

	log      *slog.Logger
	tracer   trace.Tracer
	metricCB metric.Registration

	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

const (
	stateFresh int32 = iota
	stateStale
	stateClosed
)

// New returns a List. With Options.Redis it loads every entry held in Redis
// before returning (an error if Redis cannot be read: the List never starts
// with a view it cannot vouch for) and starts the one goroutine that tails
// the log; Close ends it.
func New(ctx context.Context, opts Options) (*List, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	l := &List{
		opts:   opts,
		now:    opts.Now,
		retain: int64(opts.Retain / time.Second),
		rdb:    opts.Redis,
		log:    opts.Logger,
		tracer: opts.TracerProvider.Tracer(instrumentationName),
		start:  time.Now(),
		done:   make(chan struct{}),
	}
	if l.retain < 1 {
		l.retain = 1
	}
	l.view.init()
	l.logKey = "{" + opts.Key + "}:log"
	l.disableKey = "{" + opts.Key + "}:disabled"
	l.scheduleSweep()
	if err := l.registerMetrics(opts.MeterProvider); err != nil {
		return nil, err
	}
	if l.rdb == nil {
		close(l.done)
		return l, nil
	}
	lastID, err := l.load(ctx)
	if err != nil {
		l.metricCB.Unregister()
		return nil, err
	}
	l.block = blockFor(opts.MaxStaleness)
	l.heard()
	if opts.MaxStaleness > 0 {
		l.staleT = time.AfterFunc(opts.MaxStaleness, l.markStale)
	}
	tailCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel = cancel
	go l.tail(tailCtx, lastID)
	return l, nil
}

func (o *Options) defaults() error {
	if o.Key == "" {
		o.Key = DefaultKey
	}
	switch {
	case o.Retain == 0:
		o.Retain = DefaultRetain
	case o.Retain < time.Second:
		return fmt.Errorf("revocation: Retain %v: must be at least a second (zero means %v)", o.Retain, DefaultRetain)
	}
	if o.MaxStaleness == 0 {
		o.MaxStaleness = DefaultMaxStaleness
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.MeterProvider == nil {
		o.MeterProvider = otel.GetMeterProvider()
	}
	if o.TracerProvider == nil {
		o.TracerProvider = otel.GetTracerProvider()
	}
	return nil
}

// blockFor is the tail's XREAD BLOCK timeout: short enough that a healthy
// Redis is heard several times per MaxStaleness, long enough not to poll.
func blockFor(maxStaleness time.Duration) time.Duration {
	const lo, hi = 10 * time.Millisecond, 500 * time.Millisecond
	if maxStaleness < 0 {
		return hi
	}
	return min(max(maxStaleness/4, lo), hi)
}

// Check returns nil when c may be accepted, an error wrapping
// verifier.ErrTokenRevoked when an entry matches it, or one wrapping
// verifier.ErrRevocationUnavailable when the view is stale or the List is
// closed. It reads the local view only: no network, no lock, no allocation.
// A token without "iat" counts as issued before any sign-out of its user.
func (l *List) Check(_ context.Context, c *claims.Claims) error {
	if c == nil {
		return errNilClaims
	}
	if r := l.view.get(c.Issuer, c.Subject); r != nil {
		if err := r.refuses(c, l.now); err != nil {
			return err
		}
	}
	switch l.state.Load() {
	case stateFresh:
		return nil
	case stateStale:
		return errStale
	default:
		return errCheckClosed
	}
}

// Close stops the tail goroutine and waits for it (at most the XREAD block
// interval, or the client's read timeout if Redis hangs), then refuses every
// later Check and write. The Redis client stays open: it is the caller's.
func (l *List) Close() error {
	l.closeOnce.Do(func() {
		l.state.Store(stateClosed)
		if l.staleT != nil {
			l.staleT.Stop()
		}
		if l.cancel != nil {
			l.cancel()
		}
		<-l.done
		if l.metricCB != nil {
			l.metricCB.Unregister()
		}
	})
	return nil
}

// heard records an answer from Redis: the view is fresh again.
func (l *List) heard() {
	l.lastHeard.Store(int64(time.Since(l.start)))
	if l.staleT != nil {
		l.staleT.Reset(l.opts.MaxStaleness)
	}
	if l.state.CompareAndSwap(stateStale, stateFresh) {
		l.log.Info("revocation: Redis answers again; the view is fresh")
	}
}

// markStale runs when MaxStaleness passed without heard re-arming the timer.
// heard stores lastHeard before it re-arms, so a timer that fires while
// heard runs sees the new value and does nothing.
func (l *List) markStale() {
	if l.staleness() < l.opts.MaxStaleness {
		return
	}
	if l.state.CompareAndSwap(stateFresh, stateStale) {
		l.log.Warn("revocation: no answer from Redis within MaxStaleness; refusing tokens until it answers",
			"max_staleness", l.opts.MaxStaleness)
	}
}

// staleness is the time since the view last heard from Redis (zero
// without Redis).
func (l *List) staleness() time.Duration {
	if l.rdb == nil {
		return 0
	}
	return time.Since(l.start) - time.Duration(l.lastHeard.Load())
}

func (l *List) closed() bool { return l.state.Load() == stateClosed }
