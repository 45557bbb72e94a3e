// Package outcome maps the verifier's sentinel errors to their
// cognitoauth.outcome values, for the packages that see those errors
// without being package verifier (alb, the middleware core). Package
// verifier holds the same table as a switch on its hot path; its tests
// check that the two agree.
package outcome

import (
	"errors"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Reasons maps each verifier sentinel to its outcome.
var Reasons = map[error]telemetry.Outcome{
	verifier.ErrTokenMalformed:        telemetry.Malformed,
	verifier.ErrTokenTooLarge:         telemetry.TooLarge,
	verifier.ErrAlgorithm:             telemetry.Algorithm,
	verifier.ErrIssuerMismatch:        telemetry.Issuer,
	verifier.ErrKeyNotFound:           telemetry.KeyNotFound,
	verifier.ErrJWKSUnavailable:       telemetry.JWKSUnavailable,
	verifier.ErrSignatureInvalid:      telemetry.Signature,
	verifier.ErrTokenExpired:          telemetry.Expired,
	verifier.ErrTokenNotYetValid:      telemetry.NotYetValid,
	verifier.ErrTokenUseMismatch:      telemetry.TokenUse,
	verifier.ErrClientMismatch:        telemetry.Client,
	verifier.ErrCustomCheck:           telemetry.Custom,
	verifier.ErrTokenRevoked:          telemetry.Revoked,
	verifier.ErrRevocationUnavailable: telemetry.RevocationUnavailable,
}

// Of returns the outcome of err: OK for nil, the reason's outcome for a
// *verifier.ValidationError whose reason is a verifier sentinel, and false
// otherwise.
func Of(err error) (telemetry.Outcome, bool) {
	if err == nil {
		return telemetry.OK, true
	}
	var ve *verifier.ValidationError
	if !errors.As(err, &ve) {
		return 0, false
	}
	o, ok := Reasons[ve.Reason]
	return o, ok
}
