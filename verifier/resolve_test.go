package verifier_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// tenants is a ResolvePool backed by fake pools, keyed by issuer, that
// counts its calls. A pool it does not hold is answered with (nil, nil),
// unless answer is set, which then decides every answer.
type tenants struct {
	mu     sync.Mutex
	pools  map[string]*cognitotest.Pool
	asked  []string
	calls  atomic.Int64
	answer func(ctx context.Context, issuer string) (*verifier.Pool, error)
}

func newTenants(pools ...*cognitotest.Pool) *tenants {
	ts := &tenants{pools: make(map[string]*cognitotest.Pool)}
	for _, p := range pools {
		ts.pools[p.Issuer()] = p
	}
	return ts
}

func (ts *tenants) Resolve(ctx context.Context, issuer string) (*verifier.Pool, error) {
	ts.calls.Add(1)
	ts.mu.Lock()
	ts.asked = append(ts.asked, issuer)
	p := ts.pools[issuer]
	answer := ts.answer
	ts.mu.Unlock()
	if answer != nil {
		return answer(ctx, issuer)
	}
	if p == nil {
		return nil, nil
	}
	return tenantPool(p), nil
}

func (ts *tenants) Asked() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.asked...)
}

// tenantPool is the Pool a resolver returns for a fake pool: its ID and
// clients, with the key URL of its local server.
func tenantPool(p *cognitotest.Pool) *verifier.Pool {
	return &verifier.Pool{UserPoolID: p.UserPoolID(), ClientIDs: p.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: p.JWKSURL()}
}

// resolvedConfig is a Config with no configured pool, resolving through
// ts, on clk, trusting the fake pools' TLS certificate (httptest servers
// share one).
func resolvedConfig(p *cognitotest.Pool, ts *tenants, clk *fakeClock) verifier.Config {
	return verifier.Config{ResolvePool: ts.Resolve, HTTPClient: p.HTTPClient(), Now: clk.Now, CacheSize: -1}
}

func wantCalls(t *testing.T, ts *tenants, want int64, step string) {
	t.Helper()
	if got := ts.calls.Load(); got != want {
		asked := ts.Asked()
		t.Fatalf("%s: ResolvePool calls = %d, want %d (first asked: %q)", step, got, want, asked[:min(len(asked), 3)])
	}
}

func wantFetches(t *testing.T, p *cognitotest.Pool, want int64, step string) {
	t.Helper()
	if got := p.JWKSRequests(); got != want {
		t.Fatalf("%s: JWKS requests of %s = %d, want %d", step, p.UserPoolID(), got, want)
	}
}

// TestResolvePoolOnlyConfig: a Config with ResolvePool and no configured
// pool is valid, and verifies tokens of every pool it resolves, each
// checked on its own clients and keys.
func TestResolvePoolOnlyConfig(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	a := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_TenantA", ClientIDs: []string{"clienta"}, Now: clk.Now})
	b := startPool(t, cognitotest.Options{UserPoolID: "eu-west-1_TenantB", ClientIDs: []string{"clientb"}, Now: clk.Now})
	ts := newTenants(a, b)
	v := buildVerifier(t, resolvedConfig(a, ts, clk))

	ca := mustVerify(t, v, a.IDToken(cognitotest.User{Username: "ann"}))
	cb := mustVerify(t, v, b.IDToken(cognitotest.User{Username: "bob"}))
	if ca.Issuer != a.Issuer() || cb.Issuer != b.Issuer() || ca.Username != "ann" || cb.Username != "bob" {
		t.Errorf("claims: A %q %q, B %q %q", ca.Issuer, ca.Username, cb.Issuer, cb.Username)
	}
	mustVerify(t, v, a.IDToken(cognitotest.User{}))
	wantCalls(t, ts, 2, "one call per pool")
	wantFetches(t, a, 1, "pool A")
	wantFetches(t, b, 1, "pool B")

	expectRejected(t, v, a.IDToken(cognitotest.User{}, cognitotest.WithClientID("clientb")), verifier.ErrClientMismatch, "aud")
	expectRejected(t, v, b.AccessToken(cognitotest.User{}), verifier.ErrTokenUseMismatch, "token_use")
	// A token naming pool B signed with pool A's key, under A's kid: B's
	// keys only are consulted.
	aKid, _ := a.SigningKey()
	expectRejected(t, v, resign(t, a, b.IDToken(cognitotest.User{}), func(h, _ map[string]any) { h["kid"] = aKid }),
		verifier.ErrKeyNotFound, "header.kid")
	if stats := v.KeyStats(); len(stats) != 2 || stats[a.JWKSURL()].Fetches != 1 {
		t.Errorf("KeyStats = %+v, want the two resolved pools' URLs", stats)
	}
}

