package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadCurves checks that every BenchmarkCurve naming the benchmarks use
// is read: with and without a series, with and without the GOMAXPROCS
// suffix, custom metrics included, and that other lines are ignored.
func TestReadCurves(t *testing.T) {
	raw := strings.Join([]string{
		"goos: linux",
		"BenchmarkCurveTokensHeld/n=1000-2 \t 92150\t 257.0 ns/op\t 2393 B/token\t 32.00 bound-MiB\t 0 B/op\t 0 allocs/op",
		"BenchmarkCurveConcurrency/uncached/n=64-2 \t 1048\t 19917 ns/op\t 50211 verifies/s",
		"BenchmarkCurvePools/resolved/n=10000 \t 10\t 99 ns/op",
		"BenchmarkCurveRevocationEntries/n=1000000-8 \t 5\t 12.5 ns/op\t 48 B/entry",
		"BenchmarkCurveJWKSKeys/doc-bytes/n=1048576-2 \t 3\t 7.5e+07 ns/op\t 13.98 MB/s",
		"BenchmarkRS256/floor-2 \t 100\t 30000 ns/op",
		"BenchmarkCurveBroken/n=x-2 \t 1\t 1 ns/op",
	}, "\n")
	path := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(path, []byte(raw), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readCurves(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		curve, series string
		n             float64
		unit          string
		value         float64
	}{
		{"TokensHeld", "", 1000, "B/token", 2393},
		{"Concurrency", "uncached", 64, "verifies/s", 50211},
		{"Pools", "resolved", 10000, "ns/op", 99},
		{"RevocationEntries", "", 1000000, "B/entry", 48},
		{"JWKSKeys", "doc-bytes", 1048576, "ns/op", 7.5e7},
	}
	if len(got) != len(want) {
		t.Fatalf("read %d points, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		p := got[i]
		if p.curve != w.curve || p.series != w.series || p.n != w.n || p.metrics[w.unit] != w.value {
			t.Errorf("point %d = %+v, want %s/%s n=%v %s=%v", i, p, w.curve, w.series, w.n, w.unit, w.value)
		}
	}
}

// TestDraw draws the service chart and every curve's charts from small raw
// files, and checks each SVG is written.
func TestDraw(t *testing.T) {
	dir := t.TempDir()
	service := filepath.Join(dir, "service-raw.txt")
	bench := filepath.Join(dir, "curves.txt")
	os.WriteFile(service, []byte(strings.Join([]string{
		"# service: header",
		"cell round=1 mix=real-clients stack=nethttp-none requests=10 seconds=1 rps=1000 p50_us=1 p99_us=10 p999_us=20 gen_cpu=0.5 exhausted=false",
		"cell round=1 mix=real-clients stack=nethttp-cognitoauth requests=9 seconds=1 rps=950 p50_us=1 p99_us=11 p999_us=20 gen_cpu=0.5 exhausted=false",
	}, "\n")), 0o600)
	os.WriteFile(bench, []byte(strings.Join([]string{
		"BenchmarkCurveTokensHeld/n=1-2 \t 1\t 100 ns/op\t 2400 B/token\t 0.01 held-MiB\t 32 bound-MiB\t 0.01 heap-MiB",
		"BenchmarkCurveTokensHeld/n=10-2 \t 1\t 110 ns/op\t 2400 B/token\t 0.1 held-MiB\t 32 bound-MiB\t 0.1 heap-MiB",
		"BenchmarkCurveConcurrency/cached/n=1-2 \t 1\t 100 ns/op\t 1e7 verifies/s",
		"BenchmarkCurveConcurrency/cached/n=2-2 \t 1\t 60 ns/op\t 1.6e7 verifies/s",
	}, "\n")), 0o600)
	if err := run(service, bench, dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"service.svg", "curve-TokensHeld.svg", "curve-TokensHeld-memory.svg",
		"curve-TokensHeld-bound.svg", "curve-Concurrency.svg"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !strings.Contains(string(data), "<svg") {
			t.Errorf("%s is not an SVG", name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "curve-Concurrency-memory.svg")); err == nil {
		t.Error("a throughput curve got a B/op chart")
	}
}
