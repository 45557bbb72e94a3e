package middleware_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// discardWriter is the cheapest ResponseWriter, so that the benchmarks time
// the handlers and not a recorder.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkHandler times the net/http middleware around an empty handler
// against the bare handler, with the token already in the verifier's cache
// (every request after a client's first) and, for reference, with the
// cache disabled. What the middleware adds is the difference between
// "cached" and "bare"; BENCHMARKS.md keeps the target.
//
//	go test -run '^$' -bench Handler -benchmem -count 6 ./middleware/
func BenchmarkHandler(b *testing.B) {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	token := pool.IDToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}, Email: "alice@example.com", EmailVerified: true})
	empty := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

	r, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://api.example.com/orders/42", nil)
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	w := &discardWriter{h: http.Header{}}

	// withMiddleware returns empty behind a Middleware whose verifier has
	// the given cache size, after checking that a request gets through it
	// with its claims (the error path must not be what is timed).
	withMiddleware := func(b *testing.B, cacheSize int) http.Handler {
		cfg := pool.Config(verifier.IDToken)
		cfg.JWKS = pool.JWKS()
		cfg.CacheSize = cacheSize
		v, err := verifier.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { v.Close() })
		m := mw(b, v)
		reached := false
		m.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, reached = claims.FromContext(r.Context())
		})).ServeHTTP(w, r)
		if !reached {
			b.Fatal("the request did not reach the handler with claims")
		}
		return m.Handler(empty)
	}
	run := func(b *testing.B, h http.Handler) {
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(w, r)
		}
	}

	b.Run("bare", func(b *testing.B) { run(b, empty) })
	b.Run("cached", func(b *testing.B) { run(b, withMiddleware(b, 0)) })
	b.Run("uncached", func(b *testing.B) { run(b, withMiddleware(b, -1)) })
}
