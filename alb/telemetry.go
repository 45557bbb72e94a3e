package alb

import (
	"errors"

	"go.opentelemetry.io/otel/attribute"

	"github.com/cognitoauth/cognitoauth/internal/outcome"
	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// scope is the instrumentation scope of the Verifier's instruments and
// spans: the instrumented package's path, as OpenTelemetry's convention
// wants.
const scope = "github.com/cognitoauth/cognitoauth/alb"

// source marks the ALB verifier's figures apart from package verifier's,
// which share their names, even where a backend drops the scope.
var source = attribute.String(telemetry.AttrSource, telemetry.SourceALB)

// newTelemetry creates the verification and key fetch instruments on cfg's
// providers (the global ones when nil). Spans name the key URL as a
// template: the kid appended to it comes from a token.
func (v *Verifier) newTelemetry(cfg *Config, base string) error {
	meter := telemetry.Meter(cfg.MeterProvider, scope)
	var err error
	if v.tel, err = telemetry.NewVerify(meter, "alb", source); err != nil {
		return err
	}
	v.keys.tel, err = telemetry.NewFetch(meter, telemetry.Tracer(cfg.TracerProvider, scope),
		attribute.String(telemetry.AttrURLTemplate, base+"/{kid}"), "alb", source)
	if err != nil {
		v.tel.Close()
		return err
	}
	return nil
}

// outcomeOf maps Verify's error to its cognitoauth.outcome value: the
// verifier's for its sentinels, and "issuer" for ErrSignerMismatch (the
// signer is the load balancer that issued the header).
func outcomeOf(err error) telemetry.Outcome {
	if o, ok := outcome.Of(err); ok {
		return o
	}
	if errors.Is(err, ErrSignerMismatch) {
		return telemetry.Issuer
	}
	return telemetry.Malformed
}
