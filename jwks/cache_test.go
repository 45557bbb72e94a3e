package jwks_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
)

var epoch = time.Unix(1_800_000_000, 0)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: epoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// keyServer serves a JWKS document on 127.0.0.1 and counts requests. A
// handler, when set, replaces the normal answer.
type keyServer struct {
	srv      *httptest.Server
	requests atomic.Int64
	doc      atomic.Pointer[[]byte]
	handler  atomic.Pointer[http.HandlerFunc]
}

func startKeyServer(t *testing.T, tls bool, doc []byte) *keyServer {
	t.Helper()
	s := &keyServer{}
	s.setDoc(doc)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if h := s.handler.Load(); h != nil {
			(*h)(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(*s.doc.Load())
	})
	if tls {
		s.srv = httptest.NewTLSServer(h)
	} else {
		s.srv = httptest.NewServer(h)
	}
	t.Cleanup(s.srv.Close)
	return s
}

func (s *keyServer) setDoc(doc []byte)             { s.doc.Store(&doc) }
func (s *keyServer) setHandler(h http.HandlerFunc) { s.handler.Store(&h) }
func (s *keyServer) url() string                   { return s.srv.URL + "/jwks.json" }

// blockingHandler holds every request until release is closed (or the
// client gives up), announcing each arrival on arrived.
func blockingHandler(s *keyServer, arrived chan<- struct{}, release <-chan struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
			w.Write(*s.doc.Load())
		case <-r.Context().Done():
		}
	}
}

// fetchLog reports completed fetches, so tests wait for background work
// on a channel instead of sleeping.
type fetchLog struct {
	fetched, failed, skipped chan struct{}
}

func newFetchLog() *fetchLog {
	return &fetchLog{make(chan struct{}, 64), make(chan struct{}, 64), make(chan struct{}, 64)}
}

func (l *fetchLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *fetchLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *fetchLog) WithGroup(string) slog.Handler            { return l }
func (l *fetchLog) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "jwks: fetched key set":
		l.fetched <- struct{}{}
	case "jwks: fetch failed":
		l.failed <- struct{}{}
	case "jwks: key skipped":
		l.skipped <- struct{}{}
	}
	return nil
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// newCache builds a Cache for s with a fake clock and a fetch log, closed at
// the end of the test.
func newCache(t *testing.T, s *keyServer, opts jwks.Options) (*jwks.Cache, *fakeClock, *fetchLog) {
	t.Helper()
	clk := newFakeClock()
	log := newFetchLog()
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	opts.Logger = slog.New(log)
	if opts.HTTPClient == nil {
		opts.HTTPClient = s.srv.Client()
	}
	c, err := jwks.New(s.url(), opts)
	if err != nil {
		t.Fatalf("jwks.New: %v", err)
	}
	t.Cleanup(c.Close)
	return c, clk, log
}

func twoKeys(t *testing.T) []byte {
	k := keys(t)
	return document(t, rsaJWK(k.rsa1, "k1"), rsaJWK(k.rsa2, "k2"))
}

func mustKey(t *testing.T, c *jwks.Cache, kid string) *jwks.Key {
	t.Helper()
	k, err := c.Key(context.Background(), kid)
	if err != nil {
		t.Fatalf("Key(%q): %v", kid, err)
	}
	if k.ID != kid {
		t.Fatalf("Key(%q) returned kid %q", kid, k.ID)
	}
	return k
}

func wantRequests(t *testing.T, s *keyServer, step string, n int64) {
	t.Helper()
	if got := s.requests.Load(); got != n {
		t.Fatalf("%s: requests = %d, want %d", step, got, n)
	}
}

// TestCacheLazyFetchAndStats: nothing is fetched before the first lookup;
// then one fetch serves every known kid; Stats reports it.
func TestCacheLazyFetchAndStats(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	c, clk, _ := newCache(t, s, jwks.Options{})
	if c.URL() != s.url() {
		t.Errorf("URL = %q", c.URL())
	}
	if st := c.Stats(); st != (jwks.Stats{}) {
		t.Errorf("Stats before use = %+v", st)
	}
	wantRequests(t, s, "after New", 0)
	mustKey(t, c, "k1")
	mustKey(t, c, "k2")
	mustKey(t, c, "k1")
	wantRequests(t, s, "after three lookups", 1)
	if st := c.Stats(); st.Fetches != 1 || st.Failures != 0 || st.Keys != 2 || !st.LastSuccess.Equal(clk.Now()) {
		t.Errorf("Stats = %+v", st)
	}
}

