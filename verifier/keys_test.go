package verifier_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/jwks"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// signWith signs a payload minted by the pool with an arbitrary key under
// an arbitrary kid: tokens of removed keys, forgeries, duplicate kids.
func signWith(t testing.TB, p *cognitotest.Pool, key *rsa.PrivateKey, kid string) string {
	t.Helper()
	_, payload := tokenParts(t, p.IDToken(cognitotest.User{}))
	h, _ := json.Marshal(map[string]any{"kid": kid, "alg": "RS256"})
	c, _ := json.Marshal(payload)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	return input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(key, input))
}

// TestVerifyKeyRotation: a new kid is accepted after one refetch once the
// cooldown has passed (before that it fails fast); old keys keep
// working while published; a removed kid is refused after the next refresh.
func TestVerifyKeyRotation(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	log := newFetchLog()
	cfg := p.Config(verifier.IDToken)
	cfg.Logger = log.Logger()
	v := buildVerifier(t, cfg)
	requests := func(step string, want int64) {
		t.Helper()
		if got := p.JWKSRequests(); got != want {
			t.Fatalf("%s: JWKS requests = %d, want %d", step, got, want)
		}
	}

	oldKid, oldKey := p.SigningKey()
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	requests("cold start", 1)

	newKid, err := p.RotateKey()
	if err != nil {
		t.Fatal(err)
	}
	rotated := p.IDToken(cognitotest.User{})
	expectRejected(t, v, rotated, verifier.ErrKeyNotFound, "header.kid")
	requests("new kid within the cooldown: no fetch", 1)

	clk.Advance(jwks.DefaultRefetchCooldown)
	c := mustVerify(t, v, rotated)
	requests("new kid after the cooldown: one refetch", 2)
	if c.Username != "testuser" {
		t.Errorf("Username = %q", c.Username)
	}
	mustVerify(t, v, signWith(t, p, oldKey, oldKid))
	mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID(newKid)))
	requests("both published keys verify without fetching", 2)

	if err := p.RemoveKey(oldKid); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, v, signWith(t, p, oldKey, oldKid))
	requests("a removed key serves until the next refresh", 2)

	clk.Advance(jwks.DefaultRefreshInterval)
	// The fetches so far all finished before their Verify returned.
	drain(log.fetched)
	// This lookup starts a background refresh.
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	waitFor(t, log.fetched, "the background refresh")
	requests("refresh after RefreshInterval", 3)
	expectRejected(t, v, signWith(t, p, oldKey, oldKid), verifier.ErrKeyNotFound, "header.kid")
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	requests("the removed kid is refused without another fetch", 3)
}

// TestVerifyRefetchCooldown drives the cooldown with a fake clock: unknown
// kids fail at once without a request until it has passed, then cause
// exactly one refetch; known kids verify throughout.
func TestVerifyRefetchCooldown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		cooldown time.Duration // Config.RefetchCooldown
		wait     time.Duration // the cooldown in effect
	}{
		{"default 10s", 0, 10 * time.Second},
		{"configured 1m", time.Minute, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clk := clockedPool(t, cognitotest.Options{})
			cfg := p.Config(verifier.AccessToken)
			cfg.RefetchCooldown = tc.cooldown
			v := buildVerifier(t, cfg)
			requests := func(step string, want int64) {
				t.Helper()
				if got := p.JWKSRequests(); got != want {
					t.Fatalf("%s: JWKS requests = %d, want %d", step, got, want)
				}
			}
			unknown := func(kid string) string {
				return p.AccessToken(cognitotest.User{}, cognitotest.WithKID(kid))
			}

			mustVerify(t, v, p.AccessToken(cognitotest.User{}))
			requests("cold start", 1)
			expectRejected(t, v, unknown("kid-1"), verifier.ErrKeyNotFound, "header.kid")
			requests("unknown kid right after a fetch: none", 1)

			clk.Advance(tc.wait - time.Millisecond)
			expectRejected(t, v, unknown("kid-2"), verifier.ErrKeyNotFound, "header.kid")
			requests("unknown kid 1ms before the cooldown ends: none", 1)

			clk.Advance(time.Millisecond)
			expectRejected(t, v, unknown("kid-3"), verifier.ErrKeyNotFound, "header.kid")
			requests("unknown kid once the cooldown is over: one refetch", 2)
			for i := range 20 {
				expectRejected(t, v, unknown("burst-"+itoa(int64(i))), verifier.ErrKeyNotFound, "header.kid")
			}
			requests("a burst of unknown kids: none", 2)
			mustVerify(t, v, p.AccessToken(cognitotest.User{}))
			requests("a known kid during the cooldown", 2)

			clk.Advance(tc.wait)
			expectRejected(t, v, unknown("kid-4"), verifier.ErrKeyNotFound, "header.kid")
			requests("after the next cooldown: one more", 3)
		})
	}
}

