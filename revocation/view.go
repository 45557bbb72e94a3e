package revocation

import (
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
)

// The view is sharded copy-on-write: Check loads one shard's immutable map
// with an atomic pointer read and looks the user up, with no lock; a write
// copies only the shard it touches (1/256 of the entries), so a write stays
// cheap with a million entries held while reads never wait.
const shardCount = 256

type view struct {
	shards [shardCount]atomic.Pointer[shard]
}

// shard is immutable once published.
type shard struct {
	m       map[string][]*record // by subject, one record per issuer
	entries int
}

// Every entry is keyed by issuer and subject, so pools never collide and
// Check needs one map lookup whatever kinds of entry the user has. The map
// is keyed by subject alone (hashing 36 bytes, not 100) and each subject
// holds one record per issuer: almost always exactly one.

// record is everything held about one user; immutable once published.
type record struct {
	iss          string
	disabled     bool
	signedOut    int64 // the last sign-out, unix seconds; tokens with iat ≤ it are refused
	signedOutEnd int64 // when that sign-out entry expires, unix seconds
	tokens       []mark
	sessions     []mark
}

// mark is one revoked jti or origin_jti and when its entry expires.
type mark struct {
	id  string
	end int64
}

func (v *view) init() {
	empty := &shard{m: map[string][]*record{}}
	for i := range v.shards {
		v.shards[i].Store(empty)
	}
}

// index picks a shard from the first and last 8 bytes of the subject,
// multiplied to mix: a few nanoseconds where a full hash of the string
// costs several times that, and the map hashes the key again anyway.
// Subjects are random UUIDs or client IDs chosen by Cognito and signed, so
// a client cannot crowd one shard; a poor spread would only slow writes.
func (v *view) index(sub string) int {
	h := uint64(len(sub))
	for i := 0; i < len(sub) && i < 8; i++ {
		h = h<<8 | uint64(sub[i])
	}
	for i := max(len(sub)-8, 8); i < len(sub); i++ {
		h = (h << 8) ^ (h >> 56) ^ uint64(sub[i])
	}
	return int((h * 0x9E3779B97F4A7C15) >> 56)
}

func (v *view) get(iss, sub string) *record {
	for _, r := range v.shards[v.index(sub)].Load().m[sub] {
		if r.iss == iss {
			return r
		}
	}
	return nil
}

// replace returns recs with iss's record replaced by n (removed if n is
// nil), and the record it replaced; recs is not modified.
func replace(recs []*record, iss string, n *record) ([]*record, *record) {
	var old *record
	out := make([]*record, 0, len(recs)+1)
	for _, r := range recs {
		if r.iss == iss {
			old = r
			continue
		}
		out = append(out, r)
	}
	if n != nil {
		out = append(out, n)
	}
	return out, old
}

// entries counts the entries held (expired ones until the next sweep).
func (v *view) entries() int {
	n := 0
	for i := range v.shards {
		n += v.shards[i].Load().entries
	}
	return n
}

// refuses is Check's verdict for one user's record. The clock is read only
// when an entry matches (to see whether it expired), so a token that is
// not refused costs no clock read.
func (r *record) refuses(c *claims.Claims, now func() time.Time) error {
	switch {
	case r.disabled:
		return errDisabled
	case r.signedOutEnd != 0 && c.IssuedAt.Unix() <= r.signedOut && r.signedOutEnd > now().Unix():
		// iat has whole seconds: a token issued in the sign-out's second
		// may predate it, so it is refused. A missing iat (the zero time)
		// reads as long before any sign-out.
		return errSignedOut
	case c.JTI != "" && holds(r.tokens, c.JTI, now):
		return errTokenRevoked
	case c.OriginJTI != "" && holds(r.sessions, c.OriginJTI, now):
		return errSessionRevoked
	}
	return nil
}

func holds(marks []mark, id string, now func() time.Time) bool {
	for _, m := range marks {
		if m.id == id && m.end > now().Unix() {
			return true
		}
	}
	return false
}

func (r *record) count() int {
	n := len(r.tokens) + len(r.sessions)
	if r.disabled {
		n++
	}
	if r.signedOutEnd != 0 {
		n++
	}
	return n
}

// kind is an entry's kind as written to the Redis log.
type kind byte

const (
	kindToken   kind = 't'
	kindSession kind = 's'
	kindSignOut kind = 'o'
	kindDisable kind = 'd'
	kindEnable  kind = 'e'
)

