package revocation_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/revocation"
)

// syncBuffer is a log sink safe for the tail goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestRedisStopped: with Redis gone, Check answers from the view until
// MaxStaleness, then refuses with ErrRevocationUnavailable; writes return
// errors; nothing panics; Close leaves no goroutine behind.
func TestRedisStopped(t *testing.T) {
	srv := startRedis(t, false)
	ca, cb := srv.client(t), srv.client(t)
	ctx := context.Background()
	must(t, ca.Ping(ctx).Err())
	must(t, cb.Ping(ctx).Err())
	before := runtime.NumGoroutine()

	const maxStale = 800 * time.Millisecond
	a, err := revocation.New(ctx, revocation.Options{Redis: ca, MaxStaleness: maxStale})
	must(t, err)
	b, err := revocation.New(ctx, revocation.Options{Redis: cb, MaxStaleness: maxStale})
	must(t, err)
	revoked := tok(issA, "mallory", "j1", "o1", time.Now())
	clean := tok(issA, "alice", "j2", "o2", time.Now())
	must(t, a.RevokeSession(ctx, revoked))
	eventuallyVerdict(t, b, revoked, "revoked")

	srv.stop()
	stopped := time.Now()
	wantVerdict(t, b, clean, "ok") // the view answers...
	wantVerdict(t, b, revoked, "revoked")
	if err := a.SignOut(ctx, issA, "alice"); err == nil {
		t.Fatal("SignOut succeeded with Redis down")
	}
	wantVerdict(t, a, clean, "revoked") // ...and a failed write still applies here
	eventually(t, 3*maxStale, "Check still answers long after MaxStaleness", func() bool { return verdict(b, clean) == "unavailable" })
	if since := time.Since(stopped); since < maxStale/2 {
		t.Fatalf("stale after %v, before MaxStaleness %v", since, maxStale)
	}
	wantVerdict(t, b, revoked, "revoked") // still refused, as revoked
	if err := b.RevokeToken(ctx, clean); err == nil {
		t.Fatal("RevokeToken succeeded with Redis down")
	}

	must(t, a.Close())
	must(t, b.Close())
	wantVerdict(t, b, tok(issA, "dave", "j3", "o3", time.Now()), "unavailable")
	waitGoroutines(t, before)
}

// TestRedisRestarted: Redis with an AOF stops and comes back; the Lists
// recover by themselves, resume where they were, and lose no revocation.
func TestRedisRestarted(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, true)
	ctx := context.Background()
	opts := revocation.Options{Redis: srv.client(t), MaxStaleness: 500 * time.Millisecond}
	a := newList(t, opts)
	opts.Redis = srv.client(t)
	b := newList(t, opts)
	first := tok(issA, "u1", "j1", "o1", time.Now())
	must(t, a.RevokeToken(ctx, first))
	eventuallyVerdict(t, b, first, "revoked")

	srv.stop()
	clean := tok(issA, "u2", "j2", "o2", time.Now())
	eventuallyVerdict(t, b, clean, "unavailable")
	srv.start()
	eventuallyVerdict(t, b, clean, "ok")
	eventuallyVerdict(t, a, clean, "ok")

	second := tok(issA, "u3", "j3", "o3", time.Now())
	must(t, a.RevokeToken(ctx, second))
	eventuallyVerdict(t, b, second, "revoked")
	opts.Redis = srv.client(t)
	late := newList(t, opts)
	for _, c := range []*claims.Claims{first, second} {
		wantVerdict(t, late, c, "revoked")
	}
	wantVerdict(t, late, clean, "ok")
}

