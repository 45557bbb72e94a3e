package verifier_test

// JWKS fault tests: real servers on 127.0.0.1 whose behaviour
// each test scripts, the fake clock of helpers_test.go for every age and
// cooldown, and the middleware for what a client of a protected service
// sees. keys_test.go covers the verifier's fetch rules one at a time; these
// tests put numbers on the failures: how long a caller waits, how many
// requests reach the key server, for how long cached keys carry on.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/jwks"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// latencySlack is added to every latency bound: the machine running the
// tests may be busy; a bound that is off by this much is still a bound.
const latencySlack = 1500 * time.Millisecond

// TestFaultDownAtColdStart: with the key server unreachable before any key
// was fetched, Verify fails fast with ErrJWKSUnavailable, the middleware
// answers 503 with Retry-After, and 200 concurrent requests cause one
// connection attempt, not 200.
func TestFaultDownAtColdStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		url  func(t *testing.T) (string, func() int64)
	}{
		{"connection refused", func(t *testing.T) (string, func() int64) { return closedPortURL(t), nil }},
		{"connection accepted and dropped", droppingEndpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clk := clockedPool(t, cognitotest.Options{})
			url, conns := tc.url(t)
			cfg := p.Config(verifier.AccessToken)
			cfg.JWKSURL = url
			v := buildVerifier(t, cfg)
			token := p.AccessToken(cognitotest.User{})

			began := time.Now()
			expectRejected(t, v, token, verifier.ErrJWKSUnavailable, "header.kid")
			if d := time.Since(began); d > latencySlack {
				t.Errorf("refusal took %v with the key server down", d)
			}

			srv := protected(t, v)
			clk.Advance(jwks.DefaultRefetchCooldown) // let one more fetch start
			codes := getConcurrently(t, srv, token, 200, func(t *testing.T, resp *http.Response, body []byte) {
				if got, want := resp.Header.Get("Retry-After"), "10"; got != want { // middleware's default
					t.Errorf("Retry-After = %q, want %s", got, want)
				}
				if !strings.Contains(string(body), "temporarily_unavailable") || strings.Contains(string(body), token) {
					t.Errorf("503 body = %q", body)
				}
			})
			if codes[http.StatusServiceUnavailable] != 200 {
				t.Fatalf("status codes %v, want 200 × 503", codes)
			}
			if s := v.KeyStats()[url]; s.Fetches != 2 || s.Keys != 0 {
				t.Errorf("KeyStats = %+v, want 2 fetches (cold start, then one for 200 requests), no keys", s)
			}
			if conns != nil {
				if n := conns(); n != 2 {
					t.Errorf("key server saw %d connections, want 2", n)
				}
			}
		})
	}
}

// TestFaultDownAfterWarmup: once keys are held, the key server dropping
// every connection changes nothing for MaxKeyAge (24 h by default), checked
// every 10 minutes of fake time while background refreshes keep failing;
// one second later tokens are refused with ErrJWKSUnavailable (503 at the
// middleware) until the server is back.
func TestFaultDownAfterWarmup(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.IDToken))
	if err := v.Warmup(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.SetJWKSHandler(http.HandlerFunc(dropConnection))
	url := p.JWKSURL()

	const step = 10 * time.Minute
	checks := 0
	for age := step; age <= jwks.DefaultMaxKeyAge; age += step {
		clk.Advance(step)
		mustVerify(t, v, p.IDToken(cognitotest.User{})) // a fresh token: no verified-token cache hit
		checks++
		waitFetchesDone(t, v, url, 1)
	}
	s := v.KeyStats()[url]
	// One refresh per step once the keys are older than RefreshInterval.
	wantRefreshes := int64((jwks.DefaultMaxKeyAge - jwks.DefaultRefreshInterval) / step)
	if s.Fetches-1 < wantRefreshes || s.Failures != s.Fetches-1 || s.Keys != 1 {
		t.Errorf("KeyStats after %d checks = %+v, want ≥ %d failed refreshes and the key kept", checks, s, wantRefreshes)
	}
	t.Logf("key server down for %v: %d checks accepted, %d background refreshes failed", jwks.DefaultMaxKeyAge, checks, s.Failures)

	clk.Advance(time.Second)
	token := p.IDToken(cognitotest.User{})
	expectRejected(t, v, token, verifier.ErrJWKSUnavailable, "header.kid")
	srv := protected(t, v)
	if codes := getConcurrently(t, srv, token, 1, nil); codes[http.StatusServiceUnavailable] != 1 {
		t.Errorf("middleware answered %v past MaxKeyAge, want 503", codes)
	}

	p.SetJWKSHandler(nil)
	clk.Advance(jwks.DefaultRefetchCooldown)
	mustVerify(t, v, token)
}

