// Command targets reads the raw output of the in-repo benchmarks (go test
// -bench, any -count, several files) and prints the speed targets next to
// the medians measured, as a Markdown table. It exits 1 with -strict when a
// target is missed; by default it only reports, since a shared machine's
// noise is no reason to fail a build.
//
//	go run ./targets [-strict] results/verifier.txt results/middleware.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples holds every value seen, by benchmark name (without the -N
// GOMAXPROCS suffix) and unit.
type samples map[string]map[string][]float64

var procsSuffix = regexp.MustCompile(`-\d+$`)

func read(names []string) (samples, error) {
	s := samples{}
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
				continue
			}
			bench := procsSuffix.ReplaceAllString(fields[0], "")
			if s[bench] == nil {
				s[bench] = map[string][]float64{}
			}
			for i := 2; i+1 < len(fields); i += 2 {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					break
				}
				s[bench][fields[i+1]] = append(s[bench][fields[i+1]], v)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// median returns the median of bench's values in unit, and whether any.
func (s samples) median(bench, unit string) (float64, bool) {
	xs := slices.Clone(s[bench][unit])
	if len(xs) == 0 {
		return 0, false
	}
	slices.Sort(xs)
	if len(xs)%2 == 1 {
		return xs[len(xs)/2], true
	}
	return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2, true
}

type row struct {
	target, measured, limit string
	ok                      bool
}

func main() {
	strict := flag.Bool("strict", false, "exit 1 when a target is missed")
	flag.Parse()
	s, err := read(flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "targets:", err)
		os.Exit(2)
	}
	var rows []row
	missing := func(what string) { rows = append(rows, row{what, "not measured", "", false}) }

	if x, ok := s.median("BenchmarkRS256/verify-uncached-vs-floor", "x-floor"); ok {
		rows = append(rows, row{"uncached Verify ÷ floor, alternating calls (verify-uncached-vs-floor)",
			fmt.Sprintf("%.3f×", x), "≤ 1.20×", x <= 1.20})
	} else {
		missing("uncached Verify ÷ floor, alternating calls")
	}
	floor, okF := s.median("BenchmarkRS256/floor", "ns/op")
	unc, okU := s.median("BenchmarkRS256/verify-uncached", "ns/op")
	if okF && okU {
		rows = append(rows, row{"uncached Verify ÷ floor, separate runs (verify-uncached / floor)",
			fmt.Sprintf("%.3f× (%.1f µs / %.1f µs)", unc/floor, unc/1e3, floor/1e3), "≤ 1.20×", unc/floor <= 1.20})
	} else {
		missing("uncached Verify ÷ floor, separate runs")
	}
	if hit, ok := s.median("BenchmarkRS256/verify-cached", "ns/op"); ok {
		allocs, _ := s.median("BenchmarkRS256/verify-cached", "allocs/op")
		rows = append(rows, row{"cache hit (verify-cached)",
			fmt.Sprintf("%.0f ns, %.0f allocs", hit, allocs), "≤ 250 ns, ≤ 1 alloc", hit <= 250 && allocs <= 1})
	} else {
		missing("cache hit")
	}
	if par, ok := s.median("BenchmarkRS256/verify-uncached-parallel", "ns/op"); ok && okU {
		rows = append(rows, row{"RunParallel throughput ÷ one goroutine, uncached",
			fmt.Sprintf("%.2f× (%.1f µs → %.1f µs per op)", unc/par, unc/1e3, par/1e3), "≥ 1.7×", unc/par >= 1.7})
	} else {
		missing("RunParallel throughput, uncached")
	}
	if fp, ok := s.median("BenchmarkRS256/floor-parallel", "ns/op"); ok && okF {
		rows = append(rows, row{"(reference) the same for the floor",
			fmt.Sprintf("%.2f×", floor/fp), "", true})
	}
	bare, okB := s.median("BenchmarkHandler/bare", "ns/op")
	mw, okM := s.median("BenchmarkHandler/cached", "ns/op")
	if okB && okM {
		rows = append(rows, row{"middleware with a cached token, over the bare handler",
			fmt.Sprintf("%.2f µs", (mw-bare)/1e3), "≤ 1 µs", mw-bare <= 1000})
	} else {
		missing("middleware over the bare handler")
	}

	fmt.Println("| target | measured (medians) | limit | |")
	fmt.Println("| --- | --- | --- | --- |")
	failed := false
	for _, r := range rows {
		verdict := "met"
		switch {
		case r.limit == "" && r.measured != "not measured":
			verdict = ""
		case !r.ok:
			verdict, failed = "**missed**", true
		}
		fmt.Printf("| %s | %s | %s | %s |\n", r.target, r.measured, r.limit, verdict)
	}
	if failed && *strict {
		os.Exit(1)
	}
}
