package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cognitoauth/cognitoauth/cognitotest"
)

// orchestration is the -role orchestrate run.
type orchestration struct {
	rounds, workers, waitIdle, distinctTokens int
	duration, warmup                          time.Duration
	stacks, mixes, nodeModules, raw, md       string
}

const (
	mixReal     = "real-clients"
	mixDistinct = "all-distinct"
	realUsers   = 1000
	ceiling     = "nethttp-none"
)

// fixture is the pool and the files every process reads.
type fixture struct {
	pool       *cognitotest.Pool
	dir        string
	p          poolFlags
	real, warm string // token files
	distinct   string
	good       string // one good token, and a forged copy
	forged     string
	sub        string // the sub of good
	stop       func()
}

func (o *orchestration) run() error {
	selected, err := o.selectStacks()
	if err != nil {
		return err
	}
	mixes := strings.Split(o.mixes, ",")
	for _, m := range mixes {
		if m != mixReal && m != mixDistinct {
			return fmt.Errorf("unknown mix %q", m)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f, err := newFixture(o.distinctTokens, slices.Contains(mixes, mixDistinct))
	if err != nil {
		return err
	}
	defer f.stop()

	var out io.Writer = os.Stdout
	if o.raw != "" {
		file, err := os.Create(o.raw)
		if err != nil {
			return err
		}
		defer file.Close()
		out = io.MultiWriter(os.Stdout, file)
	}
	fmt.Fprintf(out, "# service: %s/%s GOMAXPROCS=%d %s, node %s; %d rounds, %d workers, %s per cell after %s warm-up; %d real-client tokens, %d distinct tokens\n",
		runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version(), nodeVersion(o.nodeModules),
		o.rounds, o.workers, o.duration, o.warmup, realUsers, o.distinctTokens)

	type cellKey struct{ mix, stack string }
	var keys []cellKey
	for _, m := range mixes {
		for _, s := range selected {
			keys = append(keys, cellKey{m, s})
		}
	}
	results := map[cellKey][]loadResult{}
	for r := range o.rounds {
		idle := -1
		if o.waitIdle > 0 {
			idle = waitIdle(o.waitIdle, time.Minute)
		}
		fmt.Fprintf(out, "# round %d at %s: CPU idle %d%% before it, loadavg %s\n", r+1,
			time.Now().UTC().Format("15:04:05"), idle, loadavg())
		// Each round starts at a different cell, so that no stack is
		// always measured first or last.
		for i := range keys {
			k := keys[(i+r*3)%len(keys)]
			res, err := o.measure(self, f, k.stack, k.mix)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", k.stack, k.mix, err)
			}
			results[k] = append(results[k], res)
			fmt.Fprintf(out, "cell round=%d mix=%s stack=%s requests=%d seconds=%.3f rps=%.1f p50_us=%.1f p99_us=%.1f p999_us=%.1f gen_cpu=%.3f exhausted=%t\n",
				r+1, k.mix, k.stack, res.Requests, res.Seconds, res.RPS, res.P50us, res.P99us, res.P999us, res.GenCPU, res.Exhausted)
		}
	}

	var md bytes.Buffer
	for _, m := range mixes {
		byStack := map[string][]loadResult{}
		for _, s := range selected {
			byStack[s] = results[cellKey{m, s}]
		}
		writeTable(&md, m, selected, byStack, o)
	}
	fmt.Print("\n", md.String())
	if o.md != "" {
		return os.WriteFile(o.md, md.Bytes(), 0o644)
	}
	return nil
}

func (o *orchestration) selectStacks() ([]string, error) {
	var names []string
	for _, s := range stacks {
		if s.name == "node-express" && o.nodeModules == "" {
			fmt.Fprintln(os.Stderr, "service: no -node-modules: the express + aws-jwt-verify row is skipped")
			continue
		}
		names = append(names, s.name)
	}
	if o.stacks == "" {
		return names, nil
	}
	var out []string
	for _, s := range strings.Split(o.stacks, ",") {
		if !slices.Contains(names, s) {
			return nil, fmt.Errorf("unknown or skipped stack %q (see -list)", s)
		}
		out = append(out, s)
	}
	if !slices.Contains(out, ceiling) {
		out = append([]string{ceiling}, out...) // every ratio needs it
	}
	return out, nil
}

func isGRPCStack(name string) bool {
	for _, s := range stacks {
		if s.name == name {
			return s.grpc
		}
	}
	return false
}

func label(name string) string {
	for _, s := range stacks {
		if s.name == name {
			return s.label
		}
	}
	return name
}

// measure starts stack fresh, checks its verdicts, and runs the load
// generator against it in another process.
func (o *orchestration) measure(self string, f *fixture, stack, mix string) (loadResult, error) {
	srv, addr, err := startServer(self, f, stack, o.nodeModules)
	if err != nil {
		return loadResult{}, err
	}
	defer srv.stop()
	if err := checkVerdicts(addr, isGRPCStack(stack), stack == ceiling || stack == "grpc-none", f); err != nil {
		return loadResult{}, fmt.Errorf("%w; server said: %s", err, srv.stderr.String())
	}
	args := []string{"-role", "load", "-addr", addr, "-c", strconv.Itoa(o.workers),
		"-duration", o.duration.String(), "-warmup", o.warmup.String()}
	if isGRPCStack(stack) {
		args = append(args, "-grpc")
	}
	if mix == mixReal {
		args = append(args, "-tokens", f.real)
	} else {
		args = append(args, "-tokens", f.distinct, "-distinct", "-warm-tokens", f.warm, "-warm-distinct")
	}
	cmd := exec.Command(self, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return loadResult{}, fmt.Errorf("load generator: %v: %s", err, stderr.String())
	}
	var res loadResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return loadResult{}, fmt.Errorf("load generator output %q: %w", stdout.String(), err)
	}
	if res.Failures > 0 {
		return res, fmt.Errorf("%d failed requests, first: %s; server said: %s", res.Failures, res.FirstErr, srv.stderr.String())
	}
	if res.Requests == 0 {
		return res, errors.New("no request completed")
	}
	return res, nil
}

