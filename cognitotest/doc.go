// Package cognitotest is a fake Amazon Cognito user pool for tests and demos:
// RSA keys served as a JWKS from a local HTTPS server, and minting of ID,
// access and client-credentials tokens shaped like Cognito's, with the claims,
// groups, scopes, lifetimes and kids you choose. Pool.Config returns a
// verifier.Config already pointing at it.
//
//	pool, err := cognitotest.NewPool(cognitotest.Options{})
//	if err != nil { ... }
//	defer pool.Close()
//	v, err := verifier.New(pool.Config(verifier.AccessToken))
//	token := pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}})
//	c, err := v.Verify(ctx, token)
//
// Tokens carry the AWS-shaped issuer of the pool ID
// (https://cognito-idp.{region}.amazonaws.com/{pool}); only the JWKS URL points
// at the local server. NewALB is a fake Application Load Balancer: P-256
// keys served as PEM per kid, and x-amzn-oidc-data tokens minted as ALB
// writes them; ALB.Config returns an alb.Config pointing at it. Nothing here
// belongs in a production binary.
package cognitotest
