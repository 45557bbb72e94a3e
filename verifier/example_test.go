package verifier_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// The examples run against a fake user pool from package cognitotest: it
// mints tokens with the issuer of the real pool ID and serves its keys on
// 127.0.0.1. In production, leave JWKSURL and HTTPClient unset: the key URL
// is derived from the pool ID.
func examplePool() *cognitotest.Pool {
	pool, err := cognitotest.NewPool(cognitotest.Options{
		UserPoolID: "us-east-1_Example1",
		ClientIDs:  []string{"exampleclient123"},
	})
	if err != nil {
		log.Fatal(err)
	}
	return pool
}

func ExampleNew() {
	pool := examplePool()
	defer pool.Close()

	v, err := verifier.New(verifier.Config{
		UserPoolID: "us-east-1_Example1",
		ClientIDs:  []string{"exampleclient123"},
		TokenUse:   verifier.AccessToken,
		Leeway:     5 * time.Second,

		JWKSURL:    pool.JWKSURL(),    // the fake pool only
		HTTPClient: pool.HTTPClient(), // the fake pool only
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	// Optional: fetch the keys now rather than on the first request.
	if err := v.Warmup(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("ready")

	// A configuration that cannot be right fails at once, not per request.
	_, err = verifier.New(verifier.Config{UserPoolID: "us-east-1_Example1", TokenUse: verifier.IDToken})
	fmt.Println(err)
	// Output:
	// ready
	// verifier: pool "us-east-1_Example1": no ClientIDs (set SkipClientIDCheck to accept every app client, knowingly)
}

func ExampleVerifier_Verify() {
	pool := examplePool()
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	token := pool.AccessToken(cognitotest.User{Username: "alice", Groups: []string{"admin"}},
		cognitotest.WithScopes("openid", "orders/read"))

	c, err := v.Verify(context.Background(), token)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("user:", c.Username)
	fmt.Println("client:", c.ClientID)
	fmt.Println("admin:", c.InGroup("admin"))
	fmt.Println("may read orders:", c.HasScope("orders/read"))
	fmt.Println("machine:", c.IsMachine())
	// Output:
	// user: alice
	// client: exampleclient123
	// admin: true
	// may read orders: true
	// machine: false
}

// Verify's errors wrap one sentinel per reason: branch with errors.Is, and
// read the claim at fault with errors.As. The text never holds the token.
func ExampleVerifier_Verify_errors() {
	pool := examplePool()
	defer pool.Close()
	v, err := verifier.New(pool.Config(verifier.AccessToken))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	for _, token := range []string{
		pool.AccessToken(cognitotest.User{}, cognitotest.WithLifetime(-time.Minute)),
		pool.IDToken(cognitotest.User{}),
		pool.AccessToken(cognitotest.User{}, cognitotest.WithClientID("someoneelse")),
		"not-a-token",
	} {
		_, err := v.Verify(context.Background(), token)
		var ve *verifier.ValidationError
		errors.As(err, &ve)
		switch {
		case errors.Is(err, verifier.ErrTokenExpired):
			fmt.Println("401, expired: refresh the token; claim", ve.Claim)
		case errors.Is(err, verifier.ErrTokenUseMismatch):
			fmt.Println("401, wrong kind of token; claim", ve.Claim)
		case errors.Is(err, verifier.ErrClientMismatch):
			fmt.Println("401, another app's token; claim", ve.Claim)
		case errors.Is(err, verifier.ErrJWKSUnavailable):
			fmt.Println("503, keys unavailable: retry later")
		case err != nil:
			fmt.Println("401:", err)
		}
	}
	// Output:
	// 401, expired: refresh the token; claim exp
	// 401, wrong kind of token; claim token_use
	// 401, another app's token; claim client_id
	// 401: verifier: token malformed: not three non-empty base64url segments
}

// CustomCheck runs after every other check, on verified claims only; here it
// requires a custom attribute.
func ExampleConfig_customCheck() {
	pool := examplePool()
	defer pool.Close()
	cfg := pool.Config(verifier.IDToken)
	cfg.CustomCheck = func(_ context.Context, c *claims.Claims) error {
		if tenant, _ := c.CustomAttribute("tenant"); tenant != "acme" {
			return errors.New("not a member of tenant acme")
		}
		return nil
	}
	v, err := verifier.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	for _, tenant := range []string{"acme", "globex"} {
		token := pool.IDToken(cognitotest.User{Username: "bob", Custom: map[string]string{"tenant": tenant}})
		_, err := v.Verify(context.Background(), token)
		fmt.Printf("%s: %v\n", tenant, err)
	}
	// Output:
	// acme: <nil>
	// globex: verifier: custom check failed: not a member of tenant acme
}

// Several pools in one verifier: each token is matched to its pool by its
// iss, and checked against that pool's clients and token use.
func ExampleConfig_pools() {
	staff := examplePool()
	defer staff.Close()
	customers, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: "eu-west-1_Customers", ClientIDs: []string{"webapp"}})
	if err != nil {
		log.Fatal(err)
	}
	defer customers.Close()

	cfg := staff.Config(verifier.AccessToken)
	cfg.Pools = []verifier.Pool{{
		UserPoolID: "eu-west-1_Customers",
		ClientIDs:  []string{"webapp"},
		TokenUse:   verifier.IDToken,
		JWKSURL:    customers.JWKSURL(), // the fake pool only
	}}
	v, err := verifier.New(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	for _, token := range []string{
		staff.AccessToken(cognitotest.User{Username: "sam"}),
		customers.IDToken(cognitotest.User{Username: "carla"}),
		customers.AccessToken(cognitotest.User{Username: "carla"}),
	} {
		c, err := v.Verify(context.Background(), token)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c.Username, "from", c.Issuer)
	}
	// Output:
	// sam from https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example1
	// carla from https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Customers
	// verifier: token_use mismatch: token_use "access": pool accepts id tokens
}

// A pool per tenant, known only at run time: ResolvePool looks the token's
// issuer up (here in a map; in production a tenant table) and answers with
// the tenant's pool, or nil for an issuer it does not know. Only issuers of
// Cognito's exact shape reach it; its answer is kept (up to MaxPools), and
// a refusal remembered for RefetchCooldown.
func ExampleConfig_resolvePool() {
	acme, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: "us-east-1_AcmeCorp", ClientIDs: []string{"acmeweb"}})
	if err != nil {
		log.Fatal(err)
	}
	defer acme.Close()
	stranger, err := cognitotest.NewPool(cognitotest.Options{UserPoolID: "us-east-1_Stranger"})
	if err != nil {
		log.Fatal(err)
	}
	defer stranger.Close()

	tenants := map[string]verifier.Pool{ // by issuer
		"https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AcmeCorp": {
			UserPoolID: "us-east-1_AcmeCorp",
			ClientIDs:  []string{"acmeweb"},
			TokenUse:   verifier.IDToken,
			JWKSURL:    acme.JWKSURL(), // the fake pool only
		},
	}
	v, err := verifier.New(verifier.Config{
		ResolvePool: func(ctx context.Context, issuer string) (*verifier.Pool, error) {
			p, ok := tenants[issuer]
			if !ok {
				return nil, nil // not a tenant: the token is refused
			}
			return &p, nil
		},
		MaxPools:   10_000,
		HTTPClient: acme.HTTPClient(), // the fake pool only
	})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	for _, token := range []string{
		acme.IDToken(cognitotest.User{Username: "ann"}),
		stranger.IDToken(cognitotest.User{Username: "eve"}),
	} {
		c, err := v.Verify(context.Background(), token)
		if err != nil {
			fmt.Println(errors.Is(err, verifier.ErrIssuerMismatch), err)
			continue
		}
		fmt.Println(c.Username, "from", c.Issuer)
	}
	// Output:
	// ann from https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AcmeCorp
	// true verifier: issuer mismatch: iss "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Stranger": refused by ResolvePool: verifier: ResolvePool knows no pool for this issuer
}