// TestCacheSingleFlight: callers arriving while a fetch is in progress join
// it instead of starting their own, and all get the key.
func TestCacheSingleFlight(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	arrived, release := make(chan struct{}, 100), make(chan struct{})
	s.setHandler(blockingHandler(s, arrived, release))
	c, _, _ := newCache(t, s, jwks.Options{})

	const n = 50
	errs := make(chan error, n)
	lookup := func(kid string) {
		_, err := c.Key(context.Background(), kid)
		errs <- err
	}
	go lookup("k1")
	waitFor(t, arrived, "the fetch")
	// The fetch is now held by the server: every caller below overlaps it.
	var launched sync.WaitGroup
	launched.Add(n - 1)
	for i := 1; i < n; i++ {
		go func() {
			launched.Done()
			lookup([]string{"k1", "k2", "unknown"}[i%3])
		}()
	}
	launched.Wait()
	close(release)
	var notFound int
	for range n {
		err := <-errs
		switch {
		case errors.Is(err, jwks.ErrKeyNotFound):
			notFound++
		case err != nil:
			t.Errorf("Key: %v", err)
		}
	}
	if notFound != n/3 {
		t.Errorf("%d lookups of the unknown kid failed, want %d", notFound, n/3)
	}
	wantRequests(t, s, "50 concurrent lookups", 1)
	if st := c.Stats(); st.Fetches != 1 {
		t.Errorf("Stats.Fetches = %d", st.Fetches)
	}
}

// TestCacheCooldown: an unknown kid refetches at most once per Cooldown;
// during it unknown kids fail at once; failed fetches start it too.
func TestCacheCooldown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cooldown time.Duration
		want     time.Duration
	}{
		{"default", 0, jwks.DefaultRefetchCooldown},
		{"configured", 3 * time.Second, 3 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startKeyServer(t, true, twoKeys(t))
			c, clk, _ := newCache(t, s, jwks.Options{RefetchCooldown: tc.cooldown})
			mustKey(t, c, "k1")
			if _, err := c.Key(context.Background(), "new"); !errors.Is(err, jwks.ErrKeyNotFound) {
				t.Fatalf("Key(new) = %v", err)
			}
			wantRequests(t, s, "unknown kid right after a fetch", 1)

			clk.Advance(tc.want - time.Nanosecond)
			if _, err := c.Key(context.Background(), "new"); !errors.Is(err, jwks.ErrKeyNotFound) {
				t.Fatalf("Key(new) = %v", err)
			}
			wantRequests(t, s, "just before the cooldown ends", 1)

			clk.Advance(time.Nanosecond)
			k := keys(t)
			s.setDoc(document(t, rsaJWK(k.rsa1, "k1"), rsaJWK(k.rsa2, "new")))
			mustKey(t, c, "new")
			wantRequests(t, s, "once the cooldown is over", 2)
			mustKey(t, c, "k1")
			if _, err := c.Key(context.Background(), "k2"); !errors.Is(err, jwks.ErrKeyNotFound) {
				t.Fatalf("Key(k2) after it left the set = %v", err)
			}
			wantRequests(t, s, "removed kid within the cooldown", 2)
		})
	}
}

