package main

import (
	"testing"
	"time"
)

// TestRelative: times in words, with the two largest units.
func TestRelative(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		d          time.Duration
		rel, expir string
	}{
		{0, "now", "expired now"}, // exp must be after the time, as the verifier checks
		{500 * time.Millisecond, "now", "expires now"},
		{-time.Second, "1s ago", "expired 1s ago"},
		{23 * time.Minute, "in 23m", "expires in 23m"},
		{23*time.Minute + 7*time.Second, "in 23m7s", "expires in 23m7s"},
		{-(2*time.Hour + 5*time.Minute + 9*time.Second), "2h5m ago", "expired 2h5m ago"},
		{time.Hour + 30*time.Second, "in 1h", "expires in 1h"}, // units must be adjacent
		{-(400*24*time.Hour + 3*time.Hour), "1y35d ago", "expired 1y35d ago"},
	} {
		if got := relative(now.Add(tc.d), now); got != tc.rel {
			t.Errorf("relative(%v) = %q, want %q", tc.d, got, tc.rel)
		}
		if got := expiry(now.Add(tc.d), now); got != tc.expir {
			t.Errorf("expiry(%v) = %q, want %q", tc.d, got, tc.expir)
		}
	}
}

// TestSplitList: commas and white space separate; empty items vanish.
func TestSplitList(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"a,b": "a|b", " a , b ,, c ": "a|b|c", "x y": "x|y", "": ""} {
		got := ""
		for i, s := range splitList(in) {
			if i > 0 {
				got += "|"
			}
			got += s
		}
		if got != want {
			t.Errorf("splitList(%q) = %q, want %q", in, got, want)
		}
	}
}
