package verifier_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// epoch is the fake clocks' starting time: whole seconds, so that exp/iat
// edges computed by the pool compare exactly.
var epoch = time.Unix(1_800_000_000, 0)

// fakeClock is a settable clock shared by a pool (iat, exp) and a verifier
// (Config.Now), so that tests move time instead of sleeping.
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

// startPool starts a fake user pool closed at the end of the test.
func startPool(t testing.TB, opts cognitotest.Options) *cognitotest.Pool {
	t.Helper()
	p, err := cognitotest.NewPool(opts)
	if err != nil {
		t.Fatalf("cognitotest.NewPool: %v", err)
	}
	t.Cleanup(p.Close)
	return p
}

// clockedPool starts a pool and a fake clock that drives both it and the
// configs it returns.
func clockedPool(t testing.TB, opts cognitotest.Options) (*cognitotest.Pool, *fakeClock) {
	t.Helper()
	clk := newFakeClock()
	opts.Now = clk.Now
	return startPool(t, opts), clk
}

var (
	frozenOnce sync.Once
	frozen     *cognitotest.Pool
	frozenErr  error
)

// frozenPool returns a pool shared by the read-only tests of this package:
// its clock stands still at epoch, nobody rotates its keys or replaces its
// handler, and every test gets its own verifier (so its own key cache).
func frozenPool(t testing.TB) *cognitotest.Pool {
	t.Helper()
	frozenOnce.Do(func() {
		frozen, frozenErr = cognitotest.NewPool(cognitotest.Options{
			ClientIDs: []string{"frozenclient1", "frozenclient2"},
			Now:       func() time.Time { return epoch },
		})
	})
	if frozenErr != nil {
		t.Fatalf("cognitotest.NewPool: %v", frozenErr)
	}
	return frozen
}

// buildVerifier calls verifier.New and closes the verifier at the end of the test.
func buildVerifier(t testing.TB, cfg verifier.Config) *verifier.Verifier {
	t.Helper()
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatalf("verifier.New: %v", err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// mustVerify verifies token and fails the test on any error.
func mustVerify(t testing.TB, v *verifier.Verifier, token string) *claims.Claims {
	t.Helper()
	c, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("Verify: unexpected error: %v", err)
	}
	if c == nil {
		t.Fatal("Verify: nil claims without error")
	}
	return c
}

// expectRejected verifies token and checks that it is refused for reason,
// reported on claim, with no claims returned and no part of the token in
// the error text. It returns the *ValidationError.
func expectRejected(t testing.TB, v *verifier.Verifier, token string, reason error, claim string) *verifier.ValidationError {
	t.Helper()
	c, err := v.Verify(context.Background(), token)
	return checkRejected(t, c, err, token, reason, claim)
}

func checkRejected(t testing.TB, c *claims.Claims, err error, token string, reason error, claim string) *verifier.ValidationError {
	t.Helper()
	if err == nil {
		t.Fatalf("Verify accepted the token, want %v", reason)
	}
	if c != nil {
		t.Errorf("Verify returned claims with error %v", err)
	}
	if !errors.Is(err, reason) {
		t.Fatalf("Verify error = %v, want errors.Is %v", err, reason)
	}
	for _, other := range allReasons {
		if other != reason && errors.Is(err, other) {
			t.Errorf("Verify error %v also matches %v", err, other)
		}
	}
	var ve *verifier.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Verify error %T is not a *verifier.ValidationError", err)
	}
	if ve.Reason != reason {
		t.Errorf("ValidationError.Reason = %v, want %v", ve.Reason, reason)
	}
	if ve.Claim != claim {
		t.Errorf("ValidationError.Claim = %q, want %q (error: %v)", ve.Claim, claim, err)
	}
	assertNoTokenInError(t, err, token)
	return ve
}