// TestVerifyBadSignatureNeverFetches: a token with a known kid but a bad
// signature is refused without a fetch, even when one would be allowed.
func TestVerifyBadSignatureNeverFetches(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	v := buildVerifier(t, p.Config(verifier.IDToken))
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	clk.Advance(time.Minute) // past the cooldown: an unknown kid could fetch now

	kid, _ := p.SigningKey()
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		expectRejected(t, v, flipSignatureByte(t, p.IDToken(cognitotest.User{})), verifier.ErrSignatureInvalid, "")
		expectRejected(t, v, signWith(t, p, forger, kid), verifier.ErrSignatureInvalid, "")
	}
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS requests = %d, want 1", got)
	}
	// The control: an unknown kid at this point does fetch.
	expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown")), verifier.ErrKeyNotFound, "header.kid")
	if got := p.JWKSRequests(); got != 2 {
		t.Fatalf("JWKS requests = %d, want 2 (control)", got)
	}
}

// TestVerifyConcurrentColdStart: 200 goroutines verifying at once on a cold
// verifier share one JWKS fetch, and all of them wait for it and succeed
// (none fails fast because another started the fetch).
func TestVerifyConcurrentColdStart(t *testing.T) {
	t.Parallel()
	p := startPool(t, cognitotest.Options{})
	got, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(got) })
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		w.Write(p.JWKS())
	}))
	v := buildVerifier(t, p.Config(verifier.AnyToken))

	tokens := make([]string, 20)
	for i := range tokens {
		tokens[i] = p.AccessToken(cognitotest.User{Username: "user" + itoa(int64(i))})
	}
	const n = 200
	errs := make(chan error, n)
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		go func() {
			started.Done()
			_, err := v.Verify(context.Background(), tokens[i%len(tokens)])
			errs <- err
		}()
	}
	started.Wait()
	waitFor(t, got, "the first JWKS request")
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS requests = %d, want exactly 1", got)
	}
}

