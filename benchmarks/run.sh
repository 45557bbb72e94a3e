#!/usr/bin/env bash
# Runs the in-repo benchmarks and the peer table (BENCHMARKS.md).
#
#   benchmarks/run.sh          CI: every benchmark once and briefly, then the
#                              peer table (3 rounds); about 2 minutes, most of
#                              it compiling the peers. Exits non-zero if a
#                              benchmark or a peer fails (a peer must accept
#                              the token and refuse a forged one); the target
#                              table is printed, not enforced (add --strict).
#                              Then the curves (BenchmarkCurve*, -short, once
#                              each) and a one-round service table with its
#                              charts, which check that the programs work,
#                              not the targets.
#   benchmarks/run.sh --full   The numbers for BENCHMARKS.md: 6 interleaved
#                              runs of each benchmark binary (so load changes
#                              hit every benchmark alike), 6 peer rounds,
#                              benchstat, raw output and the machine's
#                              conditions into benchmarks/results/. About 5
#                              minutes on 2 cores, more while waiting for
#                              a quiet machine (at most a minute per run:
#                              a busy machine is recorded, not hidden).
#                              Then the curves (every BenchmarkCurve*, 5
#                              runs), the service table (5 interleaved
#                              rounds, benchmarks/service) and the charts,
#                              into benchmarks/results/; 15 minutes more.
#   --parts micro,peers,curves,service,charts
#                              With --full, run only these parts (default
#                              all); the charts are drawn from whatever raw
#                              results are in benchmarks/results/.
#
# Needs Go, and Node >= 18 with npm for the aws-jwt-verify row (skipped with
# a notice when node is missing). benchstat is installed into GOPATH/bin by
# --full if absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
full=false strict=false parts="micro,peers,curves,service,charts"
while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=true ;;
    --strict) strict=true ;;
    --parts) shift; parts="${1:-}" ;;
    *) echo "usage: benchmarks/run.sh [--full [--parts micro,peers,curves,service,charts]] [--strict]" >&2; exit 2 ;;
  esac
  shift
done
part() { [[ ",$parts," == *",$1,"* ]]; }
SECONDS=0
step() { printf '\n=== [%4ss] %s\n' "$SECONDS" "$*"; }

# cpu_idle prints the percentage of CPU time idle over the next second.
cpu_idle() {
  local a b
  read -r -a a < <(grep '^cpu ' /proc/stat)
  sleep 1
  read -r -a b < <(grep '^cpu ' /proc/stat)
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(( total > 0 ? 100 * (b[4] - a[4]) / total : 100 ))
}

# wait_quiet waits (at most 60 s) for the machine to be at least 90% idle
# over a second, and records what it found.
wait_quiet() {
  [ -r /proc/stat ] || return 0
  local idle waited=0
  idle=$(cpu_idle)
  while [ "$idle" -lt 90 ] && [ "$waited" -lt 60 ]; do
    waited=$((waited + 1)); idle=$(cpu_idle)
  done
  echo "$(date -u +%H:%M:%S) idle ${idle}% after waiting ${waited}s, loadavg $(cut -d' ' -f1-3 /proc/loadavg)" >>"$conditions"
}

node_modules=""
install_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    node_modules="$(benchmarks/peers/install-node.sh)"
  else
    echo "node/npm not found: the aws-jwt-verify row is skipped" >&2
  fi
}

# curve_packages lists the packages holding a BenchmarkCurve* function.
curve_packages() {
  git ls-files '*_test.go' | xargs grep -l '^func BenchmarkCurve' | xargs -n1 dirname | sort -u | sed 's|^|./|'
}

service_node=""
install_service_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    service_node="$(benchmarks/service/install-node.sh)"
  else
    echo "node/npm not found: the express + aws-jwt-verify row is skipped" >&2
  fi
}

peers() { # $1 rounds, $2 benchtime, then go run flags
  local rounds="$1" benchtime="$2"
  shift 2
  (cd benchmarks/peers && go run . -rounds "$rounds" -benchtime "$benchtime" -node-modules "$node_modules" "$@")
}

