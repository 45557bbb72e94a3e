package main

import (
	"context"
	"crypto"
	"fmt"
	"slices"

	"github.com/coreos/go-oidc/v3/oidc"
	gjwt "github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"
	xjwt "github.com/lestrrat-go/jwx/v3/jwt"
)

// None of the peers caches verified tokens, so "repeated" runs the same
// code as "uncached" for them; it is measured anyway, as a noise check.

// setupGolangJWT: a parser restricted to RS256 with the issuer, audience and
// exp required, and a keyfunc that picks the parsed key by kid.
func setupGolangJWT(f *fixture, _ string) (func(string) error, error) {
	keys := map[string]crypto.PublicKey{f.kid: f.pub}
	keyfunc := func(t *gjwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		if k, ok := keys[kid]; ok {
			return k, nil
		}
		return nil, fmt.Errorf("unknown kid %q", kid)
	}
	parser := gjwt.NewParser(
		gjwt.WithValidMethods([]string{"RS256"}),
		gjwt.WithIssuer(f.issuer),
		gjwt.WithAudience(f.clientID),
		gjwt.WithExpirationRequired(),
		gjwt.WithIssuedAt(),
		gjwt.WithLeeway(leeway),
	)
	return func(token string) error {
		t, err := parser.Parse(token, keyfunc)
		if err != nil {
			return err
		}
		c := t.Claims.(gjwt.MapClaims)
		if c["token_use"] != "id" || !inGroup(c["cognito:groups"]) {
			return errClaims
		}
		return nil
	}, nil
}

// setupJWX: jwt.Parse with the key set parsed once (keys chosen by kid) and
// validation of exp, iat, nbf, issuer and audience.
func setupJWX(f *fixture, _ string) (func(string) error, error) {
	set, err := jwk.Parse(f.jwks)
	if err != nil {
		return nil, err
	}
	return func(token string) error {
		t, err := xjwt.ParseString(token,
			xjwt.WithKeySet(set),
			xjwt.WithIssuer(f.issuer),
			xjwt.WithAudience(f.clientID),
			xjwt.WithAcceptableSkew(leeway),
		)
		if err != nil {
			return err
		}
		var use string
		var groups []any
		if t.Get("token_use", &use) != nil || use != "id" ||
			t.Get("cognito:groups", &groups) != nil || !inGroup(groups) {
			return errClaims
		}
		return nil
	}, nil
}

// setupOIDC: an IDTokenVerifier on a RemoteKeySet that fetched the pool's
// JWKS once over loopback (keys chosen by kid), as go-oidc is used.
func setupOIDC(f *fixture, _ string) (func(string) error, error) {
	ctx := oidc.ClientContext(context.Background(), f.pool.HTTPClient())
	keys := oidc.NewRemoteKeySet(ctx, f.pool.JWKSURL())
	v := oidc.NewVerifier(f.issuer, keys, &oidc.Config{
		ClientID:             f.clientID,
		SupportedSigningAlgs: []string{oidc.RS256},
	})
	return func(token string) error {
		idt, err := v.Verify(ctx, token)
		if err != nil {
			return err
		}
		var extra struct {
			TokenUse string   `json:"token_use"`
			Groups   []string `json:"cognito:groups"`
		}
		if err := idt.Claims(&extra); err != nil {
			return err
		}
		if extra.TokenUse != "id" || !slices.Contains(extra.Groups, group) {
			return errClaims
		}
		return nil
	}, nil
}
