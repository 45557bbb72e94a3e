package jwks_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/cognitoauth/cognitoauth/internal/oteltest"
	"github.com/cognitoauth/cognitoauth/jwks"
)

// TestFetchTelemetry: every fetch, good or failed, counts once under its
// outcome and makes one span; a fetch that gets no response has no status
// attribute and an error status, a set with no usable key is an error
// despite its 200.
func TestFetchTelemetry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		doc     func(t *testing.T) []byte
		down    bool // the server is closed before the fetch
		outcome string
		status  int64 // 0: none
		keys    int64
	}{
		{name: "two keys", doc: twoKeys, outcome: "ok", status: 200, keys: 2},
		{name: "no usable key", doc: func(*testing.T) []byte { return []byte(`{"keys":[]}`) }, outcome: "error", status: 200},
		{name: "connection refused", doc: twoKeys, down: true, outcome: "error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			s := startKeyServer(t, true, tc.doc(t))
			c, _, _ := newCache(t, s, jwks.Options{MeterProvider: rec.MeterProvider, TracerProvider: rec.TracerProvider})
			if tc.down {
				s.srv.Close()
			}
			err := c.Warmup(context.Background())
			if (err == nil) != (tc.outcome == "ok") {
				t.Fatalf("Warmup: %v, want outcome %s", err, tc.outcome)
			}
			key := oteltest.Key(attribute.NewSet(attribute.String("cognitoauth.outcome", tc.outcome)))
			if got := rec.Ints(t, "cognitoauth.jwks.fetches"); len(got) != 1 || got[key] != 1 {
				t.Errorf("cognitoauth.jwks.fetches = %v, want %s once", got, key)
			}
			spans := rec.Spans()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			attrs := attribute.NewSet(spans[0].Attributes()...)
			status, hasStatus := attrs.Value("http.response.status_code")
			keys, hasKeys := attrs.Value("cognitoauth.jwks.keys")
			if url, _ := attrs.Value("url.full"); url.AsString() != s.url() {
				t.Errorf("url.full = %q, want %q", url.AsString(), s.url())
			}
			if hasStatus != (tc.status != 0) || status.AsInt64() != tc.status {
				t.Errorf("status attribute %v (%v), want %d", status.Emit(), hasStatus, tc.status)
			}
			if hasKeys != (tc.outcome == "ok") || keys.AsInt64() != tc.keys {
				t.Errorf("keys attribute %v (%v), want %d", keys.Emit(), hasKeys, tc.keys)
			}
			if (spans[0].Status().Code == codes.Error) != (tc.outcome == "error") {
				t.Errorf("span status %v, want an error exactly when the fetch failed", spans[0].Status())
			}
		})
	}
}
