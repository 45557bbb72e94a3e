// Command service measures whole services side by side: the same API (one
// protected route returning the caller's sub as JSON) on net/http, echo,
// gin, gRPC and Node's express, each with this library's middleware and
// with the middleware its users would otherwise deploy, each server in its
// own process, driven by a load generator in another process.
//
// The command itself is the orchestrator. It starts a fake Cognito user pool
// (cognitotest) whose JWKS it serves over HTTPS on 127.0.0.1 with a CA of
// its own, mints the tokens, and then, round after round, starts each server
// fresh (this program again with -role server, or node/server.mjs), checks
// that it answers a good token with the caller's sub and refuses a forged
// one, warms it up and measures it with a load generator (this program with
// -role load): a fixed number of workers in a closed loop for a fixed
// duration, no pacing. Two token mixes:
//
//   - real-clients: 1,000 users, each request carrying one of their tokens
//     (as browsers and apps reuse a token for its hour);
//   - all-distinct: every request a token never seen before (the worst
//     case; the warm-up uses other tokens).
//
// Every cell is reported as requests/s, p50, p99 and p99.9 latency, each as
// a ratio to the net/http server without authentication in the same round,
// and the CPU the generator used. Rounds are interleaved and each starts
// once the CPUs are idle (-wait-idle); the table shows medians and the
// spread of the rounds.
//
//	go run . -rounds 5 -duration 3s -raw ../results/service-raw.txt -md ../results/service.md
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

func main() {
	role := flag.String("role", "orchestrate", "orchestrate, server or load (the last two are started by the first)")
	// server
	stack := flag.String("stack", "", "server: the stack to serve")
	var p poolFlags
	flag.StringVar(&p.poolID, "pool-id", "", "server: user pool ID")
	flag.StringVar(&p.clientID, "client-id", "", "server: app client ID")
	flag.StringVar(&p.issuer, "issuer", "", "server: token issuer")
	flag.StringVar(&p.jwksURL, "jwks-url", "", "server: the pool's JWKS URL (https)")
	flag.StringVar(&p.caFile, "ca", "", "server: PEM file of the CA the JWKS server's certificate chains to")
	// load
	addr := flag.String("addr", "", "load: server address")
	isGRPC := flag.Bool("grpc", false, "load: the server speaks gRPC")
	tokensFile := flag.String("tokens", "", "load: tokens, one per line")
	distinct := flag.Bool("distinct", false, "load: send each token once, in order")
	warmTokens := flag.String("warm-tokens", "", "load: tokens for the warm-up (default -tokens)")
	warmDistinct := flag.Bool("warm-distinct", false, "load: send each warm-up token once")
	// orchestrate (and load)
	workers := flag.Int("c", 16, "concurrent workers of the load generator (closed loop)")
	duration := flag.Duration("duration", 3*time.Second, "measured time per cell")
	warmup := flag.Duration("warmup", time.Second, "warm-up per cell, after the server starts")
	var o orchestration
	flag.IntVar(&o.rounds, "rounds", 5, "orchestrate: interleaved rounds")
	flag.IntVar(&o.distinctTokens, "distinct-tokens", 40000, "orchestrate: tokens minted for the all-distinct mix (a cell stops early when they run out)")
	flag.StringVar(&o.stacks, "stacks", "", "orchestrate: comma-separated stacks (default all; see -list)")
	flag.StringVar(&o.mixes, "mixes", "real-clients,all-distinct", "orchestrate: token mixes")
	flag.IntVar(&o.waitIdle, "wait-idle", 90, "orchestrate: before each round, wait (up to a minute) until the CPUs were this % idle over a second; 0 does not wait")
	flag.StringVar(&o.nodeModules, "node-modules", "", `orchestrate: folder whose node_modules holds express and aws-jwt-verify (install-node.sh); "" skips Node`)
	flag.StringVar(&o.raw, "raw", "", "orchestrate: also write the raw per-round lines to this file")
	flag.StringVar(&o.md, "md", "", "orchestrate: also write the tables to this file")
	list := flag.Bool("list", false, "list the stacks and exit")
	flag.Parse()
	o.workers, o.duration, o.warmup = *workers, *duration, *warmup

	var err error
	switch {
	case *list:
		for _, s := range stacks {
			fmt.Printf("%-22s %s\n", s.name, s.label)
		}
	case *role == "server":
		err = runServer(*stack, p)
	case *role == "load":
		var toks []string
		toks, err = readTokens(*tokensFile)
		if err == nil {
			err = runLoadRole(loadSpec{addr: *addr, grpc: *isGRPC, tokens: toks, distinct: *distinct,
				workers: *workers, duration: *duration}, *warmTokens, *warmDistinct, *warmup)
		}
	case *role == "orchestrate":
		err = o.run()
	default:
		err = fmt.Errorf("unknown -role %q", *role)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "service (%s): %v\n", strings.TrimSpace(*role+" "+*stack), err)
		os.Exit(1)
	}
}
