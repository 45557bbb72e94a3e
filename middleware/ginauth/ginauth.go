// Package ginauth adapts the Cognito middleware to gin. It is a thin layer:
// extraction, verification, requirements and responses are those of package
// middleware, configured with the same options.
//
//	r := gin.New()
//	r.GET("/public", public)
//	api := r.Group("/", ginauth.New(v))
//	api.GET("/me", me)
//	api.GET("/admin", ginauth.RequireGroups("admin"), admin)
//
//	func me(c *gin.Context) {
//		cl, _ := ginauth.Claims(c)
//		c.JSON(http.StatusOK, gin.H{"user": cl.Username})
//	}
//
// The claims are also in c.Request.Context(), for claims.FromContext.
package ginauth

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// New returns gin middleware that authenticates every request with v, as
// middleware.New(v, opts...).Handler would: a refused request is answered
// (RFC 6750 response or the WithErrorHandler handler), recorded with
// c.Error and aborted; an accepted one continues with the claims in
// c.Request's context. A configuration mistake refuses every request with
// 500 (see middleware.New).
func New(v *verifier.Verifier, opts ...middleware.Option) gin.HandlerFunc {
	m := middleware.New(v, opts...)
	return func(c *gin.Context) {
		r, err := m.Authenticate(c.Request)
		if err != nil {
			refuse(c, err, m.WriteError)
			return
		}
		c.Request = r
		c.Next()
	}
}

// Require returns a guard that continues only if the request carries
// verified claims meeting every one of reqs (see middleware.Require). Place
// it after New.
func Require(reqs ...middleware.Requirement) gin.HandlerFunc {
	reqs = append([]middleware.Requirement(nil), reqs...)
	return func(c *gin.Context) {
		if err := middleware.Authorize(c.Request.Context(), reqs...); err != nil {
			refuse(c, err, middleware.Refuse)
			return
		}
		c.Next()
	}
}

// RequireGroups is a guard demanding any one of groups.
func RequireGroups(groups ...string) gin.HandlerFunc {
	return Require(middleware.AnyGroup(groups...))
}

// RequireAllGroups is a guard demanding every one of groups.
func RequireAllGroups(groups ...string) gin.HandlerFunc {
	return Require(middleware.AllGroups(groups...))
}

// RequireScopes is a guard demanding any one of scopes.
func RequireScopes(scopes ...string) gin.HandlerFunc {
	return Require(middleware.AnyScope(scopes...))
}

// RequireAllScopes is a guard demanding every one of scopes.
func RequireAllScopes(scopes ...string) gin.HandlerFunc {
	return Require(middleware.AllScopes(scopes...))
}

// Claims returns the verified claims of the request; ok is false for an
// anonymous request (Optional mode, excluded path) or one that did not pass
// through New.
func Claims(c *gin.Context) (*claims.Claims, bool) {
	if c == nil || c.Request == nil {
		return nil, false
	}
	return claims.FromContext(c.Request.Context())
}

func refuse(c *gin.Context, err error, write func(http.ResponseWriter, *http.Request, error)) {
	c.Abort()
	_ = c.Error(err) // for gin's loggers; the error never holds the token
	write(c.Writer, c.Request, err)
}