// TestResolvePoolConfig: the configuration errors New reports.
func TestResolvePoolConfig(t *testing.T) {
	t.Parallel()
	resolve := func(context.Context, string) (*verifier.Pool, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		cfg  verifier.Config
		want string // in New's error; empty for a valid Config
	}{
		{"resolver only", verifier.Config{ResolvePool: resolve}, ""},
		{"resolver and MaxPools", verifier.Config{ResolvePool: resolve, MaxPools: 5}, ""},
		{"resolver and a pool", verifier.Config{ResolvePool: resolve, UserPoolID: "us-east-1_Abc", TokenUse: verifier.IDToken, SkipClientIDCheck: true}, ""},
		{"nothing", verifier.Config{}, "no user pool configured"},
		{"MaxPools without resolver", verifier.Config{UserPoolID: "us-east-1_Abc", TokenUse: verifier.IDToken, SkipClientIDCheck: true, MaxPools: 5}, "MaxPools is set but ResolvePool is nil"},
		{"negative MaxPools", verifier.Config{ResolvePool: resolve, MaxPools: -1}, "MaxPools is negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := verifier.New(tc.cfg)
			if v != nil {
				defer v.Close()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestResolvePoolCognitoShapes: every issuer of Cognito's shape reaches
// ResolvePool exactly as the token names it: both forms, each partition's
// DNS suffix, regions no list knows.
func TestResolvePoolCognitoShapes(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	for _, iss := range []string{
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
		"https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123",
		"https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_China1",
		"https://issuer-cognito-idp.cn-northwest-1.amazonaws.com.cn/cn-northwest-1_Ningxia9",
		"https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_Gov1",
		"https://cognito-idp.eusc-de-east-1.amazonaws.com/eusc-de-east-1_Sov1",
		"https://cognito-idp.ap-southeast-7.amazonaws.com/ap-southeast-7_New9",
	} {
		t.Run(iss, func(t *testing.T) {
			t.Parallel()
			ts := newTenants()
			v := buildVerifier(t, verifier.Config{ResolvePool: ts.Resolve, Now: func() time.Time { return epoch }})
			token := p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", iss))
			ve := expectRejected(t, v, token, verifier.ErrIssuerMismatch, "iss")
			if got := ts.Asked(); len(got) != 1 || got[0] != iss {
				t.Fatalf("ResolvePool asked %q, want [%q]", got, iss)
			}
			if ve.Err == nil || !strings.Contains(ve.Err.Error(), "knows no pool") {
				t.Errorf("ValidationError.Err = %v, want the (nil, nil) answer", ve.Err)
			}
		})
	}
}

// TestResolvePoolNonCognitoIssuerNeverResolved: an iss not of Cognito's
// shape is refused as before, and ResolvePool never sees it.
func TestResolvePoolNonCognitoIssuerNeverResolved(t *testing.T) {
	t.Parallel()
	p := frozenPool(t)
	ts := newTenants()
	ts.answer = func(context.Context, string) (*verifier.Pool, error) {
		t.Error("ResolvePool called")
		return nil, nil
	}
	v := buildVerifier(t, verifier.Config{ResolvePool: ts.Resolve, Now: func() time.Time { return epoch }})
	for _, tc := range []struct{ name, iss string }{
		{"emulator", "http://localhost:9229/local_5x8a7q5"},
		{"plain http", "http://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		{"other host", "https://auth.example.com/us-east-1_AbC123"},
		{"identity pools", "https://cognito-identity.amazonaws.com"},
		{"upper-case host", "https://Cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		{"trailing slash", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/"},
		{"extra path", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123/.well-known"},
		{"port", "https://cognito-idp.us-east-1.amazonaws.com:443/us-east-1_AbC123"},
		{"query", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123?x=1"},
		{"userinfo", "https://cognito-idp.us-east-1.amazonaws.com@evil.example/us-east-1_AbC123"},
		{"China pool on .com", "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_China1"},
		{"commercial pool on .com.cn", "https://cognito-idp.us-east-1.amazonaws.com.cn/us-east-1_AbC123"},
		{"host and pool regions differ", "https://cognito-idp.eu-west-1.amazonaws.com/us-east-1_AbC123"},
		{"not a region", "https://cognito-idp.local.amazonaws.com/local_AbC123"},
		{"bad pool suffix", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab-C123"},
		{"empty pool suffix", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_"},
		{"pool ID too long", "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_" + strings.Repeat("a", 50)},
		{"double form prefix", "https://issuer-issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", tc.iss)), verifier.ErrIssuerMismatch, "iss")
		})
	}
	wantCalls(t, ts, 0, "after every non-Cognito iss")
}

// TestResolvePoolSingleFlight: tokens naming one unknown issuer at the same
// time make one ResolvePool call and one key fetch, and all verify.
func TestResolvePoolSingleFlight(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Flight1"})
	ts := newTenants(p)
	release := make(chan struct{})
	ts.answer = func(context.Context, string) (*verifier.Pool, error) {
		<-release
		return tenantPool(p), nil
	}
	v := buildVerifier(t, resolvedConfig(p, ts, clk))

	const n = 32
	var started, done sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		started.Add(1)
		done.Add(1)
		token := p.IDToken(cognitotest.User{Username: fmt.Sprintf("user%d", i)})
		go func() {
			defer done.Done()
			started.Done()
			_, err := v.Verify(context.Background(), token)
			errs <- err
		}()
	}
	started.Wait()
	time.Sleep(50 * time.Millisecond) // let them all reach the call in flight
	close(release)
	done.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Verify: %v", err)
		}
	}
	wantCalls(t, ts, 1, "32 concurrent tokens")
	wantFetches(t, p, 1, "32 concurrent tokens")
}

// TestResolvePoolNegativeCache: a refusal, (nil, nil) or an error, is
// remembered for RefetchCooldown: the issuer's tokens are refused without a
// call within it and ask again after it. Nothing fetches keys.
func TestResolvePoolNegativeCache(t *testing.T) {
	t.Parallel()
	errDown := errors.New("tenant database down")
	for _, tc := range []struct {
		name   string
		answer func(context.Context, string) (*verifier.Pool, error)
		cause  error // wrapped by the refusal, if not nil
	}{
		{"nil pool", func(context.Context, string) (*verifier.Pool, error) { return nil, nil }, nil},
		{"error", func(context.Context, string) (*verifier.Pool, error) { return nil, errDown }, errDown},
		{"panic", func(context.Context, string) (*verifier.Pool, error) { panic("tenant table corrupt") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Refused1"})
			ts := newTenants(p)
			ts.answer = tc.answer
			cfg := resolvedConfig(p, ts, clk)
			cfg.RefetchCooldown = 30 * time.Second
			v := buildVerifier(t, cfg)
			refuse := func(step string, calls int64) {
				t.Helper()
				ve := expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrIssuerMismatch, "iss")
				if tc.cause != nil && !errors.Is(ve, tc.cause) {
					t.Errorf("%s: error %v does not wrap %v", step, ve, tc.cause)
				}
				wantCalls(t, ts, calls, step)
			}
			refuse("first token", 1)
			refuse("again at once", 1)
			clk.Advance(29 * time.Second)
			refuse("within the cooldown", 1)
			clk.Advance(time.Second)
			refuse("after the cooldown", 2)
			refuse("remembered again", 2)
			wantFetches(t, p, 0, "refusals")

			ts.mu.Lock()
			ts.answer = nil // the tenant now exists
			ts.mu.Unlock()
			refuse("still remembered", 2)
			clk.Advance(30 * time.Second)
			mustVerify(t, v, p.IDToken(cognitotest.User{}))
			wantCalls(t, ts, 3, "resolved after the cooldown")
		})
	}
}

// TestResolvePoolEvictionAtMaxPools: beyond MaxPools the least recently
// used pool is dropped with its keys; a token naming it resolves it again
// and fetches its keys again. Tokens answered from the token cache count
// as uses.
func TestResolvePoolEvictionAtMaxPools(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	a := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_EvictA", Now: clk.Now})
	b := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_EvictB", Now: clk.Now})
	c := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_EvictC", Now: clk.Now})
	ts := newTenants(a, b, c)
	cfg := resolvedConfig(a, ts, clk)
	cfg.MaxPools = 2
	cfg.CacheSize = 0 // the default token cache
	v := buildVerifier(t, cfg)
	held := func(step string, want ...*cognitotest.Pool) {
		t.Helper()
		stats := v.KeyStats()
		if len(stats) != len(want) {
			t.Fatalf("%s: KeyStats holds %d URLs, want %d", step, len(stats), len(want))
		}
		for _, p := range want {
			if _, ok := stats[p.JWKSURL()]; !ok {
				t.Fatalf("%s: KeyStats lacks %s", step, p.UserPoolID())
			}
		}
	}
	// MaxPools 2 allows two calls at once and one more per 5 s: advance
	// the clock before each new resolution.
	aToken := a.IDToken(cognitotest.User{})
	mustVerify(t, v, aToken)
	mustVerify(t, v, b.IDToken(cognitotest.User{}))
	held("A and B", a, b)
	clk.Advance(5 * time.Second)
	mustVerify(t, v, aToken) // from the token cache: A is now the most recent
	mustVerify(t, v, c.IDToken(cognitotest.User{}))
	held("C evicts B, the least recently used", a, c)
	wantCalls(t, ts, 3, "A, B, C")

	clk.Advance(5 * time.Second)
	mustVerify(t, v, b.IDToken(cognitotest.User{}))
	held("B again evicts A", c, b)
	wantCalls(t, ts, 4, "B resolved again")
	wantFetches(t, b, 2, "B's keys fetched again")
	wantFetches(t, a, 1, "A")

	clk.Advance(5 * time.Second)
	mustVerify(t, v, aToken) // cached, but its pool is gone: verified afresh
	wantCalls(t, ts, 5, "A's cached token resolves A again")
	wantFetches(t, a, 2, "A's keys fetched again")
	held("A evicts C", b, a)
}

// TestResolvePoolIssuerMismatch: a resolver answering with another
// tenant's pool, or a pool that accepts another issuer, never maps the
// token to it: the token is refused and no key is fetched.
func TestResolvePoolIssuerMismatch(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	asked := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_Asked1", Now: clk.Now})
	other := startPool(t, cognitotest.Options{UserPoolID: "us-east-1_Other1", Now: clk.Now})
	second := "https://issuer-cognito-idp.us-east-1.amazonaws.com/us-east-1_Asked1"
	for _, tc := range []struct {
		name string
		iss  string // of the token; default asked's
		pool *verifier.Pool
	}{
		{"another tenant's pool", "", tenantPool(other)},
		{"another tenant's pool, asked's keys",
			"", &verifier.Pool{UserPoolID: "us-east-1_Other1", ClientIDs: asked.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: asked.JWKSURL()}},
		{"same suffix, another region",
			"", &verifier.Pool{UserPoolID: "eu-west-1_Asked1", ClientIDs: asked.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: asked.JWKSURL()}},
		{"issuer override for another issuer",
			"", &verifier.Pool{UserPoolID: "us-east-1_Asked1", Issuer: other.Issuer(), ClientIDs: asked.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: asked.JWKSURL()}},
		{"issuer override naming the asked issuer, another pool ID",
			"", &verifier.Pool{UserPoolID: "us-east-1_Other1", Issuer: asked.Issuer(), ClientIDs: other.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: other.JWKSURL()}},
		{"first form only, for the second",
			second, &verifier.Pool{UserPoolID: "us-east-1_Asked1", Issuer: asked.Issuer(), ClientIDs: asked.ClientIDs(), TokenUse: verifier.IDToken, JWKSURL: asked.JWKSURL()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTenants()
			ts.answer = func(context.Context, string) (*verifier.Pool, error) { return tc.pool, nil }
			v := buildVerifier(t, resolvedConfig(asked, ts, clk))
			before := [2]int64{asked.JWKSRequests(), other.JWKSRequests()}
			iss := tc.iss
			if iss == "" {
				iss = asked.Issuer()
			}
			for _, p := range []*cognitotest.Pool{asked, other} { // signed by either
				ve := expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", iss)), verifier.ErrIssuerMismatch, "iss")
				if ve.Err == nil {
					t.Error("the refusal wraps no cause")
				}
			}
			if after := [2]int64{asked.JWKSRequests(), other.JWKSRequests()}; after != before {
				t.Errorf("JWKS requests %v → %v, want none", before, after)
			}
		})
	}
	// The second form resolves on its own, for its own issuer.
	ts := newTenants()
	ts.answer = func(_ context.Context, iss string) (*verifier.Pool, error) {
		if iss != second {
			return nil, fmt.Errorf("asked %q", iss)
		}
		return tenantPool(asked), nil
	}
	v := buildVerifier(t, resolvedConfig(asked, ts, clk))
	if c := mustVerify(t, v, asked.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss", second))); c.Issuer != second {
		t.Errorf("Issuer = %q, want %q", c.Issuer, second)
	}
}

// TestResolvePoolValidatesReturnedPool: a returned pool is checked as a
// configured one would be by New, with the top-level settings; an invalid
// one refuses the token, wrapping New's error, and fetches nothing.
func TestResolvePoolValidatesReturnedPool(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Invalid1"})
	valid := func(edit func(*verifier.Pool)) *verifier.Pool {
		rp := tenantPool(p)
		edit(rp)
		return rp
	}
	for _, tc := range []struct {
		name string
		pool *verifier.Pool
		want string // in the wrapped error
	}{
		{"no TokenUse", valid(func(rp *verifier.Pool) { rp.TokenUse = 0 }), "TokenUse must be"},
		{"no ClientIDs", valid(func(rp *verifier.Pool) { rp.ClientIDs = nil }), "no ClientIDs"},
		{"ClientIDs and SkipClientIDCheck", valid(func(rp *verifier.Pool) { rp.SkipClientIDCheck = true }), "both set"},
		{"bad client ID", valid(func(rp *verifier.Pool) { rp.ClientIDs = []string{"bad-client"} }), "client ID"},
		{"bad pool ID", valid(func(rp *verifier.Pool) { rp.UserPoolID = "us-east-1" }), "does not match"},
		{"relative JWKSURL", valid(func(rp *verifier.Pool) { rp.JWKSURL = "/jwks.json" }), "not an absolute"},
		{"http JWKSURL", valid(func(rp *verifier.Pool) { rp.JWKSURL = "http://127.0.0.1:1/jwks.json" }), "not https"},
		{"bad preloaded JWKS", valid(func(rp *verifier.Pool) { rp.JWKS = []byte(`{"keys":[]}`) }), "preloaded JWKS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTenants()
			ts.answer = func(context.Context, string) (*verifier.Pool, error) { return tc.pool, nil }
			v := buildVerifier(t, resolvedConfig(p, ts, clk))
			before := p.JWKSRequests()
			ve := expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrIssuerMismatch, "iss")
			if ve.Err == nil || !strings.Contains(ve.Err.Error(), tc.want) {
				t.Errorf("refusal cause = %v, want one containing %q", ve.Err, tc.want)
			}
			wantFetches(t, p, before, "an invalid pool")
		})
	}
}

