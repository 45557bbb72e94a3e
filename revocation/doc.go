// Package revocation makes a service refuse Cognito tokens that were
// revoked, signed out or whose user was disabled, on every instance at once,
// without a network round trip per request.
//
// A token Cognito revoked (RevokeToken, GlobalSignOut,
// AdminUserGlobalSignOut, AdminDisableUser) keeps a valid signature and
// expiry: Cognito enforces those calls on its own endpoints only, and an
// offline verifier accepts the token until it expires. A List closes that
// gap: the app records what it revoked, and every verifier.Verify consults
// the List, cached tokens included.
//
//	call                          refuses                                       Cognito's
//	RevokeToken(ctx, claims)      this token ("jti")                            (a single token)
//	RevokeSession(ctx, claims)    every token of the sign-in ("origin_jti")     RevokeToken on the refresh token
//	SignOut(ctx, iss, sub)        the user's tokens issued at or before now     GlobalSignOut, AdminUserGlobalSignOut
//	DisableUser / EnableUser      the user's tokens while disabled              AdminDisableUser / AdminEnableUser
//
// Check answers from a local view held in memory: a lock-free lookup, no
// allocation, no network. With Options.Redis, writes are appended to a Redis
// stream that every List sharing the Redis tails, so a revocation made on one
// instance is refused by all within milliseconds. When a List has not heard
// from Redis within Options.MaxStaleness, it refuses every token with an
// error wrapping verifier.ErrRevocationUnavailable (the middleware answers
// 503 with Retry-After) until Redis answers again. Without Redis the list
// belongs to this process only.
//
// A worked example: a fleet sharing one Redis, and a logout handler.
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"}) // TLS, auth: yours
//	list, err := revocation.New(ctx, revocation.Options{Redis: rdb})
//	if err != nil { ... } // Redis could not be read
//	defer list.Close()
//
//	cfg := verifier.Config{UserPoolID: poolID, ClientIDs: []string{clientID},
//		TokenUse: verifier.AccessToken, Revocation: list}
//	v, err := verifier.New(cfg)
//	auth, err := middleware.New(v)
//
//	// POST /logout, after Cognito's RevokeToken on the refresh token succeeded:
//	c, _ := claims.FromContext(r.Context())
//	if err := list.RevokeSession(r.Context(), c); err != nil { ... } // 5xx: retry
//
//	// The admin tool, after AdminUserGlobalSignOut / AdminDisableUser:
//	err = list.SignOut(ctx, issuer, sub)
//	err = list.DisableUser(ctx, issuer, sub)
//
// Entries other than disabled users expire after Options.Retain (24 h, the
// longest token lifetime Cognito issues), so the list stays bounded; Redis
// should persist its data (AOF) so that a restarted Redis keeps them.
package revocation
