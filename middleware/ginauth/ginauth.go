// Package ginauth adapts the Cognito middleware to gin. It is a thin
// layer: extraction, verification, rules, requirements and responses are
// those of the *middleware.Middleware it is given.
//
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude("GET /public"),
//		middleware.Rule("/me"),
//		middleware.Rule("/admin"))
//	if err != nil { ... }
//	r := gin.New()
//	r.Use(ginauth.New(auth))
//	r.GET("/public", public)
//	r.GET("/me", me)
//	r.GET("/admin", ginauth.Require(middleware.AnyGroup("admin")), admin)
//
//	func me(c *gin.Context) {
//		cl, _ := ginauth.Claims(c)
//		c.JSON(http.StatusOK, gin.H{"user": cl.Username})
//	}
//
// The claims are also in c.Request.Context(), for claims.FromContext.
package ginauth

import (
	"github.com/gin-gonic/gin"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/middleware"
	"github.com/cognitoauth/cognitoauth/middleware/internal/core"
)

// New returns gin middleware that authenticates every request with m, as
// m.Handler would: a refused request is answered (m's response or error
// handler), recorded with c.Error and aborted; an accepted one continues
// with the claims in c.Request's context. A nil m refuses every request
// with 500.
func New(m *middleware.Middleware) gin.HandlerFunc {
	e := core.Of(m)
	return func(c *gin.Context) {
		r, err := e.AuthenticateHTTP(c.Request)
		if err != nil {
			refuse(c, e, err)
			return
		}
		c.Request = r
		c.Next()
	}
}

// Require returns a guard that continues only if the request carries
// verified claims meeting every one of reqs (see middleware.Require: an
// anonymous request gets 401, unmet requirements 403, a guard without New
// in front 500). Place it after New.
func Require(reqs ...middleware.Requirement) gin.HandlerFunc {
	fs := core.Funcs(reqs)
	return func(c *gin.Context) {
		e, err := core.Guard(c.Request.Context(), core.HTTP(c.Request), fs)
		if err != nil {
			refuse(c, e, err)
			return
		}
		c.Next()
	}
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

func refuse(c *gin.Context, e *core.Engine, err error) {
	c.Abort()
	_ = c.Error(err) // for gin's loggers; the error never holds the token
	e.WriteHTTP(c.Writer, c.Request, err)
}
