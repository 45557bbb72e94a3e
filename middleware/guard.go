package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/cognitoauth/cognitoauth/claims"
)

// Requirement is a condition on verified claims, used by guards and Rules.
// It returns nil when c meets it. Any error it returns refuses the request
// with 403 (wrapped in ErrForbidden unless it already is), so a custom
// Requirement can explain itself but cannot turn a refusal into anything
// else. c is never nil.
type Requirement func(c *claims.Claims) error

// AnyGroup requires membership of at least one of groups (cognito:groups,
// exact match). With no groups it is never met.
func AnyGroup(groups ...string) Requirement {
	groups = append([]string(nil), groups...)
	return func(c *claims.Claims) error {
		if c.InAnyGroup(groups...) {
			return nil
		}
		return fmt.Errorf("%w: needs any of %q", ErrInsufficientGroups, groups)
	}
}

// AllGroups requires membership of every one of groups.
func AllGroups(groups ...string) Requirement {
	groups = append([]string(nil), groups...)
	return func(c *claims.Claims) error {
		if c.InAllGroups(groups...) {
			return nil
		}
		return fmt.Errorf("%w: needs all of %q", ErrInsufficientGroups, groups)
	}
}

// AnyScope requires at least one of scopes in the token's scope claim
// (access tokens; an ID token has no scopes). With no scopes it is never met.
func AnyScope(scopes ...string) Requirement {
	scopes = append([]string(nil), scopes...)
	return func(c *claims.Claims) error {
		if c.HasAnyScope(scopes...) {
			return nil
		}
		return fmt.Errorf("%w: needs any of %q", ErrInsufficientScopes, scopes)
	}
}

// AllScopes requires every one of scopes.
func AllScopes(scopes ...string) Requirement {
	scopes = append([]string(nil), scopes...)
	return func(c *claims.Claims) error {
		if c.HasAllScopes(scopes...) {
			return nil
		}
		return fmt.Errorf("%w: needs all of %q", ErrInsufficientScopes, scopes)
	}
}

var errNilRequirement = fmt.Errorf("%w: nil Requirement", ErrMisconfigured)

// Authorize checks the claims in ctx against every requirement: ErrNoToken
// when ctx holds no claims (an anonymous request), an ErrForbidden error
// when one is not met, nil otherwise. Adapters and service code that only
// has a context use it; with no requirements it only demands a signed-in
// caller.
func Authorize(ctx context.Context, reqs ...Requirement) error {
	c, ok := claims.FromContext(ctx)
	if !ok {
		return fmt.Errorf("%w: the route requires a signed-in caller", ErrNoToken)
	}
	return authorize(c, reqs)
}

func authorize(c *claims.Claims, reqs []Requirement) error {
	for _, req := range reqs {
		if req == nil {
			return errNilRequirement
		}
		if err := req(c); err != nil {
			if !errors.Is(err, ErrForbidden) {
				err = fmt.Errorf("%w: %w", ErrForbidden, err)
			}
			return err
		}
	}
	return nil
}

// Require returns a guard: net/http middleware that lets a request through
// only if the Middleware before it verified a token meeting every one of
// reqs. An anonymous request (Optional mode) is refused with 401, a token
// that falls short with 403 insufficient_scope, both answered by that
// Middleware's error handler and realm. With no reqs it only demands a
// signed-in caller.
func Require(reqs ...Requirement) func(http.Handler) http.Handler {
	reqs = append([]Requirement(nil), reqs...)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := Authorize(r.Context(), reqs...); err != nil {
				Refuse(w, r, err)
				return
			}
			if next == nil {
				Refuse(w, r, fmt.Errorf("%w: nil handler", ErrMisconfigured))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RequireGroups is a guard demanding any one of groups.
func RequireGroups(groups ...string) func(http.Handler) http.Handler {
	return Require(AnyGroup(groups...))
}

// RequireAllGroups is a guard demanding every one of groups.
func RequireAllGroups(groups ...string) func(http.Handler) http.Handler {
	return Require(AllGroups(groups...))
}

// RequireScopes is a guard demanding any one of scopes.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return Require(AnyScope(scopes...))
}

// RequireAllScopes is a guard demanding every one of scopes.
func RequireAllScopes(scopes ...string) func(http.Handler) http.Handler {
	return Require(AllScopes(scopes...))
}

// Refuse answers a request refused by a guard: through the error handler
// and realm of the Middleware that authenticated r, or with the default
// response and realm when r did not pass through one.
func Refuse(w http.ResponseWriter, r *http.Request, err error) {
	if r == nil {
		Classify(err).Write(w, DefaultRealm)
		return
	}
	if m := fromContext(r.Context()); m != nil {
		m.log(r, err)
		m.WriteError(w, r, err)
		return
	}
	Classify(err).Write(w, DefaultRealm)
}
