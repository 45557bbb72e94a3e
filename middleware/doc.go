// Package middleware protects routes with Amazon Cognito tokens (or those
// of any TokenVerifier). New builds a Middleware once, returning every
// configuration mistake; its Handler serves net/http, and the adapters in
// ginauth, echoauth, grpcauth, connectauth and lambdaauth take the same
// *Middleware, so every stack extracts, decides and answers the same way.
//
//	v, err := verifier.New(verifier.Config{
//		UserPoolID: "us-east-1_AbCdEfGhI",
//		ClientIDs:  []string{"1example23456789"},
//		TokenUse:   verifier.AccessToken,
//	})
//	if err != nil { ... }
//	auth, err := middleware.New(v, middleware.DefaultDeny(),
//		middleware.Exclude("GET /healthz"),
//		middleware.Rule("GET /me"), // any signed-in user
//		middleware.Rule("GET /admin", middleware.AnyGroup("admin")))
//	if err != nil { ... } // a bad pattern, caught at startup
//
//	mux := http.NewServeMux()
//	mux.HandleFunc("GET /healthz", healthz)
//	mux.HandleFunc("GET /me", me)
//	mux.HandleFunc("GET /admin", admin)
//	http.ListenAndServe(addr, auth.Handler(mux))
//
//	func me(w http.ResponseWriter, r *http.Request) {
//		c, _ := claims.FromContext(r.Context()) // always set behind a Rule
//		fmt.Fprintln(w, "hello", c.Username)
//	}
//
// # Decision order
//
// For each request: the Rules whose pattern matches (path as sent and in
// canonical form); with none, an Exclude match lets the request through
// untouched, and under DefaultDeny anything else is refused (403). Then the
// single token is extracted, verified, and checked against every matching
// Rule; in Optional mode a request without any token passes as anonymous
// unless a Rule matched. Guards (Require) run after, in the route.
//
// # Extraction
//
// The token comes from "Authorization: Bearer <token>": the scheme is
// matched case-insensitively and must be followed by exactly one space and
// a b64token (RFC 6750 §2.1) that runs to the end of the value; any other
// spacing is refused as malformed. An Authorization header with another
// scheme (Basic, ...) counts as no token. WithHeader adds a header carrying
// the bare token, WithCookie a cookie and WithQueryParameter (opt-in only) a
// query parameter; a token found in two places, or two values of one
// source, is refused. Header names match case-insensitively. gRPC reads the
// metadata with the same rules.
//
// # Responses
//
//	situation                          HTTP  WWW-Authenticate                                 gRPC
//	no token                           401   Bearer realm="api"                               Unauthenticated
//	malformed credentials              400   Bearer realm="api", error="invalid_request"      InvalidArgument
//	token refused by the verifier      401   Bearer realm="api", error="invalid_token"        Unauthenticated
//	requirement unmet, DefaultDeny gap 403   Bearer realm="api", error="insufficient_scope"   PermissionDenied
//	keys or revocation list down       503   (Retry-After: 10)                                Unavailable + RetryInfo
//	misconfiguration                   500                                                    Internal
//
// The body is {"error":"<code>","error_description":"<fixed text>"}; it
// never contains the token or the verifier's detail. (*Middleware).Refusal
// is this mapping. WithErrorHandler (WithRPCErrorHandler for gRPC) replaces
// the response; WithRefusalObserver only watches it. The error either one
// receives wraps one sentinel (ErrNoToken, ErrInvalidRequest,
// ErrInvalidToken, ErrForbidden, ErrUnavailable, ErrMisconfigured) and the
// verifier's own error.
package middleware
