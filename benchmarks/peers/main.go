// Command peers verifies one Cognito-shaped ID token with cognitoauth and
// with its peers — golang-jwt v5 with a keyfunc, jwx v3, go-oidc v3 and, on
// Node, AWS's aws-jwt-verify — in one run, and prints one table: the median
// time per verification, uncached and on a repeated token, and its ratio to
// the RS256 floor (base64url, SHA-256 and rsa.VerifyPKCS1v15 alone).
//
// Every verifier is configured to do the same work: signature (RS256, key by
// kid), exp, iss, the app client (aud), token_use "id" and membership of
// group "admin". Each must accept the token and refuse a copy with one
// signature byte changed before it is timed; the command exits non-zero
// otherwise. Rounds are interleaved so that a busy machine slows every row
// alike.
//
//	go run . -rounds 5 -benchtime 300ms
//
// Node and aws-jwt-verify come from install-node.sh (see -node-modules).
package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cognitoauth/cognitoauth/claims"
	"github.com/cognitoauth/cognitoauth/cognitotest"
	"github.com/cognitoauth/cognitoauth/verifier"
)

// fixture is what every peer gets: one pool, one token, the same rules.
type fixture struct {
	pool     *cognitotest.Pool
	token    string
	forged   string // token with one signature byte changed
	kid      string
	pub      *rsa.PublicKey
	issuer   string
	clientID string
	jwks     []byte
}

// peer is one verifier under test. setup returns the function timed for a
// mode ("uncached" or "repeated"); verify must return an error for a token
// it refuses.
type peer struct {
	name  string
	setup func(f *fixture, mode string) (func(token string) error, error)
}

const (
	uncached = "uncached"
	repeated = "repeated"
	group    = "admin"
	leeway   = 5 * time.Second
)

func main() {
	rounds := flag.Int("rounds", 5, "interleaved rounds; the table shows medians")
	benchtime := flag.Duration("benchtime", 300*time.Millisecond, "time per measurement")
	nodeModules := flag.String("node-modules", defaultNodeModules(), `folder whose node_modules holds aws-jwt-verify; "" skips Node`)
	idle := flag.Int("wait-idle", 0, "before each round, wait (up to a minute) until the CPUs were this % idle over a second; 0 does not wait")
	flag.Parse()
	if err := run(*rounds, *benchtime, *nodeModules, *idle); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

func defaultNodeModules() string {
	if dir := os.Getenv("COGNITOAUTH_PEERS_NODE"); dir != "" {
		return dir
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(cache, "cognitoauth", "peers-node")
}

// cell is one row and column of the table: a verifier in one mode.
type cell struct {
	peer, mode string
	measure    func(time.Duration) (ns float64, allocs int64, err error)
	ns, ratio  []float64 // per round
	allocs     int64
}

func run(rounds int, benchtime time.Duration, nodeModules string, waitIdlePct int) error {
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		return err
	}
	f, err := newFixture()
	if err != nil {
		return err
	}
	defer f.pool.Close()

	var cells []*cell
	for _, p := range peers() {
		for _, mode := range []string{uncached, repeated} {
			fn, err := p.setup(f, mode)
			if err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
			if err := fn(f.token); err != nil {
				return fmt.Errorf("%s (%s) refuses the token: %w", p.name, mode, err)
			}
			if p.name != floorName && fn(f.forged) == nil {
				return fmt.Errorf("%s (%s) accepts a forged signature", p.name, mode)
			}
			cells = append(cells, &cell{peer: p.name, mode: mode, measure: goMeasure(f.token, fn)})
		}
	}
	if nodeModules != "" {
		node, err := startNode(f, nodeModules)
		if err != nil {
			return err
		}
		defer node.stop()
		name := "aws-jwt-verify " + node.version + " (Node " + node.nodeVersion + ")"
		for _, mode := range []string{uncached, repeated} {
			cells = append(cells, &cell{peer: name, mode: mode, allocs: -1,
				measure: func(d time.Duration) (float64, int64, error) {
					ns, err := node.measure(mode, d)
					return ns, -1, err
				}})
		}
	}

	// Each round measures every cell once, starting at a different cell, and
	// divides by the floor of the same round: a load change during the run
	// then moves the ratios much less than the times.
	var idle []int
	for r := range rounds {
		if waitIdlePct > 0 {
			idle = append(idle, waitIdle(waitIdlePct, time.Minute))
		}
		fmt.Fprintf(os.Stderr, "round %d/%d\n", r+1, rounds)
		for i := range cells {
			c := cells[(i+r*3)%len(cells)]
			ns, allocs, err := c.measure(benchtime)
			if err != nil {
				return fmt.Errorf("%s (%s): %w", c.peer, c.mode, err)
			}
			c.ns, c.allocs = append(c.ns, ns), allocs
		}
		floor := cells[0].ns[r] // the floor, uncached
		for _, c := range cells {
			c.ratio = append(c.ratio, c.ns[r]/floor)
		}
	}
	printTable(os.Stdout, cells, rounds, benchtime, f)
	if waitIdlePct > 0 {
		fmt.Printf("\n%s (waited for %d%%, at most a minute).\n", describeIdle(idle), waitIdlePct)
	}
	return nil
}

// goMeasure times fn on token with testing.Benchmark.
func goMeasure(token string, fn func(string) error) func(time.Duration) (float64, int64, error) {
	return func(time.Duration) (float64, int64, error) {
		var failed error
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := fn(token); err != nil {
					failed = err
					b.FailNow()
				}
			}
		})
		if failed != nil || res.N == 0 {
			return 0, 0, fmt.Errorf("failed while timed: %v", failed)
		}
		return float64(res.T) / float64(res.N), res.AllocsPerOp(), nil
	}
}

