package lambdaauth_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/authtest"
	"github.com/cognitoauth/cognitoauth/middleware/lambdaauth"
)

// verdict is what an authorizer must decide.
type verdict int

const (
	allow        verdict = iota // Allow / isAuthorized true
	unauthorized                // REST: the "Unauthorized" error (401); HTTP API: false
	deny                        // REST: Deny (403); HTTP API: false
)

// TestAuthorizers feeds both authorizer request types, as AWS documents
// them, every refusal and acceptance through lambda.NewHandler and checks
// the policies.
func TestAuthorizers(t *testing.T) {
	t.Parallel()
	user, admin := fx.Token(nil), fx.Token([]string{"admin", "ops"}, "shop/read", "shop/write")
	expired := fx.Pool.AccessToken(cognitotest.User{Username: "bob"}, cognitotest.WithLifetime(-time.Minute))
	revoked := fx.Pool.AccessToken(cognitotest.User{Username: authtest.RevokedUser})
	stale := fx.Pool.AccessToken(cognitotest.User{Username: authtest.StaleUser})
	bearer := func(tok string) [][2]string { return [][2]string{{"Authorization", "Bearer " + tok}} }
	opts := []middleware.Option{middleware.DefaultDeny(),
		middleware.Exclude("GET /health"),
		middleware.Rule("GET /request"),
		middleware.Rule("/admin/", middleware.AnyGroup("admin"))}
	auth := authtest.Build(t, fx.V, opts...)
	down := authtest.Build(t, fx.Down, opts...)
	cases := []struct {
		name   string
		m      *middleware.Middleware
		req    request
		want   verdict
		reason error // what the refusal wraps
		groups string
		scope  string
	}{
		{name: "valid", req: request{path: "/request", header: bearer(user)}, want: allow},
		{name: "group met", req: request{method: "POST", path: "/admin/users", header: bearer(admin)}, want: allow, groups: `["admin","ops"]`, scope: "shop/read shop/write"},
		{name: "lower-case header name", req: request{path: "/request", header: [][2]string{{"authorization", "Bearer " + user}}}, want: allow},
		{name: "excluded", req: request{path: "/health"}, want: allow},
		{name: "no token", req: request{path: "/request"}, want: unauthorized, reason: middleware.ErrNoToken},
		{name: "expired", req: request{path: "/request", header: bearer(expired)}, want: unauthorized, reason: middleware.ErrInvalidToken},
		{name: "garbage", req: request{path: "/request", header: bearer("a.b.c")}, want: unauthorized, reason: middleware.ErrInvalidToken},
		{name: "revoked", req: request{path: "/request", header: bearer(revoked)}, want: unauthorized, reason: middleware.ErrInvalidToken},
		{name: "two Authorization headers", req: request{path: "/request", header: append(bearer(user), bearer(user)...)}, want: deny},
		{name: "wrong group", req: request{path: "/admin/users", header: bearer(user)}, want: deny},
		{name: "DefaultDeny gap", req: request{path: "/other", header: bearer(user)}, want: deny},
		{name: "keys unavailable", m: down, req: request{path: "/request", header: bearer(fx.DownToken)}, want: deny},
		{name: "revocation list unavailable", req: request{path: "/request", header: bearer(stale)}, want: deny},
		{name: "nil Middleware", m: (*middleware.Middleware)(nil), req: request{path: "/request", header: bearer(user)}, want: deny},
	}
	for _, tc := range cases {
		m := auth
		if tc.m != nil || tc.name == "nil Middleware" {
			m = tc.m
		}
		t.Run("REST/"+tc.name, func(t *testing.T) {
			t.Parallel()
			ev := restAuthorizerShape.event(t, tc.req)
			out, err := invoke(lambdaauth.RESTAuthorizer(m), ev)
			noSecrets(t, out, err, user, admin, expired)
			if tc.want == unauthorized {
				if err == nil || err.Error() != "Unauthorized" || !errors.Is(err, tc.reason) {
					t.Fatalf("got %s, %v: want the error \"Unauthorized\" wrapping %v", out, err, tc.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var in events.APIGatewayCustomAuthorizerRequestTypeRequest
			json.Unmarshal(ev, &in)
			var p events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(out, &p); err != nil {
				t.Fatal(err)
			}
			effect := map[verdict]string{allow: "Allow", deny: "Deny"}[tc.want]
			st := p.PolicyDocument.Statement
			if p.PolicyDocument.Version != "2012-10-17" || len(st) != 1 || st[0].Effect != effect ||
				len(st[0].Action) != 1 || st[0].Action[0] != "execute-api:Invoke" ||
				len(st[0].Resource) != 1 || st[0].Resource[0] != in.MethodArn {
				t.Fatalf("policy %s: want %s on %s", out, effect, in.MethodArn)
			}
			checkContext(t, out, p.PrincipalID, p.Context, tc.want == allow && tc.name != "excluded", tc.groups, tc.scope)
		})
		t.Run("HTTP API/"+tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := invoke(lambdaauth.HTTPAPIAuthorizer(m), httpAPIAuthorizerShape.event(t, tc.req))
			noSecrets(t, out, err, user, admin, expired)
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var r events.APIGatewayV2CustomAuthorizerSimpleResponse
			if err := json.Unmarshal(out, &r); err != nil {
				t.Fatal(err)
			}
			if r.IsAuthorized != (tc.want == allow) {
				t.Fatalf("got %s, want isAuthorized %v", out, tc.want == allow)
			}
			principal := "anonymous"
			if sub, ok := r.Context["sub"].(string); ok {
				principal = sub
			}
			checkContext(t, out, principal, r.Context, tc.want == allow && tc.name != "excluded", tc.groups, tc.scope)
		})
	}
}

// checkContext checks an authorizer's principal and context: the claims
// of a signed-in caller, none for anyone else.
func checkContext(t *testing.T, out []byte, principal string, ctx map[string]any, signedIn bool, groups, scope string) {
	t.Helper()
	if !signedIn {
		if principal != "anonymous" || len(ctx) != 0 {
			t.Errorf("principal %q, context %v: want anonymous and none (%s)", principal, ctx, out)
		}
		return
	}
	c, err := fx.V.Verify(t.Context(), fx.Token(nil))
	if err != nil {
		t.Fatal(err)
	}
	if principal != c.Subject || ctx["sub"] != c.Subject || ctx["username"] != "bob" ||
		ctx["token_use"] != "access" || ctx["client_id"] != c.ClientID {
		t.Errorf("principal %q, context %v: want bob's claims (%s)", principal, ctx, out)
	}
	if exp, ok := ctx["exp"].(float64); !ok || exp < float64(time.Now().Unix()) {
		t.Errorf("context exp %v: want a number in the future", ctx["exp"])
	}
	if g, _ := ctx["groups"].(string); g != groups {
		t.Errorf("context groups %q, want %q", g, groups)
	}
	if scope == "" {
		scope = "aws.cognito.signin.user.admin" // what the pool grants by default
	}
	if s, _ := ctx["scope"].(string); s != scope {
		t.Errorf("context scope %q, want %q", s, scope)
	}
	for k, v := range ctx {
		switch v.(type) {
		case string, float64, bool:
		default:
			t.Errorf("context %q is a %T: API Gateway takes strings, numbers and booleans only", k, v)
		}
	}
}

func noSecrets(t *testing.T, out []byte, err error, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(out), s) || (err != nil && strings.Contains(err.Error(), s)) {
			t.Errorf("the answer repeats a token")
		}
	}
}
