package verifier

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/metric"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// scope is the instrumentation scope of the Verifier's instruments: the
// instrumented package's path, as OpenTelemetry's convention wants.
const scope = "github.com/cognitoauth/cognitoauth/verifier"

// outcomeOf maps the error Verify returns to its cognitoauth.outcome value.
// Every sentinel has its own; an error wrapping none (Verify returns none
// such) is counted as malformed rather than dropped.
func outcomeOf(err error) telemetry.Outcome {
	if err == nil {
		return telemetry.OK
	}
	ve, ok := err.(*ValidationError)
	if !ok && !errors.As(err, &ve) {
		return telemetry.Malformed
	}
	switch ve.Reason {
	case ErrTokenTooLarge:
		return telemetry.TooLarge
	case ErrAlgorithm:
		return telemetry.Algorithm
	case ErrIssuerMismatch:
		return telemetry.Issuer
	case ErrKeyNotFound:
		return telemetry.KeyNotFound
	case ErrJWKSUnavailable:
		return telemetry.JWKSUnavailable
	case ErrSignatureInvalid:
		return telemetry.Signature
	case ErrTokenExpired:
		return telemetry.Expired
	case ErrTokenNotYetValid:
		return telemetry.NotYetValid
	case ErrTokenUseMismatch:
		return telemetry.TokenUse
	case ErrClientMismatch:
		return telemetry.Client
	case ErrCustomCheck:
		return telemetry.Custom
	case ErrTokenRevoked:
		return telemetry.Revoked
	case ErrRevocationUnavailable:
		return telemetry.RevocationUnavailable
	default:
		return telemetry.Malformed
	}
}

// newTelemetry creates the Verifier's instruments on cfg.MeterProvider (the
// global one when nil): the verification counter and histogram, and the
// token cache gauge. Close unregisters their callbacks.
func (v *Verifier) newTelemetry(cfg *Config) error {
	meter := telemetry.Meter(cfg.MeterProvider, scope)
	var err error
	if v.tel, err = telemetry.NewVerify(meter, "verifier"); err != nil {
		return err
	}
	g, err := meter.Int64ObservableGauge(telemetry.TokenCache,
		metric.WithUnit("{token}"),
		metric.WithDescription("Verified tokens held in the token cache."))
	if err != nil {
		return fmt.Errorf("verifier: metric %s: %w", telemetry.TokenCache, err)
	}
	v.gauge, err = meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveInt64(g, int64(v.CachedTokens()))
		return nil
	}, g)
	if err != nil {
		return fmt.Errorf("verifier: metric %s: %w", telemetry.TokenCache, err)
	}
	return nil
}

// unregister stops the token cache gauge's callback, so that the provider
// no longer holds the Verifier.
func (v *Verifier) unregister() {
	v.tel.Close()
	if v.gauge != nil {
		v.gauge.Unregister()
	}
}