// TestResolvePoolTopLevelSettings: the Config's settings apply to resolved
// pools as to configured ones.
func TestResolvePoolTopLevelSettings(t *testing.T) {
	t.Parallel()
	t.Run("AllowedAlgorithms refuses before resolving", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Algs1"})
		ts := newTenants(p)
		cfg := resolvedConfig(p, ts, clk)
		cfg.AllowedAlgorithms = []string{"PS256"}
		v := buildVerifier(t, cfg)
		expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrAlgorithm, "header.alg")
		wantCalls(t, ts, 0, "an RS256 token with PS256 allowed")
	})
	t.Run("AllowedAlgorithms filters the resolved pool's keys", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Algs2"})
		ts := newTenants(p)
		cfg := resolvedConfig(p, ts, clk)
		cfg.AllowedAlgorithms = []string{"RS256", "ES256"}
		v := buildVerifier(t, cfg)
		mustVerify(t, v, p.IDToken(cognitotest.User{}))
		// ES256 is allowed, but the pool's RSA key is not an EC key.
		kid, _ := p.SigningKey()
		expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithHeader("alg", "ES256"), cognitotest.WithKID(kid)), verifier.ErrAlgorithm, "header.alg")
	})
	t.Run("token cache", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Cache1"})
		ts := newTenants(p)
		cfg := resolvedConfig(p, ts, clk)
		cfg.CacheSize = 0
		v := buildVerifier(t, cfg)
		token := p.IDToken(cognitotest.User{})
		mustVerify(t, v, token)
		if got := v.CachedTokens(); got != 1 {
			t.Fatalf("CachedTokens = %d, want 1", got)
		}
		mustVerify(t, v, token)
		clk.Advance(2 * time.Hour)
		expectRejected(t, v, token, verifier.ErrTokenExpired, "exp") // a hit still checks exp
		wantCalls(t, ts, 1, "cache hits")
	})
	t.Run("RefetchCooldown and Logger", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Cool1"})
		ts := newTenants(p)
		log := newFetchLog()
		cfg := resolvedConfig(p, ts, clk)
		cfg.RefetchCooldown = time.Minute
		cfg.Logger = log.Logger()
		v := buildVerifier(t, cfg)
		mustVerify(t, v, p.IDToken(cognitotest.User{}))
		waitFor(t, log.fetched, "the resolved pool's fetch logged")
		for range 3 {
			expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown")), verifier.ErrKeyNotFound, "header.kid")
		}
		wantFetches(t, p, 1, "unknown kids within the cooldown")
		clk.Advance(time.Minute)
		expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown")), verifier.ErrKeyNotFound, "header.kid")
		wantFetches(t, p, 2, "an unknown kid after the cooldown")
	})
	t.Run("PinJWKS", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Pin1"})
		ts := newTenants()
		ts.answer = func(context.Context, string) (*verifier.Pool, error) {
			rp := tenantPool(p)
			rp.JWKS = p.JWKS()
			return rp, nil
		}
		cfg := resolvedConfig(p, ts, clk)
		cfg.PinJWKS = true
		v := buildVerifier(t, cfg)
		mustVerify(t, v, p.IDToken(cognitotest.User{}))
		expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown")), verifier.ErrKeyNotFound, "header.kid")
		wantFetches(t, p, 0, "pinned preloaded keys")
	})
}

