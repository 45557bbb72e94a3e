package revocation_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// A list held by this process only (nil Redis): a logout revokes the
// session, and every token of that sign-in is refused from then on.
func Example() {
	ctx := context.Background()
	list, err := revocation.New(ctx, revocation.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer list.Close()

	const iss = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"
	issued := time.Now().Add(-time.Minute)
	access := &claims.Claims{Issuer: iss, Subject: "alice-sub", JTI: "jti-1", OriginJTI: "sign-in-1", IssuedAt: issued}
	id := &claims.Claims{Issuer: iss, Subject: "alice-sub", JTI: "jti-2", OriginJTI: "sign-in-1", IssuedAt: issued}
	other := &claims.Claims{Issuer: iss, Subject: "alice-sub", JTI: "jti-3", OriginJTI: "sign-in-2", IssuedAt: issued}

	fmt.Println("before logout:", list.Check(ctx, access))
	if err := list.RevokeSession(ctx, access); err != nil {
		fmt.Println(err)
		return
	}
	err = list.Check(ctx, id)
	fmt.Println("ID token of the same sign-in:", errors.Is(err, verifier.ErrTokenRevoked))
	fmt.Println("another sign-in:", list.Check(ctx, other))

	err = list.RevokeToken(ctx, &claims.Claims{Issuer: iss, Subject: "bob-sub"})
	fmt.Println("token without jti:", errors.Is(err, revocation.ErrMissingClaim))
	// Output:
	// before logout: <nil>
	// ID token of the same sign-in: true
	// another sign-in: <nil>
	// token without jti: true
}
