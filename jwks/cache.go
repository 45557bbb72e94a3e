package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// Errors returned by (*Cache).Key.
var (
	// ErrKeyNotFound means the set has no key with the requested kid, after at
	// most one refetch (or none, during the cooldown).
	ErrKeyNotFound = errors.New("jwks: key not found")
	// ErrUnavailable means no usable key set is held (never fetched, fetch
	// failed, or the last good set is older than MaxKeyAge).
	ErrUnavailable = errors.New("jwks: key set unavailable")
)

// Defaults for Options.
const (
	DefaultFetchTimeout    = 5 * time.Second
	DefaultMaxJWKSSize     = 1 << 20
	DefaultRefetchCooldown = 10 * time.Second
	DefaultRefreshInterval = time.Hour
	DefaultMaxKeyAge       = 24 * time.Hour
)

// Options tune a Cache. The zero value gives the documented defaults.
type Options struct {
	// HTTPClient makes the requests; nil means a client with default
	// transport. It is copied, and the copy never follows redirects.
	HTTPClient *http.Client
	// FetchTimeout bounds one fetch, connection to last byte (default 5 s).
	FetchTimeout time.Duration
	// MaxJWKSSize bounds the response body (default 1 MiB); larger is a failure.
	MaxJWKSSize int64
	// RefetchCooldown is the least time between two fetches caused by
	// unknown kids, background refreshes or failures (default 10 s). While no
	// usable key is held (a cold start during an outage), failed fetches are
	// retried sooner: after 0.75 to 1 s, then twice as long each time, up to
	// RefetchCooldown. Warmup ignores it.
	RefetchCooldown time.Duration
	// RefreshInterval is the age after which a lookup starts a background
	// refresh (default 1 h).
	RefreshInterval time.Duration
	// MaxKeyAge is the age after which fetched keys stop being served when
	// no refresh has succeeded (default 24 h). Keys given to Load do not age.
	MaxKeyAge time.Duration
	// PinJWKS freezes keys given to Load: they are never refreshed nor
	// replaced, and no fetch is made at all, so a key the pool withdraws
	// keeps verifying until the program is reconfigured. Off by default:
	// loaded keys are then refreshed like fetched ones, and kept when a
	// refresh fails.
	PinJWKS bool
	// InsecureAllowHTTPJWKS permits an http:// URL. Only for local emulators and tests:
	// keys fetched over plain HTTP can be replaced by anyone on the path.
	InsecureAllowHTTPJWKS bool
	// AllowedAlgorithms are the header algorithms the keys will verify
	// (default: every one Parse knows). A key none of them can use is
	// skipped, and a fetched set left with no usable key is a failed fetch:
	// the keys held are kept.
	AllowedAlgorithms []string
	// Now is the clock for ages and cooldowns (default time.Now).
	Now func() time.Time
	// Logger receives fetch results and skipped keys (default: discarded).
	Logger *slog.Logger
	// MeterProvider receives the cognitoauth.jwks.fetches counter and the
	// cognitoauth.jwks.fetch.duration histogram, by outcome ("ok" or
	// "error"). Nil means the global provider, otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// TracerProvider receives one "cognitoauth.jwks.fetch" span per fetch,
	// with the URL, the HTTP status and the number of usable keys. Nil
	// means the global provider, otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
}

// Stats counts a Cache's activity.
type Stats struct {
	Fetches     int64     // fetches started
	Failures    int64     // fetches that failed
	Keys        int       // usable keys held now
	LastSuccess time.Time // when the held set was fetched or loaded (per Now)
}

// Cache holds the keys of one JWKS URL. It is safe for concurrent use.
type Cache struct {
	url    string
	opts   Options
	client *http.Client

	state atomic.Pointer[state]

	mu          sync.Mutex
	inflight    *flight
	lastAttempt time.Time // start of the last fetch (Now), for the cooldown
	lastErr     error
	failStreak  int           // fetches failed in a row
	retryAfter  time.Duration // the backoff after the last failure

	fetches, failures atomic.Int64
	tel               *telemetry.Fetch

	ctx    context.Context // ends at Close; parent of every fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type state struct {
	set       *Set
	fetchedAt time.Time
	loaded    bool // installed by Load: does not age out
	frozen    bool // loaded with PinJWKS: never refreshed nor replaced
}

type flight struct {
	done chan struct{}
	err  error
}

