package telemetry_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// TestOutcomeNames: the outcome values are the documented fixed set, and
// an out-of-range outcome never indexes past it.
func TestOutcomeNames(t *testing.T) {
	want := []string{"ok", "malformed", "too_large", "algorithm", "issuer", "key_not_found",
		"jwks_unavailable", "signature", "expired", "not_yet_valid", "token_use",
		"client", "custom", "revoked", "revocation_unavailable"}
	got := telemetry.Outcomes()
	if len(got) != len(want) {
		t.Fatalf("%d outcomes, want %d", len(got), len(want))
	}
	for i, o := range got {
		if o.String() != want[i] {
			t.Errorf("outcome %d = %q, want %q", i, o, want[i])
		}
	}
	if s := telemetry.Outcome(200).String(); s != "malformed" {
		t.Errorf("out-of-range outcome = %q, want malformed", s)
	}
}

// BenchmarkRecord is what a cache hit adds to Verify: sampling, counting
// and (one time in HitSample) timing, on the global provider before any is
// installed, on the no-op one, and on the SDK with a manual reader.
func BenchmarkRecord(b *testing.B) {
	ctx := context.Background()
	sdk := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	defer sdk.Shutdown(ctx)
	for _, tc := range []struct {
		name  string
		meter func() *telemetry.Verify
	}{
		{"global", func() *telemetry.Verify { return mustVerify(b, telemetry.Meter(nil, "bench")) }},
		{"noop", func() *telemetry.Verify {
			return mustVerify(b, telemetry.Meter(noop.NewMeterProvider(), "bench"))
		}},
		{"sdk", func() *telemetry.Verify { return mustVerify(b, telemetry.Meter(sdk, "bench")) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			v := tc.meter()
			defer v.Close()
			b.ReportAllocs()
			for b.Loop() {
				t := v.Sample(ctx)
				v.Record(ctx, t, telemetry.OK, true)
			}
		})
	}
}

func mustVerify(b *testing.B, m metric.Meter) *telemetry.Verify {
	b.Helper()
	v, err := telemetry.NewVerify(m, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return v
}