// TestCacheFailureStartsCooldown: after a failed fetch, lookups within the
// backoff fail at once with ErrUnavailable carrying the last error.
func TestCacheFailureStartsCooldown(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	s.setHandler(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	c, clk, _ := newCache(t, s, jwks.Options{})
	for i := 0; i < 5; i++ {
		_, err := c.Key(context.Background(), "k1")
		var fe *jwks.FetchError
		if !errors.Is(err, jwks.ErrUnavailable) || !errors.As(err, &fe) || fe.StatusCode != http.StatusBadGateway {
			t.Fatalf("Key #%d = %v, want ErrUnavailable with the 502", i, err)
		}
	}
	wantRequests(t, s, "five lookups against a failing endpoint", 1)
	if st := c.Stats(); st.Fetches != 1 || st.Failures != 1 || st.Keys != 0 {
		t.Errorf("Stats = %+v", st)
	}
	s.handler.Store(nil)
	clk.Advance(jwks.DefaultRefetchCooldown)
	mustKey(t, c, "k1")
}

// TestCacheBackgroundRefresh: once the keys are RefreshInterval old, a lookup
// of a known kid returns at once and refreshes in the background.
func TestCacheBackgroundRefresh(t *testing.T) {
	t.Parallel()
	k := keys(t)
	s := startKeyServer(t, true, document(t, rsaJWK(k.rsa1, "k1")))
	c, clk, log := newCache(t, s, jwks.Options{RefreshInterval: 30 * time.Minute})
	mustKey(t, c, "k1")
	waitFor(t, log.fetched, "the first fetch")

	clk.Advance(30*time.Minute - time.Nanosecond)
	mustKey(t, c, "k1")
	wantRequests(t, s, "before RefreshInterval", 1)

	clk.Advance(time.Nanosecond)
	s.setDoc(document(t, rsaJWK(k.rsa1, "k1"), rsaJWK(k.rsa2, "k2")))
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	s.setHandler(blockingHandler(s, arrived, release))
	done := make(chan struct{})
	go func() {
		defer close(done)
		mustKey(t, c, "k1")
	}()
	waitFor(t, done, "the lookup, which must not wait for the refresh")
	waitFor(t, arrived, "the background refresh request")
	close(release)
	waitFor(t, log.fetched, "the background refresh to finish")
	mustKey(t, c, "k2")
	wantRequests(t, s, "after the refresh", 2)
	if st := c.Stats(); st.Keys != 2 || !st.LastSuccess.Equal(clk.Now()) {
		t.Errorf("Stats = %+v", st)
	}
}

// TestCacheMaxKeyAge: when refreshes fail the last good keys serve until they
// are MaxKeyAge old, and not a moment longer.
func TestCacheMaxKeyAge(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	c, clk, log := newCache(t, s, jwks.Options{MaxKeyAge: 2 * time.Hour})
	mustKey(t, c, "k1")
	s.setHandler(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })

	clk.Advance(2 * time.Hour) // past RefreshInterval, exactly MaxKeyAge
	mustKey(t, c, "k1")
	waitFor(t, log.failed, "the failed refresh")
	mustKey(t, c, "k2")

	clk.Advance(time.Nanosecond)
	_, err := c.Key(context.Background(), "k1")
	var fe *jwks.FetchError
	if !errors.Is(err, jwks.ErrUnavailable) || !errors.As(err, &fe) {
		t.Fatalf("Key past MaxKeyAge = %v, want ErrUnavailable with the last fetch error", err)
	}
}

// TestCacheMaxJWKSSize: a body over the limit is a failed fetch.
func TestCacheMaxJWKSSize(t *testing.T) {
	t.Parallel()
	doc := twoKeys(t)
	padded := append([]byte(strings.Repeat(" ", jwks.DefaultMaxJWKSSize)), doc...)
	for _, tc := range []struct {
		name  string
		body  []byte
		limit int64
		ok    bool
	}{
		{"exactly the limit", doc, int64(len(doc)), true},
		{"one byte over the limit", doc, int64(len(doc)) - 1, false},
		{"over the 1 MiB default", padded, 0, false},
		{"under the 1 MiB default", padded[len(padded)-jwks.DefaultMaxJWKSSize:], 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startKeyServer(t, true, tc.body)
			c, _, _ := newCache(t, s, jwks.Options{MaxJWKSSize: tc.limit})
			err := c.Warmup(context.Background())
			if tc.ok != (err == nil) {
				t.Fatalf("Warmup = %v, want success %v", err, tc.ok)
			}
			if !tc.ok && !strings.Contains(err.Error(), "larger than") {
				t.Errorf("Warmup error %q does not name the limit", err)
			}
		})
	}
}

