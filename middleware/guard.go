package middleware

import (
	"fmt"
	"net/http"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// Requirement is a condition on verified claims, for guards and Rules. It
// returns nil when c meets it. Any error refuses the request with 403
// (wrapped in ErrForbidden unless it already is), so a custom Requirement
// can explain itself but cannot turn a refusal into anything else. c is
// never nil.
type Requirement func(c *claims.Claims) error

// AnyGroup is met by membership of any one of groups (cognito:groups,
// exact match): any-of. With no groups it is never met.
func AnyGroup(groups ...string) Requirement {
	groups = append([]string(nil), groups...)
	return func(c *claims.Claims) error {
		if c.InAnyGroup(groups...) {
			return nil
		}
		return fmt.Errorf("%w: needs a group, any of %q", ErrForbidden, groups)
	}
}

// AllGroups is met by membership of every one of groups: all-of.
func AllGroups(groups ...string) Requirement {
	groups = append([]string(nil), groups...)
	return func(c *claims.Claims) error {
		if c.InAllGroups(groups...) {
			return nil
		}
		return fmt.Errorf("%w: needs all groups of %q", ErrForbidden, groups)
	}
}

// AnyScope is met by any one of scopes in the token's scope claim: any-of
// (access tokens; an ID token has no scopes). With no scopes it is never
// met.
func AnyScope(scopes ...string) Requirement {
	scopes = append([]string(nil), scopes...)
	return func(c *claims.Claims) error {
		if c.HasAnyScope(scopes...) {
			return nil
		}
		return fmt.Errorf("%w: needs a scope, any of %q", ErrForbidden, scopes)
	}
}

// AllScopes is met by every one of scopes: all-of.
func AllScopes(scopes ...string) Requirement {
	scopes = append([]string(nil), scopes...)
	return func(c *claims.Claims) error {
		if c.HasAllScopes(scopes...) {
			return nil
		}
		return fmt.Errorf("%w: needs all scopes of %q", ErrForbidden, scopes)
	}
}

// TokenUse is met by tokens of that use (verifier.IDToken or
// verifier.AccessToken), for routes of a verifier that accepts both
// (verifier.AnyToken). Any other use is never met.
func TokenUse(use verifier.TokenUse) Requirement {
	want := ""
	switch use {
	case verifier.IDToken:
		want = claims.TokenUseID
	case verifier.AccessToken:
		want = claims.TokenUseAccess
	}
	return func(c *claims.Claims) error {
		if want != "" && c.TokenUse == want {
			return nil
		}
		return fmt.Errorf("%w: needs token_use %s", ErrForbidden, use)
	}
}

// Require returns a guard: net/http middleware that lets a request through
// only if the Middleware in front of it verified a token meeting every one
// of reqs. An anonymous request (Optional mode) is refused with 401, a
// token that falls short with 403 insufficient_scope, both answered by
// that Middleware (its error handler, realm and observer). Reached without
// a Middleware in front, it answers 500 server_error with ErrMisconfigured
// and logs that. With no reqs it demands any signed-in user.
func Require(reqs ...Requirement) func(http.Handler) http.Handler {
	fs := core.Funcs(reqs)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !core.GuardHTTP(w, r, fs) {
				return
			}
			if next == nil {
				e, _ := core.Guard(r.Context(), nil, nil)
				e.WriteHTTP(w, r, fmt.Errorf("%w: nil handler", ErrMisconfigured))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
