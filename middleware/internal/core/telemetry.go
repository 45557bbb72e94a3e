package core

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/internal/outcome"
	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// The cognitoauth.outcome values of refusals the middleware makes itself,
// beyond the verifier's (see refusalOutcome).
const (
	outcomeNoToken        = "no_token"
	outcomeInvalidRequest = "invalid_request"
	outcomeInvalidToken   = "invalid_token" // a verifier other than this module's refused
	outcomeForbidden      = "forbidden"
	outcomeMisconfigured  = "misconfigured"
	outcomeServerError    = "server_error"
)

// refusalOutcome names why a request was refused, from a fixed set: the
// verifier's reason when a verifier refused the token, otherwise the
// middleware's own. Never text from the request.
func refusalOutcome(err error) string {
	if o, ok := outcome.Of(err); ok && err != nil {
		return o.String()
	}
	switch {
	case err == nil:
		return outcomeServerError
	case errors.Is(err, ErrMisconfigured):
		return outcomeMisconfigured
	case errors.Is(err, ErrInvalidRequest):
		return outcomeInvalidRequest
	case errors.Is(err, ErrNoToken):
		return outcomeNoToken
	case errors.Is(err, ErrForbidden):
		return outcomeForbidden
	case errors.Is(err, ErrInvalidToken):
		return outcomeInvalidToken
	default:
		return outcomeServerError
	}
}

// recordRefusal adds a cognitoauth.refused event, with the outcome, to the
// request's span if one is recording: the span per request belongs to the
// HTTP or RPC instrumentation the application runs; this only says why it
// ended in a refusal.
func recordRefusal(ctx context.Context, err error) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.AddEvent(telemetry.RefusedEvent,
		trace.WithAttributes(attribute.String(telemetry.AttrOutcome, refusalOutcome(err))))
}