// TestRedisRestartedDataGone: Redis comes back empty; each List notices,
// warns, keeps its own view, and goes on sharing new writes.
func TestRedisRestartedDataGone(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	ctx := context.Background()
	var logs syncBuffer
	opts := revocation.Options{Redis: srv.client(t), MaxStaleness: 500 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	a := newList(t, opts)
	opts.Redis = srv.client(t)
	b := newList(t, opts)
	first := tok(issA, "u1", "j1", "o1", time.Now())
	must(t, a.RevokeToken(ctx, first))
	must(t, a.DisableUser(ctx, issA, "u9"))
	eventuallyVerdict(t, b, first, "revoked")

	srv.stop()
	srv.wipe()
	srv.start()
	clean := tok(issA, "u2", "j2", "o2", time.Now())
	eventually(t, 5*time.Second, "no data-loss warning", func() bool { return strings.Contains(logs.String(), "Redis lost revocations") })
	eventuallyVerdict(t, b, clean, "ok")
	wantVerdict(t, b, first, "revoked") // kept from the view
	wantVerdict(t, b, tok(issA, "u9", "j", "o", time.Now().Add(time.Hour)), "revoked")

	second := tok(issA, "u3", "j3", "o3", time.Now())
	must(t, a.RevokeToken(ctx, second))
	eventuallyVerdict(t, b, second, "revoked")
	for _, bad := range []string{"eyJ", "j1", "u1"} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("the log holds %q:\n%s", bad, logs.String())
		}
	}
}

// delayProxy forwards TCP to upstream, holding every reply for delay.
type delayProxy struct {
	ln    net.Listener
	delay time.Duration
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func startDelayProxy(t testing.TB, upstream string, delay time.Duration) *delayProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &delayProxy{ln: ln, delay: delay}
	p.wg.Add(1)
	go p.serve(upstream)
	t.Cleanup(p.close)
	return p
}

func (p *delayProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *delayProxy) serve(upstream string) {
	defer p.wg.Done()
	for {
		down, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", upstream)
		if err != nil {
			down.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, up, down)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(up, down); up.Close() }()
		go func() {
			defer p.wg.Done()
			defer down.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := up.Read(buf)
				if n > 0 {
					time.Sleep(p.delay)
					if _, werr := down.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
}

// TestSlowRedis: every Redis reply to one List is held 300 ms by a proxy;
// its Check stays as fast as ever while writes keep arriving through it.
func TestSlowRedis(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	const delay = 300 * time.Millisecond
	proxy := startDelayProxy(t, srv.addr(), delay)
	slow := redis.NewClient(&redis.Options{Addr: proxy.ln.Addr().String(), ReadTimeout: 5 * time.Second})
	t.Cleanup(func() { slow.Close() })
	ctx := context.Background()
	fast := newList(t, revocation.Options{Redis: srv.client(t)})
	l := newList(t, revocation.Options{Redis: slow, MaxStaleness: 10 * time.Second})

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // writes keep the slow tail busy
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			fast.RevokeToken(ctx, tok(issA, "w", string(rune('a'+i%26))+time.Now().String(), "o", time.Now()))
		}
	}()
	c := tok(issA, "alice", "j", "o", time.Now())
	var durs []time.Duration
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		start := time.Now()
		for range 100 {
			l.Check(ctx, c)
		}
		durs = append(durs, time.Since(start)/100)
	}
	close(stop)
	wg.Wait()
	slices.Sort(durs)
	p99, worst := durs[len(durs)*99/100], durs[len(durs)-1]
	t.Logf("Check with a %v Redis: p99 %v, worst %v over %d batches of 100", delay, p99, worst, len(durs))
	if worst >= delay/10 {
		t.Fatalf("a Check took %v on average in a batch: Redis's delay reached it", worst)
	}
	marked := tok(issA, "bob", "jb", "ob", time.Now())
	must(t, fast.RevokeToken(ctx, marked))
	eventuallyVerdict(t, l, marked, "revoked") // it still arrives, just late
}

// TestNeverStale: with a negative MaxStaleness the view is trusted through
// an outage (the documented trade-off), and revocations it holds still apply.
func TestNeverStale(t *testing.T) {
	t.Parallel()
	srv := startRedis(t, false)
	l := newList(t, revocation.Options{Redis: srv.client(t), MaxStaleness: -1})
	revoked := tok(issA, "u1", "j1", "o1", time.Now())
	must(t, l.RevokeToken(context.Background(), revoked))
	srv.stop()
	time.Sleep(1200 * time.Millisecond)
	wantVerdict(t, l, tok(issA, "u2", "j2", "o2", time.Now()), "ok")
	wantVerdict(t, l, revoked, "revoked")
}
