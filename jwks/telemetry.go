package jwks

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// scope is the instrumentation scope of a Cache's instruments and spans:
// the instrumented package's path, as OpenTelemetry's convention wants.
const scope = "github.com/cognitoauth/cognitoauth/jwks"

// newTelemetry creates the fetch instruments of the Cache for rawURL on
// opts' providers (the global ones when nil). The URL comes from
// configuration, never from a token, so it may name the span.
func newTelemetry(rawURL string, opts *Options) (*telemetry.Fetch, error) {
	return telemetry.NewFetch(
		telemetry.Meter(opts.MeterProvider, scope),
		telemetry.Tracer(opts.TracerProvider, scope),
		attribute.String(telemetry.AttrURL, rawURL), "jwks")
}
