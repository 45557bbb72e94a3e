package alb

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cognitoauth/cognitoauth/internal/telemetry"
)

// Outcomes of a key lookup other than a key, mapped by Verify to the
// verifier's sentinels.
var (
	errKeyNotFound = errors.New("alb: key not found")   // the key URL has no such key, or the cooldown holds
	errUnavailable = errors.New("alb: key unavailable") // the key URL could not be asked, or answered nonsense
	errKeyType     = errors.New("alb: key is not an ECDSA P-256 public key")
)

// maxFetchesPerCooldown bounds the fetches of keys that exist: a client
// naming many real kids of the region (they are public) in turn still costs
// at most this many fetches per cooldown.
const maxFetchesPerCooldown = 4

// keyCache holds ALB public keys by kid. Keys never change under a kid, so
// a held key is served until it is evicted to make room. Fetches are
// bounded: one in flight at a time (requests for the same kid share it,
// others wait for it to end and then decide again), none for a cooldown
// after a fetch that found no key, and at most maxFetchesPerCooldown per
// cooldown otherwise.
type keyCache struct {
	base     string
	client   *http.Client
	timeout  time.Duration
	maxBody  int64
	cooldown time.Duration
	now      func() time.Time

	keys atomic.Pointer[map[string]*ecdsa.PublicKey] // copied on write

	mu          sync.Mutex
	order       []string // kids, oldest first, for eviction
	inflight    *flight
	lastFailure time.Time // when the last failed fetch started
	lastErr     error     // its error
	windowStart time.Time // start of the current cooldown window
	windowCount int       // fetches started in it

	fetches atomic.Int64
	tel     *telemetry.Fetch // set by New

	ctx    context.Context // ends at Close; parent of every fetch
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type flight struct {
	kid  string
	done chan struct{}
	key  *ecdsa.PublicKey
	err  error
}

func newKeyCache(base string, client *http.Client, timeout time.Duration, maxBody int64, cooldown time.Duration, now func() time.Time) *keyCache {
	c := &keyCache{base: base, client: client, timeout: timeout, maxBody: maxBody, cooldown: cooldown, now: now}
	empty := map[string]*ecdsa.PublicKey{}
	c.keys.Store(&empty)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	return c
}

// lookup returns a held key without fetching.
func (c *keyCache) lookup(kid string) (*ecdsa.PublicKey, bool) {
	k, ok := (*c.keys.Load())[kid]
	return k, ok
}

// key returns the key of kid, a UUID checked by the caller, fetching it if
// the bounds allow.
func (c *keyCache) key(ctx context.Context, kid string) (*ecdsa.PublicKey, error) {
	for {
		if k, ok := c.lookup(kid); ok {
			return k, nil
		}
		f, err := c.start(kid)
		if err != nil {
			return nil, err
		}
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", errUnavailable, ctx.Err())
		}
		if f.kid == kid {
			return f.key, f.err
		}
		// Another kid's fetch ended; decide again, under the bounds it left.
	}
}

// start returns the fetch in flight (whatever its kid, for the caller to
// wait on) or starts one for kid, or refuses when the bounds forbid.
func (c *keyCache) start(kid string) (*flight, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.lookup(kid); ok { // fetched since the caller looked
		f := &flight{kid: kid, done: make(chan struct{}), key: k}
		close(f.done)
		return f, nil
	}
	if c.inflight != nil {
		return c.inflight, nil
	}
	if c.ctx.Err() != nil {
		return nil, fmt.Errorf("%w: verifier closed", errUnavailable)
	}
	now := c.now()
	if !c.lastFailure.IsZero() && now.Sub(c.lastFailure) < c.cooldown {
		return nil, c.refusal()
	}
	if c.windowStart.IsZero() || now.Sub(c.windowStart) >= c.cooldown {
		c.windowStart, c.windowCount = now, 0
	}
	if c.windowCount >= maxFetchesPerCooldown {
		return nil, fmt.Errorf("%w: %d keys fetched in the last %s", errKeyNotFound, c.windowCount, c.cooldown)
	}
	c.windowCount++
	f := &flight{kid: kid, done: make(chan struct{})}
	c.inflight = f
	c.fetches.Add(1)
	c.wg.Add(1)
	go c.run(f, now)
	return f, nil
}

// refusal is the error for a kid refused during the cooldown: unavailable
// if the last fetch could not reach the key URL (retrying may succeed),
// otherwise not found.
func (c *keyCache) refusal() error {
	if errors.Is(c.lastErr, errUnavailable) {
		return fmt.Errorf("%w: fetches paused for %s after: %w", errUnavailable, c.cooldown, c.lastErr)
	}
	return fmt.Errorf("%w: fetches paused for %s after a key was not found", errKeyNotFound, c.cooldown)
}

// run fetches on its own goroutine, so that a caller giving up does not
// cancel the fetch others wait on.
func (c *keyCache) run(f *flight, began time.Time) {
	defer c.wg.Done()
	ctx, span := c.tel.Start(c.ctx)
	key, status, err := c.fetch(ctx, f.kid)
	keys := 0
	if key != nil {
		keys = 1
	}
	span.End(ctx, status, keys, err)
	c.mu.Lock()
	if err == nil {
		c.add(f.kid, key)
	} else {
		c.lastFailure, c.lastErr = began, err
	}
	c.inflight, f.key, f.err = nil, key, err
	c.mu.Unlock()
	close(f.done)
}

// add stores a key, dropping the oldest when full; c.mu is held.
func (c *keyCache) add(kid string, key *ecdsa.PublicKey) {
	old := *c.keys.Load()
	next := make(map[string]*ecdsa.PublicKey, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	if len(c.order) >= MaxKeys {
		delete(next, c.order[0])
		c.order = c.order[1:]
	}
	next[kid] = key
	c.order = append(c.order, kid)
	c.keys.Store(&next)
}

// fetch gets the key of kid under ctx (which carries the fetch's span). It
// returns the HTTP status too, 0 when no response came.
func (c *keyCache) fetch(ctx context.Context, kid string) (*ecdsa.PublicKey, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	url := c.base + "/" + kid
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", errUnavailable, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: fetch %s: %w", errUnavailable, url, err)
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	switch {
	case status == http.StatusNotFound || status == http.StatusForbidden:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		// The key endpoints answer 403 (S3) or 404 for a kid they do not have.
		return nil, status, fmt.Errorf("%w: %s answered %d", errKeyNotFound, url, status)
	case status != http.StatusOK:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, status, fmt.Errorf("%w: %s answered %d, want 200", errUnavailable, url, status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, status, fmt.Errorf("%w: read %s: %w", errUnavailable, url, err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, status, fmt.Errorf("%w: %s: body larger than %d bytes", errUnavailable, url, c.maxBody)
	}
	key, err := parsePublicKey(body)
	if err != nil {
		return nil, status, fmt.Errorf("%w: %s: %w", errUnavailable, url, err)
	}
	return key, status, nil
}

// parsePublicKey reads one PEM "PUBLIC KEY" block (PKIX), as ALB's key
// endpoints serve it, and returns it if it is an ECDSA P-256 key.
func parsePublicKey(pemBytes []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("alb: no PEM PUBLIC KEY block")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("alb: PEM public key: %w", err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		return nil, errKeyType
	}
	return k, nil
}

func (c *keyCache) close() {
	c.mu.Lock() // start checks ctx under mu, so no fetch begins after this
	c.cancel()
	c.mu.Unlock()
	c.wg.Wait()
}
