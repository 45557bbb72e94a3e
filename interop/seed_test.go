//go:build interop

package interop_test

import (
	"testing"
)

type tokens struct{ ID, Access, Refresh string }

// seeded is a pool populated like a small real deployment.
type seeded struct {
	e                 *emulator
	poolID            string
	web, other, short string // app client IDs; short issues 2-second tokens
	users             map[string]tokens
	usernames         map[string]string // name -> the username Cognito assigned
	otherAlice        tokens            // alice through the other client
}

const password = "Interop-Passw0rd!"

// seedPool creates the pool (or fills the pre-created AWS-shaped one), three
// app clients, groups admin and readers, and users in none, one and both
// groups with a custom attribute, then signs everyone in.
func seedPool(t *testing.T, e *emulator) *seeded {
	t.Helper()
	s := &seeded{e: e, users: map[string]tokens{}, usernames: map[string]string{}}
	attrs := []map[string]any{{"Name": "tenant", "AttributeDataType": "String", "Mutable": true}}
	if e.awsID == "" {
		var out struct{ UserPool struct{ Id string } }
		e.call(t, "CreateUserPool", map[string]any{"PoolName": "interop", "Schema": attrs}, &out)
		s.poolID = out.UserPool.Id
	} else {
		s.poolID = e.awsID
		e.call(t, "AddCustomAttributes", map[string]any{"UserPoolId": s.poolID, "CustomAttributes": attrs}, nil)
	}
	client := func(name string, validity int, unit string) string {
		var out struct{ UserPoolClient struct{ ClientId string } }
		e.call(t, "CreateUserPoolClient", map[string]any{
			"UserPoolId": s.poolID, "ClientName": name, "GenerateSecret": false,
			"ExplicitAuthFlows":   []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
			"AccessTokenValidity": validity, "IdTokenValidity": validity, "RefreshTokenValidity": 1,
			"TokenValidityUnits": map[string]string{"AccessToken": unit, "IdToken": unit, "RefreshToken": "days"},
		}, &out)
		return out.UserPoolClient.ClientId
	}
	s.web = client("web", 60, "minutes")
	s.other = client("other", 60, "minutes")
	s.short = client("short", 2, "seconds")
	for _, g := range []map[string]any{
		{"GroupName": "admin", "Precedence": 1, "RoleArn": "arn:aws:iam::123456789012:role/InteropAdmin"},
		{"GroupName": "readers", "Precedence": 5},
	} {
		g["UserPoolId"] = s.poolID
		e.call(t, "CreateGroup", g, nil)
	}
	for _, u := range []struct {
		name, tenant string
		groups       []string
	}{
		{"alice", "acme", []string{"admin", "readers"}},
		{"bob", "acme", []string{"readers"}},
		{"carol", "", nil},
	} {
		ua := []map[string]string{{"Name": "email", "Value": u.name + "@example.com"}, {"Name": "email_verified", "Value": "true"}}
		if u.tenant != "" {
			ua = append(ua, map[string]string{"Name": "custom:tenant", "Value": u.tenant})
		}
		// cognito-local pools sign in by email; Cognito then assigns the username.
		email := u.name + "@example.com"
		var created struct{ User struct{ Username string } }
		e.call(t, "AdminCreateUser", map[string]any{"UserPoolId": s.poolID, "Username": email, "MessageAction": "SUPPRESS", "UserAttributes": ua}, &created)
		s.usernames[u.name] = created.User.Username
		e.call(t, "AdminSetUserPassword", map[string]any{"UserPoolId": s.poolID, "Username": email, "Password": password, "Permanent": true}, nil)
		for _, g := range u.groups {
			e.call(t, "AdminAddUserToGroup", map[string]any{"UserPoolId": s.poolID, "Username": email, "GroupName": g}, nil)
		}
		s.users[u.name] = s.signIn(t, s.web, u.name)
	}
	s.otherAlice = s.signIn(t, s.other, "alice")
	return s
}

type authResult struct {
	AuthenticationResult struct{ IdToken, AccessToken, RefreshToken string }
}

// signIn runs InitiateAuth USER_PASSWORD_AUTH.
func (s *seeded) signIn(t *testing.T, clientID, user string) tokens {
	t.Helper()
	var out authResult
	s.e.call(t, "InitiateAuth", map[string]any{
		"ClientId": clientID, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": user + "@example.com", "PASSWORD": password},
	}, &out)
	r := out.AuthenticationResult
	if r.IdToken == "" || r.AccessToken == "" {
		t.Fatalf("InitiateAuth for %s gave no tokens", user)
	}
	return tokens{ID: r.IdToken, Access: r.AccessToken, Refresh: r.RefreshToken}
}

// refresh runs InitiateAuth REFRESH_TOKEN_AUTH.
func (s *seeded) refresh(t *testing.T, clientID, refreshToken string) tokens {
	t.Helper()
	var out authResult
	s.e.call(t, "InitiateAuth", map[string]any{
		"ClientId": clientID, "AuthFlow": "REFRESH_TOKEN_AUTH",
		"AuthParameters": map[string]string{"REFRESH_TOKEN": refreshToken},
	}, &out)
	r := out.AuthenticationResult
	if r.IdToken == "" || r.AccessToken == "" {
		t.Fatal("REFRESH_TOKEN_AUTH gave no tokens")
	}
	return tokens{ID: r.IdToken, Access: r.AccessToken}
}
