package claims_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
)

// TestClaimsDecodeNested decodes nested custom claims (objects, arrays,
// numbers) into a caller's struct with encoding/json's semantics, and
// reports what cannot be decoded.
func TestClaimsDecodeNested(t *testing.T) {
	t.Parallel()
	type perm struct {
		Resource string   `json:"resource"`
		Actions  []string `json:"actions"`
	}
	type custom struct {
		Tenant string `json:"custom:tenant"`
		Org    struct {
			ID    int64  `json:"id"`
			Perms []perm `json:"perms"`
			Meta  map[string]any
		} `json:"custom:org"`
		Flags []bool `json:"flags"`
	}
	payload := `{"iss":"x","custom:tenant":"acme","custom:org":{"id":7,"perms":[` +
		`{"resource":"orders","actions":["read","write"]},{"resource":"users","actions":[]}],` +
		`"Meta":{"depth":{"more":[1,2]}}},"flags":[true,false],"custom:tenant":"last-wins"}`
	c, err := claims.Decode([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	var got custom
	if err := c.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Tenant != "last-wins" || got.Org.ID != 7 || len(got.Org.Perms) != 2 ||
		!reflect.DeepEqual(got.Org.Perms[0], perm{"orders", []string{"read", "write"}}) ||
		!reflect.DeepEqual(got.Flags, []bool{true, false}) ||
		!reflect.DeepEqual(got.Org.Meta, map[string]any{"depth": map[string]any{"more": []any{1.0, 2.0}}}) {
		t.Fatalf("decoded %+v", got)
	}
	if tenant, _ := c.CustomAttribute("tenant"); tenant != got.Tenant {
		t.Errorf("CustomAttribute %q, Decode %q", tenant, got.Tenant)
	}

	for _, tc := range []struct {
		name string
		c    *claims.Claims
		v    any
	}{
		{"wrong type", c, &struct {
			Org string `json:"custom:org"`
		}{}},
		{"not a pointer", c, custom{}},
		{"nil claims", nil, &got},
		{"zero claims", &claims.Claims{}, &got},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Decode(tc.v)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error(); len(msg) < 8 || msg[:8] != "claims: " {
				t.Errorf("error %q lacks the package prefix", msg)
			}
			var typeErr *json.UnmarshalTypeError
			if tc.name == "wrong type" && !errors.As(err, &typeErr) {
				t.Errorf("error %v does not wrap the *json.UnmarshalTypeError", err)
			}
		})
	}
}