func (k kind) String() string {
	switch k {
	case kindToken:
		return "token"
	case kindSession:
		return "session"
	case kindSignOut:
		return "sign-out"
	case kindDisable:
		return "disable"
	case kindEnable:
		return "enable"
	}
	return "unknown"
}

// event is one write, local or read from the log.
type event struct {
	kind     kind
	iss, sub string
	id       string // jti or origin_jti
	at       int64  // when it was recorded, unix seconds
}

// applyTo returns the record after e, sharing nothing mutable with r.
func (e event) applyTo(r *record, retain int64) *record {
	n := &record{iss: e.iss}
	if r != nil {
		*n = *r
	}
	end := e.at + retain
	switch e.kind {
	case kindToken:
		n.tokens = addMark(n.tokens, e.id, end)
	case kindSession:
		n.sessions = addMark(n.sessions, e.id, end)
	case kindDisable:
		// As Cognito's AdminDisableUser, disabling also revokes the tokens
		// already issued: they stay refused after EnableUser.
		n.disabled = true
		n.signOut(e.at, end)
	case kindSignOut:
		n.signOut(e.at, end)
	case kindEnable:
		n.disabled = false
	}
	return n
}

func (r *record) signOut(at, end int64) {
	r.signedOut = max(r.signedOut, at)
	r.signedOutEnd = max(r.signedOutEnd, end)
}

func addMark(marks []mark, id string, end int64) []mark {
	for i, m := range marks {
		if m.id == id {
			out := slices.Clone(marks)
			out[i].end = max(m.end, end)
			return out
		}
	}
	out := make([]mark, len(marks), len(marks)+1)
	copy(out, marks)
	return append(out, mark{id, end})
}

// pruned returns r without its expired entries, or nil if none is left.
func (r *record) pruned(now int64) *record {
	n := *r
	n.tokens = live(r.tokens, now)
	n.sessions = live(r.sessions, now)
	if n.signedOutEnd <= now {
		n.signedOut, n.signedOutEnd = 0, 0
	}
	if n.count() == 0 {
		return nil
	}
	return &n
}

func live(marks []mark, now int64) []mark {
	var out []mark
	for _, m := range marks {
		if m.end > now {
			out = append(out, m)
		}
	}
	return out
}

func (r *record) expired(now int64) bool {
	if r.signedOutEnd != 0 && r.signedOutEnd <= now {
		return true
	}
	for _, m := range r.tokens {
		if m.end <= now {
			return true
		}
	}
	for _, m := range r.sessions {
		if m.end <= now {
			return true
		}
	}
	return false
}

// apply publishes events in order, copying each touched shard once. The
// caller holds List.writeMu.
func (v *view) apply(events []event, retain int64) {
	touched := map[int]*shard{}
	for _, e := range events {
		i := v.index(e.sub)
		s, ok := touched[i]
		if !ok {
			old := v.shards[i].Load()
			s = &shard{m: maps.Clone(old.m), entries: old.entries}
			touched[i] = s
		}
		var old *record
		for _, r := range s.m[e.sub] {
			if r.iss == e.iss {
				old = r
			}
		}
		n := e.applyTo(old, retain)
		if old != nil {
			s.entries -= old.count()
		}
		if n.count() == 0 {
			n = nil
		} else {
			s.entries += n.count()
		}
		s.set(e.sub, e.iss, n)
	}
	for i, s := range touched {
		v.shards[i].Store(s)
	}
}

// sweep drops expired entries, copying only shards that hold some. The
// caller holds List.writeMu.
func (v *view) sweep(now int64) {
	for i := range v.shards {
		old := v.shards[i].Load()
		var s *shard
		for sub, recs := range old.m {
			for _, r := range recs {
				if !r.expired(now) {
					continue
				}
				if s == nil {
					s = &shard{m: maps.Clone(old.m), entries: old.entries}
				}
				s.entries -= r.count()
				p := r.pruned(now)
				if p != nil {
					s.entries += p.count()
				}
				s.set(sub, r.iss, p)
			}
		}
		if s != nil {
			v.shards[i].Store(s)
		}
	}
}

// set stores n as the record of (iss, sub), or removes it if n is nil, in
// a shard not yet published.
func (s *shard) set(sub, iss string, n *record) {
	recs, _ := replace(s.m[sub], iss, n)
	if len(recs) == 0 {
		delete(s.m, sub)
	} else {
		s.m[sub] = recs
	}
}