// TestCacheStatusNot200: anything but 200 is a failure, carried as a
// *FetchError with the status.
func TestCacheStatusNot200(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusNoContent, http.StatusNotModified, http.StatusForbidden, http.StatusNotFound,
		http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			s := startKeyServer(t, true, twoKeys(t))
			s.setHandler(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(code)
				if code != http.StatusNoContent && code != http.StatusNotModified {
					w.Write(*s.doc.Load()) // a good body does not rescue a bad status
				}
			})
			c, _, _ := newCache(t, s, jwks.Options{})
			err := c.Warmup(context.Background())
			var fe *jwks.FetchError
			if !errors.As(err, &fe) || fe.StatusCode != code || fe.URL != s.url() {
				t.Fatalf("Warmup = %v, want a *FetchError with status %d", err, code)
			}
		})
	}
}

// TestCacheRedirectNotFollowed: a redirect, even to a good document, is a
// failed fetch; the target is never asked.
func TestCacheRedirectNotFollowed(t *testing.T) {
	t.Parallel()
	target := startKeyServer(t, true, twoKeys(t))
	s := startKeyServer(t, true, nil)
	s.setHandler(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.url(), http.StatusFound)
	})
	client := s.srv.Client()
	followed := false
	client.CheckRedirect = func(*http.Request, []*http.Request) error { followed = true; return nil }
	c, _, _ := newCache(t, s, jwks.Options{HTTPClient: client})
	err := c.Warmup(context.Background())
	var fe *jwks.FetchError
	if !errors.As(err, &fe) || fe.StatusCode != http.StatusFound {
		t.Fatalf("Warmup = %v, want a *FetchError with status 302", err)
	}
	if n := target.requests.Load(); n != 0 || followed {
		t.Fatalf("the redirect was followed (%d requests to its target)", n)
	}
	if client.CheckRedirect == nil {
		t.Error("the caller's client was modified")
	}
}

// TestCacheURLValidation: only absolute http(s) URLs, and http only with
// InsecureAllowHTTPJWKS.
func TestCacheURLValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url       string
		allowHTTP bool
		ok        bool
	}{
		{"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A/.well-known/jwks.json", false, true},
		{"http://127.0.0.1:9229/local_A/.well-known/jwks.json", false, false},
		{"http://127.0.0.1:9229/local_A/.well-known/jwks.json", true, true},
		{"", false, false},
		{"/relative/jwks.json", false, false},
		{"https://", false, false},
		{"ftp://example.com/jwks.json", true, false},
		{"file:///etc/jwks.json", true, false},
		{"https://exa mple.com/jwks.json", false, false},
	} {
		c, err := jwks.New(tc.url, jwks.Options{InsecureAllowHTTPJWKS: tc.allowHTTP})
		if (err == nil) != tc.ok {
			t.Errorf("New(%q, InsecureAllowHTTPJWKS=%v) error = %v, want success %v", tc.url, tc.allowHTTP, err, tc.ok)
		}
		if c != nil {
			c.Close()
		}
	}
}

// TestCachePlainHTTPWithInsecureAllowHTTPJWKS: the opt-in really fetches over http.
func TestCachePlainHTTPWithInsecureAllowHTTPJWKS(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, false, twoKeys(t))
	c, _, _ := newCache(t, s, jwks.Options{InsecureAllowHTTPJWKS: true})
	mustKey(t, c, "k2")
}

// TestCacheFetchTimeout: a server slower than FetchTimeout fails the fetch.
func TestCacheFetchTimeout(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	t.Cleanup(func() { close(release) })
	s.setHandler(blockingHandler(s, arrived, release))
	c, _, _ := newCache(t, s, jwks.Options{FetchTimeout: 300 * time.Millisecond})
	start := time.Now()
	err := c.Warmup(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Warmup = %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("Warmup took %v with a 300ms FetchTimeout", d)
	}
	if st := c.Stats(); st.Failures != 1 {
		t.Errorf("Stats = %+v", st)
	}
}

