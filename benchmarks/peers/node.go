package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// nodeBench drives node/bench.mjs: one Node process running aws-jwt-verify
// on the fixture's token, asked for one measurement at a time so that its
// measurements interleave with the Go ones.
type nodeBench struct {
	cmd                  *exec.Cmd
	stdin                io.WriteCloser
	out                  *bufio.Scanner
	stderr               strings.Builder
	tmp                  string
	version, nodeVersion string
}

func startNode(f *fixture, nodeModules string) (*nodeBench, error) {
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "node", "bench.mjs")
	if _, err := os.Stat(script); err != nil {
		return nil, fmt.Errorf("node script: %w", err)
	}
	tmp, err := os.MkdirTemp("", "cognitoauth-peers-")
	if err != nil {
		return nil, err
	}
	n := &nodeBench{tmp: tmp}
	files := map[string][]byte{"token": []byte(f.token), "forged": []byte(f.forged), "jwks.json": f.jwks}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(tmp, name), data, 0o600); err != nil {
			n.stop()
			return nil, err
		}
	}
	n.cmd = exec.Command("node", script,
		"--modules", nodeModules,
		"--pool-id", f.pool.UserPoolID(),
		"--client-id", f.clientID,
		"--group", group,
		"--grace", strconv.Itoa(int(leeway.Seconds())),
		"--jwks", filepath.Join(tmp, "jwks.json"),
		"--token", filepath.Join(tmp, "token"),
		"--forged", filepath.Join(tmp, "forged"),
	)
	n.cmd.Stderr = &n.stderr
	if n.stdin, err = n.cmd.StdinPipe(); err != nil {
		n.stop()
		return nil, err
	}
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		n.stop()
		return nil, err
	}
	if err := n.cmd.Start(); err != nil {
		n.stop()
		return nil, fmt.Errorf("starting node: %w", err)
	}
	n.out = bufio.NewScanner(stdout)
	var hello struct{ Version, Node string }
	if err := n.read(&hello); err != nil {
		n.stop()
		return nil, err
	}
	n.version, n.nodeVersion = hello.Version, hello.Node
	return n, nil
}

func (n *nodeBench) read(v any) error {
	if !n.out.Scan() {
		return fmt.Errorf("aws-jwt-verify on Node stopped: %s", strings.TrimSpace(n.stderr.String()))
	}
	if err := json.Unmarshal(n.out.Bytes(), v); err != nil {
		return fmt.Errorf("aws-jwt-verify on Node: unreadable output %q: %v", n.out.Text(), err)
	}
	return nil
}

// measure returns nanoseconds per verification over at least d.
func (n *nodeBench) measure(mode string, d time.Duration) (float64, error) {
	if _, err := fmt.Fprintf(n.stdin, "%s %d\n", mode, d.Milliseconds()); err != nil {
		return 0, fmt.Errorf("aws-jwt-verify on Node: %w", err)
	}
	var res struct{ NS float64 }
	if err := n.read(&res); err != nil {
		return 0, err
	}
	return res.NS, nil
}

func (n *nodeBench) stop() {
	if n.stdin != nil {
		n.stdin.Close()
	}
	if n.cmd != nil && n.cmd.Process != nil {
		n.cmd.Wait()
	}
	os.RemoveAll(n.tmp)
}
