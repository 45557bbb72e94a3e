package claims

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/cognitoauth/cognitoauth/internal/jsonscan"
)

// claimID numbers the claims Decode reads, in the order decodeReference
// checks them, so that a payload with several faults reports the same one.
type claimID uint8

const (
	claimIss claimID = iota
	claimSub
	claimTokenUse
	claimJTI
	claimOriginJTI
	claimEventID
	claimEmail
	claimPreferredRole
	claimClientID
	claimUsername
	claimCognitoUsername
	claimScope
	claimAud
	claimGroups
	claimRoles
	claimEmailVerified
	claimExp
	claimNbf
	claimIat
	claimAuthTime
	numClaims
	noClaim = numClaims

	lastStringClaim = claimScope
)

var claimNames = [numClaims]string{
	"iss", "sub", "token_use", "jti", "origin_jti", "event_id", "email", "cognito:preferred_role",
	"client_id", "username", "cognito:username", "scope",
	"aud", "cognito:groups", "cognito:roles", "email_verified", "exp", "nbf", "iat", "auth_time",
}

func lookupClaim(name []byte) claimID {
	switch string(name) { // compiled to comparisons, without a conversion
	case "iss":
		return claimIss
	case "sub":
		return claimSub
	case "token_use":
		return claimTokenUse
	case "jti":
		return claimJTI
	case "origin_jti":
		return claimOriginJTI
	case "event_id":
		return claimEventID
	case "email":
		return claimEmail
	case "cognito:preferred_role":
		return claimPreferredRole
	case "client_id":
		return claimClientID
	case "username":
		return claimUsername
	case "cognito:username":
		return claimCognitoUsername
	case "scope":
		return claimScope
	case "aud":
		return claimAud
	case "cognito:groups":
		return claimGroups
	case "cognito:roles":
		return claimRoles
	case "email_verified":
		return claimEmailVerified
	case "exp":
		return claimExp
	case "nbf":
		return claimNbf
	case "iat":
		return claimIat
	case "auth_time":
		return claimAuthTime
	}
	return noClaim
}

// claimsWithRaw holds a Claims and its rawPayload in one allocation.
type claimsWithRaw struct {
	c   Claims
	raw rawPayload
}

// member is one "custom:*" member, key and value as written.
type member struct{ key, value []byte }

// decodeFast is Decode. One pass with jsonscan validates the whole payload
// and notes where each claim's value is (a later duplicate replaces an
// earlier one, as in a map); the values are then read in decodeReference's
// order. Every string lands in one shared allocation.
func decodeFast(payload []byte) (*Claims, error) {
	var values [numClaims][]byte
	var customBuf [8]member
	custom := customBuf[:0]
	var keyBuf [64]byte
	obj := jsonscan.Members(payload)
	for {
		key, value, ok := obj.Next()
		if !ok {
			break
		}
		name, plain := jsonscan.Plain(key)
		if !plain {
			name = jsonscan.AppendUnquoted(keyBuf[:0], key)
		}
		if id := lookupClaim(name); id != noClaim {
			values[id] = value
		} else if len(name) >= len(CustomPrefix) && string(name[:len(CustomPrefix)]) == CustomPrefix {
			custom = append(custom, member{key, value})
		}
	}
	if !obj.Valid() {
		return nil, &DecodeError{Reason: "payload is not a JSON object"}
	}

	var a arena
	a.grow(&values, custom)
	both := &claimsWithRaw{raw: rawPayload{data: payload}} // one allocation for the two
	c := &both.c
	c.raw = &both.raw
	var clientID, username, cognitoUsername, scope string
	strs := [lastStringClaim + 1]*string{
		&c.Issuer, &c.Subject, &c.TokenUse, &c.JTI, &c.OriginJTI, &c.EventID, &c.Email, &c.PreferredRole,
		&clientID, &username, &cognitoUsername, &scope,
	}
	for id, dst := range strs {
		if raw := values[id]; raw != nil {
			if raw[0] != '"' {
				return nil, &DecodeError{Claim: claimNames[id], Reason: "is not a string"}
			}
			*dst = a.string(raw)
		}
	}
	var err error
	lists := newStringLists(values[claimAud], values[claimGroups], values[claimRoles])
	if c.Audience, err = lists.read(&a, claimAud, values[claimAud]); err != nil {
		return nil, err
	}
	if c.Groups, err = lists.read(&a, claimGroups, values[claimGroups]); err != nil {
		return nil, err
	}
	if c.Roles, err = lists.read(&a, claimRoles, values[claimRoles]); err != nil {
		return nil, err
	}
	switch string(values[claimEmailVerified]) {
	case "true", `"true"`:
		c.EmailVerified = true
	}
	var authTime float64
	dates := [...]struct {
		id  claimID
		f   *float64
		has *bool
	}{
		{claimExp, &c.exp, &c.hasExp},
		{claimNbf, &c.nbf, &c.hasNbf},
		{claimIat, &c.iat, &c.hasIat},
		{claimAuthTime, &authTime, &c.hasAuth},
	}
	for _, d := range dates {
		raw := values[d.id]
		if raw == nil {
			continue
		}
		if *d.f, err = numericDate(claimNames[d.id], raw); err != nil {
			return nil, err
		}
		*d.has = true
	}
	if c.hasExp {
		c.ExpiresAt = secondsToTime(c.exp)
	}
	if c.hasNbf {
		c.NotBefore = secondsToTime(c.nbf)
	}
	if c.hasIat {
		c.IssuedAt = secondsToTime(c.iat)
	}
	if c.hasAuth {
		c.AuthTime = secondsToTime(authTime)
	}
	c.Custom = a.custom(custom)
	audString := values[claimAud] != nil && values[claimAud][0] == '"'
	c.finish(clientID, username, cognitoUsername, scope, audString)
	return c, nil
}