// TestFaultSlowEndpoint: a key server that never answers costs a caller at
// most FetchTimeout, once for all concurrent callers; with keys held, it
// costs nothing at all, since a known kid never waits for a refresh.
func TestFaultSlowEndpoint(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	p, clk := clockedPool(t, cognitotest.Options{})
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) }) // before the pool closes
	hang := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	})
	p.SetJWKSHandler(hang)
	cfg := p.Config(verifier.IDToken)
	cfg.FetchTimeout = timeout
	v := buildVerifier(t, cfg)
	token := p.IDToken(cognitotest.User{})

	worst := concurrentLatency(t, 20, func(int) error {
		_, err := v.Verify(context.Background(), token)
		if !errors.Is(err, verifier.ErrJWKSUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("got %v, want ErrJWKSUnavailable from the fetch deadline", err)
		}
		return nil
	})
	if worst < timeout-50*time.Millisecond || worst > timeout+latencySlack {
		t.Errorf("slowest of 20 callers waited %v; want about FetchTimeout %v", worst, timeout)
	}
	if n := p.JWKSRequests(); n != 1 {
		t.Errorf("JWKS requests = %d, want 1 for 20 concurrent callers", n)
	}
	t.Logf("cold start against a hanging key server: 20 callers, 1 request, slowest waited %v (FetchTimeout %v)", worst, timeout)

	p.SetJWKSHandler(nil)
	clk.Advance(jwks.DefaultRefetchCooldown)
	mustVerify(t, v, token)
	p.SetJWKSHandler(hang)
	clk.Advance(jwks.DefaultRefreshInterval)
	tokens := make([]string, 50)
	for i := range tokens {
		tokens[i] = p.IDToken(cognitotest.User{Username: "user" + itoa(int64(i))})
	}
	warm := concurrentLatency(t, len(tokens), func(i int) error {
		_, err := v.Verify(context.Background(), tokens[i])
		return err
	})
	if warm > timeout/2 {
		t.Errorf("with keys held and a refresh hanging, the slowest of 50 callers waited %v", warm)
	}
	t.Logf("keys held, background refresh hanging: slowest of 50 callers took %v", warm)
}

