package claims_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
)

func decode(t *testing.T, payload string) *claims.Claims {
	t.Helper()
	c, err := claims.Decode([]byte(payload))
	if err != nil {
		t.Fatalf("Decode(%s): %v", payload, err)
	}
	return c
}

// idPayload is an ID token payload laid out as Cognito writes it (escaped
// slashes included).
const idPayload = `{
	"sub": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
	"cognito:groups": ["admin", "dev ops"],
	"cognito:roles": ["arn:aws:iam::123456789012:role\/Admin", "arn:aws:iam::123456789012:role\/Dev"],
	"cognito:preferred_role": "arn:aws:iam::123456789012:role\/Admin",
	"email_verified": true,
	"iss": "https:\/\/cognito-idp.us-east-1.amazonaws.com\/us-east-1_AbC",
	"cognito:username": "alice",
	"origin_jti": "11111111-2222-4333-8444-555555555555",
	"aud": "client1",
	"event_id": "66666666-7777-4888-8999-000000000000",
	"token_use": "id",
	"auth_time": 1800000000,
	"exp": 1800003600.25,
	"iat": 1800000000,
	"jti": "abababab-cdcd-4efe-8f0f-121212121212",
	"email": "alice@example.com",
	"custom:tenant": "acme",
	"custom:seats": "42",
	"custom:beta": "true",
	"custom:odd": 7,
	"given_name": "Alice"
}`

const accessPayload = `{
	"sub": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
	"cognito:groups": ["admin"],
	"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC",
	"version": 2,
	"client_id": "client1",
	"origin_jti": "o",
	"event_id": "e",
	"token_use": "access",
	"scope": "openid profile https://api.example.com/read",
	"auth_time": 1800000000,
	"exp": 1800003600,
	"iat": 1800000000,
	"nbf": 1799999990,
	"jti": "j",
	"username": "alice"
}`

