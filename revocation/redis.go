package revocation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/codes"
)

// The shared state is an append-only log, the stream "{Key}:log", trimmed by
// age to Retain on every append, plus the hash "{Key}:disabled" (issuer NUL
// subject → unix seconds) holding the disabled users, which never expire.
// Disable and enable write both in one MULTI, so replaying the log over the
// hash read before it always ends in the latest state.

const (
	loadPage = 10000 // entries per XRANGE while loading
	tailPage = 1000  // entries per XREAD while tailing
)

// append writes e to the log (and the hash for disable and enable).
func (l *List) append(ctx context.Context, e event) error {
	args := &redis.XAddArgs{
		Stream: l.logKey,
		// Stream IDs are Redis's wall-clock milliseconds: entries older than
		// Retain are trimmed, approximately (whole nodes, cheap).
		MinID:  strconv.FormatInt(time.Now().Add(-l.opts.Retain).UnixMilli(), 10),
		Approx: true,
		Values: []any{"k", string([]byte{byte(e.kind)}), "i", e.iss, "u", e.sub, "j", e.id, "a", strconv.FormatInt(e.at, 10)},
	}
	switch e.kind {
	case kindDisable, kindEnable:
		_, err := l.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			if e.kind == kindDisable {
				p.HSet(ctx, l.disableKey, e.iss+"\x00"+e.sub, e.at)
			} else {
				p.HDel(ctx, l.disableKey, e.iss+"\x00"+e.sub)
			}
			p.XAdd(ctx, args)
			return nil
		})
		return err
	default:
		return l.rdb.XAdd(ctx, args).Err()
	}
}

// load reads the disabled users, then the whole log, into the view and
// returns the ID of the last log entry read ("0-0" for none).
func (l *List) load(ctx context.Context) (lastID string, err error) {
	ctx, span := l.tracer.Start(ctx, "revocation.load")
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, "revocation load failed")
		}
		span.End()
	}()
	disabled, err := l.rdb.HGetAll(ctx, l.disableKey).Result()
	if err != nil {
		return "", fmt.Errorf("revocation: loading disabled users from Redis: %w", err)
	}
	events := make([]event, 0, len(disabled))
	for field, at := range disabled {
		iss, sub, ok := strings.Cut(field, "\x00")
		secs, err := strconv.ParseInt(at, 10, 64)
		if !ok || err != nil {
			l.log.Warn("revocation: skipping a malformed disabled-user field in Redis")
			continue
		}
		events = append(events, event{kind: kindDisable, iss: iss, sub: sub, at: secs})
	}
	l.publish(events)

	lastID, start := "0-0", "-"
	for {
		msgs, err := l.rdb.XRangeN(ctx, l.logKey, start, "+", loadPage).Result()
		if err != nil {
			return "", fmt.Errorf("revocation: loading the log from Redis: %w", err)
		}
		if len(msgs) == 0 {
			return lastID, nil
		}
		l.publish(l.decode(msgs))
		lastID = msgs[len(msgs)-1].ID
		start = "(" + lastID
	}
}

// decode turns log entries into events, skipping (and logging) any it
// cannot read rather than stopping the list.
func (l *List) decode(msgs []redis.XMessage) []event {
	events := make([]event, 0, len(msgs))
	for _, m := range msgs {
		e, ok := decodeEvent(m.Values)
		if !ok {
			l.log.Warn("revocation: skipping a malformed log entry in Redis", "id", m.ID)
			continue
		}
		events = append(events, e)
	}
	return events
}

func decodeEvent(v map[string]any) (event, bool) {
	str := func(k string) string { s, _ := v[k].(string); return s }
	e := event{iss: str("i"), sub: str("u"), id: str("j")}
	at, err := strconv.ParseInt(str("a"), 10, 64)
	k := str("k")
	if err != nil || len(k) != 1 || e.iss == "" || e.sub == "" {
		return event{}, false
	}
	e.at, e.kind = at, kind(k[0])
	switch e.kind {
	case kindToken, kindSession:
		return e, e.id != ""
	case kindSignOut, kindDisable, kindEnable:
		return e, true
	}
	return event{}, false
}

// tail follows the log from lastID until ctx ends: each answer, entries or
// a timeout, proves the view fresh. After an error it retries with backoff,
// resuming from the last entry seen, and checks that Redis kept its data.
func (l *List) tail(ctx context.Context, lastID string) {
	defer close(l.done)
	const minBackoff, maxBackoff = 20 * time.Millisecond, time.Second
	backoff, failing := minBackoff, false
	for ctx.Err() == nil {
		res, err := l.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{l.logKey, lastID},
			Count:   tailPage,
			Block:   l.block,
		}).Result()
		switch {
		case err == nil || errors.Is(err, redis.Nil):
			if failing {
				failing, backoff = false, minBackoff
				l.log.Info("revocation: Redis reachable again; resuming the log", "after", lastID)
				lastID = l.checkLoss(ctx, lastID)
			}
			for _, s := range res {
				if len(s.Messages) > 0 {
					l.publish(l.decode(s.Messages))
					lastID = s.Messages[len(s.Messages)-1].ID
				}
			}
			if err != nil { // a quiet period: a cheap moment to look for data loss
				lastID = l.checkLoss(ctx, lastID)
				l.publish(nil)
			}
			l.heard()
		case ctx.Err() != nil:
			return
		default:
			if !failing {
				failing = true
				l.log.Warn("revocation: reading the log from Redis failed; retrying", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
		}
	}
}

// checkLoss returns where to resume the log: lastID, or "0-0" when Redis
// lost the entries this List saw (restarted without persistence, or the key
// deleted): the log vanished, moved backwards, or no longer holds entries
// that are younger than Retain. The view keeps what it holds either way.
func (l *List) checkLoss(ctx context.Context, lastID string) string {
	if lastID == "0-0" {
		return lastID
	}
	last, err := l.rdb.XRevRangeN(ctx, l.logKey, "+", "-", 1).Result()
	if err != nil {
		return lastID
	}
	first, err := l.rdb.XRangeN(ctx, l.logKey, "-", "+", 1).Result()
	if err != nil {
		return lastID
	}
	seen, _ := parseID(lastID)
	var why string
	switch {
	case len(last) == 0:
		why = "the log vanished"
	case less(mustID(last[0].ID), seen):
		why = "the log moved backwards"
	case less(seen, mustID(first[0].ID)) && time.UnixMilli(int64(seen[0])).After(time.Now().Add(-l.opts.Retain)):
		why = "entries younger than Retain are gone"
	default:
		return lastID
	}
	l.log.Warn("revocation: Redis lost revocations ("+why+"); keeping this List's view and rereading the log. Enable Redis persistence (AOF) so new instances see every revocation",
		"last_seen", lastID)
	return "0-0"
}

type streamID [2]uint64

func parseID(s string) (streamID, bool) {
	ms, seq, ok := strings.Cut(s, "-")
	a, err1 := strconv.ParseUint(ms, 10, 64)
	b, err2 := strconv.ParseUint(seq, 10, 64)
	return streamID{a, b}, ok && err1 == nil && err2 == nil
}

func mustID(s string) streamID { id, _ := parseID(s); return id }

func less(a, b streamID) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }
