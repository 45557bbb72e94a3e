package cognitotest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// A fake pool and a verifier pointing at it: the setup of a handler test.
func ExampleNewPool() {
	pool, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: "eu-west-1_Shop", ClientIDs: []string{"webapp"}})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	v, err := verifier.New(pool.Config(verifier.IDToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	token := pool.IDToken(cognitotest.User{
		Username:      "alice",
		Email:         "alice@example.com",
		EmailVerified: true,
		Groups:        []string{"admin"},
		Custom:        map[string]string{"tenant": "acme"},
	})
	c, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := c.CustomAttribute("tenant")
	fmt.Println(c.Issuer)
	fmt.Println(c.Username, c.Email, c.EmailVerified, c.Groups, tenant)
	// Output:
	// https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Shop
	// alice alice@example.com true [admin] acme
}

// Machine-to-machine tokens have no user; their subject is the app client.
func ExamplePool_ClientCredentialsToken() {
	pool, err := cognitotest.NewPool(cognitotest.Options{ClientIDs: []string{"batchjob"}})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	c, err := v.Verify(context.Background(), pool.ClientCredentialsToken([]string{"https://api.example.com/orders.write"}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.IsMachine(), c.Subject, c.Scopes)
	// Output: true batchjob [https://api.example.com/orders.write]
}

// Tokens a verifier must refuse are minted with options.
func ExamplePool_IDToken_refused() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.IDToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	for _, token := range []string{
		pool.IDToken(cognitotest.User{}, cognitotest.WithLifetime(-time.Second)),
		pool.IDToken(cognitotest.User{}, cognitotest.WithClientID("otherclient")),
		pool.IDToken(cognitotest.User{}, cognitotest.WithoutClaim("token_use")),
		pool.IDToken(cognitotest.User{}, cognitotest.WithHeader("alg", "HS256")),
		pool.IDToken(cognitotest.User{}, cognitotest.WithKID("unknown-kid")),
	} {
		_, err := v.Verify(context.Background(), token)
		var ve *verifier.ValidationError
		if errors.As(err, &ve) {
			fmt.Printf("%v (%s)\n", ve.Reason, ve.Claim)
		}
	}
	// Output:
	// verifier: token expired (exp)
	// verifier: client mismatch (aud)
	// verifier: token_use mismatch (token_use)
	// verifier: signing algorithm not allowed (header.alg)
	// verifier: signing key not found (header.kid)
}

// A key rotation: the new key is published next to the old one, and tokens
// of both verify.
func ExamplePool_RotateKey() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	before := pool.AccessToken(cognitotest.User{})
	if _, err := pool.RotateKey(); err != nil {
		log.Fatal(err)
	}
	after := pool.AccessToken(cognitotest.User{})

	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	for _, token := range []string{before, after} {
		_, err := v.Verify(context.Background(), token)
		fmt.Println(err)
	}
	fmt.Println(len(pool.KeyIDs()), "keys published,", pool.JWKSRequests(), "fetch")
	// Output:
	// <nil>
	// <nil>
	// 2 keys published, 1 fetch
}

// SetJWKSHandler simulates an outage of the key endpoint.
func ExamplePool_SetJWKSHandler() {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	pool.SetJWKSHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	v, err := verifier.New(pool.Config(verifier.IDToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	_, err = v.Verify(context.Background(), pool.IDToken(cognitotest.User{}))
	fmt.Println(errors.Is(err, verifier.ErrJWKSUnavailable))
	// Output: true
}
