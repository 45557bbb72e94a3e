// Package middleware protects HTTP routes with Amazon Cognito tokens. It is
// the framework-neutral core behind the net/http middleware in this package
// and the adapters in ginauth, echoauth and grpcauth: one place decides how
// tokens are extracted, which requirements apply and how refusals are
// answered, so every stack behaves the same.
//
//	v, err := verifier.New(verifier.Config{
//		UserPoolID: "us-east-1_AbCdEfGhI",
//		ClientIDs:  []string{"1example23456789"},
//		TokenUse:   verifier.AccessToken,
//	})
//	if err != nil { ... }
//	auth := middleware.New(v, middleware.Exclude("GET /healthz"))
//	if err := auth.Err(); err != nil { ... } // a bad pattern, caught at startup
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /healthz", healthz)
//	mux.HandleFunc("GET /me", me) // any signed-in user
//	mux.Handle("GET /admin", middleware.RequireGroups("admin")(http.HandlerFunc(admin)))
//	http.ListenAndServe(addr, auth.Handler(mux))
//
//	func me(w http.ResponseWriter, r *http.Request) {
//		c, _ := claims.FromContext(r.Context()) // always set behind the middleware
//		fmt.Fprintln(w, "hello", c.Username)
//	}
//
// # Extraction
//
// The token comes from "Authorization: Bearer <token>": the scheme is
// matched case-insensitively and must be followed by exactly one space and a
// b64token (RFC 6750 §2.1) that runs to the end of the value; any other
// spacing is refused as malformed. An Authorization header with another
// scheme (Basic, ...) counts as no token. WithCookie adds a cookie and
// WithQueryParameter (opt-in only) a query parameter; a token found in two
// places, or two Authorization headers, is refused. gRPC reads the
// "authorization" metadata with the same rules.
//
// # Responses
//
//	no token                   401  WWW-Authenticate: Bearer realm="api"
//	malformed credentials      400  WWW-Authenticate: Bearer realm="api", error="invalid_request"
//	token refused by verifier  401  WWW-Authenticate: Bearer realm="api", error="invalid_token"
//	group or scope missing     403  WWW-Authenticate: Bearer realm="api", error="insufficient_scope"
//	signing keys unavailable   503  Retry-After: 10
//	misconfiguration           500
//
// The body is {"error":"<code>","error_description":"<fixed text>"}; it
// never contains the token or the verifier's detail. WithErrorHandler
// (WithRPCErrorHandler for gRPC) replaces all of it; the error it receives
// wraps one of the sentinels (ErrNoToken, ErrInvalidRequest,
// ErrInvalidToken, ErrInsufficientGroups, ...) and the verifier's own.
//
// # Modes
//
// Optional lets requests without a token through as anonymous (a bad token
// still fails); Exclude skips authentication for ServeMux-style patterns;
// Rule attaches requirements to patterns, which is how gRPC methods get
// per-method groups and scopes. Guards (Require, RequireGroups,
// RequireScopes and their all-of variants) protect single routes.
package middleware
