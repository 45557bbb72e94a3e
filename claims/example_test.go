package claims_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/cognitoauth/cognitoauth/claims"
)

// A handler reads the verified claims the middleware stored in the request
// context.
func ExampleFromContext() {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := claims.FromContext(r.Context())
		if !ok {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		if !c.InGroup("admin") {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		fmt.Fprintf(w, "hello %s", c.Username)
	})

	c, err := claims.Decode([]byte(`{"token_use":"id","cognito:username":"alice","cognito:groups":["admin"]}`))
	if err != nil {
		log.Fatal(err)
	}
	for _, ctx := range []context.Context{context.Background(), claims.NewContext(context.Background(), c)} {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil).WithContext(ctx))
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 401 unauthenticated
	// 200 hello alice
}

func ExampleClaims_HasScope() {
	c, err := claims.Decode([]byte(`{"token_use":"access","client_id":"batchjob","sub":"batchjob",` +
		`"scope":"https://api.example.com/orders.read https://api.example.com/orders.write"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.HasScope("https://api.example.com/orders.read"))
	fmt.Println(c.HasAllScopes("https://api.example.com/orders.read", "https://api.example.com/admin"))
	fmt.Println(c.IsMachine())
	// Output:
	// true
	// false
	// true
}

func ExampleClaims_CustomAttribute() {
	c, err := claims.Decode([]byte(`{"custom:tenant":"acme","custom:seats":"25","custom:beta":"true"}`))
	if err != nil {
		log.Fatal(err)
	}
	tenant, _ := c.CustomAttribute("tenant")
	seats, _ := c.CustomInt("seats")
	beta, _ := c.CustomBool("custom:beta")
	_, err = c.CustomInt("plan")
	fmt.Println(tenant, seats, beta)
	fmt.Println(err)
	// Output:
	// acme 25 true
	// claims: no claim "custom:plan"
}

// Claims with the wrong JSON type make the whole payload malformed.
func ExampleDecode() {
	_, err := claims.Decode([]byte(`{"exp":"tomorrow"}`))
	fmt.Println(err)
	c, _ := claims.Decode([]byte(`{"cognito:groups":"solo","email_verified":"true"}`))
	fmt.Println(c.Groups, c.EmailVerified)
	// Output:
	// claims: "exp" is not a number
	// [solo] true
}

// A pre-token-generation trigger can add claims that are not strings; Decode
// reads them into a struct of the application's own.
func ExampleClaims_Decode() {
	c, err := claims.Decode([]byte(`{"token_use":"id","custom:tenant":"acme",` +
		`"org":{"id":42,"roles":["billing","support"]},"quota":{"daily":1000}}`))
	if err != nil {
		log.Fatal(err)
	}
	var extra struct {
		Tenant string `json:"custom:tenant"`
		Org    struct {
			ID    int      `json:"id"`
			Roles []string `json:"roles"`
		} `json:"org"`
		Quota map[string]int `json:"quota"`
	}
	if err := c.Decode(&extra); err != nil {
		log.Fatal(err)
	}
	fmt.Println(extra.Tenant, extra.Org.ID, extra.Org.Roles, extra.Quota["daily"])
	// Output: acme 42 [billing support] 1000
}