// numericDate reads a NumericDate as rawNumericDate does: a JSON number that
// fits a float64 and lies within ±2^53. Whole numbers of up to 15 digits,
// what every real token holds, are converted without strconv.
func numericDate(name string, raw []byte) (float64, error) {
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		return 0, &DecodeError{Claim: name, Reason: "is not a number"}
	}
	if len(raw) <= 15 {
		n, whole := int64(0), true
		for _, c := range raw {
			if c < '0' || c > '9' {
				whole = false
				break
			}
			n = n*10 + int64(c-'0')
		}
		if whole {
			return float64(n), nil // below 10^15 < 2^53: exact, in range
		}
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return 0, &DecodeError{Claim: name, Reason: "is not a number"}
	}
	if f > maxNumericDate || f < -maxNumericDate {
		return 0, &DecodeError{Claim: name, Reason: "is out of range"}
	}
	return f, nil
}

// arena hands out the decoded strings of one payload as substrings of one
// allocation. A strings.Builder never changes bytes it has written, so every
// substring of its String stays valid while more is appended.
type arena struct {
	b       strings.Builder
	scratch [256]byte
}

// grow reserves room for every string the claims will hold.
func (a *arena) grow(values *[numClaims][]byte, custom []member) {
	n := 0
	for id := range claimRoles + 1 {
		n += len(values[id])
	}
	for _, m := range custom {
		n += len(m.key) + len(m.value)
	}
	a.b.Grow(n)
}

// string decodes quoted, a validated JSON string.
func (a *arena) string(quoted []byte) string {
	s, plain := jsonscan.Plain(quoted)
	if !plain {
		s = jsonscan.AppendUnquoted(a.scratch[:0], quoted)
	}
	start := a.b.Len()
	a.b.Write(s)
	return a.b.String()[start:]
}

// stringLists gives aud, cognito:groups and cognito:roles one shared
// backing array, each claim a full slice expression of it, so that the
// three cost one allocation and an append to one never writes into another.
type stringLists struct{ backing []string }

// newStringLists sizes the backing array for the claims as written: one
// string, or at most one more element than an array has commas.
func newStringLists(raws ...[]byte) stringLists {
	n := 0
	for _, raw := range raws {
		switch {
		case raw == nil:
		case raw[0] == '[':
			n += bytes.Count(raw, []byte{','}) + 1
		default:
			n++
		}
	}
	if n == 0 {
		return stringLists{}
	}
	return stringLists{backing: make([]string, 0, n)}
}

// read reads a claim that is a string or an array of strings, as
// rawStrings does; a missing claim gives nil, an empty array an empty
// slice. A non-string element fails the claim (strings already written to
// the arena are then simply unused).
func (l *stringLists) read(a *arena, id claimID, raw []byte) ([]string, error) {
	start := len(l.backing)
	switch {
	case raw == nil:
		return nil, nil
	case raw[0] == '"':
		l.backing = append(l.backing, a.string(raw))
	case raw[0] != '[':
		return nil, &DecodeError{Claim: claimNames[id], Reason: "is not a string or an array of strings"}
	default:
		for elem := range jsonscan.Elements(raw) {
			if elem[0] != '"' {
				return nil, &DecodeError{Claim: claimNames[id], Reason: "has an element that is not a string"}
			}
			l.backing = append(l.backing, a.string(elem))
		}
	}
	end := len(l.backing)
	return l.backing[start:end:end], nil
}

// custom builds Claims.Custom from the custom:* members in document order:
// the last member of a name decides, and one that is not a string removes
// the name, as the map in decodeReference ends up.
func (a *arena) custom(members []member) map[string]string {
	var m map[string]string
	for _, mb := range members {
		name := a.string(mb.key)[len(CustomPrefix):]
		if mb.value[0] != '"' {
			delete(m, name)
			continue
		}
		if m == nil {
			m = make(map[string]string, len(members))
		}
		m[name] = a.string(mb.value)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