// TestVerifyEndpointFailures: a key endpoint that fails (500, 404, HTML, no
// usable keys, too slow, a redirect) gives ErrJWKSUnavailable; the failure
// starts a cooldown too (stricter than aws-jwt-verify); the verifier recovers once the
// endpoint does and the cooldown has passed.
func TestVerifyEndpointFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(p *cognitotest.Pool, stop <-chan struct{}) http.Handler
		cause   error         // also matched by errors.Is, when set
		timeout time.Duration // Config.FetchTimeout
	}{
		{name: "status 500", handler: status(http.StatusInternalServerError)},
		{name: "status 404", handler: status(http.StatusNotFound)},
		{name: "status 204", handler: status(http.StatusNoContent)},
		{name: "HTML error page with status 200", handler: body("text/html", "<html><body>Service Unavailable</body></html>")},
		{name: "keys not an array", handler: body("application/json", `{"keys":{}}`)},
		{name: "JSON without usable keys", handler: body("application/json", `{"keys":[{"kty":"oct","kid":"k","k":"c2VjcmV0"}]}`), cause: jwks.ErrNoUsableKeys},
		{name: "body over 1 MiB (stricter)", handler: func(p *cognitotest.Pool, _ <-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				big := make([]byte, 1<<20)
				for i := range big {
					big[i] = ' '
				}
				w.Write(big) // a valid document after 1 MiB of white space
				w.Write(p.JWKS())
			})
		}},
		{name: "redirect to the right document not followed", handler: func(p *cognitotest.Pool, _ <-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Has("real") {
					w.Write(p.JWKS())
					return
				}
				http.Redirect(w, r, r.URL.Path+"?real", http.StatusFound)
			})
		}},
		{name: "slower than FetchTimeout", cause: context.DeadlineExceeded, timeout: time.Second, handler: func(_ *cognitotest.Pool, stop <-chan struct{}) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-stop:
				case <-r.Context().Done():
				}
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clk := clockedPool(t, cognitotest.Options{})
			stop := make(chan struct{})
			t.Cleanup(func() { close(stop) }) // runs before the pool closes
			p.SetJWKSHandler(tc.handler(p, stop))
			cfg := p.Config(verifier.IDToken)
			cfg.FetchTimeout = tc.timeout
			v := buildVerifier(t, cfg)

			token := p.IDToken(cognitotest.User{})
			ve := expectRejected(t, v, token, verifier.ErrJWKSUnavailable, "header.kid")
			if tc.cause != nil && !errors.Is(ve, tc.cause) {
				t.Errorf("error %v does not wrap %v", ve, tc.cause)
			}
			expectRejected(t, v, token, verifier.ErrJWKSUnavailable, "header.kid")
			if got := p.JWKSRequests(); got != 1 {
				t.Fatalf("JWKS requests = %d, want 1 (a failure starts the cooldown, no retry storm)", got)
			}
			if s := v.KeyStats()[p.JWKSURL()]; s.Fetches != 1 || s.Failures != 1 || s.Keys != 0 {
				t.Errorf("KeyStats = %+v", s)
			}

			p.SetJWKSHandler(nil)
			clk.Advance(10 * time.Second)
			mustVerify(t, v, token)
		})
	}
}

// drain empties a fetchLog channel of the events of earlier fetches.
func drain(ch <-chan struct{}) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func status(code int) func(*cognitotest.Pool, <-chan struct{}) http.Handler {
	return func(*cognitotest.Pool, <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) })
	}
}

func body(contentType, text string) func(*cognitotest.Pool, <-chan struct{}) http.Handler {
	return func(*cognitotest.Pool, <-chan struct{}) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.Write([]byte(text))
		})
	}
}

// TestVerifyCallerContext: the caller's context bounds its wait for keys.
func TestVerifyCallerContext(t *testing.T) {
	t.Parallel()
	p := startPool(t, cognitotest.Options{})
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	v := buildVerifier(t, p.Config(verifier.IDToken)) // FetchTimeout 5 s
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	token := p.IDToken(cognitotest.User{})
	c, err := v.Verify(ctx, token)
	ve := checkRejected(t, c, err, token, verifier.ErrJWKSUnavailable, "header.kid")
	if !errors.Is(ve, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap the caller's deadline", ve)
	}
}

// TestVerifyStaleKeysServeUntilMaxKeyAge: when refreshes fail, the last good
// keys keep serving until they are MaxKeyAge old, then ErrJWKSUnavailable.
func TestVerifyStaleKeysServeUntilMaxKeyAge(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	log := newFetchLog()
	cfg := p.Config(verifier.IDToken)
	cfg.MaxKeyAge = 3 * time.Hour
	cfg.Logger = log.Logger()
	v := buildVerifier(t, cfg)

	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	waitFor(t, log.fetched, "the first fetch")
	p.SetJWKSHandler(status(http.StatusServiceUnavailable)(p, nil))

	clk.Advance(time.Hour) // RefreshInterval: the next lookup refreshes in the background
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	waitFor(t, log.failed, "the failed background refresh")
	mustVerify(t, v, p.IDToken(cognitotest.User{}))

	clk.Advance(2 * time.Hour) // exactly MaxKeyAge
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	waitFor(t, log.failed, "the second failed refresh")

	clk.Advance(time.Second)
	expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrJWKSUnavailable, "header.kid")

	p.SetJWKSHandler(nil)
	clk.Advance(10 * time.Second)
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
}