func printTable(w io.Writer, cells []*cell, rounds int, benchtime time.Duration, f *fixture) {
	fmt.Fprintf(w, "Peers on one %d-byte Cognito-shaped ID token; %s/%s, GOMAXPROCS=%d, %s; medians of %d interleaved rounds of %s per cell; × floor is the median of each round's ratio to that round's floor.\n\n",
		len(f.token), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0), runtime.Version(), rounds, benchtime)
	fmt.Fprintln(w, "| verifier | uncached µs/op | × floor (min–max) | repeated token µs/op | × floor (min–max) | allocs/op |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for i := 0; i+1 < len(cells); i += 2 {
		u, r := cells[i], cells[i+1]
		a := "-"
		if u.allocs >= 0 {
			a = strconv.FormatInt(u.allocs, 10)
		}
		fmt.Fprintf(w, "| %s | %.2f | %.3f (%.3f–%.3f) | %.3f | %.4f (%.4f–%.4f) | %s |\n", u.peer,
			median(u.ns)/1e3, median(u.ratio), slices.Min(u.ratio), slices.Max(u.ratio),
			median(r.ns)/1e3, median(r.ratio), slices.Min(r.ratio), slices.Max(r.ratio), a)
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func newFixture() (*fixture, error) {
	pool, err := cognitotest.NewPool(cognitotest.Options{})
	if err != nil {
		return nil, err
	}
	kid, key := pool.SigningKey()
	f := &fixture{
		pool:     pool,
		kid:      kid,
		pub:      &key.PublicKey,
		issuer:   pool.Issuer(),
		clientID: pool.ClientID(),
		jwks:     pool.JWKS(),
	}
	f.token = cognitoLikeToken(kid, key, f.issuer, f.clientID, time.Now())
	f.forged = forge(f.token)
	return f, nil
}

// cognitoLikeToken writes the JSON as Cognito does (Java's serializer escapes
// '/'); it is the token of verifier.BenchmarkRS256.
func cognitoLikeToken(kid string, key *rsa.PrivateKey, iss, client string, now time.Time) string {
	esc := func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b), "/", `\/`)
	}
	header := `{"kid":` + esc(kid) + `,"alg":"RS256"}`
	t := strconv.FormatInt(now.Unix(), 10)
	exp := strconv.FormatInt(now.Add(time.Hour).Unix(), 10)
	payload := `{"sub":"df0c456e-05ed-4517-912d-2dfd7a8d12ef","cognito:groups":["admin","support"],` +
		`"email_verified":true,"iss":` + esc(iss) + `,"phone_number_verified":true,` +
		`"cognito:username":"TechSupportUser","given_name":"TechSupport","custom:tenant":"acme-corp",` +
		`"origin_jti":"6a8a3c4e-5b0e-4d5e-9d7e-0f1c2b3a4d5e","aud":` + esc(client) + `,` +
		`"event_id":"4a7bca38-b71c-49a2-aa86-3b93a259c21c","token_use":"id","auth_time":` + t + `,` +
		`"phone_number":"+15033308402","exp":` + exp + `,"iat":` + t + `,` +
		`"jti":"0b9b1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b","family_name":"Admin","email":"alt@example.com"}`
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(payload))
	return input + "." + base64.RawURLEncoding.EncodeToString(cognitotest.SignRS256(key, input))
}

