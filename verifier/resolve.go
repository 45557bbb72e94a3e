package verifier

import (
	"bytes"
	linked "container/list"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cognitoauth/cognitoauth/jwks"
)

// DefaultMaxPools is the number of pools resolved at run time a Verifier
// keeps when Config.MaxPools is zero.
const DefaultMaxPools = 1000

// errNoPool is what a (nil, nil) answer of ResolvePool is reported as.
var errNoPool = errors.New("verifier: ResolvePool knows no pool for this issuer")

// resolver holds the pools Config.ResolvePool returned: at most max of them,
// least recently used evicted first with their keys, and the issuers it
// refused, for RefetchCooldown. Its calls are single-flight per issuer and
// bounded in all by a token bucket: max calls at once, refilled at max per
// RefetchCooldown. Everything is under one mutex; the hot path takes it
// once per token of a resolved pool and never for a configured pool.
type resolver struct {
	fn       func(context.Context, string) (*Pool, error)
	opts     jwks.Options // for the resolved pools' key caches
	max      int
	cooldown time.Duration
	timeout  time.Duration // bounds one ResolvePool call
	now      func() time.Time

	mu       sync.Mutex
	held     map[string]*linked.Element // by issuer; values are *pool
	used     linked.List                // most recently used first
	refused  map[string]*linked.Element // by issuer; values are *refusal
	refusals linked.List                // oldest first
	inflight map[string]*resolution
	tokens   float64   // calls the budget allows now
	refilled time.Time // when tokens was last refilled
	closed   bool

	ctx    context.Context // ends at close; parent of every call
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// refusal is a remembered refusal of ResolvePool.
type refusal struct {
	issuer string
	until  time.Time
	err    error // ResolvePool's error, or errNoPool
}

// resolution is one ResolvePool call in flight, shared by the tokens that
// name its issuer meanwhile.
type resolution struct {
	done   chan struct{}
	p      *pool
	err    error
	closed bool // the Verifier closed during the call: nothing was decided
}

func newResolver(cfg *Config, opts jwks.Options, now func() time.Time) *resolver {
	r := &resolver{
		fn:       cfg.ResolvePool,
		opts:     opts,
		max:      cfg.MaxPools,
		cooldown: cfg.RefetchCooldown,
		timeout:  cfg.FetchTimeout,
		now:      now,
		held:     make(map[string]*linked.Element),
		refused:  make(map[string]*linked.Element),
		inflight: make(map[string]*resolution),
	}
	if r.max == 0 {
		r.max = DefaultMaxPools
	}
	if r.cooldown <= 0 {
		r.cooldown = DefaultRefetchCooldown
	}
	if r.timeout <= 0 {
		r.timeout = jwks.DefaultFetchTimeout
	}
	r.tokens = float64(r.max)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r
}

// pool returns the pool for iss, an issuer no configured pool has: held,
// or resolved now. waited says whether it had to wait for ResolvePool (the
// caller then reads its clock again). Every error is a *ValidationError.
func (r *resolver) pool(ctx context.Context, iss string) (p *pool, waited bool, err error) {
	if p := r.lookup(iss); p != nil {
		return p, false, nil // held issuers have Cognito's shape: no need to check it again
	}
	poolID, ok := cognitoIssuerPool(iss)
	if !ok {
		// Not Cognito's shape: ResolvePool never sees it.
		return nil, false, fail(ErrIssuerMismatch, "iss", iss, "not a configured pool's issuer")
	}
	r.mu.Lock()
	if e := r.held[iss]; e != nil { // resolved meanwhile
		r.used.MoveToFront(e)
		r.mu.Unlock()
		return e.Value.(*pool), false, nil
	}
	if e := r.refused[iss]; e != nil {
		ref := e.Value.(*refusal)
		if r.now().Before(ref.until) {
			r.mu.Unlock()
			return nil, false, refused(iss, "refused by ResolvePool less than RefetchCooldown ago", ref.err)
		}
		r.forget(e)
	}
	f := r.inflight[iss]
	if f == nil {
		if ctx.Err() != nil { // a caller already gone spends no call
			r.mu.Unlock()
			return nil, false, &ValidationError{Reason: ErrJWKSUnavailable, Claim: "iss", Value: quote(iss),
				Detail: "not resolved: the context has ended", Err: ctx.Err()}
		}
		if f, err = r.start(ctx, iss, poolID); err != nil {
			r.mu.Unlock()
			return nil, false, err
		}
	}
	r.mu.Unlock()
	select {
	case <-f.done:
	case <-ctx.Done():
		// The call goes on for the tokens that wait with it, and its answer
		// is kept for the next ones.
		return nil, true, &ValidationError{Reason: ErrJWKSUnavailable, Claim: "iss", Value: quote(iss),
			Detail: "gave up waiting for ResolvePool", Err: ctx.Err()}
	}
	if f.closed {
		return nil, true, errClosed(iss)
	}
	if f.err != nil {
		return nil, true, refused(iss, "refused by ResolvePool", f.err)
	}
	return f.p, true, nil
}

func errClosed(iss string) error {
	return &ValidationError{Reason: ErrJWKSUnavailable, Claim: "iss", Value: quote(iss), Detail: "not resolved: verifier closed"}
}

func refused(iss, detail string, err error) error {
	return &ValidationError{Reason: ErrIssuerMismatch, Claim: "iss", Value: quote(iss), Detail: detail, Err: err}
}

// start begins a ResolvePool call for iss, under mu, if the Verifier is
// open and the budget allows one.
func (r *resolver) start(ctx context.Context, iss, poolID string) (*resolution, error) {
	if r.closed {
		return nil, errClosed(iss)
	}
	if !r.spend(r.now()) {
		return nil, &ValidationError{Reason: ErrJWKSUnavailable, Claim: "iss", Value: quote(iss),
			Detail: fmt.Sprintf("not resolved: ResolvePool's budget of %d calls per RefetchCooldown (MaxPools) is spent", r.max)}
	}
	f := &resolution{done: make(chan struct{})}
	r.inflight[iss] = f
	r.wg.Add(1)
	// The call is shared: it keeps the first token's context values but
	// not its cancellation, so that one caller giving up fails nobody else.
	go r.run(context.WithoutCancel(ctx), f, iss, poolID)
	return f, nil
}

// spend takes one call from the budget, under mu: a token bucket of max
// calls, refilled evenly at max calls per cooldown.
func (r *resolver) spend(now time.Time) bool {
	if now.After(r.refilled) {
		if !r.refilled.IsZero() {
			rate := float64(r.max) / r.cooldown.Seconds()
			r.tokens = min(float64(r.max), r.tokens+now.Sub(r.refilled).Seconds()*rate)
		}
		r.refilled = now
	}
	if r.tokens < 1 {
		return false
	}
	r.tokens--
	return true
}

// run makes one ResolvePool call on its own goroutine, bounded by
// FetchTimeout and Close, and publishes the answer.
func (r *resolver) run(values context.Context, f *resolution, iss, poolID string) {
	defer r.wg.Done()
	ctx, cancel := context.WithTimeout(values, r.timeout)
	stop := context.AfterFunc(r.ctx, cancel)
	p, err := r.call(ctx, iss, poolID)
	stop()
	cancel()

	var evicted []*pool
	r.mu.Lock()
	delete(r.inflight, iss)
	switch {
	case r.closed:
		if p != nil {
			evicted, p = []*pool{p}, nil
		}
		f.closed = true
	case err == nil:
		r.held[iss] = r.used.PushFront(p)
		for r.used.Len() > r.max {
			e := r.used.Back()
			old := r.used.Remove(e).(*pool)
			delete(r.held, old.issuer)
			evicted = append(evicted, old)
		}
	default:
		r.remember(&refusal{issuer: iss, until: r.now().Add(r.cooldown), err: err})
	}
	f.p, f.err = p, err
	r.mu.Unlock()
	close(f.done)
	for _, old := range evicted {
		old.keys.Close() // waits for its fetch in progress, if any: not under mu
	}
}

// call asks ResolvePool and checks its answer: a pool valid as a configured
// one would be, for exactly the issuer asked.
func (r *resolver) call(ctx context.Context, iss, poolID string) (p *pool, err error) {
	defer func() {
		// The call runs on the resolver's goroutine, where no server's
		// recovery would catch a panic: it refuses the token instead.
		if v := recover(); v != nil {
			p, err = nil, fmt.Errorf("verifier: ResolvePool panicked: %v", v)
		}
	}()
	rp, err := r.fn(ctx, iss)
	if err != nil {
		return nil, err
	}
	if rp == nil {
		return nil, errNoPool
	}
	if err := rp.validate(); err != nil {
		return nil, err
	}
	if rp.UserPoolID != poolID {
		return nil, fmt.Errorf("verifier: ResolvePool answered with pool %q for an issuer of pool %q", rp.UserPoolID, poolID)
	}
	issuers, err := rp.issuers()
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(issuers, func(iu [2]string) bool { return iu[0] == iss })
	if i < 0 {
		return nil, fmt.Errorf("verifier: pool %q resolved for %q has issuer %q", rp.UserPoolID, iss, issuers[0][0])
	}
	keys, err := jwks.New(issuers[i][1], r.opts)
	if err != nil {
		return nil, fmt.Errorf("verifier: pool %q: %w", rp.UserPoolID, err)
	}
	if rp.JWKS != nil {
		if err := keys.Load(bytes.Clone(rp.JWKS)); err != nil {
			keys.Close()
			return nil, fmt.Errorf("verifier: pool %q: preloaded JWKS: %w", rp.UserPoolID, err)
		}
	}
	return &pool{issuer: iss, id: rp.UserPoolID, clientIDs: slices.Clone(rp.ClientIDs), tokenUse: rp.TokenUse, keys: keys}, nil
}

// remember records a refusal, under mu, forgetting the oldest beyond max.
func (r *resolver) remember(ref *refusal) {
	if e := r.refused[ref.issuer]; e != nil {
		r.forget(e)
	}
	r.refused[ref.issuer] = r.refusals.PushBack(ref)
	for r.refusals.Len() > r.max {
		r.forget(r.refusals.Front())
	}
}

func (r *resolver) forget(e *linked.Element) {
	delete(r.refused, r.refusals.Remove(e).(*refusal).issuer)
}

// lookup returns the held pool for iss, if any, as recently used.
func (r *resolver) lookup(iss string) *pool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.held[iss]
	if e == nil {
		return nil
	}
	r.used.MoveToFront(e)
	return e.Value.(*pool)
}

