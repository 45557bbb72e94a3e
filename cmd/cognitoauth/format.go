package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// maxInput bounds what is read as a token: far above any Cognito token, so
// that the verifier's own size check gives the verdict, yet bounded.
const maxInput = 1 << 20

// readToken returns the token named by the arguments: the only argument,
// or standard input when it is "-" or absent. Surrounding white space and a
// leading "Bearer " (a pasted Authorization header value) are removed.
func readToken(e env, args []string) (string, error) {
	if len(args) > 1 {
		return "", usagef("expected one token, got %d arguments", len(args))
	}
	var s string
	if len(args) == 1 && args[0] != "-" {
		s = args[0]
	} else {
		if f, ok := e.stdin.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprintln(e.stderr, "reading the token from standard input (paste it, then press Ctrl-D)")
			}
		}
		b, err := io.ReadAll(io.LimitReader(e.stdin, maxInput+1))
		if err != nil {
			return "", fmt.Errorf("reading standard input: %w", err)
		}
		if len(b) > maxInput {
			return "", errors.New("standard input holds more than 1 MiB: that is no token")
		}
		s = string(b)
	}
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "Bearer "); ok {
		s = strings.TrimSpace(rest)
	}
	if s == "" {
		return "", usagef("no token given (pass it as an argument, or on standard input)")
	}
	return s, nil
}

// relative says how far t lies from now in words: "in 23m", "2h5m ago".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 && d < time.Second {
		return "now"
	}
	if d > 0 {
		return "in " + roughly(d)
	}
	return roughly(-d) + " ago"
}

// expiry says the same of an expiry: "expires in 23m", "expired 2h ago".
func expiry(exp, now time.Time) string {
	if exp.After(now) {
		return "expires " + relative(exp, now)
	}
	return "expired " + relative(exp, now)
}

// roughly renders d with its two largest units, as a person would say it.
func roughly(d time.Duration) string {
	s := int64(d / time.Second)
	units := []struct {
		name string
		secs int64
	}{{"y", 365 * 86400}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}
	var parts []string
	for _, u := range units {
		if s >= u.secs && len(parts) < 2 {
			parts = append(parts, fmt.Sprintf("%d%s", s/u.secs, u.name))
			s %= u.secs
		} else if len(parts) > 0 {
			break
		}
	}
	if len(parts) == 0 {
		return "0s"
	}
	return strings.Join(parts, "")
}

// unixTime reads a JSON number of seconds since 1970 as a time.
func unixTime(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// writeJSON writes v indented, for --json output.
func writeJSON(w io.Writer, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil { // only plain data is written
		fmt.Fprintf(w, "{\"error\": %q}\n", err.Error())
		return
	}
	w.Write(append(b, '\n'))
}

// orNone joins items, or says there are none.
func orNone(items []string, sep string) string {
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, sep)
}