// TestVerifyIgnoresKeyLocationHeaders: jku, x5u, jwk and x5c never make the
// verifier fetch or trust a key from anywhere but its configured URL. The
// attacker's pool is a second HTTPS server whose requests are counted.
func TestVerifyIgnoresKeyLocationHeaders(t *testing.T) {
	t.Parallel()
	victim := frozenPool(t)
	attacker := startPool(t, cognitotest.Options{UserPoolID: victim.UserPoolID(), ClientIDs: victim.ClientIDs()})
	elsewhere := &countingServer{}
	srv := httptest.NewTLSServer(elsewhere)
	t.Cleanup(srv.Close)

	var attackerJWK map[string]any
	var doc struct{ Keys []map[string]any }
	if err := json.Unmarshal(attacker.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	attackerJWK = doc.Keys[0]
	hostile := []cognitotest.TokenOption{
		cognitotest.WithHeader("jku", attacker.JWKSURL()),
		cognitotest.WithHeader("x5u", srv.URL+"/cert.pem"),
		cognitotest.WithHeader("jwk", attackerJWK),
		cognitotest.WithHeader("x5c", []string{base64.StdEncoding.EncodeToString([]byte("not a certificate"))}),
	}
	v := buildVerifier(t, victim.Config(verifier.IDToken))

	// The attacker's kids have the same shape as the victim's, so this
	// forgery names a kid the victim publishes.
	expectRejected(t, v, attacker.IDToken(cognitotest.User{Groups: []string{"admin"}}, hostile...), verifier.ErrSignatureInvalid, "")
	expectRejected(t, v, attacker.IDToken(cognitotest.User{}, append(hostile, cognitotest.WithKID("attacker-kid"))...), verifier.ErrKeyNotFound, "header.kid")
	// A genuine token carrying the headers verifies: they are ignored.
	mustVerify(t, v, victim.IDToken(cognitotest.User{}, hostile...))

	if n, m := attacker.JWKSRequests(), elsewhere.n.Load(); n != 0 || m != 0 {
		t.Fatalf("requests elsewhere: attacker's JWKS %d, x5u server %d; want none", n, m)
	}
}

// TestVerifyWarmup: Warmup fetches the keys so the first Verify does not,
// fetches again when called again, and reports failures.
func TestVerifyWarmup(t *testing.T) {
	t.Parallel()
	t.Run("fetches once, Verify then needs nothing", func(t *testing.T) {
		t.Parallel()
		p := startPool(t, cognitotest.Options{})
		v := buildVerifier(t, p.Config(verifier.IDToken))
		if p.JWKSRequests() != 0 {
			t.Fatal("New fetched keys")
		}
		if err := v.Warmup(context.Background()); err != nil {
			t.Fatalf("Warmup: %v", err)
		}
		mustVerify(t, v, p.IDToken(cognitotest.User{}))
		if got := p.JWKSRequests(); got != 1 {
			t.Fatalf("JWKS requests = %d, want 1", got)
		}
		if err := v.Warmup(context.Background()); err != nil {
			t.Fatalf("second Warmup: %v", err)
		}
		if got := p.JWKSRequests(); got != 2 {
			t.Fatalf("JWKS requests = %d, want 2 (Warmup ignores the cooldown)", got)
		}
	})
	t.Run("reports a failing endpoint", func(t *testing.T) {
		t.Parallel()
		p := startPool(t, cognitotest.Options{})
		p.SetJWKSHandler(status(http.StatusForbidden)(p, nil))
		v := buildVerifier(t, p.Config(verifier.IDToken))
		err := v.Warmup(context.Background())
		var fe *jwks.FetchError
		if !errors.As(err, &fe) || fe.StatusCode != http.StatusForbidden {
			t.Fatalf("Warmup error = %v, want a *jwks.FetchError with status 403", err)
		}
		expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrJWKSUnavailable, "header.kid")
	})
	t.Run("every pool", func(t *testing.T) {
		t.Parallel()
		a := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_WarmA"})
		b := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_WarmB"})
		cfg := a.Config(verifier.IDToken)
		cfg.Pools = []verifier.Pool{{UserPoolID: b.UserPoolID(), ClientIDs: b.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: b.JWKSURL()}}
		v := buildVerifier(t, cfg)
		if err := v.Warmup(context.Background()); err != nil {
			t.Fatalf("Warmup: %v", err)
		}
		if a.JWKSRequests() != 1 || b.JWKSRequests() != 1 {
			t.Fatalf("JWKS requests a=%d b=%d, want 1 each", a.JWKSRequests(), b.JWKSRequests())
		}
	})
}

