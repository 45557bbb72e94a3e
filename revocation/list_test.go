package revocation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/revocation"
	"github.com/cognitoauth/cognitoauth/verifier"
)

const (
	issA = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_PoolA"
	issB = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_PoolB"
)

// clock is a fake Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// tok is the claims of a token of sub in iss, issued at iat.
func tok(iss, sub, jti, origin string, iat time.Time) *claims.Claims {
	return &claims.Claims{Issuer: iss, Subject: sub, JTI: jti, OriginJTI: origin, IssuedAt: iat.Truncate(time.Second)}
}

func newList(t testing.TB, opts revocation.Options) *revocation.List {
	t.Helper()
	l, err := revocation.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// verdict names Check's answer: "ok", "revoked" or "unavailable".
func verdict(l *revocation.List, c *claims.Claims) string {
	err := l.Check(context.Background(), c)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, verifier.ErrTokenRevoked) && !errors.Is(err, verifier.ErrRevocationUnavailable):
		return "revoked"
	case errors.Is(err, verifier.ErrRevocationUnavailable) && !errors.Is(err, verifier.ErrTokenRevoked):
		return "unavailable"
	}
	return "bad error: " + err.Error()
}

func wantVerdict(t testing.TB, l *revocation.List, c *claims.Claims, want string) {
	t.Helper()
	if got := verdict(l, c); got != want {
		t.Fatalf("Check(%s %s jti=%q origin=%q iat=%v) = %s, want %s", c.Issuer, c.Subject, c.JTI, c.OriginJTI, c.IssuedAt.Unix(), got, want)
	}
}

// eventuallyVerdict waits for another List to see a write through Redis.
func eventuallyVerdict(t testing.TB, l *revocation.List, c *claims.Claims, want string) {
	t.Helper()
	eventually(t, 5*time.Second, fmt.Sprintf("Check(%s) still %s, want %s", c.Subject, verdict(l, c), want),
		func() bool { return verdict(l, c) == want })
}

// callCases are each write alone: what it refuses and what it leaves alone.
func callCases(now time.Time) []struct {
	name    string
	write   func(*revocation.List) error
	refused []*claims.Claims
	kept    []*claims.Claims
} {
	before, after := now.Add(-time.Minute), now.Add(time.Minute)
	return []struct {
		name    string
		write   func(*revocation.List) error
		refused []*claims.Claims
		kept    []*claims.Claims
	}{
		{
			name: "RevokeToken",
			write: func(l *revocation.List) error {
				return l.RevokeToken(context.Background(), tok(issA, "u1", "j1", "o1", before))
			},
			refused: []*claims.Claims{tok(issA, "u1", "j1", "o1", before)},
			kept: []*claims.Claims{tok(issA, "u1", "j2", "o1", before), tok(issB, "u1", "j1", "o1", before),
				tok(issA, "u2", "j1", "o1", before)},
		},
		{
			name: "RevokeSession",
			write: func(l *revocation.List) error {
				return l.RevokeSession(context.Background(), tok(issA, "u1", "j1", "o1", before))
			},
			refused: []*claims.Claims{tok(issA, "u1", "j1", "o1", before), tok(issA, "u1", "j9", "o1", after)},
			kept:    []*claims.Claims{tok(issA, "u1", "j1", "o2", before), tok(issB, "u1", "j1", "o1", before)},
		},
		{
			name:    "SignOut",
			write:   func(l *revocation.List) error { return l.SignOut(context.Background(), issA, "u1") },
			refused: []*claims.Claims{tok(issA, "u1", "j1", "o1", before), tok(issA, "u1", "", "", now)},
			kept:    []*claims.Claims{tok(issA, "u1", "j1", "o1", after), tok(issB, "u1", "j1", "o1", before)},
		},
		{
			name:    "DisableUser",
			write:   func(l *revocation.List) error { return l.DisableUser(context.Background(), issA, "u1") },
			refused: []*claims.Claims{tok(issA, "u1", "j1", "o1", before), tok(issA, "u1", "", "", after)},
			kept:    []*claims.Claims{tok(issB, "u1", "j1", "o1", before), tok(issA, "u2", "j1", "o1", before)},
		},
		{
			name: "EnableUser",
			write: func(l *revocation.List) error {
				if err := l.DisableUser(context.Background(), issA, "u1"); err != nil {
					return err
				}
				return l.EnableUser(context.Background(), issA, "u1")
			},
			refused: []*claims.Claims{tok(issA, "u1", "j1", "o1", before)}, // issued before the disable
			kept:    []*claims.Claims{tok(issA, "u1", "j1", "o1", after)},
		},
	}
}

