package alb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/cognitoauth/cognitoauth/alb"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// A service behind an ALB verifies the x-amzn-oidc-data header of each
// request. Here a fake ALB stands in for the real one.
func Example() {
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	// In production: alb.Config{ALBARNs: ..., ClientIDs: ..., Issuer: ...};
	// the keys come from the ARNs' region.
	v, err := alb.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()

	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := v.Verify(r.Context(), r.Header.Get("X-Amzn-Oidc-Data"))
		switch {
		case errors.Is(err, verifier.ErrJWKSUnavailable):
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		case err != nil:
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s (%s)", c.Username, c.Email)
	})

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Amzn-Oidc-Data", fake.Token(cognitotest.User{Username: "alice", Email: "alice@example.com", EmailVerified: true}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, string(body))
	// Output:
	// 200 hello alice (alice@example.com)
}

// A token of another load balancer is refused with ErrSignerMismatch.
func ExampleVerifier_Verify() {
	fake, err := cognitotest.NewALB(cognitotest.ALBOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	v, err := alb.New(fake.Config())
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	other := "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/other/0123456789abcdef"
	_, err = v.Verify(context.Background(), fake.Token(cognitotest.User{}, cognitotest.WithHeader("signer", other)))
	fmt.Println(errors.Is(err, alb.ErrSignerMismatch))
	// Output:
	// true
}
