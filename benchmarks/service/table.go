package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
)

func base64RawURL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

// median returns the median of xs (0 for none).
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

// spread formats the min–max of xs.
func spread(xs []float64, format string) string {
	if len(xs) < 2 {
		return ""
	}
	return " (" + fmt.Sprintf(format, slices.Min(xs)) + "–" + fmt.Sprintf(format, slices.Max(xs)) + ")"
}

// writeTable writes one mix's table: per stack the median requests/s and
// latencies of the rounds, each also as the median of its per-round ratio
// to the ceiling (net/http without auth) of the same round, with the
// rounds' min–max.
func writeTable(w io.Writer, mix string, names []string, by map[string][]loadResult, o *orchestration) {
	fmt.Fprintf(w, "### %s\n\n", mix)
	fmt.Fprintf(w, "%d rounds, %d workers in a closed loop, %s measured per cell after %s of warm-up; medians, with the rounds' min–max for req/s and the ratios; × ceiling is the median of each round's ratio to net/http without auth in that round.\n\n",
		o.rounds, o.workers, o.duration, o.warmup)
	fmt.Fprintln(w, "| server | req/s | × ceiling | p50 µs | × ceiling | p99 µs | × ceiling | p99.9 µs | × ceiling | generator CPU (cores) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	ceil := by[ceiling]
	metric := func(r loadResult, i int) float64 {
		return [...]float64{r.RPS, r.P50us, r.P99us, r.P999us}[i]
	}
	for _, name := range names {
		rs := by[name]
		row := []string{label(name)}
		for i := range 4 {
			var vals, ratios []float64
			for k, r := range rs {
				vals = append(vals, metric(r, i))
				if k < len(ceil) && metric(ceil[k], i) > 0 {
					ratios = append(ratios, metric(r, i)/metric(ceil[k], i))
				}
			}
			v := fmt.Sprintf("%.0f", median(vals))
			if i == 0 {
				v += spread(vals, "%.0f")
			}
			row = append(row, v, fmt.Sprintf("%.3f", median(ratios))+spread(ratios, "%.2f"))
		}
		var cpu []float64
		exhausted := false
		for _, r := range rs {
			cpu = append(cpu, r.GenCPU)
			exhausted = exhausted || r.Exhausted
		}
		c := fmt.Sprintf("%.2f", median(cpu))
		if exhausted && name != ceiling && name != "grpc-none" {
			c += " (tokens ran out: shorter cells)"
		}
		row = append(row, c)
		fmt.Fprintln(w, "| "+strings.Join(row, " | ")+" |")
	}
	fmt.Fprintln(w)
	writeVerdicts(w, mix, names, by)
}

// writeVerdicts states the targets: with real clients, this library's
// net/http row at ≥ 0.90× the ceiling's throughput and ahead of every other
// authenticated row; with all distinct tokens, ahead of every Go row. It
// adds each framework's comparison: this library's row against the peer's
// on the same framework.
func writeVerdicts(w io.Writer, mix string, names []string, by map[string][]loadResult) {
	// ratio is the median over rounds of a stack's req/s over the ceiling's.
	ratio := func(name string) float64 {
		var v []float64
		ceil := by[ceiling]
		for k, r := range by[name] {
			if k < len(ceil) && ceil[k].RPS > 0 {
				v = append(v, r.RPS/ceil[k].RPS)
			}
		}
		return median(v)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**not met**"
	}
	ours := "nethttp-cognitoauth"
	if !slices.Contains(names, ours) || !slices.Contains(names, ceiling) {
		return
	}
	if mix == mixReal {
		fmt.Fprintf(w, "- net/http + cognitoauth at %.3f× the ceiling's req/s (target ≥ 0.90×): %s.\n", ratio(ours), verdict(ratio(ours) >= 0.90))
	}
	best, bestName := 0.0, ""
	for _, n := range names {
		if n == ours || n == ceiling || n == "grpc-none" || (mix == mixDistinct && n == "node-express") {
			continue
		}
		if r := ratio(n); r > best {
			best, bestName = r, n
		}
	}
	if bestName != "" {
		what := "every other authenticated row"
		if mix == mixDistinct {
			what = "every other Go row"
		}
		fmt.Fprintf(w, "- net/http + cognitoauth ahead of %s: %.3f× the ceiling against the best of them, %s, at %.3f×: %s.\n",
			what, ratio(ours), label(bestName), best, verdict(ratio(ours) > best))
	}
	pairs := [][2]string{{"nethttp-cognitoauth", "nethttp-auth0"}, {"echo-echoauth", "echo-echojwt"},
		{"gin-ginauth", "gin-golangjwt"}, {"grpc-grpcauth", "grpc-mwauth"}, {"nethttp-cognitoauth", "node-express"}}
	for _, pr := range pairs {
		if slices.Contains(names, pr[0]) && slices.Contains(names, pr[1]) && ratio(pr[1]) > 0 {
			fmt.Fprintf(w, "- %s against %s: %.2f× its req/s.\n", label(pr[0]), label(pr[1]), ratio(pr[0])/ratio(pr[1]))
		}
	}
	fmt.Fprintln(w)
}