// TestEachCall: each write, on a List of its own, refuses exactly what its
// table row says, at once.
func TestEachCall(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range callCases(now) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newList(t, revocation.Options{Now: newClock(now).Now})
			for _, c := range append(tc.refused, tc.kept...) {
				wantVerdict(t, l, c, "ok")
			}
			if err := tc.write(l); err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.refused {
				wantVerdict(t, l, c, "revoked")
			}
			for _, c := range tc.kept {
				wantVerdict(t, l, c, "ok")
			}
		})
	}
}

// TestEachCallAcrossLists: each write made on one List reaches another
// sharing the same real Redis, and a List started afterwards loads it.
func TestEachCallAcrossLists(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	now := time.Unix(1_700_000_000, 0)
	for i, tc := range callCases(now) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := revocation.Options{Redis: srv.client(t), Key: fmt.Sprintf("test:%d", i), Now: newClock(now).Now}
			writer, reader := newList(t, opts), newList(t, opts)
			if err := tc.write(writer); err != nil {
				t.Fatal(err)
			}
			for _, c := range tc.refused {
				wantVerdict(t, writer, c, "revoked")
				eventuallyVerdict(t, reader, c, "revoked")
			}
			late := newList(t, opts)
			for _, c := range tc.refused {
				wantVerdict(t, late, c, "revoked")
			}
			for _, c := range tc.kept {
				wantVerdict(t, reader, c, "ok")
				wantVerdict(t, late, c, "ok")
			}
		})
	}
}

// TestSignOutBoundary: a token whose iat is the sign-out's second is
// refused (it may predate the sign-out); one from the next second verifies.
func TestSignOutBoundary(t *testing.T) {
	t.Parallel()
	signOut := time.Unix(1_700_000_000, 700_000_000) // 0.7 s into the second
	l := newList(t, revocation.Options{Now: newClock(signOut).Now})
	if err := l.SignOut(context.Background(), issA, "alice"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		iat  time.Time
		want string
	}{
		{"a second before", time.Unix(1_699_999_999, 0), "revoked"},
		{"the sign-out second", time.Unix(1_700_000_000, 0), "revoked"},
		{"the next second", time.Unix(1_700_000_001, 0), "ok"},
		{"no iat", time.Time{}, "revoked"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantVerdict(t, l, &claims.Claims{Issuer: issA, Subject: "alice", JTI: "j", OriginJTI: "o", IssuedAt: tc.iat}, tc.want)
		})
	}
}

// TestDisableThenEnable: a disabled user's tokens are all refused, old and
// new; after EnableUser, tokens issued after the disable verify again while
// those issued before stay refused (as Cognito's AdminDisableUser). The
// disabled state outlives Retain and reaches a List started later.
func TestDisableThenEnable(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	clk := newClock(time.Unix(1_700_000_000, 0))
	opts := revocation.Options{Redis: srv.client(t), Now: clk.Now, Retain: time.Hour}
	a, b := newList(t, opts), newList(t, opts)
	old := tok(issA, "bob", "j1", "o1", clk.Now().Add(-time.Minute))
	ctx := context.Background()

	if err := a.DisableUser(ctx, issA, "bob"); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Hour) // past Retain: the disable must not expire
	fresh := tok(issA, "bob", "j2", "o2", clk.Now())
	for _, l := range []*revocation.List{a, b} {
		eventuallyVerdict(t, l, old, "revoked")
		eventuallyVerdict(t, l, fresh, "revoked")
	}
	if late := newList(t, opts); verdict(late, fresh) != "revoked" {
		t.Fatal("a List started after DisableUser accepts the disabled user's token")
	}

	if err := b.EnableUser(ctx, issA, "bob"); err != nil {
		t.Fatal(err)
	}
	for _, l := range []*revocation.List{a, b, newList(t, opts)} {
		eventuallyVerdict(t, l, fresh, "ok")
	}
	clk2 := newClock(time.Unix(1_700_000_000, 0))
	opts.Now = clk2.Now
	wantVerdict(t, newList(t, opts), old, "revoked") // within Retain of the disable
}

// TestTokensWithoutJTI: a token from an app client with revocation turned
// off has no jti or origin_jti: revoking it alone or by session is a clear
// error and records nothing; SignOut still covers it.
func TestTokensWithoutJTI(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	l := newList(t, revocation.Options{Now: newClock(now).Now})
	bare := tok(issA, "carol", "", "", now.Add(-time.Minute))
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		write func() error
	}{
		{"RevokeToken without jti", func() error { return l.RevokeToken(ctx, bare) }},
		{"RevokeSession without origin_jti", func() error { return l.RevokeSession(ctx, bare) }},
		{"RevokeToken nil", func() error { return l.RevokeToken(ctx, nil) }},
		{"RevokeSession nil", func() error { return l.RevokeSession(ctx, nil) }},
		{"RevokeToken without issuer", func() error { return l.RevokeToken(ctx, tok("", "carol", "j", "o", now)) }},
		{"SignOut without subject", func() error { return l.SignOut(ctx, issA, "") }},
		{"DisableUser without issuer", func() error { return l.DisableUser(ctx, "", "carol") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write()
			if !errors.Is(err, revocation.ErrMissingClaim) {
				t.Fatalf("got %v, want ErrMissingClaim", err)
			}
			wantVerdict(t, l, bare, "ok")
		})
	}
	if err := l.SignOut(ctx, issA, "carol"); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, l, bare, "revoked")
}