// TestFaultBadResponses: each malformed answer is a failed fetch: at cold
// start Verify fails with ErrJWKSUnavailable after exactly one request;
// after warm-up the held keys keep serving through a failed refresh.
func TestFaultBadResponses(t *testing.T) {
	t.Parallel()
	elsewhere := &countingServer{}
	other := httptest.NewTLSServer(elsewhere)
	t.Cleanup(other.Close)
	for _, tc := range []struct {
		name    string
		handler func(p *cognitotest.Pool) http.Handler
	}{
		{"status 404", func(*cognitotest.Pool) http.Handler { return http.NotFoundHandler() }},
		{"status 500", func(*cognitotest.Pool) http.Handler { return status(http.StatusInternalServerError)(nil, nil) }},
		{"HTML with status 200", func(*cognitotest.Pool) http.Handler {
			return body("text/html", "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>")(nil, nil)
		}},
		{"truncated JSON", func(p *cognitotest.Pool) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				doc := p.JWKS()
				w.Write(doc[:len(doc)/2])
			})
		}},
		{"connection closed before Content-Length", func(p *cognitotest.Pool) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				doc := p.JWKS()
				w.Header().Set("Content-Length", itoa(int64(len(doc))))
				w.Write(doc[:len(doc)-10])
				w.(http.Flusher).Flush()
				panic(http.ErrAbortHandler) // the server dies mid-body
			})
		}},
		{"10 MiB body", func(p *cognitotest.Pool) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				doc := p.JWKS() // valid keys, then 10 MiB more of them
				w.Write(doc[:len(doc)-2])
				filler := []byte(`,{"kty":"oct","kid":"filler","k":"` + strings.Repeat("A", 64<<10) + `"}`)
				for total := 0; total < 10<<20; total += len(filler) {
					if _, err := w.Write(filler); err != nil {
						return
					}
				}
				w.Write([]byte("]}"))
			})
		}},
		{"redirect loop", func(*cognitotest.Pool) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, r.URL.Path, http.StatusFound)
			})
		}},
		{"redirect to another host", func(*cognitotest.Pool) http.Handler {
			return http.RedirectHandler(other.URL+"/jwks.json", http.StatusMovedPermanently)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			t.Run("cold start", func(t *testing.T) {
				p, _ := clockedPool(t, cognitotest.Options{})
				p.SetJWKSHandler(tc.handler(p))
				cfg := p.Config(verifier.IDToken)
				read := countBodyBytes(&cfg)
				v := buildVerifier(t, cfg)
				began := time.Now()
				expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrJWKSUnavailable, "header.kid")
				if d := time.Since(began); d > latencySlack {
					t.Errorf("refusal took %v", d)
				}
				if n := p.JWKSRequests(); n != 1 {
					t.Errorf("JWKS requests = %d, want 1 (no redirect followed, no retry)", n)
				}
				if n := read.Load(); n > jwks.DefaultMaxJWKSSize+1 {
					t.Errorf("read %d bytes of the body, want at most MaxJWKSSize+1", n)
				} else {
					t.Logf("%s: refused after %v, %d body bytes read", tc.name, time.Since(began), n)
				}
			})
			t.Run("refresh after warm-up", func(t *testing.T) {
				p, clk := clockedPool(t, cognitotest.Options{})
				log := newFetchLog()
				cfg := p.Config(verifier.IDToken)
				cfg.Logger = log.Logger()
				v := buildVerifier(t, cfg)
				mustVerify(t, v, p.IDToken(cognitotest.User{}))
				waitFor(t, log.fetched, "the first fetch")
				p.SetJWKSHandler(tc.handler(p))
				clk.Advance(jwks.DefaultRefreshInterval)
				mustVerify(t, v, p.IDToken(cognitotest.User{})) // starts the refresh
				waitFor(t, log.failed, "the failed refresh")
				mustVerify(t, v, p.IDToken(cognitotest.User{}))
				if s := v.KeyStats()[p.JWKSURL()]; s.Fetches != 2 || s.Failures != 1 || s.Keys != 1 {
					t.Errorf("KeyStats = %+v, want the failed refresh counted and the key kept", s)
				}
			})
		})
	}
	if n := elsewhere.n.Load(); n != 0 {
		t.Errorf("redirect target got %d requests, want 0", n)
	}
}

// TestFaultRemovedKeyEvictsCachedTokens: a token verified (and so cached)
// before its key was unpublished is refused once a refresh has dropped the
// key, like a token never seen before.
func TestFaultRemovedKeyEvictsCachedTokens(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	log := newFetchLog()
	cfg := p.Config(verifier.IDToken)
	cfg.Logger = log.Logger()
	v := buildVerifier(t, cfg)
	oldKid, _ := p.SigningKey()
	old := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(3*time.Hour))
	mustVerify(t, v, old)
	waitFor(t, log.fetched, "the first fetch")

	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute) // past the cooldown
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	waitFor(t, log.fetched, "the fetch for the new kid")
	mustVerify(t, v, old) // still published
	if err := p.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	clk.Advance(jwks.DefaultRefreshInterval)
	mustVerify(t, v, p.IDToken(cognitotest.User{})) // starts the refresh
	waitFor(t, log.fetched, "the refresh without the old key")
	expectRejected(t, v, old, verifier.ErrKeyNotFound, "header.kid")
}

// TestFaultUnknownKidFlood: 10,000 tokens with random unknown kids spread
// over 10 s cause at most 2 key fetches (one per cooldown), every one is
// refused with ErrKeyNotFound, and genuine tokens verify throughout.
func TestFaultUnknownKidFlood(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.AccessToken))
	if err := v.Warmup(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Advance(jwks.DefaultRefetchCooldown) // a fetch may start at the first unknown kid
	before := p.JWKSRequests()

	_, payload, sig := splitToken(p.AccessToken(cognitotest.User{}))
	const total, workers = 10000, 8
	tick := 10 * time.Second / total
	var next, wrong atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			kid := make([]byte, 24)
			for next.Add(1) <= total {
				clk.Advance(tick)
				rand.Read(kid)
				h, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": base64.StdEncoding.EncodeToString(kid)})
				token := base64.RawURLEncoding.EncodeToString(h) + "." + payload + "." + sig
				if _, err := v.Verify(context.Background(), token); !errors.Is(err, verifier.ErrKeyNotFound) {
					if wrong.Add(1) == 1 {
						t.Errorf("unknown kid: got %v, want ErrKeyNotFound", err)
					}
				}
			}
		}()
	}
	for range 20 {
		mustVerify(t, v, p.AccessToken(cognitotest.User{}))
	}
	wg.Wait()
	elapsed := time.Since(began)
	if n := wrong.Load(); n != 0 {
		t.Errorf("%d of %d unknown kids were not refused with ErrKeyNotFound", n, total)
	}
	fetches := p.JWKSRequests() - before
	if fetches < 1 || fetches > 2 {
		t.Errorf("%d unknown kids over 10 s caused %d fetches, want 1 or 2", total, fetches)
	}
	t.Logf("%d unknown kids over 10 s of fake time: %d fetches, %v of real time", total, fetches, elapsed)
}

