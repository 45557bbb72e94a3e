// Package claims holds the typed claims of an Amazon Cognito user pool token
// (ID or access token) and the context accessors that carry them to handlers.
//
// A *Claims is produced by the verifier after every check has passed; handlers
// read it with FromContext:
//
//	func handler(w http.ResponseWriter, r *http.Request) {
//		c, ok := claims.FromContext(r.Context())
//		if !ok {
//			http.Error(w, "unauthenticated", http.StatusUnauthorized)
//			return
//		}
//		if c.InGroup("admin") { ... }
//		fmt.Fprintf(w, "hello %s", c.Username)
//	}
//
// Claims values are shared between requests that present the same token (the
// verifier caches verified tokens), so they must be treated as read-only.
//
// The decoder is strict about types: a claim this package reads (iss, sub,
// token_use, aud, client_id, exp, cognito:groups, ...) that has the wrong JSON
// type makes the whole token malformed. Object keys are matched exactly
// (case-sensitively) and, as in encoding/json, the last of duplicate keys wins,
// both for the typed fields and for Raw, so the two views never disagree.
package claims