if ! $full; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  step "in-repo benchmarks, once each, briefly"
  go test -run '^$' -bench . -skip '^BenchmarkCurve' -benchmem -benchtime 100ms -count 1 ./claims/ ./verifier/ ./middleware/ | tee "$tmp/bench.txt"
  step "peers (aws-jwt-verify from npm, pinned)"
  install_node
  peers 3 200ms
  step "targets (one brief run on whatever else this machine is doing: indicative only)"
  strict_flag=""
  $strict && strict_flag="-strict"
  (cd benchmarks/peers && go run ./targets $strict_flag "$tmp/bench.txt")
  step "curves (every BenchmarkCurve*, -short, once each: the programs work, not the figures)"
  # shellcheck disable=SC2046
  go test -run '^$' -bench '^BenchmarkCurve' -short -benchmem -benchtime 20ms -count 1 $(curve_packages) | tee "$tmp/curves.txt"
  step "service table, one brief round (the programs work, not the targets)"
  install_service_node
  (cd benchmarks/service && go run . -rounds 1 -duration 300ms -warmup 200ms -c 8 -distinct-tokens 3000 \
    -wait-idle 0 -node-modules "$service_node" -raw "$tmp/service-raw.txt")
  step "charts from those results"
  (cd benchmarks/service && go run ./charts -service "$tmp/service-raw.txt" -bench "$tmp/curves.txt" -out "$tmp")
  ls "$tmp"/*.svg
  step "done in ${SECONDS}s"
  exit 0
fi

results="$root/benchmarks/results"
mkdir -p "$results"
conditions="$results/conditions.txt"
# Without the in-repo micro benchmarks, the conditions of their last run stay.
part micro || conditions="$results/service-conditions.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "go: $(go version)"
  echo "node: $(node --version 2>/dev/null || echo none)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "kernel: $(uname -sr)"
  echo "per-run machine state (other processes share these cores):"
} >"$conditions"

bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
if part micro; then
step "building the benchmark binaries"
for pkg in claims verifier middleware; do
  go test -c -o "$bin/$pkg.test" "./$pkg/"
  : >"$results/$pkg.txt"
done

step "6 interleaved runs"
for i in 1 2 3 4 5 6; do
  for pkg in verifier middleware claims; do
    wait_quiet
    echo "run $i: $pkg" >&2
    (cd "$pkg" && "$bin/$pkg.test" -test.run '^$' -test.bench . -test.skip '^BenchmarkCurve' -test.benchmem -test.count 1) >>"$results/$pkg.txt"
  done
done
fi

if part peers; then
step "peers, 6 rounds, each started once the machine is 90% idle"
install_node
peers 6 500ms -wait-idle 90 | tee "$results/peers.md"
fi

if part micro; then
step "benchstat"
command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
benchstat="$(command -v benchstat || echo "$(go env GOPATH)/bin/benchstat")"
for pkg in verifier middleware claims; do
  (cd "$results" && "$benchstat" "$pkg.txt")
done | tee "$results/benchstat.txt"

step "targets"
strict_flag=""
$strict && strict_flag="-strict"
(cd benchmarks/peers && go run ./targets $strict_flag "$results/verifier.txt" "$results/middleware.txt") | tee "$results/targets.md"
fi

if part curves; then
  step "curves: every BenchmarkCurve*, 5 runs in one process (tokens are minted once), once the machine is 90% idle"
  wait_quiet
  # shellcheck disable=SC2046
  go test -run '^$' -bench '^BenchmarkCurve' -benchmem -benchtime 200ms -count 5 -timeout 60m $(curve_packages) | tee "$results/curves.txt"
fi

if part service; then
  step "service table: 5 interleaved rounds, each once the machine is 90% idle"
  install_service_node
  (cd benchmarks/service && go run . -rounds 5 -duration 2s -warmup 1s -c 16 -distinct-tokens 20000 \
    -wait-idle 90 -node-modules "$service_node" -raw "$results/service-raw.txt" -md "$results/service.md")
fi

if part charts; then
  step "charts"
  (cd benchmarks/service && go run ./charts -service "$results/service-raw.txt" -bench "$results/curves.txt" -curves-md "$results/curves.md" -out "$results")
fi
step "done in ${SECONDS}s; raw output and conditions in benchmarks/results/"
