package claims

import "context"

// contextKey is unexported so that no other package can read or overwrite the
// claims in a context except through NewContext and FromContext.
type contextKey struct{}

// NewContext returns a copy of ctx that carries c.
func NewContext(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, contextKey{}, c)
}

// FromContext returns the claims stored by NewContext. ok is false when ctx
// carries none (an anonymous request, or a route without the middleware).
func FromContext(ctx context.Context) (c *Claims, ok bool) {
	c, ok = ctx.Value(contextKey{}).(*Claims)
	return c, ok && c != nil
}
