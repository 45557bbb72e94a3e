#!/usr/bin/env bash
# Runs the in-repo benchmarks and the peer table (BENCHMARKS.md).
#
#   benchmarks/run.sh          CI: every benchmark once and briefly, then the
#                              peer table (3 rounds); about 2 minutes, most of
#                              it compiling the peers. Exits non-zero if a
#                              benchmark or a peer fails (a peer must accept
#                              the token and refuse a forged one); the target
#                              table is printed, not enforced (add --strict).
#   benchmarks/run.sh --full   The numbers for BENCHMARKS.md: 6 interleaved
#                              runs of each benchmark binary (so load changes
#                              hit every benchmark alike), 6 peer rounds,
#                              benchstat, raw output and the machine's
#                              conditions into benchmarks/results/. About 5
#                              minutes on 2 cores, more while waiting for
#                              a quiet machine (at most a minute per run:
#                              a busy machine is recorded, not hidden).
#
# Needs Go, and Node >= 18 with npm for the aws-jwt-verify row (skipped with
# a notice when node is missing). benchstat is installed into GOPATH/bin by
# --full if absent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
full=false strict=false
for arg in "$@"; do
  case "$arg" in
    --full) full=true ;;
    --strict) strict=true ;;
    *) echo "usage: benchmarks/run.sh [--full] [--strict]" >&2; exit 2 ;;
  esac
done
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

peers() { # $1 rounds, $2 benchtime, then go run flags
  local rounds="$1" benchtime="$2"
  shift 2
  (cd benchmarks/peers && go run . -rounds "$rounds" -benchtime "$benchtime" -node-modules "$node_modules" "$@")
}

if ! $full; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  step "in-repo benchmarks, once each, briefly"
  go test -run '^$' -bench . -benchmem -benchtime 100ms -count 1 ./claims/ ./verifier/ ./middleware/ | tee "$tmp/bench.txt"
  step "peers (aws-jwt-verify from npm, pinned)"
  install_node
  peers 3 200ms
  step "targets (one brief run on whatever else this machine is doing: indicative only)"
  strict_flag=""
  $strict && strict_flag="-strict"
  (cd benchmarks/peers && go run ./targets $strict_flag "$tmp/bench.txt")
  step "done in ${SECONDS}s"
  exit 0
fi

results="$root/benchmarks/results"
mkdir -p "$results"
conditions="$results/conditions.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "go: $(go version)"
  echo "node: $(node --version 2>/dev/null || echo none)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc)"
  echo "kernel: $(uname -sr)"
  echo "per-run machine state (other processes share these cores):"
} >"$conditions"

step "building the benchmark binaries"
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
for pkg in claims verifier middleware; do
  go test -c -o "$bin/$pkg.test" "./$pkg/"
  : >"$results/$pkg.txt"
done

step "6 interleaved runs"
for i in 1 2 3 4 5 6; do
  for pkg in verifier middleware claims; do
    wait_quiet
    echo "run $i: $pkg" >&2
    (cd "$pkg" && "$bin/$pkg.test" -test.run '^$' -test.bench . -test.benchmem -test.count 1) >>"$results/$pkg.txt"
  done
done

step "peers, 6 rounds, each started once the machine is 90% idle"
install_node
peers 6 500ms -wait-idle 90 | tee "$results/peers.md"

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
step "done in ${SECONDS}s; raw output and conditions in benchmarks/results/"