// TestVerifyPreloadedJWKS: Config.JWKS verifies with zero requests before
// RefreshInterval, and a rotated key is still picked up by a fetch.
func TestVerifyPreloadedJWKS(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.AnyToken)
	cfg.JWKS = p.JWKS()
	v := buildVerifier(t, cfg)
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	mustVerify(t, v, p.AccessToken(cognitotest.User{}))
	clk.Advance(time.Hour - time.Second) // under RefreshInterval
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	if got := p.JWKSRequests(); got != 0 {
		t.Fatalf("JWKS requests = %d, want 0", got)
	}

	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS requests = %d, want 1 (the rotated key)", got)
	}

	t.Run("unusable preloaded set refused by New", func(t *testing.T) {
		cfg := p.Config(verifier.IDToken)
		cfg.JWKS = []byte(`{"keys":[]}`)
		if _, err := verifier.New(cfg); err == nil {
			t.Fatal("New accepted a JWKS without usable keys")
		}
	})
}

// TestVerifyJWKSContents covers the key-level cases: which keys of a
// served set are usable, and that the one chosen by kid must fit the token.
// Each case serves its own document from its own server.
func TestVerifyJWKSContents(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	kid, _ := p.SigningKey()
	var doc struct{ Keys []map[string]any }
	if err := json.Unmarshal(p.JWKS(), &doc); err != nil {
		t.Fatal(err)
	}
	poolJWK := doc.Keys[0]
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	with := func(edit func(k map[string]any)) map[string]any {
		k := make(map[string]any, len(poolJWK))
		for n, v := range poolJWK {
			k[n] = v
		}
		edit(k)
		return k
	}
	poolToken := p.IDToken(cognitotest.User{})
	otherToken := signWith(t, p, other, kid)

	for _, tc := range []struct {
		name   string
		keys   []any
		token  string
		reason error
		claim  string
	}{
		{name: "the pool's set as published", keys: []any{poolJWK}, token: poolToken},
		{name: "use absent accepted", keys: []any{with(func(k map[string]any) { delete(k, "use") })}, token: poolToken},
		{name: "JWK alg absent accepted", keys: []any{with(func(k map[string]any) { delete(k, "alg") })}, token: poolToken},
		{name: "use enc makes the key unusable", keys: []any{with(func(k map[string]any) { k["use"] = "enc" }), rsaJWK(other, "spare")},
			token: poolToken, reason: verifier.ErrKeyNotFound, claim: "header.kid"},
		{name: "JWK alg RS512 under an RS256 token", keys: []any{with(func(k map[string]any) { k["alg"] = "RS512" })},
			token: poolToken, reason: verifier.ErrAlgorithm, claim: "header.alg"},
		{name: "kty oct under the kid is unusable", keys: []any{map[string]any{"kty": "oct", "kid": kid, "k": "c2VjcmV0c2VjcmV0c2VjcmV0"}, rsaJWK(other, "spare")},
			token: poolToken, reason: verifier.ErrKeyNotFound, claim: "header.kid"},
		{name: "RSA key without n is unusable", keys: []any{with(func(k map[string]any) { delete(k, "n") }), rsaJWK(other, "spare")},
			token: poolToken, reason: verifier.ErrKeyNotFound, claim: "header.kid"},
		{name: "RSA key without e is unusable", keys: []any{with(func(k map[string]any) { delete(k, "e") }), rsaJWK(other, "spare")},
			token: poolToken, reason: verifier.ErrKeyNotFound, claim: "header.kid"},
		{name: "RSA key under 2048 bits is unusable", keys: []any{rsaJWK(small, kid), rsaJWK(other, "spare")},
			token: signWith(t, p, small, kid), reason: verifier.ErrKeyNotFound, claim: "header.kid"},
		{name: "duplicate kid: the first key wins (stricter)", keys: []any{rsaJWK(other, kid), poolJWK}, token: otherToken},
		{name: "duplicate kid: no fallback to the second key (stricter)", keys: []any{rsaJWK(other, kid), poolJWK},
			token: poolToken, reason: verifier.ErrSignatureInvalid},
		{name: "a malformed key does not spoil the set (stricter)", keys: []any{map[string]any{"kty": 5}, "garbage", poolJWK}, token: poolToken},
		{name: "keys without kid, or of other types, are skipped", keys: []any{
			with(func(k map[string]any) { delete(k, "kid") }), map[string]any{"kty": "EC", "crv": "P-256", "kid": "ec"}, poolJWK,
		}, token: poolToken},
		{name: "no usable key at all", keys: []any{with(func(k map[string]any) { k["use"] = "enc" })},
			token: poolToken, reason: verifier.ErrJWKSUnavailable, claim: "header.kid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, err := json.Marshal(map[string]any{"keys": tc.keys})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(body) }))
			t.Cleanup(srv.Close)
			cfg := p.Config(verifier.IDToken)
			cfg.JWKSURL, cfg.HTTPClient = srv.URL, srv.Client()
			v := buildVerifier(t, cfg)
			if tc.reason == nil {
				mustVerify(t, v, tc.token)
			} else {
				expectRejected(t, v, tc.token, tc.reason, tc.claim)
			}
		})
	}
}

