// Command loadgen puts an HTTP API protected by cognitoauth under load from a
// second process, checks every verdict and reports latency, throughput and
// the server's memory.
//
// It reads good tokens (one per line) from -tokens, derives bad ones from them
// (signature bit flipped, signature truncated, payload tampered, alg none,
// garbage), and sends a mix with -bad-ratio bad tokens to -url with -c
// concurrent workers for -duration or -max-requests, whichever comes first.
// Every good token must get -good-status and every bad one -bad-status; any
// other status, a 5xx or a transport error is a wrong verdict. With -pid it
// samples the server's resident memory (Linux /proc) after -warmup and at the
// end. It exits non-zero on any wrong verdict, any 5xx, or RSS growth above
// -max-rss-growth.
//
// With -revoke-ratio it revokes that share of the good tokens' sign-ins
// midway (-revoke-after), either through a revocation list on the Redis the
// server shares (-revoke-redis, as another instance of the fleet would) or
// by POSTing each token to -revoke-url. From -propagation after a
// revocation returned, the token must be refused: one accepted is a failure.
//
//	loadgen -url http://127.0.0.1:8080/me -tokens tokens.txt -duration 30s -pid 1234
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	Requests      int64   `json:"requests"`
	BadSent       int64   `json:"bad_tokens_sent"`
	WrongVerdicts int64   `json:"wrong_verdicts"`
	Status5xx     int64   `json:"status_5xx"`
	Errors        int64   `json:"transport_errors"`
	Seconds       float64 `json:"seconds"`
	Throughput    float64 `json:"requests_per_second"`
	P50us         float64 `json:"p50_us"`
	P99us         float64 `json:"p99_us"`
	MaxUs         float64 `json:"max_us"`
	RSSWarmKB     int64   `json:"rss_after_warmup_kb,omitempty"`
	RSSEndKB      int64   `json:"rss_end_kb,omitempty"`
	RSSGrowth     float64 `json:"rss_growth,omitempty"`

	Revoked         int     `json:"tokens_revoked,omitempty"`
	RevokedAtS      float64 `json:"revoked_at_s,omitempty"`
	PropagationMs   float64 `json:"propagation_bound_ms,omitempty"`
	RevokedSent     int64   `json:"revoked_requests_after_bound,omitempty"`
	RevokedAccepted int64   `json:"revoked_accepted_after_bound"`
	RevokedInFlight int64   `json:"revoked_requests_within_bound,omitempty"`
	RevokeErrors    int64   `json:"revoke_errors,omitempty"`
}

