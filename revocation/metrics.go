package revocation

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/metric"
)

const instrumentationName = "github.com/cognitoauth/cognitoauth/revocation"

// registerMetrics creates the two gauges once; Close unregisters their
// callback. Neither carries an attribute: nothing a client chose reaches a
// metric.
func (l *List) registerMetrics(mp metric.MeterProvider) error {
	meter := mp.Meter(instrumentationName)
	entries, err := meter.Int64ObservableGauge("cognitoauth.revocation.entries",
		metric.WithUnit("{entry}"),
		metric.WithDescription("Revocation entries held in this List's view: tokens, sessions, sign-outs and disabled users."))
	if err != nil {
		return fmt.Errorf("revocation: creating gauge: %w", err)
	}
	staleness, err := meter.Float64ObservableGauge("cognitoauth.revocation.staleness",
		metric.WithUnit("s"),
		metric.WithDescription("Seconds since this List's view last heard from Redis (0 without Redis)."))
	if err != nil {
		return fmt.Errorf("revocation: creating gauge: %w", err)
	}
	l.metricCB, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(entries, int64(l.view.entries()))
		o.ObserveFloat64(staleness, l.staleness().Seconds())
		return nil
	}, entries, staleness)
	if err != nil {
		return fmt.Errorf("revocation: registering gauges: %w", err)
	}
	return nil
}