func TestDecodeIDToken(t *testing.T) {
	t.Parallel()
	c := decode(t, idPayload)
	for _, f := range []struct{ name, got, want string }{
		{"Subject", c.Subject, "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"},
		{"Issuer", c.Issuer, "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC"},
		{"TokenUse", c.TokenUse, claims.TokenUseID},
		{"ClientID", c.ClientID, "client1"},
		{"Username", c.Username, "alice"},
		{"PreferredRole", c.PreferredRole, "arn:aws:iam::123456789012:role/Admin"},
		{"Email", c.Email, "alice@example.com"},
		{"JTI", c.JTI, "abababab-cdcd-4efe-8f0f-121212121212"},
		{"OriginJTI", c.OriginJTI, "11111111-2222-4333-8444-555555555555"},
		{"EventID", c.EventID, "66666666-7777-4888-8999-000000000000"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if !c.EmailVerified {
		t.Error("EmailVerified = false")
	}
	if !slices.Equal(c.Audience, []string{"client1"}) {
		t.Errorf("Audience = %q", c.Audience)
	}
	if !slices.Equal(c.Groups, []string{"admin", "dev ops"}) || len(c.Roles) != 2 {
		t.Errorf("Groups = %q, Roles = %q", c.Groups, c.Roles)
	}
	if c.Scopes != nil {
		t.Errorf("Scopes = %q, want none", c.Scopes)
	}
	wantTimes := map[string][2]time.Time{
		"AuthTime":  {c.AuthTime, time.Unix(1800000000, 0)},
		"IssuedAt":  {c.IssuedAt, time.Unix(1800000000, 0)},
		"ExpiresAt": {c.ExpiresAt, time.Unix(1800003600, 250_000_000)},
	}
	for name, tt := range wantTimes {
		if !tt[0].Equal(tt[1]) || tt[0].Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", name, tt[0], tt[1])
		}
	}
	if !c.NotBefore.IsZero() {
		t.Errorf("NotBefore = %v, want zero (absent)", c.NotBefore)
	}
	if exp, ok := c.Expiry(); !ok || exp != 1800003600.25 {
		t.Errorf("Expiry() = %v, %v", exp, ok)
	}
	if _, ok := c.NotBeforeSeconds(); ok {
		t.Error("NotBeforeSeconds reports an absent nbf")
	}
	if iat, ok := c.IssuedAtSeconds(); !ok || iat != 1800000000 {
		t.Errorf("IssuedAtSeconds() = %v, %v", iat, ok)
	}
}

func TestDecodeAccessToken(t *testing.T) {
	t.Parallel()
	c := decode(t, accessPayload)
	if c.TokenUse != claims.TokenUseAccess || c.ClientID != "client1" || c.Username != "alice" {
		t.Errorf("TokenUse %q, ClientID %q, Username %q", c.TokenUse, c.ClientID, c.Username)
	}
	if !slices.Equal(c.Scopes, []string{"openid", "profile", "https://api.example.com/read"}) {
		t.Errorf("Scopes = %q", c.Scopes)
	}
	if nbf, ok := c.NotBeforeSeconds(); !ok || nbf != 1799999990 || !c.NotBefore.Equal(time.Unix(1799999990, 0)) {
		t.Errorf("nbf = %v, %v, %v", nbf, ok, c.NotBefore)
	}
	if c.Audience != nil || c.Email != "" || c.EmailVerified {
		t.Errorf("ID-token-only fields set: %q %q %v", c.Audience, c.Email, c.EmailVerified)
	}
}

// TestDecodeClientAndUsername: where ClientID and Username come from.
func TestDecodeClientAndUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, payload      string
		clientID, username string
		audience           []string
	}{
		{"ID token: aud string", `{"token_use":"id","aud":"c1","client_id":"c2"}`, "c1", "", []string{"c1"}},
		{"ID token: aud array gives no client", `{"token_use":"id","aud":["c1"]}`, "", "", []string{"c1"}},
		{"access token: client_id, never aud", `{"token_use":"access","aud":"c1","client_id":"c2"}`, "c2", "", []string{"c1"}},
		{"access token without client_id", `{"token_use":"access","aud":"c1"}`, "", "", []string{"c1"}},
		{"no token_use: client_id first", `{"aud":"c1","client_id":"c2"}`, "c2", "", []string{"c1"}},
		{"no token_use: then aud string", `{"aud":"c1"}`, "c1", "", []string{"c1"}},
		{"cognito:username wins over username", `{"cognito:username":"a","username":"b"}`, "", "a", nil},
		{"username alone", `{"username":"b"}`, "", "b", nil},
		{"empty cognito:username falls back", `{"cognito:username":"","username":"b"}`, "", "b", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := decode(t, tc.payload)
			if c.ClientID != tc.clientID || c.Username != tc.username || !slices.Equal(c.Audience, tc.audience) {
				t.Errorf("ClientID %q, Username %q, Audience %q; want %q, %q, %q",
					c.ClientID, c.Username, c.Audience, tc.clientID, tc.username, tc.audience)
			}
		})
	}
}

