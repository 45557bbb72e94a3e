package claims

import (
	"math"
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
