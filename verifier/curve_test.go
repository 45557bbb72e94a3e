package verifier_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// The curves below show how the cost of Verify grows with the work: tokens
// held in the verified-token cache, and goroutines. Each is named
// BenchmarkCurve<Name>/<series>/n=<N> so that benchmarks/charts draws every
// one of them from the raw output:
//
//	go test -run '^$' -bench Curve -benchmem ./verifier/
//	go test -run '^$' -bench Curve -short ./verifier/   # the small sizes only

// curveTokenSizes are the distinct live tokens BenchmarkCurveTokensHeld
// holds. The default cache bound (CacheBytes, 32 MiB) stops at about 12,000
// tokens of the benchmark's shape, so the last sizes show it holding. Every
// token is a real RS256 token, signed once (1 to 4 ms each with a 2048-bit
// key, the smallest the verifier accepts, on a shared 2-core machine), which
// caps the curve at 30,000: a million would take 20 minutes to an hour of
// signing, and beyond the bound each further token costs what n=30,000
// shows, a full verification.
var curveTokenSizes = []int{1, 10, 100, 1_000, 10_000, 20_000, 30_000}

// curveShortMax is the largest size run under -short.
const curveShortMax = 1_000

var curveMint struct {
	sync.Mutex
	tokens []string
}

// curveTokens returns n distinct valid ID tokens of the benchmark pool, in
// the group the bench config requires, minting (on every CPU) only those
// not minted by an earlier call.
func curveTokens(b *testing.B, n int) []string {
	b.Helper()
	f := benchSetup(b)
	curveMint.Lock()
	defer curveMint.Unlock()
	have := len(curveMint.tokens)
	if have >= n {
		return curveMint.tokens[:n]
	}
	more := make([]string, n-have)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(more); i += workers {
				u := cognitotest.User{Username: fmt.Sprintf("curve-user-%07d", have+i), Groups: []string{"admin"}}
				more[i] = f.pool.IDToken(u)
			}
		})
	}
	wg.Wait()
	curveMint.tokens = append(curveMint.tokens, more...)
	return curveMint.tokens[:n]
}

// BenchmarkCurveTokensHeld verifies n distinct live tokens in turn, each
// presented again and again, with the default cache bounds. Before timing,
// each token is verified once (its RSA check), through a private copy of
// its text as a request header would be, so that the heap the cache then
// holds is the cache's own. It reports:
//
//   - ns/op: the cost of a Verify over the n tokens in a random order, a
//     cache hit for those held and a full verification for those beyond
//     the bound;
//   - B/token: heap held per cached token (runtime.MemStats before and
//     after filling, divided by the entries held);
//   - held-tokens, held-MiB (the cache's accounting), bound-MiB
//     (CacheBytes), heap-MiB (measured) and cached-%: the bound holding.
func BenchmarkCurveTokensHeld(b *testing.B) {
	ctx := context.Background()
	for _, n := range curveTokenSizes {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			if testing.Short() && n > curveShortMax {
				b.Skip("the larger sizes take a minute of signing; run without -short")
			}
			tokens := curveTokens(b, n)
			cfg := benchSetup(b).config
			v, err := verifier.New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer v.Close()
			before := heapInUse() // the verifier and its keys (preloaded) excluded
			for _, tok := range tokens {
				if _, err := v.Verify(ctx, strings.Clone(tok)); err != nil {
					b.Fatal(err)
				}
			}
			held := v.CachedTokens()
			heap := float64(heapInUse() - before)
			bound := float64(verifier.DefaultCacheBytes)
			accounted := float64(verifier.CacheBytesHeld(v))
			if accounted > bound {
				b.Fatalf("the cache accounts %.0f bytes, over its bound of %.0f", accounted, bound)
			}
			if held < min(n, 10_000) {
				b.Fatalf("the cache holds %d of %d tokens, below the bound", held, n)
			}
			// The tokens are presented in a fixed random order, so that
			// however few calls the loop makes, held and unheld tokens
			// come in their proportions (the cache holds the first ones).
			order := rand.New(rand.NewPCG(uint64(n), 1)).Perm(n)
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				if _, err := v.Verify(ctx, tokens[order[i]]); err != nil {
					b.Fatal(err)
				}
				if i++; i == n {
					i = 0
				}
			}
			b.ReportMetric(heap/float64(max(held, 1)), "B/token")
			b.ReportMetric(float64(held), "held-tokens")
			b.ReportMetric(accounted/(1<<20), "held-MiB")
			b.ReportMetric(bound/(1<<20), "bound-MiB")
			b.ReportMetric(heap/(1<<20), "heap-MiB")
			b.ReportMetric(100*float64(held)/float64(n), "cached-%")
			runtime.KeepAlive(v)
		})
	}
}

// curveGoroutines are the goroutine counts of BenchmarkCurveConcurrency.
var curveGoroutines = []int{1, 2, 4, 8, 16, 32, 64}

// BenchmarkCurveConcurrency runs Verify of the benchmark token on n
// goroutines at once, uncached (every call an RSA check) and cached (every
// call a hit), and reports verifies/s over the whole run: on a machine with
// GOMAXPROCS cores the curve should rise to that many goroutines and stay
// flat after, neither collapsing under contention nor growing.
func BenchmarkCurveConcurrency(b *testing.B) {
	f := benchSetup(b)
	ctx := context.Background()
	for _, series := range []string{"uncached", "cached"} {
		for _, n := range curveGoroutines {
			b.Run(fmt.Sprintf("%s/n=%d", series, n), func(b *testing.B) {
				size := -1
				if series == "cached" {
					size = 0
				}
				v := newBenchVerifier(b, size)
				b.ReportAllocs()
				var wg sync.WaitGroup
				var next sync.Mutex
				left := b.N
				// Each goroutine takes batches of calls from one shared
				// count, so that all n stay busy until the last batch.
				take := func() int {
					next.Lock()
					defer next.Unlock()
					k := min(left, 64)
					left -= k
					return k
				}
				b.ResetTimer()
				start := time.Now()
				for range n {
					wg.Go(func() {
						for k := take(); k > 0; k = take() {
							for range k {
								if _, err := v.Verify(ctx, f.token); err != nil {
									b.Error(err)
									return
								}
							}
						}
					})
				}
				wg.Wait()
				elapsed := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/elapsed.Seconds(), "verifies/s")
			})
		}
	}
}