// TestResolvePoolContextCancellation: a Verify waiting for a slow
// ResolvePool stops when its context ends, with ErrJWKSUnavailable; the
// call goes on and its answer serves the next token. A call is bounded by
// FetchTimeout, and ended by Close.
func TestResolvePoolContextCancellation(t *testing.T) {
	t.Parallel()
	t.Run("caller gives up", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Slow1"})
		ts := newTenants(p)
		release := make(chan struct{})
		ts.answer = func(context.Context, string) (*verifier.Pool, error) {
			<-release
			return tenantPool(p), nil
		}
		v := buildVerifier(t, resolvedConfig(p, ts, clk))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		token := p.IDToken(cognitotest.User{})
		began := time.Now()
		c, err := v.Verify(ctx, token)
		ve := checkRejected(t, c, err, token, verifier.ErrJWKSUnavailable, "iss")
		if !errors.Is(ve, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap the context's", ve)
		}
		if waited := time.Since(began); waited > 5*time.Second {
			t.Errorf("Verify returned after %v", waited)
		}
		close(release)
		mustVerify(t, v, token) // waits for the same call, or finds its pool
		wantCalls(t, ts, 1, "one slow call")
	})
	t.Run("caller already gone", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Gone1"})
		ts := newTenants(p)
		v := buildVerifier(t, resolvedConfig(p, ts, clk))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		token := p.IDToken(cognitotest.User{})
		c, err := v.Verify(ctx, token)
		if ve := checkRejected(t, c, err, token, verifier.ErrJWKSUnavailable, "iss"); !errors.Is(ve, context.Canceled) {
			t.Errorf("error %v does not wrap the context's", ve)
		}
		wantCalls(t, ts, 0, "a canceled caller")
	})
	t.Run("FetchTimeout bounds the call", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Slow2"})
		ts := newTenants(p)
		ts.answer = func(ctx context.Context, _ string) (*verifier.Pool, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}
		cfg := resolvedConfig(p, ts, clk)
		cfg.FetchTimeout = 50 * time.Millisecond
		v := buildVerifier(t, cfg)
		ve := expectRejected(t, v, p.IDToken(cognitotest.User{}), verifier.ErrIssuerMismatch, "iss")
		if !errors.Is(ve, context.DeadlineExceeded) {
			t.Errorf("error %v does not wrap the call's deadline", ve)
		}
	})
	t.Run("Close ends the call", func(t *testing.T) {
		t.Parallel()
		p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Slow3"})
		ts := newTenants(p)
		ended := make(chan struct{})
		ts.answer = func(ctx context.Context, _ string) (*verifier.Pool, error) {
			<-ctx.Done()
			close(ended)
			return nil, ctx.Err()
		}
		v := buildVerifier(t, resolvedConfig(p, ts, clk))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		v.Verify(ctx, p.IDToken(cognitotest.User{}))
		v.Close()
		select {
		case <-ended:
		default:
			t.Fatal("Close returned with ResolvePool still running")
		}
		expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithClaim("iss",
			"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Later1")), verifier.ErrJWKSUnavailable, "iss")
		wantCalls(t, ts, 1, "after Close")
	})
}