var allReasons = []error{
	verifier.ErrTokenMalformed, verifier.ErrTokenTooLarge, verifier.ErrAlgorithm,
	verifier.ErrKeyNotFound, verifier.ErrSignatureInvalid, verifier.ErrTokenExpired,
	verifier.ErrTokenNotYetValid, verifier.ErrIssuerMismatch, verifier.ErrTokenUseMismatch,
	verifier.ErrClientMismatch, verifier.ErrJWKSUnavailable, verifier.ErrCustomCheck,
}

// assertNoTokenInError checks that neither the token nor any of its
// segments long enough to be telling appears in the error text.
func assertNoTokenInError(t testing.TB, err error, token string) {
	t.Helper()
	msg := err.Error()
	if token != "" && strings.Contains(msg, token) {
		t.Errorf("error text contains the token: %q", msg)
	}
	for _, seg := range strings.Split(token, ".") {
		if len(seg) >= 16 && strings.Contains(msg, seg) {
			t.Errorf("error text contains a token segment: %q", msg)
		}
	}
}

// tokenParts decodes a token's header and payload into maps.
func tokenParts(t testing.TB, token string) (header, payload map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	decode := func(s string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode segment: %v", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("unmarshal segment: %v", err)
		}
		return m
	}
	return decode(parts[0]), decode(parts[1])
}

// resign decodes a pool-minted token, lets edit change its header and
// payload, and signs the result again with the pool's key for the kid.
func resign(t testing.TB, p *cognitotest.Pool, token string, edit func(header, payload map[string]any)) string {
	t.Helper()
	h, c := tokenParts(t, token)
	edit(h, c)
	return p.Sign(h, c)
}

// signRaw signs hand-written header and payload JSON (which may hold
// duplicate keys or odd types no map can express) with the pool's current key.
func signRaw(p *cognitotest.Pool, headerJSON, payloadJSON string) string {
	_, key := p.SigningKey()
	input := base64.RawURLEncoding.EncodeToString([]byte(headerJSON)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payloadJSON))
	return input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(key, input))
}

// flipSignatureByte returns token with one byte of its decoded signature
// changed, re-encoded canonically (so only the signature check can fail).
func flipSignatureByte(t testing.TB, token string) string {
	t.Helper()
	i := strings.LastIndexByte(token, '.')
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	sig[len(sig)/2] ^= 0x01
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

// fetchLog is a slog handler that reports each completed JWKS fetch on a
// channel, so tests can wait for a background refresh without sleeping.
type fetchLog struct {
	fetched chan struct{} // one value per successful fetch
	failed  chan struct{} // one value per failed fetch
}

func newFetchLog() *fetchLog {
	return &fetchLog{fetched: make(chan struct{}, 64), failed: make(chan struct{}, 64)}
}

func (l *fetchLog) Logger() *slog.Logger                     { return slog.New(l) }
func (l *fetchLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *fetchLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *fetchLog) WithGroup(string) slog.Handler            { return l }
func (l *fetchLog) Handle(_ context.Context, r slog.Record) error {
	switch r.Message {
	case "jwks: fetched key set":
		l.fetched <- struct{}{}
	case "jwks: fetch failed":
		l.failed <- struct{}{}
	}
	return nil
}

// waitFor waits for one value on ch, or fails the test after a generous
// bound (a hang would otherwise last until the test binary times out).
func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// recordingTransport answers every request with a fixed JWKS and records the
// URLs asked for, so that derived AWS URLs can be observed without network.
type recordingTransport struct {
	jwks []byte
	mu   sync.Mutex
	urls []string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.urls = append(rt.urls, r.URL.String())
	rt.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": []string{"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(rt.jwks)),
		Request:    r,
	}, nil
}

func (rt *recordingTransport) URLs() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]string(nil), rt.urls...)
}

// countingServer is an extra HTTP handler that counts requests: a place a
// hostile token might try to send the verifier.
type countingServer struct{ n atomic.Int64 }

func (s *countingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.n.Add(1)
	http.NotFound(w, r)
}
