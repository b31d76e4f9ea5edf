#!/usr/bin/env bash
# Full-size versions of two tests that run on a 30-day miniature of the default scenario
# (tests/it/synthetic.rs): too slow for every `cargo test`, worth a run before a release
# or after a change to the engine, the synthetic traffic or the trace reader.
#
#   benches/full-size-checks.sh                      # scenarios/default.toml
#   benches/full-size-checks.sh path/to/scenario.toml
#
# 1. `generate` then `run --trace` gives the synthetic run's daily.csv (and the monthly and
#    per-repository tables) byte for byte, and the same totals in summary.json. (Not
#    groups.csv: a trace carries no synthetic groups.)
# 2. The run gives identical bytes, charts and report included, with 1 and 2 threads.
# Exits non-zero on the first difference.
set -euo pipefail
cd "$(dirname "$0")/.."

scenario=${1:-scenarios/default.toml}
cargo build --profile perf --quiet --bin scansim
bin=target/perf/scansim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }'; }

# The "totals" object of a summary.json (the only part that names no input file).
totals() { sed -n '/^  "totals": {/,/^  }/p' "$1"; }

echo "== generate + run --trace replays $scenario"
start=$(date +%s.%N)
"$bin" generate "$scenario" --trace-out "$work/trace.csv"
"$bin" run "$scenario" --out "$work/synthetic" --no-charts --quiet
"$bin" run "$scenario" --trace "$work/trace.csv" --out "$work/replay" --no-charts --quiet
for f in daily.csv monthly.csv repositories.csv; do
    cmp "$work/synthetic/$f" "$work/replay/$f"
done
[[ -n "$(totals "$work/synthetic/summary.json")" ]] || { echo "no totals in summary.json"; exit 1; }
diff <(totals "$work/synthetic/summary.json") <(totals "$work/replay/summary.json")
echo "ok: $(($(wc -l <"$work/trace.csv") - 1)) trace rows replay to the same tables ($(elapsed "$start"))"

echo "== 1 and 2 threads give the same bytes"
start=$(date +%s.%N)
# The same --out both times: the command line is recorded in summary.json and the report.
RAYON_NUM_THREADS=1 "$bin" run "$scenario" --out "$work/out" --quiet
mv "$work/out" "$work/one"
RAYON_NUM_THREADS=2 "$bin" run "$scenario" --out "$work/out" --quiet
diff -r "$work/one" "$work/out"
echo "ok: $(find "$work/out" -type f | wc -l) files identical ($(elapsed "$start"))"
