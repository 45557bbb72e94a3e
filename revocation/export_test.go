package revocation

import "strconv"

// Fill adds n token entries of n distinct users of iss in one batch, as a
// load from Redis does, so benchmarks can hold a million entries quickly.
func Fill(l *List, iss string, n int) {
	events := make([]event, n)
	at := l.now().Unix()
	for i := range events {
		s := strconv.Itoa(i)
		events[i] = event{kind: kindToken, iss: iss, sub: "user-" + s, id: "jti-" + s, at: at}
	}
	l.publish(events)
}