// TestResolvePoolCloseStopsKeys: Close stops the resolved pools' key
// caches as the configured ones': held keys still verify, nothing fetches.
func TestResolvePoolCloseStopsKeys(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Closed1"})
	ts := newTenants(p)
	v := buildVerifier(t, resolvedConfig(p, ts, clk))
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	v.Close()
	clk.Advance(2 * time.Hour) // past the cooldown and RefreshInterval
	mustVerify(t, v, p.IDToken(cognitotest.User{}))
	expectRejected(t, v, p.IDToken(cognitotest.User{}, cognitotest.WithKID("new")), verifier.ErrKeyNotFound, "header.kid")
	wantFetches(t, p, 1, "after Close")
}

// TestResolvePoolFloodBounded: tokens naming 10,000 random pools make at
// most MaxPools ResolvePool calls at once and MaxPools more per
// RefetchCooldown, at most one per issuer per RefetchCooldown, and fetch no
// key. Past the budget they are refused with ErrJWKSUnavailable.
func TestResolvePoolFloodBounded(t *testing.T) {
	t.Parallel()
	p, clk := clockedPool(t, cognitotest.Options{UserPoolID: "us-east-1_Flood1"})
	ts := newTenants()
	ts.answer = func(context.Context, string) (*verifier.Pool, error) { return nil, nil }
	cfg := resolvedConfig(p, ts, clk)
	cfg.MaxPools = 50
	cfg.RefetchCooldown = 10 * time.Second
	v := buildVerifier(t, cfg)

	// Forged tokens: one signature for all (the pool is chosen before the
	// signature is checked, so a flood costs no signing).
	const n = 10_000
	kid, _ := p.SigningKey()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","kid":"` + kid + `"}`))
	sig := flipSignatureByte(t, p.IDToken(cognitotest.User{}))
	sig = sig[strings.LastIndexByte(sig, '.'):]
	var budget, refused int
	tokens := make([]string, n)
	for i := range tokens {
		iss := fmt.Sprintf("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Rnd%06d", i)
		payload := fmt.Sprintf(`{"iss":%q,"token_use":"id","aud":"x","exp":%d}`, iss, epoch.Add(time.Hour).Unix())
		tokens[i] = header + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + sig
		_, err := v.Verify(context.Background(), tokens[i])
		switch {
		case errors.Is(err, verifier.ErrJWKSUnavailable):
			budget++
		case errors.Is(err, verifier.ErrIssuerMismatch):
			refused++
		default:
			t.Fatalf("token %d: %v", i, err)
		}
	}
	wantCalls(t, ts, 50, "a flood at one instant")
	if refused != 50 || budget != n-50 {
		t.Errorf("refused %d by ResolvePool and %d by the budget, want 50 and %d", refused, budget, n-50)
	}
	for _, token := range tokens[:50] {
		expectRejected(t, v, token, verifier.ErrIssuerMismatch, "iss") // remembered
	}
	wantCalls(t, ts, 50, "the refused issuers again")

	clk.Advance(time.Second) // a tenth of the cooldown: 5 more calls
	for _, token := range tokens[50:200] {
		v.Verify(context.Background(), token)
	}
	wantCalls(t, ts, 55, "a second later")
	clk.Advance(10 * time.Second) // the budget full again
	for _, token := range tokens {
		v.Verify(context.Background(), token)
	}
	wantCalls(t, ts, 105, "a cooldown later")
	wantFetches(t, p, 0, "the flood")
}

