package revocation

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/cognitoauth/cognitoauth/claims"
)

// RevokeToken refuses the token c alone, by its "jti", from now until
// Options.Retain has passed. Cognito has no single-token revocation; use it
// for a token the app knows is compromised. A token without "jti" gets an
// error wrapping ErrMissingClaim.
func (l *List) RevokeToken(ctx context.Context, c *claims.Claims) error {
	if c == nil {
		return fmt.Errorf("%w: RevokeToken of nil claims", ErrMissingClaim)
	}
	if c.JTI == "" {
		return fmt.Errorf("%w: RevokeToken needs jti, which tokens of app clients with token revocation turned off lack; SignOut still covers them", ErrMissingClaim)
	}
	return l.write(ctx, "RevokeToken", event{kind: kindToken, iss: c.Issuer, sub: c.Subject, id: c.JTI})
}

// RevokeSession refuses every token of the sign-in c belongs to (its
// "origin_jti": the access and ID tokens minted from one refresh token), as
// Cognito's RevokeToken does on that refresh token. Call it in the logout
// handler, right after Cognito's RevokeToken succeeds. A token without
// "origin_jti" gets an error wrapping ErrMissingClaim.
func (l *List) RevokeSession(ctx context.Context, c *claims.Claims) error {
	if c == nil {
		return fmt.Errorf("%w: RevokeSession of nil claims", ErrMissingClaim)
	}
	if c.OriginJTI == "" {
		return fmt.Errorf("%w: RevokeSession needs origin_jti, which tokens of app clients with token revocation turned off lack; SignOut still covers them", ErrMissingClaim)
	}
	return l.write(ctx, "RevokeSession", event{kind: kindSession, iss: c.Issuer, sub: c.Subject, id: c.OriginJTI})
}

// SignOut refuses every token of the user (issuer and "sub") issued at or
// before the current second, as Cognito's GlobalSignOut and
// AdminUserGlobalSignOut do. Tokens issued in a later second are accepted.
func (l *List) SignOut(ctx context.Context, issuer, subject string) error {
	return l.write(ctx, "SignOut", event{kind: kindSignOut, iss: issuer, sub: subject})
}

// DisableUser refuses every token of the user while the user is disabled,
// and, as Cognito's AdminDisableUser, every token issued up to now even
// after EnableUser. The entry does not expire.
func (l *List) DisableUser(ctx context.Context, issuer, subject string) error {
	return l.write(ctx, "DisableUser", event{kind: kindDisable, iss: issuer, sub: subject})
}

// EnableUser lifts DisableUser, as Cognito's AdminEnableUser: tokens issued
// after the user was disabled are accepted again.
func (l *List) EnableUser(ctx context.Context, issuer, subject string) error {
	return l.write(ctx, "EnableUser", event{kind: kindEnable, iss: issuer, sub: subject})
}

// write applies e to the local view at once, then appends it to Redis; if
// Redis refuses, the caller gets the error (this List refuses the token
// anyway; other Lists may not).
func (l *List) write(ctx context.Context, op string, e event) (err error) {
	ctx, span := l.tracer.Start(ctx, "revocation."+op, trace.WithAttributes(attribute.String("cognitoauth.revocation.kind", e.kind.String())))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "revocation write failed")
		}
		span.End()
	}()
	switch {
	case l.closed():
		return fmt.Errorf("%w: %s", ErrClosed, op)
	case e.iss == "":
		return fmt.Errorf("%w: %s needs an issuer", ErrMissingClaim, op)
	case e.sub == "":
		return fmt.Errorf("%w: %s needs a subject", ErrMissingClaim, op)
	case strings.ContainsRune(e.iss, 0) || strings.ContainsRune(e.sub, 0):
		return fmt.Errorf("revocation: %s: issuer or subject holds a NUL byte", op)
	}
	e.at = l.now().Unix()
	l.publish([]event{e})
	if l.rdb == nil {
		return nil
	}
	if err := l.append(ctx, e); err != nil {
		return fmt.Errorf("revocation: %s: applied here but not shared through Redis: %w", op, err)
	}
	return nil
}

// publish applies events to the view and sweeps expired entries when due.
func (l *List) publish(events []event) {
	l.writeMu.Lock()
	defer l.writeMu.Unlock()
	if len(events) > 0 {
		l.view.apply(events, l.retain)
	}
	if now := l.now(); now.UnixNano() >= l.nextSweep.Load() {
		l.view.sweep(now.Unix())
		l.scheduleSweep()
	}
}

// scheduleSweep plans the next sweep a hundredth of Retain ahead (between a
// second and a minute), so expired entries never linger long.
func (l *List) scheduleSweep() {
	every := min(max(l.opts.Retain/100, time.Second), time.Minute)
	l.nextSweep.Store(l.now().Add(every).UnixNano())
}