// New returns a Cache for the JWKS at rawURL. It validates the URL (absolute,
// https unless opts.InsecureAllowHTTPJWKS) and fetches nothing.
func New(rawURL string, opts Options) (*Cache, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("jwks: URL %q is not an absolute http(s) URL", rawURL)
	}
	if u.Scheme == "http" && !opts.InsecureAllowHTTPJWKS {
		return nil, fmt.Errorf("jwks: URL %q is not https (InsecureAllowHTTPJWKS is for local emulators only)", rawURL)
	}
	for _, a := range opts.AllowedAlgorithms {
		if _, ok := algorithms[a]; !ok {
			return nil, fmt.Errorf("jwks: algorithm %q is not supported", a)
		}
	}
	opts.AllowedAlgorithms = append([]string(nil), opts.AllowedAlgorithms...)
	if len(opts.AllowedAlgorithms) == 0 {
		opts.AllowedAlgorithms = nil
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.MaxJWKSSize <= 0 {
		opts.MaxJWKSSize = DefaultMaxJWKSSize
	}
	if opts.RefetchCooldown <= 0 {
		opts.RefetchCooldown = DefaultRefetchCooldown
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.MaxKeyAge <= 0 {
		opts.MaxKeyAge = DefaultMaxKeyAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	client := &http.Client{}
	if opts.HTTPClient != nil {
		*client = *opts.HTTPClient
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tel, err := newTelemetry(rawURL, &opts)
	if err != nil {
		return nil, err
	}
	c := &Cache{url: rawURL, opts: opts, client: client, tel: tel}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c, nil
}

// made reports whether c came from New: a nil or zero Cache holds no keys,
// fetches nothing and fails every lookup with ErrUnavailable, never panics.
func (c *Cache) made() bool { return c != nil && c.cancel != nil }

var errNotMade = fmt.Errorf("%w: Cache not made by jwks.New", ErrUnavailable)

// URL returns the JWKS URL this cache fetches.
func (c *Cache) URL() string {
	if c == nil {
		return ""
	}
	return c.url
}

// Close stops any fetch in progress and waits for it. Lookups after Close
// still serve held keys but start no fetch.
func (c *Cache) Close() {
	if !c.made() {
		return
	}
	c.mu.Lock() // start checks ctx under mu, so no fetch begins after this
	c.cancel()
	c.mu.Unlock()
	c.wg.Wait()
}

// Stats returns counters for monitoring and tests.
func (c *Cache) Stats() Stats {
	if c == nil {
		return Stats{}
	}
	s := Stats{Fetches: c.fetches.Load(), Failures: c.failures.Load()}
	if st := c.state.Load(); st != nil {
		s.Keys, s.LastSuccess = st.set.Len(), st.fetchedAt
	}
	return s
}

// Load installs keys from a JWKS document, for hosts that cannot reach the
// endpoint or want no fetch at cold start. Loaded keys do not age out; they
// are refreshed from the URL like fetched ones (a failed refresh keeps
// them) and a successful fetch replaces them, unless Options.PinJWKS
// freezes them.
func (c *Cache) Load(doc []byte) error {
	if !c.made() {
		return errNotMade
	}
	set, skipped, err := parse(doc, c.opts.AllowedAlgorithms)
	c.reportSkipped(skipped)
	if err != nil {
		return err
	}
	c.state.Store(&state{set: set, fetchedAt: c.opts.Now(), loaded: true, frozen: c.opts.PinJWKS})
	return nil
}

// Warmup fetches the set now, whatever the cooldown, and returns the fetch's
// error. Concurrent lookups share its result.
func (c *Cache) Warmup(ctx context.Context) error {
	if !c.made() {
		return errNotMade
	}
	if st := c.state.Load(); st != nil && st.frozen {
		return nil // pinned keys: nothing to fetch
	}
	f := c.start(true)
	if f == nil {
		return fmt.Errorf("%w: cache closed", ErrUnavailable)
	}
	return c.wait(ctx, f)
}

// Lookup returns the key for kid if the held set has it and may still be
// served at now, a time the caller has just read from Options.Now. It
// never fetches nor waits, but starts a background refresh when one is
// due, as Key does; a caller that already holds the time saves reading the
// clock again (Key is Lookup, then the fetch for an unknown kid).
func (c *Cache) Lookup(kid string, now time.Time) (*Key, bool) {
	if !c.made() {
		return nil, false
	}
	st := c.usable(now)
	if st == nil {
		return nil, false
	}
	k, ok := st.set.Key(kid)
	if ok && !st.frozen && now.Sub(st.fetchedAt) >= c.opts.RefreshInterval {
		c.start(false) // background refresh; this request goes on
	}
	return k, ok
}

// Key returns the key for kid. It never blocks on the network for a known kid.
// For an unknown kid it waits for at most one fetch (bounded by FetchTimeout
// and ctx), or fails at once during the cooldown.
func (c *Cache) Key(ctx context.Context, kid string) (*Key, error) {
	if !c.made() {
		return nil, errNotMade
	}
	if k, ok := c.Lookup(kid, c.opts.Now()); ok {
		return k, nil
	}
	st := c.usable(c.opts.Now())
	if st != nil && st.frozen {
		return nil, ErrKeyNotFound // pinned keys: never fetched
	}
	f := c.start(false)
	if f == nil { // cooldown (or closed): fail fast, never wait
		if st != nil {
			return nil, ErrKeyNotFound
		}
		return nil, c.unavailable()
	}
	fetchErr := c.wait(ctx, f)
	if st = c.usable(c.opts.Now()); st == nil {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, fetchErr)
	}
	if k, ok := st.set.Key(kid); ok {
		return k, nil
	}
	if fetchErr != nil {
		return nil, fmt.Errorf("%w (refetch failed: %w)", ErrKeyNotFound, fetchErr)
	}
	return nil, ErrKeyNotFound
}

// usable returns the held state unless it has aged past MaxKeyAge.
func (c *Cache) usable(now time.Time) *state {
	st := c.state.Load()
	if st == nil || (!st.loaded && now.Sub(st.fetchedAt) > c.opts.MaxKeyAge) {
		return nil
	}
	return st
}

func (c *Cache) unavailable() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lastErr != nil {
		return fmt.Errorf("%w: %w", ErrUnavailable, c.lastErr)
	}
	return ErrUnavailable
}

// start joins the fetch in progress or starts one. Unless force is set it
// returns nil when the last fetch started less than RefetchCooldown ago.
func (c *Cache) start(force bool) *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight != nil {
		return c.inflight
	}
	if c.ctx.Err() != nil {
		return nil
	}
	now := c.opts.Now()
	if !force && !c.lastAttempt.IsZero() && now.Sub(c.lastAttempt) < c.delay(now) {
		return nil
	}
	c.lastAttempt = now
	f := &flight{done: make(chan struct{})}
	c.inflight = f
	c.fetches.Add(1)
	c.wg.Add(1)
	go c.run(f)
	return f
}

