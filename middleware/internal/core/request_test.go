package core

import (
	"context"
	"errors"
	"testing"

	"github.com/cognitoauth/cognitoauth/claims"
)

// tokenIsUser is a Verifier accepting the token "good" only.
type tokenIsUser struct{}

func (tokenIsUser) Verify(_ context.Context, token string) (*claims.Claims, error) {
	if token != "good" {
		return nil, errors.New("test: refused")
	}
	return &claims.Claims{Username: "bob"}, nil
}

// TestFieldsView decides on requests shaped as the transports without an
// *http.Request send them: a Lambda event's headers in any case and
// multi-value, gRPC metadata, Connect's HTTP headers, HTTP API cookies.
func TestFieldsView(t *testing.T) {
	t.Parallel()
	e := NewEngine(tokenIsUser{})
	e.Cookie, e.HeaderName, e.Query = "session", "X-Amzn-Oidc-Data", "access_token"
	for _, tc := range []struct {
		name string
		r    Request
		want error // nil: accepted as bob
	}{
		{"lambda lower-case", NewFields("GET", "/me", map[string][]string{"authorization": {"Bearer good"}}), nil},
		{"lambda mixed case", NewFields("GET", "/me", map[string][]string{"AuThOrIzAtIoN": {"Bearer good"}}), nil},
		{"lambda multi-value", NewFields("GET", "/me", map[string][]string{"Authorization": {"Bearer good", "Bearer good"}}), ErrInvalidRequest},
		{"lambda two spellings", NewFields("GET", "/me", map[string][]string{"Authorization": {"Bearer good"}, "authorization": {"Bearer good"}}), ErrInvalidRequest},
		{"connect header", NewFields("POST", "/demo.v1.Demo/Me", map[string][]string{"Authorization": {"Bearer good"}}), nil},
		{"bare header", NewFields("GET", "/me", map[string][]string{"x-amzn-oidc-data": {"good"}}), nil},
		{"cookie header", NewFields("GET", "/me", map[string][]string{"Cookie": {"a=b; session=good"}}), nil},
		{"http api cookies", NewFields("GET", "/me", nil).AddCookies("session=good"), nil},
		{"malformed cookie beside it", NewFields("GET", "/me", map[string][]string{"Cookie": {`a="b; session=good;`}}), nil},
		{"malformed http api cookie beside it", NewFields("GET", "/me", nil).AddCookies(`a="b`, "session=good"), nil},
		{"cookie twice", NewFields("GET", "/me", map[string][]string{"Cookie": {"session=good"}}).AddCookies("session=good"), ErrInvalidRequest},
		{"query", NewFields("GET", "/me", nil).WithQuery(map[string][]string{"access_token": {"good"}}), nil},
		{"raw query", NewFields("GET", "/me", nil).WithRawQuery("x=1&access%5Ftoken=good"), nil},
		{"raw query with an undecodable pair", NewFields("GET", "/me", nil).WithRawQuery("x=%zz&access_token=good"), nil},
		{"raw query repeated", NewFields("GET", "/me", nil).WithRawQuery("access_token=good&access_token=good"), ErrInvalidRequest},
		{"raw query replaced", NewFields("GET", "/me", nil).WithRawQuery("access_token=good").WithQuery(nil), ErrNoToken},
		{"query and header", NewFields("GET", "/me", map[string][]string{"authorization": {"Bearer good"}}).WithQuery(map[string][]string{"access_token": {"good"}}), ErrInvalidRequest},
		{"no token", NewFields("GET", "/me", nil), ErrNoToken},
		{"foreign refusal", NewFields("GET", "/me", map[string][]string{"authorization": {"Bearer bad"}}), ErrInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := e.Decide(context.Background(), tc.r)
			switch {
			case tc.want == nil && (err != nil || c == nil || c.Username != "bob"):
				t.Errorf("Decide = %v, %v; want bob", c, err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("Decide = %v; want %v", err, tc.want)
			}
		})
	}
}

// TestFieldsLeaveTheirMapAlone: Fields reads the header map it is given;
// merging two spellings of a name never writes into the caller's arrays.
func TestFieldsLeaveTheirMapAlone(t *testing.T) {
	t.Parallel()
	a, b := make([]string, 1, 4), make([]string, 1, 4)
	a[0], b[0] = "Bearer x", "Bearer y"
	f := NewFields("GET", "/", map[string][]string{"Authorization": a, "authorization": b})
	if got := f.Header("AUTHORIZATION"); len(got) != 2 {
		t.Errorf("Header = %q, want both values", got)
	}
	if a[:2][1] != "" || b[:2][1] != "" {
		t.Errorf("the caller's arrays were written: %q, %q", a[:2], b[:2])
	}
}

// TestInexactPathNeverExcluded: a path the transport reports as inexact
// (percent-encoded on the wire) is not excluded.
func TestInexactPathNeverExcluded(t *testing.T) {
	t.Parallel()
	e := NewEngine(tokenIsUser{})
	if err := e.AddExclude("/public/"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Decide(context.Background(), NewFields("GET", "/public/x", nil)); err != nil {
		t.Errorf("exact path: %v", err)
	}
	if _, err := e.Decide(context.Background(), NewFields("GET", "/public/x", nil).WithInexactPath()); !errors.Is(err, ErrNoToken) {
		t.Errorf("inexact path: %v, want ErrNoToken", err)
	}
}

// TestNilEngine: every entry point refuses with ErrMisconfigured.
func TestNilEngine(t *testing.T) {
	t.Parallel()
	var e *Engine
	if _, err := e.Decide(context.Background(), NewFields("GET", "/", nil)); !errors.Is(err, ErrMisconfigured) {
		t.Errorf("Decide: %v", err)
	}
	if rf := e.Refusal(ErrNoToken); rf.Status != 401 || rf.Challenge != `Bearer realm="api"` {
		t.Errorf("Refusal: %+v", rf)
	}
}
