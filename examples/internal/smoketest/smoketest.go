// Package smoketest runs an example program's -smoke mode from its tests,
// in process, on 127.0.0.1:0.
package smoketest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/cognitoauth/cognitoauth/examples/internal/demo"
)

// RunFunc is the signature of every example's run function.
type RunFunc func(ctx context.Context, args []string, out, stderr io.Writer, getenv func(string) string) error

// Embedded runs run with -smoke against the embedded pool. It fails unless
// run succeeds (every request got its expected outcome), all n outcomes
// were checked and the output holds each of want.
func Embedded(t *testing.T, run RunFunc, n int, want ...string) {
	t.Helper()
	EmbeddedArgs(t, run, nil, n, want...)
}

// EmbeddedArgs is Embedded with extra command-line arguments.
func EmbeddedArgs(t *testing.T, run RunFunc, args []string, n int, want ...string) {
	t.Helper()
	out := smoke(t, run, func(string) string { return "" }, args...)
	want = append(want, fmt.Sprintf("all %d outcomes as expected", n))
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// RealPool runs run with -smoke configured for a real pool but given no
// tokens: only the n requests that need none are sent, and no AWS call is
// made (the bad token names no configured issuer, so no key is fetched).
func RealPool(t *testing.T, run RunFunc, n int) {
	t.Helper()
	env := map[string]string{demo.EnvPoolID: "us-east-1_AbCdEfGhI", demo.EnvClientID: "1example23456789"}
	out := smoke(t, run, func(k string) string { return env[k] })
	for _, w := range []string{"us-east-1_AbCdEfGhI (real", fmt.Sprintf("all %d outcomes as expected", n)} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

func smoke(t *testing.T, run RunFunc, getenv func(string) string, args ...string) string {
	t.Helper()
	var out, stderr bytes.Buffer
	args = append([]string{"-addr", "127.0.0.1:0", "-smoke"}, args...)
	if err := run(context.Background(), args, &out, &stderr, getenv); err != nil {
		t.Fatalf("%v\n%s%s", err, out.String(), stderr.String())
	}
	return out.String()
}
