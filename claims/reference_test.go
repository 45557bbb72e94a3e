package claims

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

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

// sortAttributes sorts custom attributes by name, so that the reference's
// (from a map) and Decode's (in document order) compare equal.
func sortAttributes(attrs []attribute) {
	slices.SortFunc(attrs, func(a, b attribute) int { return strings.Compare(a.name, b.name) })
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
