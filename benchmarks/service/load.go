package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// loadResult is what the -role load process prints, as one JSON line.
type loadResult struct {
	Requests  int64   `json:"requests"`
	Failures  int64   `json:"failures"`
	FirstErr  string  `json:"first_error,omitempty"`
	Seconds   float64 `json:"seconds"`
	RPS       float64 `json:"rps"`
	P50us     float64 `json:"p50_us"`
	P99us     float64 `json:"p99_us"`
	P999us    float64 `json:"p999_us"`
	GenCPU    float64 `json:"gen_cpu"` // cores the generator used while measuring
	Exhausted bool    `json:"exhausted,omitempty"`
}

// loadSpec configures one closed-loop run: workers send one request each,
// wait for its answer and send the next, with no pacing, for duration (or
// until distinct tokens run out).
type loadSpec struct {
	addr     string
	grpc     bool
	tokens   []string
	distinct bool // each token once, in order; else a random token per request
	workers  int
	duration time.Duration
}

// sender sends one authenticated request and reports whether it succeeded.
type sender func(ctx context.Context, token string) error

func newSender(addr string, isGRPC bool, workers int) (sender, func(), error) {
	if isGRPC {
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			return nil, nil, err
		}
		send := func(ctx context.Context, token string) error {
			ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
			var out wrapperspb.StringValue
			if err := conn.Invoke(ctx, grpcMethod, &emptypb.Empty{}, &out); err != nil {
				return err
			}
			if out.Value == "" {
				return errors.New("empty sub")
			}
			return nil
		}
		return send, func() { conn.Close() }, nil
	}
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	url := "http://" + addr + route
	send := func(ctx context.Context, token string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return err
	}
	return send, tr.CloseIdleConnections, nil
}

// runLoad drives the server with spec and measures it.
func runLoad(spec loadSpec) (loadResult, error) {
	if len(spec.tokens) == 0 {
		return loadResult{}, errors.New("no tokens")
	}
	send, closeFn, err := newSender(spec.addr, spec.grpc, spec.workers)
	if err != nil {
		return loadResult{}, err
	}
	defer closeFn()
	ctx := context.Background()
	var (
		next      atomic.Int64
		failures  atomic.Int64
		exhausted atomic.Bool
		firstErr  sync.Once
		errText   string
		wg        sync.WaitGroup
	)
	lat := make([][]time.Duration, spec.workers)
	cpu0 := cpuTime()
	start := time.Now()
	deadline := start.Add(spec.duration)
	for w := range spec.workers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			mine := make([]time.Duration, 0, 4096)
			for {
				var token string
				if spec.distinct {
					i := next.Add(1) - 1
					if i >= int64(len(spec.tokens)) {
						exhausted.Store(true)
						break
					}
					token = spec.tokens[i]
				} else {
					token = spec.tokens[rng.IntN(len(spec.tokens))]
				}
				t := time.Now()
				if t.After(deadline) {
					break
				}
				if err := send(ctx, token); err != nil {
					failures.Add(1)
					firstErr.Do(func() { errText = err.Error() })
					continue
				}
				mine = append(mine, time.Since(t))
			}
			lat[w] = mine
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	all := slices.Concat(lat...)
	slices.Sort(all)
	q := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Nanoseconds()) / 1e3
	}
	return loadResult{
		Requests:  int64(len(all)),
		Failures:  failures.Load(),
		FirstErr:  errText,
		Seconds:   elapsed.Seconds(),
		RPS:       float64(len(all)) / elapsed.Seconds(),
		P50us:     q(0.50),
		P99us:     q(0.99),
		P999us:    q(0.999),
		GenCPU:    cpu.Seconds() / elapsed.Seconds(),
		Exhausted: exhausted.Load(),
	}, nil
}

// cpuTime is the user and system CPU time this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// readTokens reads one token per line.
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
		if line := sc.Text(); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}

// runLoadRole is the -role load process: an optional warm-up, then the
// measured run, whose result it prints as one JSON line.
func runLoadRole(spec loadSpec, warmTokens string, warmDistinct bool, warmup time.Duration) error {
	if !spec.distinct {
		// Real clients have presented their tokens before: one pass over
		// them, as the first request of each, then the timed warm-up.
		once := spec
		once.distinct, once.duration = true, time.Hour
		res, err := runLoad(once)
		if err != nil {
			return err
		}
		if res.Failures > 0 {
			return fmt.Errorf("first pass: %d failures, first: %s", res.Failures, res.FirstErr)
		}
	}
	if warmup > 0 {
		w := spec
		w.duration, w.distinct = warmup, warmDistinct
		if warmTokens != "" {
			toks, err := readTokens(warmTokens)
			if err != nil {
				return err
			}
			w.tokens = toks
		}
		res, err := runLoad(w)
		if err != nil {
			return err
		}
		if res.Failures > 0 {
			return fmt.Errorf("warm-up: %d failures, first: %s", res.Failures, res.FirstErr)
		}
	}
	res, err := runLoad(spec)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