func rsaJWK(k *rsa.PrivateKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}

// TestVerifyClockAfterKeyWait: a token is checked at a time read after any
// wait for keys, so one that expires while its keys are fetched is refused.
func TestVerifyClockAfterKeyWait(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	set := p.JWKS()
	p.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		clk.Advance(time.Minute) // a slow fetch
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(set)
	}))
	v := buildVerifier(t, p.Config(verifier.IDToken))
	token := p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(30*time.Second))
	expectRejected(t, v, token, verifier.ErrTokenExpired, "exp")
	// The keys are held now: a token valid at the clock verifies, without a fetch.
	mustVerify(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithLifetime(30*time.Second)))
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS requests = %d, want 1", got)
	}
}

// TestVerifyPreloadedKeysRefreshed: preloaded keys are refreshed from the
// pool's key URL like fetched ones: once the pool withdraws a key and the
// clock passes RefreshInterval, tokens signed with it are refused, the
// cached one included.
func TestVerifyPreloadedKeysRefreshed(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.IDToken)
	cfg.JWKS = p.JWKS()
	v := buildVerifier(t, cfg)
	cached := p.IDToken(cognitotest.User{Username: "cached"}, cognitotest.WithLifetime(24*time.Hour))
	fresh := p.IDToken(cognitotest.User{Username: "fresh"}, cognitotest.WithLifetime(24*time.Hour))
	mustVerify(t, v, cached)
	old, _ := p.SigningKey()
	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveKey(old); err != nil {
		t.Fatal(err)
	}

	clk.Advance(verifier.DefaultRefreshInterval + time.Second)
	mustVerify(t, v, cached) // served at once; the refresh starts behind it
	waitRefreshed(t, v, clk.Now())
	expectRejected(t, v, cached, verifier.ErrKeyNotFound, "header.kid")
	expectRejected(t, v, fresh, verifier.ErrKeyNotFound, "header.kid")
	mustVerify(t, v, p.IDToken(cognitotest.User{})) // the new key verifies
}

// TestVerifyPinJWKS: with PinJWKS the preloaded keys are frozen: no fetch,
// however old, and a token of a key not preloaded is refused.
func TestVerifyPinJWKS(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{})
	cfg := p.Config(verifier.IDToken)
	cfg.JWKS, cfg.PinJWKS = p.JWKS(), true
	v := buildVerifier(t, cfg)
	if err := v.Warmup(t.Context()); err != nil {
		t.Fatalf("Warmup: %v", err)
	}
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	if _, err := p.RotateKey(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(48 * time.Hour) // past MaxKeyAge and RefreshInterval
	expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrKeyNotFound, "header.kid")
	if got := p.JWKSRequests(); got != 0 {
		t.Fatalf("JWKS requests = %d, want 0 with PinJWKS", got)
	}
}

// waitRefreshed waits until every key cache of v has fetched successfully
// at the fake time now.
func waitRefreshed(t *testing.T, v *verifier.Verifier, now time.Time) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		done := true
		for _, st := range v.KeyStats() {
			if st.Fetches > 0 && !st.LastSuccess.Equal(now) {
				done = false
			}
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the refresh: %+v", v.KeyStats())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
