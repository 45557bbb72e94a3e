package verifier_test

import (
	"context"
	"fmt"
	"log"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// A MeterProvider from the OpenTelemetry SDK receives the verifier's
// metrics; here a manual reader collects them, where a program would use an
// OTLP or Prometheus exporter.
func ExampleConfig_meterProvider() {
	pool := examplePool()
	defer pool.Close()
	ctx := context.Background()

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)

	cfg := pool.Config(verifier.AccessToken)
	cfg.MeterProvider = mp
	v, err := verifier.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	token := pool.AccessToken(cognitotest.User{Username: "alice"})
	v.Verify(ctx, token)
	v.Verify(ctx, token) // answered by the token cache
	v.Verify(ctx, pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute)))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		log.Fatal(err)
	}
	var lines []string
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "cognitoauth.verifications" {
				for _, p := range sum.DataPoints {
					lines = append(lines, fmt.Sprintf("%s{%s} %d", m.Name, p.Attributes.Encoded(attribute.DefaultEncoder()), p.Value))
				}
			}
		}
	}
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// cognitoauth.verifications{cognitoauth.cached=false,cognitoauth.outcome=expired} 1
	// cognitoauth.verifications{cognitoauth.cached=false,cognitoauth.outcome=ok} 1
	// cognitoauth.verifications{cognitoauth.cached=true,cognitoauth.outcome=ok} 1
}