// TestDecodeWrongTypes: a claim this package reads, with the wrong JSON
// type, is a *DecodeError naming it.
func TestDecodeWrongTypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ claim, value string }{
		{"iss", "1"}, {"iss", "null"}, {"sub", `["a"]`}, {"token_use", "true"}, {"jti", "{}"},
		{"origin_jti", "1"}, {"event_id", "1"}, {"email", "false"}, {"cognito:preferred_role", "[]"},
		{"client_id", "7"}, {"username", "null"}, {"cognito:username", "1"}, {"scope", `["openid"]`},
		{"aud", "12"}, {"aud", "{}"}, {"aud", `["a",2]`}, {"aud", "null"},
		{"cognito:groups", "1"}, {"cognito:groups", `["a",null]`}, {"cognito:groups", `{"a":1}`},
		{"cognito:roles", "true"}, {"cognito:roles", `[1]`},
		{"exp", `"1800000000"`}, {"exp", "null"}, {"exp", "true"}, {"exp", "1e300"}, {"exp", "-1e300"},
		{"nbf", `"foobar"`}, {"iat", `"now"`}, {"iat", "[]"}, {"auth_time", `"then"`}, {"auth_time", "1e16"},
	} {
		t.Run(tc.claim+"="+tc.value, func(t *testing.T) {
			t.Parallel()
			c, err := claims.Decode([]byte(`{"` + tc.claim + `":` + tc.value + `}`))
			var de *claims.DecodeError
			if !errors.As(err, &de) || c != nil {
				t.Fatalf("Decode = %v, %v; want a *DecodeError and no claims", c, err)
			}
			if de.Claim != tc.claim || de.Reason == "" || !strings.HasPrefix(de.Error(), "claims: ") {
				t.Errorf("DecodeError = %+v (%q)", de, de.Error())
			}
		})
	}
}

func TestDecodeNotAnObject(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "null", "[]", `"x"`, "1", "{", `{"a":1} {}`, "not json"} {
		_, err := claims.Decode([]byte(p))
		var de *claims.DecodeError
		if !errors.As(err, &de) || de.Claim != "" {
			t.Errorf("Decode(%q) = %v, want a *DecodeError about the payload", p, err)
		}
	}
}

// TestDecodeUnreadClaimsAnyType: claims this package does not read may hold
// any JSON type.
func TestDecodeUnreadClaimsAnyType(t *testing.T) {
	t.Parallel()
	c := decode(t, `{"version":2,"identities":[{"providerName":"Google"}],"phone_number_verified":"yes","at_hash":null}`)
	if v, ok := c.Get("version"); !ok || v != float64(2) {
		t.Errorf("version = %v, %v", v, ok)
	}
}

