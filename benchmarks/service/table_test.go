package main

import (
	"strings"
	"testing"
)

// TestWriteTable checks the ratios to the ceiling are taken within each
// round and their median reported, and that the targets are judged on them.
func TestWriteTable(t *testing.T) {
	by := map[string][]loadResult{
		ceiling:               {{RPS: 1000, P50us: 100}, {RPS: 2000, P50us: 50}, {RPS: 1000, P50us: 100}},
		"nethttp-cognitoauth": {{RPS: 950, P50us: 110}, {RPS: 1900, P50us: 55}, {RPS: 800, P50us: 120}},
		"nethttp-auth0":       {{RPS: 500, P50us: 200}, {RPS: 1000, P50us: 100}, {RPS: 500, P50us: 200}},
	}
	names := []string{ceiling, "nethttp-cognitoauth", "nethttp-auth0"}
	tests := []struct {
		name, mix string
		want      []string
	}{
		{"real clients", mixReal, []string{
			"| net/http + cognitoauth middleware | 950 (800–1900) | 0.950 (0.80–0.95) | 110 | 1.100 (1.10–1.20) |",
			"at 0.950× the ceiling's req/s (target ≥ 0.90×): met.",
			"ahead of every other authenticated row: 0.950× the ceiling against the best of them, net/http + auth0/go-jwt-middleware v2, at 0.500×: met.",
			"against net/http + auth0/go-jwt-middleware v2: 1.90× its req/s.",
		}},
		{"all distinct", mixDistinct, []string{"ahead of every other Go row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			writeTable(&b, tt.mix, names, by, &orchestration{rounds: 3, workers: 4})
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("missing %q in:\n%s", w, b.String())
				}
			}
			if tt.mix == mixDistinct && strings.Contains(b.String(), "target ≥ 0.90×") {
				t.Error("the 0.90× target is for real clients only")
			}
		})
	}
}