func main() {
	url := flag.String("url", "", "URL of a route that needs a signed-in user")
	tokensFile := flag.String("tokens", "", "file with good tokens, one per line")
	duration := flag.Duration("duration", 30*time.Second, "how long to send")
	maxRequests := flag.Int64("max-requests", 5_000_000, "stop after this many requests")
	workers := flag.Int("c", 8, "concurrent workers")
	badRatio := flag.Float64("bad-ratio", 0.05, "share of requests with a bad token")
	goodStatus := flag.Int("good-status", 200, "status expected for good tokens")
	badStatus := flag.Int("bad-status", 401, "status expected for bad tokens")
	pid := flag.Int("pid", 0, "server process to sample RSS from (0: none)")
	warmup := flag.Duration("warmup", 5*time.Second, "when to take the first RSS sample")
	maxGrowth := flag.Float64("max-rss-growth", 0.20, "largest allowed RSS growth after warm-up")
	jsonOut := flag.String("json", "", "also write the result as JSON to this file")
	revokeRatio := flag.Float64("revoke-ratio", 0, "share of the good tokens whose sign-in is revoked midway")
	revokeAfter := flag.Duration("revoke-after", 0, "when to revoke (default: half of -duration)")
	revokeRedis := flag.String("revoke-redis", "", "revoke through a revocation list on this Redis (host:port) shared with the server")
	revokeURL := flag.String("revoke-url", "", "revoke by POSTing each token here (the server's logout route), without -revoke-redis")
	propagation := flag.Duration("propagation", 500*time.Millisecond, "after a revocation returns, how soon every request with the token must be refused")
	flag.Parse()
	if *url == "" || *tokensFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	good, err := readTokens(*tokensFile)
	if err != nil {
		fatal(err)
	}
	bad := badVariants(good)
	if *revokeAfter == 0 {
		*revokeAfter = *duration / 2
	}
	rev, err := newRevoker(*revokeRatio, *revokeRedis, *revokeURL, good)
	if err != nil {
		fatal(err)
	}
	defer rev.close()

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: *workers, MaxConnsPerHost: *workers},
	}
	var (
		res       result
		sent      atomic.Int64
		mu        sync.Mutex
		latencies = make([][]time.Duration, *workers)
		firstBad  string
	)
	deadline := time.Now().Add(*duration)
	start := time.Now()
	var warm sync.Once
	if *pid > 0 {
		go func() {
			time.Sleep(*warmup)
			warm.Do(func() { res.RSSWarmKB = rssKB(*pid) })
		}()
	}
	var wg sync.WaitGroup
	if rev.n > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(*revokeAfter)
			res.RevokedAtS = time.Since(start).Seconds()
			res.RevokeErrors = rev.revokeAll()
		}()
	}
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			lat := make([]time.Duration, 0, 1<<16)
			for time.Now().Before(deadline) && sent.Add(1) <= *maxRequests {
				isBad := rng.Float64() < *badRatio
				gi := rng.IntN(len(good))
				tok, want := good[gi], *goodStatus
				// A revoked token must be refused once the bound has passed
				// since its revocation returned; while it is under way or
				// within the bound, either verdict is right.
				revoked, inFlight := false, false
				if done := rev.done[gi].Load(); done != 0 && time.Now().UnixNano() > done+int64(*propagation) {
					revoked, want = true, *badStatus
				} else if rev.started[gi].Load() != 0 {
					inFlight = true
				}
				if isBad {
					tok, want = bad[rng.IntN(len(bad))], *badStatus
					atomic.AddInt64(&res.BadSent, 1)
				}
				req, _ := http.NewRequest(http.MethodGet, *url, nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				t0 := time.Now()
				resp, err := client.Do(req)
				d := time.Since(t0)
				atomic.AddInt64(&res.Requests, 1)
				if err != nil {
					atomic.AddInt64(&res.Errors, 1)
					atomic.AddInt64(&res.WrongVerdicts, 1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat = append(lat, d)
				if resp.StatusCode >= 500 {
					atomic.AddInt64(&res.Status5xx, 1)
				}
				switch {
				case isBad:
				case revoked:
					atomic.AddInt64(&res.RevokedSent, 1)
					if resp.StatusCode == *goodStatus {
						atomic.AddInt64(&res.RevokedAccepted, 1)
					}
				case inFlight:
					atomic.AddInt64(&res.RevokedInFlight, 1)
					if resp.StatusCode == *badStatus {
						want = *badStatus
					}
				}
				if resp.StatusCode != want {
					atomic.AddInt64(&res.WrongVerdicts, 1)
					mu.Lock()
					if firstBad == "" {
						firstBad = fmt.Sprintf("bad=%v: got %d, want %d", isBad, resp.StatusCode, want)
					}
					mu.Unlock()
				}
			}
			latencies[w] = lat
		}(w)
	}
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	if *pid > 0 {
		warm.Do(func() { res.RSSWarmKB = rssKB(*pid) }) // run shorter than the warm-up
		res.RSSEndKB = rssKB(*pid)
		if res.RSSWarmKB > 0 {
			res.RSSGrowth = float64(res.RSSEndKB-res.RSSWarmKB) / float64(res.RSSWarmKB)
		}
	}
	all := slices.Concat(latencies...)
	slices.Sort(all)
	if n := len(all); n > 0 {
		res.P50us = us(all[n/2])
		res.P99us = us(all[n*99/100])
		res.MaxUs = us(all[n-1])
	}
	res.Throughput = float64(res.Requests) / res.Seconds
	fmt.Printf("requests %d (bad tokens %d) in %.1fs: %.0f req/s\n", res.Requests, res.BadSent, res.Seconds, res.Throughput)
	fmt.Printf("latency p50 %.0fµs p99 %.0fµs max %.0fµs\n", res.P50us, res.P99us, res.MaxUs)
	fmt.Printf("wrong verdicts %d, 5xx %d, transport errors %d\n", res.WrongVerdicts, res.Status5xx, res.Errors)
	if rev.n > 0 {
		res.Revoked, res.PropagationMs = rev.n, us(*propagation)/1000
		fmt.Printf("revoked %d of %d users' sign-ins at %.1fs (%s); after the %v bound: %d requests with a revoked token, %d accepted; %d within the bound\n",
			rev.n, len(good), res.RevokedAtS, rev.how, *propagation, res.RevokedSent, res.RevokedAccepted, res.RevokedInFlight)
	}
	if *pid > 0 {
		fmt.Printf("server RSS after warm-up %d KiB, at end %d KiB (%+.1f%%)\n", res.RSSWarmKB, res.RSSEndKB, 100*res.RSSGrowth)
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fatal(err)
		}
	}
	var problems []string
	if res.WrongVerdicts > 0 {
		problems = append(problems, fmt.Sprintf("%d wrong verdicts (first: %s)", res.WrongVerdicts, firstBad))
	}
	if res.Status5xx > 0 {
		problems = append(problems, fmt.Sprintf("%d responses with 5xx", res.Status5xx))
	}
	if res.RevokedAccepted > 0 {
		problems = append(problems, fmt.Sprintf("%d requests with a revoked token accepted after the propagation bound", res.RevokedAccepted))
	}
	if res.RevokeErrors > 0 {
		problems = append(problems, fmt.Sprintf("%d revocations failed", res.RevokeErrors))
	}
	if rev.n > 0 && res.RevokedSent == 0 {
		problems = append(problems, "no request with a revoked token was sent after the propagation bound")
	}
	if res.BadSent == 0 && *badRatio > 0 {
		problems = append(problems, "no bad token was sent")
	}
	if *pid > 0 && res.RSSGrowth > *maxGrowth {
		problems = append(problems, fmt.Sprintf("RSS grew %.1f%% after warm-up (limit %.0f%%)", 100*res.RSSGrowth, 100**maxGrowth))
	}
	if len(problems) > 0 {
		fatal(errors.New(strings.Join(problems, "; ")))
	}
	fmt.Println("load: PASS")
}

func readTokens(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no tokens", path)
	}
	return out, sc.Err()
}

// badVariants derives tokens that must be refused from each good one.
func badVariants(good []string) []string {
	var out []string
	for _, t := range good {
		parts := strings.Split(t, ".")
		if len(parts) != 3 {
			continue
		}
		sig := []byte(parts[2])
		flipped := append([]byte(nil), sig...)
		flipped[len(flipped)/2] ^= 0x01
		if !isB64(flipped[len(flipped)/2]) {
			flipped[len(flipped)/2] = 'A'
			if sig[len(sig)/2] == 'A' {
				flipped[len(flipped)/2] = 'B'
			}
		}
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		tampered := strings.Replace(string(payload), `"exp":`, `"exp":9`, 1)
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		out = append(out,
			parts[0]+"."+parts[1]+"."+string(flipped),
			parts[0]+"."+parts[1]+"."+parts[2][:len(parts[2])-8],
			parts[0]+"."+base64.RawURLEncoding.EncodeToString([]byte(tampered))+"."+parts[2],
			none+"."+parts[1]+".",
			none+"."+parts[1]+"."+parts[2],
			"not-a-token-"+strconv.Itoa(len(out)),
		)
	}
	return out
}

func isB64(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

func rssKB(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(1)
}
