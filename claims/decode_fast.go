package claims

import (
	"bytes"
	"hash/maphash"
	"slices"
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

// claimsWithRaw holds a Claims, its rawPayload and the backing arrays of its
// short string lists and custom attributes in one allocation.
type claimsWithRaw struct {
	c      Claims
	raw    rawPayload
	lists  [4]string
	custom [4]attribute
}

// span is where a member's key or value lies in the payload. Offsets rather
// than slices keep the payload from escaping, so that a caller's buffer on
// the stack stays there.
type span struct{ start, end int }

// quote is a JSON string's delimiter; minCustomMember is the length of the
// shortest custom member with its separator, `"custom:":0,`.
var quote = []byte{'"'}

const minCustomMember = len(`"` + CustomPrefix + `":0,`)

// member is one "custom:*" member, key and value as written, and whether
// each is written as its decoded value (see jsonscan.Object.Plain).
type member struct {
	key, value           span
	keyPlain, valuePlain bool
}

// decodeFast is Decode. One pass with jsonscan validates the whole payload
// and notes where each claim's value is (a later duplicate replaces an
// earlier one, as in a map); the values are then read in decodeReference's
// order. The payload is copied once, into a string; every string value
// without escapes is a substring of it, and the few with escapes are decoded
// into the same allocation, after it.
func decodeFast(payload []byte) (*Claims, error) {
	var values [numClaims][]byte
	var plain [numClaims]bool // values[id] is a string written as its decoded value
	var customBuf [8]member
	custom := customBuf[:0]
	var keyBuf [64]byte
	obj := jsonscan.Members(payload)
	for {
		key, value, ok := obj.Next()
		if !ok {
			break
		}
		keyPlain, valuePlain := obj.Plain()
		name := key[1 : len(key)-1]
		if !keyPlain {
			name = jsonscan.AppendUnquoted(keyBuf[:0], key)
		}
		if id := lookupClaim(name); id != noClaim {
			values[id], plain[id] = value, valuePlain
		} else if len(name) >= len(CustomPrefix) && string(name[:len(CustomPrefix)]) == CustomPrefix {
			if len(custom) == len(customBuf) {
				// More than a few: make room at once for as many members as
				// the rest could hold (a hostile token holds thousands, which
				// doubling would copy again and again). Each has a quoted
				// key and takes at least minCustomMember bytes; counting one
				// byte is fast, counting the prefix was not.
				rest := payload[spanOf(payload, value).end:]
				custom = slices.Grow(custom, 1+min(bytes.Count(rest, quote)/2, len(rest)/minCustomMember))
			}
			custom = append(custom, member{spanOf(payload, key), spanOf(payload, value), keyPlain, valuePlain})
		}
	}
	if !obj.Valid() {
		return nil, &DecodeError{Reason: "payload is not a JSON object"}
	}

	var a arena
	a.init(payload, &values, &plain, custom)
	both := &claimsWithRaw{raw: rawPayload{data: a.payload}} // one allocation for the three
	c := &both.c
	c.raw = &both.raw
	for id, raw := range values[:lastStringClaim+1] {
		if raw != nil && raw[0] != '"' {
			return nil, &DecodeError{Claim: claimNames[id], Reason: "is not a string"}
		}
	}
	str := func(id claimID) string {
		if raw := values[id]; raw != nil {
			return a.string(payload, raw, plain[id])
		}
		return ""
	}
	c.Issuer, c.Subject, c.TokenUse = str(claimIss), str(claimSub), str(claimTokenUse)
	c.JTI, c.OriginJTI, c.EventID = str(claimJTI), str(claimOriginJTI), str(claimEventID)
	c.Email, c.PreferredRole = str(claimEmail), str(claimPreferredRole)
	clientID, username, cognitoUsername, scope := str(claimClientID), str(claimUsername), str(claimCognitoUsername), str(claimScope)
	var err error
	lists := newStringLists(both.lists[:0], values[claimAud], values[claimGroups], values[claimRoles])
	if c.Audience, err = lists.read(&a, payload, claimAud, values[claimAud], plain[claimAud]); err != nil {
		return nil, err
	}
	if c.Groups, err = lists.read(&a, payload, claimGroups, values[claimGroups], plain[claimGroups]); err != nil {
		return nil, err
	}
	if c.Roles, err = lists.read(&a, payload, claimRoles, values[claimRoles], plain[claimRoles]); err != nil {
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
	c.custom = a.custom(payload, custom, both.custom[:0])
	audString := values[claimAud] != nil && values[claimAud][0] == '"'
	c.finish(clientID, username, cognitoUsername, scope, audString)
	return c, nil
}

// spanOf returns where sub, a slice of payload, lies in it. Both end where
// payload's backing array ends, so their capacities tell.
func spanOf(payload, sub []byte) span {
	start := cap(payload) - cap(sub)
	return span{start, start + len(sub)}
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

// arena hands out the decoded strings of one payload from one allocation: a
// strings.Builder that first receives a copy of the payload, then the
// decoded form of each string with escapes. A strings.Builder never changes
// bytes it has written, so every substring of its String stays valid while
// more is appended.
type arena struct {
	payload string // the payload's copy
	b       strings.Builder
	scratch [256]byte
}

// init copies payload into the arena, with room after it for the
// strings that need decoding. The room is a hint: a string longer once
// decoded (bytes that are not UTF-8 become U+FFFD) just grows the builder.
func (a *arena) init(payload []byte, values *[numClaims][]byte, plain *[numClaims]bool, custom []member) {
	// A string the scan found plain needs no room; an array (of strings,
	// as aud, cognito:groups and cognito:roles should be) is looked into.
	extra := 0
	hint := func(raw []byte, plain bool) {
		if raw == nil || plain {
			return
		}
		if raw[0] == '"' || raw[0] == '[' && bytes.IndexByte(raw, '\\') >= 0 {
			extra += len(raw)
		}
	}
	for id := range claimRoles + 1 {
		hint(values[id], plain[id])
	}
	for _, m := range custom {
		hint(payload[m.key.start:m.key.end], m.keyPlain)
		hint(payload[m.value.start:m.value.end], m.valuePlain)
	}
	a.b.Grow(len(payload) + extra)
	a.b.Write(payload)
	a.payload = a.b.String()
}

// string decodes quoted, a validated JSON string that is a slice of
// payload; plain is whether it is written as its decoded value.
func (a *arena) string(payload, quoted []byte, plain bool) string {
	if plain {
		sp := spanOf(payload, quoted)
		return a.payload[sp.start+1 : sp.end-1]
	}
	s := jsonscan.AppendUnquoted(a.scratch[:0], quoted)
	start := a.b.Len()
	a.b.Write(s)
	return a.b.String()[start:]
}

// stringLists gives aud, cognito:groups and cognito:roles one shared
// backing array, each claim a full slice expression of it, so that the
// three cost at most one allocation and an append to one never writes into
// another.
type stringLists struct{ backing []string }

// newStringLists sizes the backing array for the claims as written: one
// string, or at most one more element than an array has commas. It uses
// small when that is large enough.
func newStringLists(small []string, raws ...[]byte) stringLists {
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
	switch {
	case n == 0:
		return stringLists{}
	case n <= cap(small):
		return stringLists{backing: small[:0]}
	}
	return stringLists{backing: make([]string, 0, n)}
}

// read reads a claim that is a string or an array of strings, as
// rawStrings does; a missing claim gives nil, an empty array an empty
// slice. A non-string element fails the claim (strings already written to
// the arena are then simply unused).
func (l *stringLists) read(a *arena, payload []byte, id claimID, raw []byte, plain bool) ([]string, error) {
	start := len(l.backing)
	switch {
	case raw == nil:
		return nil, nil
	case raw[0] == '"':
		l.backing = append(l.backing, a.string(payload, raw, plain))
	case raw[0] != '[':
		return nil, &DecodeError{Claim: claimNames[id], Reason: "is not a string or an array of strings"}
	default:
		elems := jsonscan.Elements(raw)
		for elem, ok := elems.Next(); ok; elem, ok = elems.Next() {
			if elem[0] != '"' {
				return nil, &DecodeError{Claim: claimNames[id], Reason: "has an element that is not a string"}
			}
			l.backing = append(l.backing, a.string(payload, elem, elems.Plain()))
		}
	}
	end := len(l.backing)
	return l.backing[start:end:end], nil
}

// custom builds the custom attributes from the custom:* members: the last
// member of a name decides, and one that is not a string removes the name,
// as the map in decodeReference ends up. They go into small while it has
// room, in the document order of each name's deciding member.
//
// The payload is decoded before the issuer and signature checks, so this
// must cost time linear in the number of members for every shape: a search
// of the names kept so far made n distinct names cost n² comparisons (a
// token refused at its issuer check cost 25 verifications), and a stable
// sort made repeated names cost O(n log² n) moves (2.4 verifications). A
// hash table keyed with a seed chosen at start-up (so a token cannot be
// built to collide) finds each name's last member in expected O(n).
func (a *arena) custom(payload []byte, members []member, small []attribute) []attribute {
	if len(members) == 0 {
		return nil
	}
	var namesBuf [8]string
	var lastBuf [8]bool
	names, last := namesBuf[:0], lastBuf[:0]
	if len(members) > len(namesBuf) {
		names, last = make([]string, 0, len(members)), make([]bool, len(members))
	} else {
		last = lastBuf[:len(members)]
	}
	for _, mb := range members {
		names = append(names, a.string(payload, payload[mb.key.start:mb.key.end], mb.keyPlain)[len(CustomPrefix):])
	}
	markLast(names, last)
	attrs := small[:0]
	for i, mb := range members {
		if !last[i] {
			continue // a later member of the same name decides
		}
		if value := payload[mb.value.start:mb.value.end]; value[0] == '"' {
			attrs = append(attrs, attribute{names[i], a.string(payload, value, mb.valuePlain)})
		}
	}
	if len(attrs) == 0 {
		return nil
	}
	return attrs
}

// customSeed keys the table markLast builds; it is chosen once per process
// and never changes.
var customSeed = maphash.MakeSeed()

// markLast sets last[i] when no later element of names equals names[i].
// A few names are compared pairwise; more go through an open-addressing
// table of indexes, each slot holding the latest member of its name.
func markLast(names []string, last []bool) {
	n := len(names)
	if n <= 8 {
		for i := range names {
			last[i] = !slices.Contains(names[i+1:], names[i])
		}
		return
	}
	size := 16
	for size < 2*n {
		size <<= 1
	}
	table := make([]int32, size) // index+1 of the latest member; 0 is empty
	mask := uint64(size - 1)
	for i, name := range names {
		slot := maphash.String(customSeed, name) & mask
		for {
			j := table[slot]
			if j == 0 {
				table[slot] = int32(i + 1)
				last[i] = true
				break
			}
			if names[j-1] == name {
				table[slot] = int32(i + 1)
				last[j-1], last[i] = false, true
				break
			}
			slot = (slot + 1) & mask
		}
	}
}