// TestExpiryAfterRetain: token, session and sign-out entries are refused
// until Retain has passed, then expire and are swept; a disabled user stays.
func TestExpiryAfterRetain(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_700_000_000, 0)
	clk := newClock(start)
	l := newList(t, revocation.Options{Now: clk.Now, Retain: time.Hour})
	ctx := context.Background()
	iat := start.Add(-time.Minute)
	revoked := []*claims.Claims{tok(issA, "t", "j1", "o1", iat), tok(issA, "s", "j2", "o2", iat), tok(issA, "o", "j3", "o3", iat)}
	must(t, l.RevokeToken(ctx, revoked[0]))
	must(t, l.RevokeSession(ctx, revoked[1]))
	must(t, l.SignOut(ctx, issA, "o"))
	must(t, l.DisableUser(ctx, issA, "d"))
	disabled := tok(issA, "d", "j4", "o4", start.Add(2*time.Hour))

	clk.Add(time.Hour - time.Second)
	for _, c := range append(revoked, disabled) {
		wantVerdict(t, l, c, "revoked")
	}
	clk.Add(time.Second)
	for _, c := range revoked {
		wantVerdict(t, l, c, "ok")
	}
	wantVerdict(t, l, disabled, "revoked")

	m := newMeter(t)
	l2 := newList(t, revocation.Options{Now: clk.Now, Retain: time.Hour, MeterProvider: m.provider})
	must(t, l2.RevokeToken(ctx, revoked[0]))
	must(t, l2.DisableUser(ctx, issA, "d"))
	if got := m.entries(t); got != 3 { // token, disable and the disable's sign-out
		t.Fatalf("entries %d, want 3", got)
	}
	clk.Add(2 * time.Hour)
	must(t, l2.SignOut(ctx, issA, "x")) // a write sweeps when due
	if got := m.entries(t); got != 2 {  // the disabled user and the new sign-out
		t.Fatalf("entries after Retain %d, want 2 (expired entries swept)", got)
	}
}

// TestLoadsTenThousand: a List started after 10,000 revocations holds them
// all (the load reads the log in pages).
func TestLoadsTenThousand(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	now := time.Unix(1_700_000_000, 0)
	opts := revocation.Options{Redis: srv.client(t), Now: newClock(now).Now}
	w := newList(t, opts)
	const n = 10_000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 8 {
				if err := w.RevokeToken(context.Background(), tok(issA, fmt.Sprintf("user-%d", i), fmt.Sprintf("jti-%d", i), "o", now)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	m := newMeter(t)
	opts.MeterProvider = m.provider
	late := newList(t, opts)
	if got := m.entries(t); got != n {
		t.Fatalf("a List started after %d revocations holds %d entries", n, got)
	}
	for i := range n {
		if v := verdict(late, tok(issA, fmt.Sprintf("user-%d", i), fmt.Sprintf("jti-%d", i), "o", now)); v != "revoked" {
			t.Fatalf("revocation %d: %s", i, v)
		}
	}
	wantVerdict(t, late, tok(issA, "user-1", "jti-other", "o", now), "ok")
}

// TestOptions: invalid options are refused; a closed List refuses tokens
// and writes; Close is idempotent.
func TestOptions(t *testing.T) {
	t.Parallel()
	if _, err := revocation.New(context.Background(), revocation.Options{Retain: time.Millisecond}); err == nil {
		t.Fatal("Retain 1ms accepted")
	}
	l := newList(t, revocation.Options{})
	c := tok(issA, "u", "j", "o", time.Now())
	wantVerdict(t, l, c, "ok")
	if err := l.Check(context.Background(), nil); !errors.Is(err, verifier.ErrRevocationUnavailable) {
		t.Fatalf("Check(nil) = %v, want ErrRevocationUnavailable", err)
	}
	must(t, l.Close())
	must(t, l.Close())
	wantVerdict(t, l, c, "unavailable")
	if err := l.SignOut(context.Background(), issA, "u"); !errors.Is(err, revocation.ErrClosed) {
		t.Fatalf("SignOut after Close = %v, want ErrClosed", err)
	}
}

// TestNoRedisUnreachable: New fails when Redis cannot be read rather than
// start with a view it cannot vouch for.
func TestNewRedisUnreachable(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	c := srv.client(t)
	srv.stop()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if l, err := revocation.New(ctx, revocation.Options{Redis: c}); err == nil {
		l.Close()
		t.Fatal("New succeeded with Redis down")
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ redis.UniversalClient = (*redis.Client)(nil)