// server is one running server process.
type server struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
}

func (s *server) stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// syncBuffer collects a process's stderr for error messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 4096 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}

func startServer(self string, f *fixture, stack, nodeModules string) (*server, string, error) {
	var cmd *exec.Cmd
	if stack == "node-express" {
		cmd = exec.Command("node", filepath.Join(sourceDir(), "node", "server.mjs"),
			"--modules", nodeModules, "--pool-id", f.p.poolID, "--client-id", f.p.clientID,
			"--jwks-url", f.p.jwksURL)
		cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+f.p.caFile)
	} else {
		cmd = exec.Command(self, "-role", "server", "-stack", stack, "-pool-id", f.p.poolID,
			"-client-id", f.p.clientID, "-issuer", f.p.issuer, "-jwks-url", f.p.jwksURL, "-ca", f.p.caFile)
	}
	s := &server{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				lines <- a
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case addr := <-lines:
		return s, addr, nil
	case <-time.After(20 * time.Second):
		s.stop()
		return nil, "", fmt.Errorf("%s did not start: %s", stack, s.stderr.String())
	}
}

func sourceDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// checkVerdicts asks the server once with a good token, which must be
// answered with its sub, and (unless it has no auth) once with a forged
// one, which must be refused.
func checkVerdicts(addr string, isGRPC, noAuth bool, f *fixture) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if isGRPC {
		send, closeFn, err := newSender(addr, true, 1)
		if err != nil {
			return err
		}
		defer closeFn()
		if err := send(ctx, f.good); err != nil {
			return fmt.Errorf("good token: %w", err)
		}
		if err := send(ctx, f.forged); !noAuth && status.Code(err) != codes.Unauthenticated {
			return fmt.Errorf("forged token: %v, want Unauthenticated", err)
		}
		return nil
	}
	get := func(token string) (int, string, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+route, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), err
	}
	code, body, err := get(f.good)
	if err != nil {
		return err
	}
	var got struct{ Sub string }
	if code != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
		return fmt.Errorf("good token: status %d, body %q", code, body)
	}
	if noAuth {
		return nil
	}
	if got.Sub != f.sub {
		return fmt.Errorf("good token: sub %q, want %q", got.Sub, f.sub)
	}
	code, body, err = get(f.forged)
	if err != nil {
		return err
	}
	if code != http.StatusUnauthorized {
		return fmt.Errorf("forged token: status %d, body %q", code, body)
	}
	return nil
}

