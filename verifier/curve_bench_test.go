package verifier_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// BenchmarkCurvePools measures Verify with n pools held, configured
// (Config.Pools) or resolved at run time (Config.ResolvePool), on the
// uncached path and on token cache hits. Verify's cost should not depend on
// n: x-n1 is its time with n pools over its time with one, the median over
// alternating batches of calls (ns/op covers a batch of 8 on each, ns/verify is one
// call with n pools). Each series also reports the heap each pool holds,
// B/pool (HeapAlloc after GC, before and after the pools are built or
// resolved, over n). Tokens are those of the other benchmarks, 16 of
// them for pools spread over the n (all for the one pool when n is 1),
// verified in turn.
//
//	go test -run '^$' -bench 'BenchmarkCurvePools' -benchmem -count 5 ./verifier/
func BenchmarkCurvePools(b *testing.B) {
	for _, series := range []struct {
		name     string
		resolved bool
		hit      bool
	}{
		{"configured", false, false},
		{"resolved", true, false},
		{"configured-hit", false, true},
		{"resolved-hit", true, true},
	} {
		b.Run(series.name, func(b *testing.B) {
			for _, n := range []int{1, 10, 100, 1000, 10000} {
				b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
					if n == 10000 && testing.Short() {
						b.Skip("n=10000 under -short")
					}
					benchCurvePools(b, n, series.resolved, series.hit)
				})
			}
		})
	}
}

func benchCurvePools(b *testing.B, n int, resolved, hit bool) {
	v, tokens, perPool := curveVerifier(b, n, resolved, hit)
	ref, refTokens, _ := curveVerifier(b, 1, resolved, hit)
	ctx := context.Background()
	// Calls on v and on ref (the same series with one pool) alternate, a
	// batch at a time, so that load changing by the second slows both
	// alike: x-n1, the ratio of their times, is what the curve is stated
	// in. A batch keeps a cache hit's time well above the clock's cost.
	// x-n1 is the median of the pairs' ratios: a burst of load that hits
	// one batch of a pair moves one ratio, not the median.
	const batch = 8
	var onN time.Duration
	ratios := make([]float64, 0, 1<<18) // before the loop: not counted in B/op
	timeBatch := func(v *verifier.Verifier, tokens []string, i int) time.Duration {
		t := time.Now()
		for j := range batch {
			if _, err := v.Verify(ctx, tokens[(i+j)%len(tokens)]); err != nil {
				b.Fatal(err)
			}
		}
		return time.Since(t)
	}
	b.ReportAllocs()
	calls, odd := 0, false
	for b.Loop() {
		var n, one time.Duration
		if odd = !odd; odd {
			one = timeBatch(ref, refTokens, calls)
			n = timeBatch(v, tokens, calls)
		} else {
			n = timeBatch(v, tokens, calls)
			one = timeBatch(ref, refTokens, calls)
		}
		onN += n
		if len(ratios) < cap(ratios) {
			ratios = append(ratios, float64(n)/float64(one))
		}
		calls += batch
	}
	slices.Sort(ratios)
	// After the loop: it resets reported metrics.
	b.ReportMetric(float64(onN.Nanoseconds())/float64(calls), "ns/verify")
	b.ReportMetric(ratios[len(ratios)/2], "x-n1")
	b.ReportMetric(perPool, "B/pool")
}

// curveVerifier builds a verifier holding n pools, configured or resolved,
// and returns it with 16 tokens of pools spread over the n, each verified
// once, and the heap each pool holds.
func curveVerifier(b *testing.B, n int, resolved, hit bool) (*verifier.Verifier, []string, float64) {
	f := benchSetup(b)
	ctx := context.Background()
	kid, key := f.pool.SigningKey()
	poolID := func(i int) string {
		if i == 0 {
			return f.pool.UserPoolID() // the shared token's pool
		}
		return fmt.Sprintf("us-east-1_Curve%05d", i)
	}
	issuer := func(i int) string { return "https://cognito-idp.us-east-1.amazonaws.com/" + poolID(i) }
	pool := func(i int) verifier.Pool {
		return verifier.Pool{
			UserPoolID: poolID(i), ClientIDs: f.config.ClientIDs, TokenUse: verifier.IDToken,
			JWKSURL: f.pool.JWKSURL() + "?" + poolID(i), JWKS: f.config.JWKS, // preloaded: never fetched
		}
	}

	cfg := f.config
	cfg.CacheSize = -1
	if hit {
		cfg.CacheSize = 0
	}
	if resolved {
		cfg.UserPoolID, cfg.ClientIDs, cfg.TokenUse, cfg.JWKSURL, cfg.JWKS = "", nil, 0, "", nil
		cfg.MaxPools = max(n, verifier.DefaultMaxPools)
		byIssuer := make(map[string]int, n)
		for i := range n {
			byIssuer[issuer(i)] = i
		}
		cfg.ResolvePool = func(_ context.Context, iss string) (*verifier.Pool, error) {
			i, ok := byIssuer[iss]
			if !ok {
				return nil, nil
			}
			p := pool(i)
			return &p, nil
		}
	} else {
		cfg.Pools = make([]verifier.Pool, n-1)
		for i := 1; i < n; i++ {
			cfg.Pools[i-1] = pool(i)
		}
	}

	before := heapAlloc()
	v, err := verifier.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	if resolved {
		// Resolve every pool with a forged token: the pool is chosen, and
		// resolved, before the signature is checked, so no signing is needed.
		sig := f.token[strings.LastIndexByte(f.token, '.'):]
		for i := range n {
			forged := benchHeaderPayload(kid, issuer(i)) + sig
			if _, err := v.Verify(ctx, forged); i > 0 && err == nil {
				b.Fatalf("pool %d: a forged token verified", i)
			}
		}
	}
	perPool := float64(int64(heapAlloc())-int64(before)) / float64(n)

	// 16 distinct tokens whatever n (iat a second apart), so that the
	// token cache and the CPU caches hold as much for every n.
	tokens := make([]string, 16)
	for i := range tokens {
		tokens[i] = benchToken(kid, key, issuer(i*n/16), f.pool.ClientID(), time.Now().Add(-time.Duration(i)*time.Second))
	}
	for _, token := range tokens {
		if _, err := v.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
	if resolved && len(v.KeyStats()) != n {
		b.Fatalf("%d pools held, want %d", len(v.KeyStats()), n)
	}
	return v, tokens, perPool
}

// benchHeaderPayload is the signing input of a minimal ID token naming iss,
// for tokens that only need to reach the pool's resolution.
func benchHeaderPayload(kid, iss string) string {
	header := `{"kid":"` + kid + `","alg":"RS256"}`
	payload := fmt.Sprintf(`{"iss":%q,"token_use":"id","exp":%d}`, iss, time.Now().Add(time.Hour).Unix())
	return benchB64.EncodeToString([]byte(header)) + "." + benchB64.EncodeToString([]byte(payload))
}

// heapAlloc returns the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