// TestCacheCallerCancelDoesNotCancelSharedFetch: a caller giving up stops
// waiting, but the fetch goes on for the others.
func TestCacheCallerCancelDoesNotCancelSharedFetch(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	s.setHandler(blockingHandler(s, arrived, release))
	c, _, _ := newCache(t, s, jwks.Options{})

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.Key(ctx, "k1")
		first <- err
	}()
	waitFor(t, arrived, "the fetch")
	cancel()
	select {
	case err := <-first:
		if !errors.Is(err, context.Canceled) || !errors.Is(err, jwks.ErrUnavailable) {
			t.Fatalf("cancelled caller got %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the cancelled caller kept waiting")
	}

	// The fetch is still held by the server; this caller joins it.
	second := make(chan error, 1)
	go func() {
		_, err := c.Key(context.Background(), "k2")
		second <- err
	}()
	close(release)
	if err := <-second; err != nil {
		t.Fatalf("second caller: %v", err)
	}
	wantRequests(t, s, "one shared fetch", 1)
	if st := c.Stats(); st.Failures != 0 {
		t.Errorf("the fetch failed: %+v", st)
	}
}

// TestCacheClose: Close cancels and waits for the fetch in progress; later
// lookups serve held keys but start no fetch.
func TestCacheClose(t *testing.T) {
	t.Parallel()
	s := startKeyServer(t, true, twoKeys(t))
	c, clk, _ := newCache(t, s, jwks.Options{})
	mustKey(t, c, "k1")

	clk.Advance(time.Minute)
	arrived := make(chan struct{}, 1)
	s.setHandler(blockingHandler(s, arrived, make(chan struct{})))
	lookup := make(chan error, 1)
	go func() {
		_, err := c.Key(context.Background(), "unknown")
		lookup <- err
	}()
	waitFor(t, arrived, "the refetch")
	c.Close()
	// Close returned, so the fetch goroutine has finished and counted itself.
	if st := c.Stats(); st.Fetches != 2 || st.Failures != 1 {
		t.Errorf("Stats after Close = %+v", st)
	}
	if err := <-lookup; !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Errorf("lookup during Close = %v", err)
	}

	clk.Advance(time.Hour)
	mustKey(t, c, "k2") // held keys still serve
	if _, err := c.Key(context.Background(), "unknown"); !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Errorf("unknown kid after Close = %v", err)
	}
	if err := c.Warmup(context.Background()); !errors.Is(err, jwks.ErrUnavailable) {
		t.Errorf("Warmup after Close = %v", err)
	}
	wantRequests(t, s, "after Close", 2)
	c.Close() // idempotent
}

// TestCacheLoad: Load installs keys without a fetch; they never age out;
// a bad document changes nothing; an unknown kid fetches, and the fetched
// set replaces the loaded one.
func TestCacheLoad(t *testing.T) {
	t.Parallel()
	k := keys(t)
	s := startKeyServer(t, true, document(t, rsaJWK(k.rsa2, "fetched")))
	c, _, log := newCache(t, s, jwks.Options{MaxKeyAge: time.Hour, RefreshInterval: time.Minute})

	if err := c.Load([]byte(`{"keys":[]}`)); !errors.Is(err, jwks.ErrNoUsableKeys) {
		t.Fatalf("Load(empty) = %v", err)
	}
	if err := c.Load(document(t, rsaJWK(k.rsa1, "loaded"), rsaJWK(k.rsaSmall, "small"))); err != nil {
		t.Fatalf("Load: %v", err)
	}
	waitFor(t, log.skipped, "the skipped key to be logged")
	if err := c.Load([]byte("not json")); err == nil {
		t.Fatal("Load(not json) succeeded")
	}
	if st := c.Stats(); st.Keys != 1 || st.Fetches != 0 || !st.LastSuccess.Equal(epoch) {
		t.Errorf("Stats after Load = %+v", st)
	}
	mustKey(t, c, "loaded")
	wantRequests(t, s, "loaded keys before RefreshInterval", 0)

	mustKey(t, c, "fetched") // an unknown kid fetches
	wantRequests(t, s, "unknown kid", 1)
	if _, err := c.Key(context.Background(), "loaded"); !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Errorf("the fetched set did not replace the loaded one: %v", err)
	}
}

