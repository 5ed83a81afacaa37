#!/usr/bin/env bash
# The GraphQL-vs-bare-handler ratios of issue 2, per core: runs the four
# benchmarks interleaved N times (default 6) with GOMAXPROCS=1 and prints
# each one's median ns/op and the throughput ratios (baseline ns / GraphQL ns).
#
#   scripts/bench.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
runs=${1:-6}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$runs"); do
  go test ./graph -run '^$' -bench 'Me' -benchmem -cpu 1 -count 1 | grep '^Benchmark' >>"$out"
done
python3 - "$out" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs.setdefault(f[0], []).append(float(f[2]))
med = {k: statistics.median(v) for k, v in runs.items()}
for k in sorted(med):
    print(f"{k:28} median {med[k]/1000:8.1f} µs/op over {len(runs[k])} runs")
for q in ("Me", "MeItems"):
    print(f"{q:8} throughput ratio GraphQL/baseline: {med['BenchmarkBaseline'+q]/med['Benchmark'+q]:.2f}")
PY