// TestResolvePoolConcurrentEviction hammers a verifier whose MaxPools is
// smaller than the pools in use, on the real clock, with Close at the end:
// pools are resolved, evicted and resolved again under the race detector.
// Every token is valid, so each Verify either succeeds or is told to retry
// (ErrJWKSUnavailable: the call budget spent, or an evicted pool's keys
// closed before they came); nothing else.
func TestResolvePoolConcurrentEviction(t *testing.T) {
	t.Parallel()
	var pools []*cognitotest.Pool
	for i := range 4 {
		pools = append(pools, startPool(t, cognitotest.Options{UserPoolID: fmt.Sprintf("us-east-1_Churn%d", i)}))
	}
	ts := newTenants(pools...)
	v, err := verifier.New(verifier.Config{
		ResolvePool: ts.Resolve, HTTPClient: pools[0].HTTPClient(),
		MaxPools: 2, RefetchCooldown: 20 * time.Millisecond, CacheSize: 0,
	})
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, p := range pools {
		for u := range 4 {
			tokens = append(tokens, p.IDToken(cognitotest.User{Username: fmt.Sprintf("u%d", u)}))
		}
	}
	var ok, retry atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(300 * time.Millisecond)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; time.Now().Before(deadline); i++ {
				_, err := v.Verify(context.Background(), tokens[i%len(tokens)])
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, verifier.ErrJWKSUnavailable):
					retry.Add(1)
				default:
					t.Errorf("Verify: %v", err)
					return
				}
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	v.Close() // while the goroutines still verify
	wg.Wait()
	if ok.Load() == 0 || ts.calls.Load() <= 4 {
		t.Errorf("%d verified, %d told to retry, %d ResolvePool calls: want verifications and re-resolutions", ok.Load(), retry.Load(), ts.calls.Load())
	}
	if n := len(v.KeyStats()); n > 2 {
		t.Errorf("%d pools held, want at most MaxPools 2", n)
	}
}
