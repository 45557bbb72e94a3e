// Package interop holds the interoperability suite that runs cognitoauth
// against cognito-local, a third-party emulator of the Cognito user pools API
// that issues real RS256 tokens (npm package cognito-local, pinned by
// .ci/install-cognito-local). The tests are behind the "interop" build tag:
//
//	.ci/install-cognito-local            # prints COGNITO_LOCAL_START=...
//	COGNITO_LOCAL_START=/path/to/start.js go test -tags interop ./interop/
//
// The suite starts its own emulator processes on free ports of 127.0.0.1,
// creates a pool, app clients, groups and users through the Cognito JSON API,
// signs the users in with InitiateAuth USER_PASSWORD_AUTH and checks what
// verifier.Verify and the middleware stacks (net/http, gin, echo, gRPC,
// Connect and Lambda) accept and refuse, in both of
// the emulator's issuer modes.
package interop