func TestDecodeGroups(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, payload string
		want          []string
	}{
		{"array, names with commas, colons and slashes", `{"cognito:groups":["a","b,c","d:e/f"]}`, []string{"a", "b,c", "d:e/f"}},
		{"a string is one group", `{"cognito:groups":"solo"}`, []string{"solo"}},
		{"a string is never split on commas", `{"cognito:groups":"a,b"}`, []string{"a,b"}},
		{"empty array", `{"cognito:groups":[]}`, []string{}},
		{"absent", `{}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := decode(t, tc.payload)
			if !slices.Equal(c.Groups, tc.want) || (tc.want == nil) != (c.Groups == nil) {
				t.Errorf("%s: Groups = %#v, want %#v", tc.payload, c.Groups, tc.want)
			}
		})
	}
}

func TestDecodeEmailVerified(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]bool{
		"true": true, `"true"`: true,
		"false": false, `"false"`: false,
		`"TRUE"`: false, `"yes"`: false, "1": false, `""`: false, "null": false, `["true"]`: false,
	} {
		c := decode(t, `{"email_verified":`+value+`}`)
		if c.EmailVerified != want {
			t.Errorf("email_verified %s: EmailVerified = %v, want %v", value, c.EmailVerified, want)
		}
	}
	if decode(t, `{}`).EmailVerified {
		t.Error("absent email_verified reads as true")
	}
}

// TestDecodeScopes: scope splits on single spaces, as Cognito joins scopes;
// empty entries are dropped and other white space stays inside a scope
// .
func TestDecodeScopes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scope string
		want  []string
	}{
		{"openid", []string{"openid"}},
		{"openid profile", []string{"openid", "profile"}},
		{"a  b", []string{"a", "b"}},
		{" a b ", []string{"a", "b"}},
		{"a\tb", []string{"a\tb"}},
		{"a\nb c", []string{"a\nb", "c"}},
		{"https://api.example.com/read aws.cognito.signin.user.admin", []string{"https://api.example.com/read", "aws.cognito.signin.user.admin"}},
		{"", nil},
		{"   ", nil},
	} {
		t.Run(strconv.Quote(tc.scope), func(t *testing.T) {
			c := decode(t, `{"scope":`+strconv.Quote(tc.scope)+`}`)
			if !slices.Equal(c.Scopes, tc.want) {
				t.Errorf("scope %q: Scopes = %q, want %q", tc.scope, c.Scopes, tc.want)
			}
		})
	}
	t.Run("no case folding", func(t *testing.T) {
		c := decode(t, `{"scope":"Read write"}`)
		if c.HasScope("read") || !c.HasScope("Read") {
			t.Error("scopes are not compared case-sensitively")
		}
	})
}

func TestCustomAttributes(t *testing.T) {
	t.Parallel()
	c := decode(t, idPayload)
	want := map[string]string{"tenant": "acme", "seats": "42", "beta": "true"}
	if got := c.Custom(); !maps.Equal(got, want) {
		t.Errorf("Custom() = %q, want %q (custom:odd is not a string)", got, want)
	}
	c.Custom()["tenant"] = "changed" // a copy: the claims stay as they are
	if v, _ := c.CustomAttribute("tenant"); v != "acme" {
		t.Errorf("changing Custom()'s map changed the claims: tenant %q", v)
	}
	for name, v := range want {
		for _, key := range []string{name, claims.CustomPrefix + name} {
			if got, ok := c.CustomAttribute(key); !ok || got != v {
				t.Errorf("CustomAttribute(%q) = %q, %v", key, got, ok)
			}
		}
	}
	if _, ok := c.CustomAttribute("odd"); ok {
		t.Error("a non-string custom claim is a custom attribute")
	}
	if v, ok := c.Get("custom:odd"); !ok || v != float64(7) {
		t.Errorf("Get(custom:odd) = %v, %v", v, ok)
	}
	if n, err := c.CustomInt("seats"); err != nil || n != 42 {
		t.Errorf("CustomInt(seats) = %d, %v", n, err)
	}
	if b, err := c.CustomBool("custom:beta"); err != nil || !b {
		t.Errorf("CustomBool(beta) = %v, %v", b, err)
	}
	if _, err := c.CustomInt("tenant"); err == nil {
		t.Error("CustomInt(tenant) parsed acme")
	}
	var missing *claims.MissingClaimError
	if _, err := c.CustomBool("absent"); !errors.As(err, &missing) || missing.Name != "custom:absent" {
		t.Errorf("CustomBool(absent) = %v, want *MissingClaimError for custom:absent", err)
	}
	if _, err := c.CustomInt("custom:absent"); !errors.As(err, &missing) || missing.Name != "custom:absent" {
		t.Errorf("CustomInt(custom:absent) = %v", err)
	}
	if c := decode(t, `{}`); c.Custom() != nil {
		t.Errorf("Custom() = %v without custom claims", c.Custom())
	}
}

func TestRawAndGet(t *testing.T) {
	t.Parallel()
	c := decode(t, idPayload)
	raw := c.Raw()
	if raw["given_name"] != "Alice" || raw["exp"] != 1800003600.25 || raw["email_verified"] != true {
		t.Errorf("Raw = %v", raw)
	}
	if groups, ok := raw["cognito:groups"].([]any); !ok || len(groups) != 2 {
		t.Errorf("Raw cognito:groups = %#v", raw["cognito:groups"])
	}
	raw2 := c.Raw()
	raw2["probe"] = true
	if _, ok := c.Raw()["probe"]; !ok {
		t.Error("Raw is decoded again on each call (documented as decoded once and shared)")
	}
	if v, ok := c.Get("given_name"); !ok || v != "Alice" {
		t.Errorf("Get(given_name) = %v, %v", v, ok)
	}
	if _, ok := c.Get("absent"); ok {
		t.Error("Get(absent) found a value")
	}
	var zero claims.Claims
	if zero.Raw() != nil {
		t.Error("Raw of a zero Claims is not nil")
	}
	if _, ok := zero.Get("iss"); ok {
		t.Error("Get on a zero Claims found a value")
	}
}

func TestGroupAndScopeHelpers(t *testing.T) {
	t.Parallel()
	c := &claims.Claims{Groups: []string{"admin", "dev ops"}, Scopes: []string{"read", "write"}}
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"InGroup(admin)", c.InGroup("admin"), true},
		{"InGroup(Admin)", c.InGroup("Admin"), false},
		{"InGroup(dev)", c.InGroup("dev"), false},
		{"InGroup(\"\")", c.InGroup(""), false},
		{"InAnyGroup(x, admin)", c.InAnyGroup("x", "admin"), true},
		{"InAnyGroup(x, y)", c.InAnyGroup("x", "y"), false},
		{"InAnyGroup()", c.InAnyGroup(), false},
		{"InAllGroups(admin, dev ops)", c.InAllGroups("admin", "dev ops"), true},
		{"InAllGroups(admin, x)", c.InAllGroups("admin", "x"), false},
		{"InAllGroups()", c.InAllGroups(), true},
		{"HasScope(read)", c.HasScope("read"), true},
		{"HasScope(rea)", c.HasScope("rea"), false},
		{"HasAnyScope(x, write)", c.HasAnyScope("x", "write"), true},
		{"HasAnyScope(x)", c.HasAnyScope("x"), false},
		{"HasAllScopes(read, write)", c.HasAllScopes("read", "write"), true},
		{"HasAllScopes(read, admin)", c.HasAllScopes("read", "admin"), false},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	var none claims.Claims
	if none.InGroup("admin") || none.HasScope("read") || none.InAnyGroup("admin") {
		t.Error("a token without groups or scopes matched")
	}
}

func TestIsMachine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, payload string
		want          bool
	}{
		{"client-credentials token", `{"token_use":"access","sub":"c1","client_id":"c1","scope":"api/read"}`, true},
		{"user's access token", `{"token_use":"access","sub":"u","client_id":"c1","username":"alice"}`, false},
		{"access token with username and sub == client", `{"token_use":"access","sub":"c1","client_id":"c1","username":"c1"}`, false},
		{"ID token with sub == aud", `{"token_use":"id","sub":"c1","aud":"c1"}`, false},
		{"access token without sub or client", `{"token_use":"access"}`, false},
		{"no token_use", `{"sub":"c1","client_id":"c1"}`, false},
	} {
		if got := decode(t, tc.payload).IsMachine(); got != tc.want {
			t.Errorf("%s: IsMachine() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestContext(t *testing.T) {
	t.Parallel()
	c := decode(t, accessPayload)
	ctx := claims.NewContext(context.Background(), c)
	if got, ok := claims.FromContext(ctx); !ok || got != c {
		t.Errorf("FromContext = %p, %v; want %p", got, ok, c)
	}
	if got, ok := claims.FromContext(context.Background()); ok || got != nil {
		t.Errorf("FromContext(empty) = %v, %v", got, ok)
	}
	if _, ok := claims.FromContext(claims.NewContext(context.Background(), nil)); ok {
		t.Error("FromContext reports nil claims as present")
	}
	// A value stored under a look-alike key (same type name, other package)
	// is not the claims.
	type contextKey struct{}
	spoof := context.WithValue(context.Background(), contextKey{}, c)
	if _, ok := claims.FromContext(spoof); ok {
		t.Error("FromContext read a value stored under another key")
	}
	// An inner context keeps the claims; a later NewContext shadows them.
	inner, cancel := context.WithCancel(ctx)
	defer cancel()
	if got, _ := claims.FromContext(inner); got != c {
		t.Error("claims lost in a derived context")
	}
	other := decode(t, idPayload)
	if got, _ := claims.FromContext(claims.NewContext(inner, other)); got != other {
		t.Error("NewContext did not shadow the outer claims")
	}
}
