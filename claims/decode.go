package claims

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DecodeError reports a payload that is not a JSON object, or a claim this
// package reads that has the wrong JSON type. It never holds the token.
type DecodeError struct {
	Claim  string // the claim at fault; empty when the payload itself is bad
	Reason string
}

func (e *DecodeError) Error() string {
	if e.Claim == "" {
		return "claims: " + e.Reason
	}
	return "claims: " + strconv.Quote(e.Claim) + " " + e.Reason
}

// maxNumericDate bounds exp, nbf, iat and auth_time: beyond 2^53 seconds a
// float64 no longer holds whole seconds and time.Time would overflow.
const maxNumericDate = 1 << 53

// Decode parses a token payload (the JSON, not base64) into Claims. The
// Claims keep a copy of payload (for Raw), never payload itself, so the
// caller may reuse it.
func Decode(payload []byte) (*Claims, error) {
	return decodeFast(payload)
}

// decodeReference is the plain encoding/json decoder. It is the specification
// any faster decoder must agree with (see the fuzz tests).
func decodeReference(payload []byte) (*Claims, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(payload, &m); err != nil || m == nil {
		return nil, &DecodeError{Reason: "payload is not a JSON object"}
	}
	c := &Claims{raw: &rawPayload{data: string(payload)}}
	var err error
	str := func(name string, dst *string) {
		if raw, ok := m[name]; ok && err == nil {
			*dst, err = rawString(name, raw)
		}
	}
	str("iss", &c.Issuer)
	str("sub", &c.Subject)
	str("token_use", &c.TokenUse)
	str("jti", &c.JTI)
	str("origin_jti", &c.OriginJTI)
	str("event_id", &c.EventID)
	str("email", &c.Email)
	str("cognito:preferred_role", &c.PreferredRole)
	var clientID, username, cognitoUsername, scope string
	str("client_id", &clientID)
	str("username", &username)
	str("cognito:username", &cognitoUsername)
	str("scope", &scope)
	if err != nil {
		return nil, err
	}
	audString := false
	if raw, ok := m["aud"]; ok {
		if c.Audience, err = rawStrings("aud", raw); err != nil {
			return nil, err
		}
		audString = raw[0] == '"'
	}
	if raw, ok := m["cognito:groups"]; ok {
		if c.Groups, err = rawStrings("cognito:groups", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["cognito:roles"]; ok {
		if c.Roles, err = rawStrings("cognito:roles", raw); err != nil {
			return nil, err
		}
	}
	if raw, ok := m["email_verified"]; ok {
		c.EmailVerified = rawBoolish(raw)
	}
	for _, d := range []struct {
		name string
		f    *float64
		has  *bool
		t    *time.Time
	}{
		{"exp", &c.exp, &c.hasExp, &c.ExpiresAt},
		{"nbf", &c.nbf, &c.hasNbf, &c.NotBefore},
		{"iat", &c.iat, &c.hasIat, &c.IssuedAt},
		{"auth_time", new(float64), &c.hasAuth, &c.AuthTime},
	} {
		raw, ok := m[d.name]
		if !ok {
			continue
		}
		if *d.f, err = rawNumericDate(d.name, raw); err != nil {
			return nil, err
		}
		*d.has, *d.t = true, secondsToTime(*d.f)
	}
	for k, raw := range m {
		if strings.HasPrefix(k, CustomPrefix) && len(raw) > 0 && raw[0] == '"' {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				c.custom = append(c.custom, attribute{k[len(CustomPrefix):], s})
			}
		}
	}
	sortAttributes(c.custom)
	c.finish(clientID, username, cognitoUsername, scope, audString)
	return c, nil
}

// finish derives the fields that depend on several claims. An ID token's
// client is its aud only when aud is a single string, as Cognito writes it.
func (c *Claims) finish(clientID, username, cognitoUsername, scope string, audString bool) {
	c.Username = cognitoUsername
	if c.Username == "" {
		c.Username = username
	}
	switch {
	case c.TokenUse == TokenUseID:
		if audString {
			c.ClientID = c.Audience[0]
		}
	case c.TokenUse == TokenUseAccess:
		c.ClientID = clientID
	case clientID != "":
		c.ClientID = clientID
	case audString:
		c.ClientID = c.Audience[0]
	}
	c.Scopes = splitScopes(scope)
}

// sortAttributes sorts custom attributes by name, the order Claims keeps
// them in.
func sortAttributes(attrs []attribute) {
	slices.SortFunc(attrs, func(a, b attribute) int { return strings.Compare(a.name, b.name) })
}

// splitScopes splits on single spaces, as Cognito joins them, dropping empty
// entries; other white space stays part of a scope and so never matches.
func splitScopes(scope string) []string {
	if scope == "" {
		return nil
	}
	n := strings.Count(scope, " ") + 1
	out := make([]string, 0, n)
	for scope != "" {
		i := strings.IndexByte(scope, ' ')
		if i < 0 {
			out = append(out, scope)
			break
		}
		if i > 0 {
			out = append(out, scope[:i])
		}
		scope = scope[i+1:]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func secondsToTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func rawString(name string, raw json.RawMessage) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", &DecodeError{Claim: name, Reason: "is not a string"}
	}
	return s, nil
}

// rawStrings accepts a string (one element) or an array of strings.
func rawStrings(name string, raw json.RawMessage) ([]string, error) {
	if len(raw) > 0 && raw[0] == '"' {
		s, err := rawString(name, raw)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	}
	var items []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, &DecodeError{Claim: name, Reason: "is not a string or an array of strings"}
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, err := rawString(name, it)
		if err != nil {
			return nil, &DecodeError{Claim: name, Reason: "has an element that is not a string"}
		}
		out = append(out, s)
	}
	return out, nil
}

func rawBoolish(raw json.RawMessage) bool {
	switch string(raw) {
	case "true", `"true"`:
		return true
	}
	return false
}

func rawNumericDate(name string, raw json.RawMessage) (float64, error) {
	var f float64
	if len(raw) == 0 || !(raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') || json.Unmarshal(raw, &f) != nil {
		return 0, &DecodeError{Claim: name, Reason: "is not a number"}
	}
	if f > maxNumericDate || f < -maxNumericDate {
		return 0, &DecodeError{Claim: name, Reason: "is out of range"}
	}
	return f, nil
}