// newFixture starts the pool, serves its JWKS over HTTPS on 127.0.0.1 with
// a CA of its own (written to a file, for the servers to trust), and mints
// the tokens.
func newFixture(distinct int, wantDistinct bool) (*fixture, error) {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "cognitoauth-service-")
	if err != nil {
		pool.Close()
		return nil, err
	}
	f := &fixture{pool: pool, dir: dir}
	cleanup := []func(){func() { os.RemoveAll(dir) }, pool.Close}
	f.stop = func() {
		for i := len(cleanup) - 1; i >= 0; i-- {
			cleanup[i]()
		}
	}
	certPEM, cert, err := selfSigned()
	if err != nil {
		f.stop()
		return nil, err
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		f.stop()
		return nil, err
	}
	srv := &http.Server{Handler: pool.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	cleanup = append(cleanup, func() { srv.Close() })

	local, _ := strings.CutPrefix(pool.JWKSURL(), "https://")
	_, path, _ := strings.Cut(local, "/")
	f.p = poolFlags{
		poolID:   cognitotest.DefaultUserPoolID,
		clientID: pool.ClientID(),
		issuer:   pool.Issuer(),
		jwksURL:  "https://" + ln.Addr().String() + "/" + path,
		caFile:   filepath.Join(dir, "ca.pem"),
	}
	if err := os.WriteFile(f.p.caFile, certPEM, 0o600); err != nil {
		f.stop()
		return nil, err
	}

	user := func(prefix string) func(i int) string {
		return func(i int) string {
			return pool.IDToken(cognitotest.User{Username: fmt.Sprintf("%s-%06d", prefix, i), Groups: []string{"users"}})
		}
	}
	f.good = pool.IDToken(cognitotest.User{Username: "checker"})
	f.sub = subOf(f.good)
	f.forged = forge(f.good)
	files := []struct {
		path *string
		name string
		n    int
		mint func(int) string
	}{
		{&f.real, "real.txt", realUsers, user("user")},
		{&f.warm, "warm.txt", 3000, user("warm")},
	}
	if wantDistinct {
		files = append(files, struct {
			path *string
			name string
			n    int
			mint func(int) string
		}{&f.distinct, "distinct.txt", distinct, user("once")})
	}
	for _, file := range files {
		start := time.Now()
		*file.path = filepath.Join(dir, file.name)
		if err := os.WriteFile(*file.path, []byte(strings.Join(mintAll(file.n, file.mint), "\n")+"\n"), 0o600); err != nil {
			f.stop()
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "service: minted %d tokens for %s in %s\n", file.n, file.name, time.Since(start).Round(time.Millisecond))
	}
	return f, nil
}

// mintAll mints n tokens on every CPU (RS256 signing is the slow part).
func mintAll(n int, mint func(int) string) []string {
	out := make([]string, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				out[i] = mint(i)
			}
		})
	}
	wg.Wait()
	return out
}

// subOf reads the sub of a token this program minted.
func subOf(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64RawURL(parts[1])
	if err != nil {
		return ""
	}
	var c struct{ Sub string }
	json.Unmarshal(payload, &c)
	return c.Sub
}

// forge changes one byte of the signature.
func forge(token string) string {
	b := []byte(token)
	i := len(b) - 10
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// selfSigned makes a P-256 CA certificate for 127.0.0.1, valid for a day.
func selfSigned() ([]byte, tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "cognitoauth service benchmark pool"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	return certPEM, cert, err
}

func nodeVersion(nodeModules string) string {
	if nodeModules == "" {
		return "none"
	}
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

func loadavg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