// TestFaultColdStartThroughMiddleware: 200 concurrent HTTP requests reach a
// protected handler on a cold verifier; all are answered 200 after exactly
// one JWKS request.
func TestFaultColdStartThroughMiddleware(t *testing.T) {
	t.Parallel()
	p := startPool(t, cognitotest.Options{})
	p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Millisecond) // let the requests pile up behind the fetch
		w.Write(p.JWKS())
	}))
	v := buildVerifier(t, p.Config(verifier.AccessToken))
	srv := protected(t, v)
	token := p.AccessToken(cognitotest.User{})
	if codes := getConcurrently(t, srv, token, 200, nil); codes[http.StatusOK] != 200 {
		t.Fatalf("status codes %v, want 200 × 200", codes)
	}
	if n := p.JWKSRequests(); n != 1 {
		t.Fatalf("JWKS requests = %d, want exactly 1", n)
	}
}

// countBodyBytes makes cfg's HTTP client count the response body bytes the
// verifier reads.
func countBodyBytes(cfg *verifier.Config) *atomic.Int64 {
	n := new(atomic.Int64)
	base := *cfg.HTTPClient
	inner := base.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	base.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := inner.RoundTrip(r)
		if resp != nil {
			resp.Body = &countingBody{ReadCloser: resp.Body, n: n}
		}
		return resp, err
	})
	cfg.HTTPClient = &base
	return n
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// protected serves a handler behind middleware.New(v) on 127.0.0.1.
func protected(t testing.TB, v *verifier.Verifier) *httptest.Server {
	t.Helper()
	mw, err := middleware.New(v)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok"))
	})))
	t.Cleanup(srv.Close)
	return srv
}

// getConcurrently sends n concurrent GETs with the bearer token and counts
// the status codes; check, if set, inspects every 503.
func getConcurrently(t *testing.T, srv *httptest.Server, token string, n int, check func(*testing.T, *http.Response, []byte)) map[int]int {
	t.Helper()
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if check != nil && resp.StatusCode == http.StatusServiceUnavailable {
				check(t, resp, b)
			}
			mu.Lock()
			codes[resp.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

// concurrentLatency runs f(0) to f(n-1) on n goroutines at once, reports
// their errors, and returns the longest run.
func concurrentLatency(t *testing.T, n int, f func(i int) error) time.Duration {
	t.Helper()
	var mu sync.Mutex
	var worst time.Duration
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			began := time.Now()
			err := f(i)
			d := time.Since(began)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			worst = max(worst, d)
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return worst
}

// closedPortURL returns an https URL on a 127.0.0.1 port nothing listens on.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/.well-known/jwks.json"
}

// droppingEndpoint returns an https URL on 127.0.0.1 whose server accepts
// each connection and closes it at once, as a crashing key server does, and
// a count of the connections.
func droppingEndpoint(t *testing.T) (string, func() int64) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return "https://" + l.Addr().String() + "/.well-known/jwks.json", n.Load
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter, _ *http.Request) {
	panic(http.ErrAbortHandler)
}

// waitFetchesDone waits until every fetch of url started so far has ended,
// knowing that succeeded of them succeed: the others must be counted as
// failures.
func waitFetchesDone(t *testing.T, v *verifier.Verifier, url string, succeeded int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := v.KeyStats()[url]
		if s.Failures == s.Fetches-succeeded {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("fetch still in flight: %+v", s)
		}
		time.Sleep(time.Millisecond)
	}
}

func splitToken(token string) (header, payload, sig string) {
	parts := strings.SplitN(token, ".", 3)
	return parts[0], parts[1], parts[2]
}
