package revocation

import (
	"hash/maphash"
	"maps"
	"slices"
	"sync/atomic"

	"github.com/cognitoauth/cognitoauth/claims"
)

// The view is sharded copy-on-write: Check loads one shard's immutable map
// with an atomic pointer read and looks the user up, with no lock; a write
// copies only the shard it touches (1/256 of the entries), so a write stays
// cheap with a million entries held while reads never wait.
const shardCount = 256

type view struct {
	seed   maphash.Seed
	shards [shardCount]atomic.Pointer[shard]
}

// shard is immutable once published.
type shard struct {
	m       map[userKey]*record
	entries int
}

// userKey keys every entry by issuer and subject, so pools never collide and
// Check needs one lookup whatever kinds of entry the user has.
type userKey struct{ iss, sub string }

// record is everything held about one user; immutable once published.
type record struct {
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
	v.seed = maphash.MakeSeed()
	empty := &shard{m: map[userKey]*record{}}
	for i := range v.shards {
		v.shards[i].Store(empty)
	}
}

func (v *view) index(sub string) int {
	return int(maphash.String(v.seed, sub) % shardCount)
}

func (v *view) get(iss, sub string) *record {
	return v.shards[v.index(sub)].Load().m[userKey{iss, sub}]
}

// entries counts the entries held (expired ones until the next sweep).
func (v *view) entries() int {
	n := 0
	for i := range v.shards {
		n += v.shards[i].Load().entries
	}
	return n
}

// refuses is Check's verdict for one user's record at time now.
func (r *record) refuses(c *claims.Claims, now int64) error {
	switch {
	case r.disabled:
		return errDisabled
	case r.signedOutEnd > now && c.IssuedAt.Unix() <= r.signedOut:
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

func holds(marks []mark, id string, now int64) bool {
	for _, m := range marks {
		if m.id == id && m.end > now {
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
	n := &record{}
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
		k := userKey{e.iss, e.sub}
		old := s.m[k]
		n := e.applyTo(old, retain)
		if old != nil {
			s.entries -= old.count()
		}
		if n.count() == 0 {
			delete(s.m, k)
		} else {
			s.m[k] = n
			s.entries += n.count()
		}
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
		for k, r := range old.m {
			if !r.expired(now) {
				continue
			}
			if s == nil {
				s = &shard{m: maps.Clone(old.m), entries: old.entries}
			}
			s.entries -= r.count()
			if p := r.pruned(now); p != nil {
				s.m[k] = p
				s.entries += p.count()
			} else {
				delete(s.m, k)
			}
		}
		if s != nil {
			v.shards[i].Store(s)
		}
	}
}