// caches returns the key caches of the held pools.
func (r *resolver) caches() []*jwks.Cache {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*jwks.Cache, 0, r.used.Len())
	for e := r.used.Front(); e != nil; e = e.Next() {
		out = append(out, e.Value.(*pool).keys)
	}
	return out
}

// close stops the calls in progress, waits for them, and closes the held
// pools' key caches. Held pools keep verifying on the keys they hold.
func (r *resolver) close() {
	r.mu.Lock()
	r.closed = true
	r.cancel()
	r.mu.Unlock()
	r.wg.Wait()
	for _, c := range r.caches() {
		c.Close()
	}
}

// cognitoIssuerPool returns the pool ID an issuer of Cognito's shape names:
// "https://cognito-idp.{region}.{suffix}/{pool}" or its second form
// "https://issuer-cognito-idp.{region}.{suffix}/{pool}", where suffix is
// "amazonaws.com" ("amazonaws.com.cn" for cn-* regions) and pool is a valid
// pool ID of that region: exactly an issuer a configured Pool with that
// UserPoolID would accept. Anything else (emulators, other hosts, ports,
// case changes, trailing slashes) is not Cognito's shape.
func cognitoIssuerPool(iss string) (string, bool) {
	rest, ok := strings.CutPrefix(iss, "https://")
	if !ok {
		return "", false
	}
	rest = strings.TrimPrefix(rest, "issuer-")
	rest, ok = strings.CutPrefix(rest, "cognito-idp.")
	if !ok {
		return "", false
	}
	_, poolID, ok := strings.Cut(rest, "/")
	if !ok || len(poolID) > 55 || !poolIDPattern.MatchString(poolID) {
		return "", false
	}
	p := Pool{UserPoolID: poolID}
	issuers, err := p.issuers() // the region must be an AWS region
	if err != nil {
		return "", false
	}
	for _, iu := range issuers {
		if iu[0] == iss {
			return poolID, true
		}
	}
	return "", false
}
