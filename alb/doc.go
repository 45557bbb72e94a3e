// Package alb verifies the tokens an AWS Application Load Balancer with
// Cognito (or OIDC) authentication sends to its targets in the
// x-amzn-oidc-data header, offline, and returns their claims as
// *claims.Claims.
//
// ALB signs these tokens itself: ES256, with a key published as PEM at
// https://public-keys.auth.elb.{region}.amazonaws.com/{kid}, the ALB's ARN
// in the header's signer and the app client in the header's client, and
// base64url segments with "=" padding. AWS tells backends to verify them
// rather than trust the header: anything that can reach the target can
// send one.
//
//	v, err := alb.New(alb.Config{
//		ALBARNs:   []string{"arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"},
//		ClientIDs: []string{"4tg7fhidb5adr5jc1bna4me2i6"},
//		Issuer:    "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
//	})
//	if err != nil {
//		log.Fatal(err) // a configuration error, reported once
//	}
//	defer v.Close()
//
//	func handler(w http.ResponseWriter, r *http.Request) {
//		c, err := v.Verify(r.Context(), r.Header.Get("X-Amzn-Oidc-Data"))
//		switch {
//		case errors.Is(err, verifier.ErrJWKSUnavailable):
//			http.Error(w, "try again", http.StatusServiceUnavailable)
//			return
//		case err != nil:
//			http.Error(w, "unauthorized", http.StatusUnauthorized)
//			return
//		}
//		fmt.Fprintf(w, "hello %s", c.Email)
//	}
//
// A Verifier has the method set of the middleware's token verifiers
// (Verify(ctx, token) (*claims.Claims, error)).
//
// # What is checked
//
// The token's size (before parsing), its shape and strict base64url, alg
// ES256 and nothing else, a kid that is a UUID (refused before any fetch,
// so no token can steer the key URL), the header's signer among ALBARNs
// (ErrSignerMismatch) and client among ClientIDs (verifier.ErrClientMismatch),
// the payload's iss equal to Issuer (verifier.ErrIssuerMismatch), the
// signature (verifier.ErrSignatureInvalid), and exp, required, with the
// leeway (verifier.ErrTokenExpired). Errors are *verifier.ValidationError
// values wrapping exactly one sentinel, as the verifier's are.
//
// # Keys
//
// Keys are fetched from KeyURL + "/" + kid, parsed as PEM P-256 public keys
// and cached per kid (at most MaxKeys; a kid's key never changes). Fetches
// are single-flight and bounded: one at a time, none for RefetchCooldown
// after a fetch that found no key, and a few per cooldown otherwise, so a
// flood of tokens naming random UUID kids costs one fetch per cooldown.
// While that holds, a token with a kid not yet cached is refused with
// verifier.ErrKeyNotFound (or verifier.ErrJWKSUnavailable when the key
// endpoint could not be reached).
//
// The access token ALB forwards in x-amzn-oidc-accesstoken is an ordinary
// Cognito access token: verify it with package verifier.
package alb
