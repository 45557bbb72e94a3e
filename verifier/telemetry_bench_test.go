package verifier_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/cognitoauth/cognitoauth/verifier"
)

// BenchmarkTelemetry compares a cache-hit Verify recording into an SDK
// MeterProvider (with a manual reader, as an exporter would collect) with
// the same Verify on the no-op provider. The target is at most 1.3 times;
// BENCHMARKS.md has the figures:
//
//	go test -run '^$' -bench Telemetry -benchtime 50000x -count 6 ./verifier/
func BenchmarkTelemetry(b *testing.B) {
	f := benchSetup(b)
	ctx := context.Background()
	newVerifier := func(b *testing.B, mp *sdkmetric.MeterProvider) *verifier.Verifier {
		cfg := f.config
		if mp != nil {
			cfg.MeterProvider = mp
		} else {
			cfg.MeterProvider = noop.NewMeterProvider()
		}
		v, err := verifier.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { v.Close() })
		if _, err := v.Verify(ctx, f.token); err != nil {
			b.Fatal(err)
		}
		return v
	}
	newSDK := func(b *testing.B) *sdkmetric.MeterProvider {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { mp.Shutdown(context.Background()) })
		return mp
	}
	run := func(b *testing.B, v *verifier.Verifier) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, f.token); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cached-noop", func(b *testing.B) { run(b, newVerifier(b, nil)) })
	b.Run("cached-sdk", func(b *testing.B) { run(b, newVerifier(b, newSDK(b))) })
	// The ratio of the two, measured on alternating batches so that a
	// machine whose load changes by the second slows both alike, from the
	// fastest batch of each: noise only ever adds time, so the minimum is
	// what the code costs.
	b.Run("cached-sdk-vs-noop", func(b *testing.B) {
		plain, metered := newVerifier(b, nil), newVerifier(b, newSDK(b))
		const batch = 256
		plainMin, meteredMin := time.Duration(1<<62), time.Duration(1<<62)
		timeBatch := func(v *verifier.Verifier, least *time.Duration) {
			t := time.Now()
			for range batch {
				if _, err := v.Verify(ctx, f.token); err != nil {
					b.Fatal(err)
				}
			}
			*least = min(*least, time.Since(t))
		}
		odd := false
		for b.Loop() {
			if odd = !odd; odd {
				timeBatch(plain, &plainMin)
				timeBatch(metered, &meteredMin)
			} else {
				timeBatch(metered, &meteredMin)
				timeBatch(plain, &plainMin)
			}
		}
		b.ReportMetric(float64(meteredMin)/float64(plainMin), "x-noop")
	})
}