// TestCacheLoadedKeysRefresh: loaded keys are refreshed like fetched ones
// once RefreshInterval old; a failed refresh keeps them however old they
// get (they never age out), and a successful one replaces them, so a key
// the endpoint withdrew stops being served.
func TestCacheLoadedKeysRefresh(t *testing.T) {
	t.Parallel()
	k := keys(t)
	s := startKeyServer(t, true, document(t, rsaJWK(k.rsa2, "fetched")))
	c, clk, log := newCache(t, s, jwks.Options{MaxKeyAge: time.Hour, RefreshInterval: time.Minute})
	if err := c.Load(document(t, rsaJWK(k.rsa1, "loaded"))); err != nil {
		t.Fatalf("Load: %v", err)
	}
	s.setHandler(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	clk.Advance(48 * time.Hour) // past RefreshInterval and MaxKeyAge
	mustKey(t, c, "loaded")     // served at once; the refresh starts behind it
	waitFor(t, log.failed, "the failed refresh")
	wantRequests(t, s, "refresh of loaded keys", 1)
	mustKey(t, c, "loaded") // a failed refresh keeps them

	s.handler.Store(nil) // the endpoint answers again
	clk.Advance(jwks.DefaultRefetchCooldown)
	mustKey(t, c, "loaded")
	waitFor(t, log.fetched, "the successful refresh")
	if _, ok := c.Lookup("loaded", clk.Now()); ok {
		t.Error("the withdrawn loaded key is still served after a successful refresh")
	}
	if _, ok := c.Lookup("fetched", clk.Now()); !ok {
		t.Error("the refreshed set is not served")
	}
}

// TestCachePinJWKS: with PinJWKS, loaded keys are frozen: never refreshed,
// never aged, never fetched, not even for an unknown kid or by Warmup.
func TestCachePinJWKS(t *testing.T) {
	t.Parallel()
	k := keys(t)
	s := startKeyServer(t, true, document(t, rsaJWK(k.rsa2, "fetched")))
	c, clk, _ := newCache(t, s, jwks.Options{MaxKeyAge: time.Hour, RefreshInterval: time.Minute, PinJWKS: true})
	if err := c.Load(document(t, rsaJWK(k.rsa1, "loaded"))); err != nil {
		t.Fatalf("Load: %v", err)
	}
	clk.Advance(48 * time.Hour)
	mustKey(t, c, "loaded")
	if _, err := c.Key(context.Background(), "fetched"); !errors.Is(err, jwks.ErrKeyNotFound) {
		t.Errorf("unknown kid with pinned keys = %v, want ErrKeyNotFound", err)
	}
	if err := c.Warmup(context.Background()); err != nil {
		t.Errorf("Warmup with pinned keys = %v", err)
	}
	mustKey(t, c, "loaded")
	wantRequests(t, s, "pinned keys", 0)
}

// TestCacheLookup: Lookup serves what the cache holds at the time it is
// given and never fetches for an unknown kid, but starts the background
// refresh when one is due, as Key does.
func TestCacheLookup(t *testing.T) {
	t.Parallel()
	k := keys(t)
	s := startKeyServer(t, true, document(t, rsaJWK(k.rsa1, "k1")))
	c, clk, log := newCache(t, s, jwks.Options{RefreshInterval: 30 * time.Minute, MaxKeyAge: 2 * time.Hour})
	if _, ok := c.Lookup("k1", clk.Now()); ok {
		t.Fatal("Lookup before any fetch found a key")
	}
	wantRequests(t, s, "Lookup on an empty cache", 0)

	want := mustKey(t, c, "k1")
	waitFor(t, log.fetched, "the first fetch")
	if got, ok := c.Lookup("k1", clk.Now()); !ok || got != want {
		t.Fatalf("Lookup(k1) = %v, %v; want the key Key returned", got, ok)
	}
	if _, ok := c.Lookup("k9", clk.Now()); ok {
		t.Fatal("Lookup found an unknown kid")
	}
	wantRequests(t, s, "Lookup of a held and an unknown kid", 1)

	// Due for a refresh: the held key, and the refresh starts.
	clk.Advance(30 * time.Minute)
	if _, ok := c.Lookup("k1", clk.Now()); !ok {
		t.Fatal("Lookup at RefreshInterval did not serve the held key")
	}
	waitFor(t, log.fetched, "the background refresh Lookup started")
	wantRequests(t, s, "after the refresh", 2)
	// The time given decides whether the set is too old to serve.
	if _, ok := c.Lookup("k1", clk.Now().Add(2*time.Hour+time.Nanosecond)); ok {
		t.Fatal("Lookup past MaxKeyAge served a key")
	}
}