// forge changes one byte in the middle of the signature, re-encoded canonically.
func forge(token string) string {
	i := strings.LastIndexByte(token, '.')
	sig, _ := base64.RawURLEncoding.DecodeString(token[i+1:])
	sig[len(sig)/2] ^= 1
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(sig)
}

const floorName = "floor: base64url + SHA-256 + rsa.VerifyPKCS1v15"

func peers() []peer {
	return []peer{
		{floorName, setupFloor},
		{"cognitoauth (this module)", setupCognitoauth},
		{"golang-jwt/jwt " + version("github.com/golang-jwt/jwt/v5") + " + keyfunc", setupGolangJWT},
		{"lestrrat-go/jwx " + version("github.com/lestrrat-go/jwx/v3"), setupJWX},
		{"coreos/go-oidc " + version("github.com/coreos/go-oidc/v3"), setupOIDC},
	}
}

func version(module string) string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == module {
				return d.Version
			}
		}
	}
	return "(unknown version)"
}

var rawURL = base64.RawURLEncoding.Strict()

func setupFloor(f *fixture, _ string) (func(string) error, error) {
	return func(token string) error {
		dot1 := strings.IndexByte(token, '.')
		dot2 := dot1 + 1 + strings.IndexByte(token[dot1+1:], '.')
		var hbuf, pbuf [2048]byte
		var sbuf [512]byte
		if _, err := rawURL.Decode(hbuf[:], []byte(token[:dot1])); err != nil {
			return err
		}
		if _, err := rawURL.Decode(pbuf[:], []byte(token[dot1+1:dot2])); err != nil {
			return err
		}
		n, err := rawURL.Decode(sbuf[:], []byte(token[dot2+1:]))
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(token[:dot2]))
		return rsa.VerifyPKCS1v15(f.pub, crypto.SHA256, sum[:], sbuf[:n])
	}, nil
}

func setupCognitoauth(f *fixture, mode string) (func(string) error, error) {
	cfg := f.pool.Config(verifier.IDToken)
	cfg.JWKS = f.jwks
	cfg.Leeway = leeway
	cfg.CustomCheck = func(_ context.Context, c *claims.Claims) error {
		if !c.InGroup(group) {
			return errors.New("not in group " + group)
		}
		return nil
	}
	if mode == uncached {
		cfg.CacheSize = -1
	}
	v, err := verifier.New(cfg)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	return func(token string) error {
		_, err := v.Verify(ctx, token)
		return err
	}, nil
}

// inGroup reads cognito:groups as a peer's generic claims map holds it.
func inGroup(v any) bool {
	list, _ := v.([]any)
	for _, g := range list {
		if g == group {
			return true
		}
	}
	return false
}

var errClaims = errors.New("token_use or group check failed")
