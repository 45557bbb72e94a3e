package core

import (
	"errors"
	"fmt"
	"strings"
)

// errOtherScheme marks an Authorization header with a scheme other than
// Bearer: the request carries no bearer token (RFC 6750 §3.1).
var errOtherScheme = fmt.Errorf("%w: Authorization scheme is not Bearer", ErrNoToken)

// extract finds the request's single token. The sources are the
// Authorization header (Bearer scheme), the named header (WithHeader, a bare
// value), the cookie (WithCookie) and the query parameter
// (WithQueryParameter); a token in more than one of them is refused, as is
// more than one token in one of them.
func (e *Engine) extract(r Request) (string, error) {
	var token, from string
	found := func(t, source string) error {
		if from != "" {
			return fmt.Errorf("%w: token in both %s and %s", ErrInvalidRequest, from, source)
		}
		token, from = t, source
		return nil
	}
	switch values := r.Header("Authorization"); len(values) {
	case 0:
	case 1:
		t, err := parseAuthorization(values[0])
		if err != nil && !errors.Is(err, errOtherScheme) {
			return "", err
		}
		if err == nil {
			token, from = t, "Authorization header"
		}
	default:
		return "", fmt.Errorf("%w: %d Authorization headers", ErrInvalidRequest, len(values))
	}
	if e.HeaderName != "" {
		switch values := r.Header(e.HeaderName); {
		case len(values) > 1:
			return "", fmt.Errorf("%w: %d %s headers", ErrInvalidRequest, len(values), e.HeaderName)
		case len(values) == 1:
			if !isBareToken(values[0]) {
				return "", fmt.Errorf("%w: header %s is not a bare token", ErrInvalidRequest, e.HeaderName)
			}
			if err := found(values[0], e.HeaderName+" header"); err != nil {
				return "", err
			}
		}
	}
	if e.Cookie != "" {
		var n int
		var value string
		for _, c := range r.Cookie(e.Cookie) {
			if c != "" { // a cleared cookie is no token
				n, value = n+1, c
			}
		}
		switch {
		case n > 1:
			return "", fmt.Errorf("%w: %d cookies named %q", ErrInvalidRequest, n, e.Cookie)
		case n == 1:
			if !isB64Token(value) {
				return "", fmt.Errorf("%w: cookie %q is not a b64token", ErrInvalidRequest, e.Cookie)
			}
			if err := found(value, "cookie"); err != nil {
				return "", err
			}
		}
	}
	if e.Query != "" {
		switch values := r.Query(e.Query); {
		case len(values) > 1:
			return "", fmt.Errorf("%w: query parameter %q repeated", ErrInvalidRequest, e.Query)
		case len(values) == 1:
			if !isB64Token(values[0]) {
				return "", fmt.Errorf("%w: query parameter %q is not a b64token", ErrInvalidRequest, e.Query)
			}
			if err := found(values[0], "query"); err != nil {
				return "", err
			}
		}
	}
	if from == "" {
		return "", ErrNoToken
	}
	return token, nil
}

// isBareToken reports whether a WithHeader value can be a token: b64token
// characters with "=" allowed anywhere, since some issuers (ALB) pad every
// segment of their JWTs. The verifier does the real parsing.
func isBareToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if b64TokenByte[s[i]] == 0 && s[i] != '=' {
			return false
		}
	}
	return true
}

// parseAuthorization parses one Authorization value. The policy: the
// scheme is matched case-insensitively; "Bearer" must be followed by
// exactly one space (0x20) and then a b64token (RFC 6750 §2.1) running to
// the end of the value. RFC 6750's grammar allows several spaces, but no
// real client sends them and refusing every variant leaves no room for a
// proxy and this parser to disagree about what the token is. net/http
// trims the value's surrounding white space before we see it; gRPC
// metadata is taken as sent. Another scheme (Basic, DPoP, ...) is no bearer
// token at all, but a bare token without a scheme is malformed.
func parseAuthorization(v string) (string, error) {
	i := 0
	for i < len(v) && isTokenChar(v[i]) {
		i++
	}
	scheme, rest := v[:i], v[i:]
	switch {
	case scheme == "":
		return "", fmt.Errorf("%w: Authorization header has no scheme", ErrInvalidRequest)
	case !strings.EqualFold(scheme, "Bearer"):
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return "", fmt.Errorf("%w: Authorization header is malformed", ErrInvalidRequest)
		}
		if rest == "" && strings.Contains(scheme, ".") {
			// No scheme has a dot: this is a bare token, a client bug worth a 400.
			return "", fmt.Errorf("%w: Authorization header has a token but no scheme", ErrInvalidRequest)
		}
		return "", errOtherScheme
	case rest == "":
		return "", fmt.Errorf("%w: Bearer without a token", ErrInvalidRequest)
	case rest[0] != ' ' || len(rest) > 1 && (rest[1] == ' ' || rest[1] == '\t'):
		return "", fmt.Errorf("%w: Bearer must be followed by exactly one space", ErrInvalidRequest)
	case !isB64Token(rest[1:]):
		return "", fmt.Errorf("%w: bearer token is empty or not a b64token", ErrInvalidRequest)
	}
	return rest[1:], nil
}

// isB64Token reports whether s is 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=", the b64token of RFC 6750 §2.1. Every JWT is one.
func isB64Token(s string) bool {
	body := len(s)
	for body > 0 && s[body-1] == '=' {
		body--
	}
	if body == 0 {
		return false
	}
	// Tokens are long (1-4 KB) and this runs on every request: four
	// independent accumulators and no branch per byte let the CPU overlap
	// the table loads (about 1.5x faster than one byte-by-byte loop).
	b := s[:body]
	var a0, a1, a2, a3 uint8 = 1, 1, 1, 1
	i := 0
	for ; i+4 <= len(b); i += 4 {
		a0 &= b64TokenByte[b[i]]
		a1 &= b64TokenByte[b[i+1]]
		a2 &= b64TokenByte[b[i+2]]
		a3 &= b64TokenByte[b[i+3]]
	}
	for ; i < len(b); i++ {
		a0 &= b64TokenByte[b[i]]
	}
	return a0&a1&a2&a3 == 1
}

// b64TokenByte is 1 for the characters of an RFC 6750 b64token other than
// its trailing "=" padding.
var b64TokenByte = func() (t [256]uint8) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/") {
		t[c] = 1
	}
	return t
}()

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