// delay is the least time between the last fetch's start and the next,
// under mu. With no usable keys after failures (a cold start during an
// outage) it is the backoff, so that service resumes about a second after
// a short outage ends; otherwise it is the full RefetchCooldown (unknown
// kids, refreshes).
func (c *Cache) delay(now time.Time) time.Duration {
	if c.failStreak > 0 && c.usable(now) == nil {
		return c.retryAfter
	}
	return c.opts.RefetchCooldown
}

// Backoff bounds: the first retry after a failure comes after 0.75 to 1 s
// (the jitter spreads a fleet's retries), each further one after twice as
// long, up to RefetchCooldown.
const (
	firstRetry = time.Second
	jitter     = 4 // the delay is cut by up to 1/jitter
)

func backoff(streak int, ceiling time.Duration) time.Duration {
	d := ceiling
	if streak < 32 && firstRetry<<(streak-1) < ceiling {
		d = firstRetry << (streak - 1)
	}
	return d - time.Duration(rand.Int64N(int64(d/jitter)+1))
}

// run performs one fetch on its own goroutine, so that a caller giving up
// (its context ends) does not cancel the fetch other callers share.
func (c *Cache) run(f *flight) {
	defer c.wg.Done()
	began := time.Now()
	ctx, span := c.tel.Start(c.ctx)
	set, status, err := c.fetch(ctx)
	span.End(ctx, status, set.Len(), err)
	// Publish the outcome in one step: whoever sees the new keys or the
	// failure count also sees that no fetch is in flight any more.
	c.mu.Lock()
	if err == nil {
		c.state.Store(&state{set: set, fetchedAt: c.opts.Now()})
		c.failStreak = 0
	} else {
		c.failures.Add(1)
		c.failStreak++
		c.retryAfter = backoff(c.failStreak, c.opts.RefetchCooldown)
	}
	c.inflight, c.lastErr, f.err = nil, err, err
	c.mu.Unlock()
	close(f.done)
	if err == nil {
		c.opts.Logger.Info("jwks: fetched key set", "url", c.url, "keys", set.Len(), "duration", time.Since(began))
	} else {
		c.opts.Logger.Warn("jwks: fetch failed", "url", c.url, "error", err, "duration", time.Since(began))
	}
}

func (c *Cache) wait(ctx context.Context, f *flight) error {
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fetch gets and parses the set, under ctx (which carries the fetch's
// span). It returns the HTTP status too, 0 when no response came.
func (c *Cache) fetch(ctx context.Context) (*Set, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: fetch %s: %w", c.url, err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	if status != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096)) // let the connection be reused
		return nil, status, &FetchError{URL: c.url, StatusCode: status}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxJWKSSize+1))
	if err != nil {
		return nil, status, fmt.Errorf("jwks: read %s: %w", c.url, err)
	}
	if int64(len(body)) > c.opts.MaxJWKSSize {
		return nil, status, fmt.Errorf("jwks: %s: body larger than %d bytes", c.url, c.opts.MaxJWKSSize)
	}
	set, skipped, err := parse(body, c.opts.AllowedAlgorithms)
	c.reportSkipped(skipped)
	if err != nil {
		return nil, status, fmt.Errorf("jwks: %s: %w", c.url, err)
	}
	return set, status, nil
}

func (c *Cache) reportSkipped(skipped []error) {
	for _, e := range skipped {
		c.opts.Logger.Warn("jwks: key skipped", "url", c.url, "reason", e)
	}
}

// FetchError reports a JWKS response with a status other than 200.
type FetchError struct {
	URL        string
	StatusCode int
}

func (e *FetchError) Error() string {
	if e == nil {
		return "jwks: <nil FetchError>"
	}
	return fmt.Sprintf("jwks: fetch %s: status %d, want 200", e.URL, e.StatusCode)
}
