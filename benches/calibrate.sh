#!/usr/bin/env bash
# Calibration benchmark: `scansim calibrate` over benches/trace-bench.csv (10 M rows,
# made by benches/run.sh), and the back-test of its last 30 days; prints wall time, CPU
# time and peak RSS of each.
#
#   benches/calibrate.sh
set -euo pipefail
cd "$(dirname "$0")/.."

TRACE=benches/trace-bench.csv
if [[ ! -s $TRACE ]]; then
    echo "no $TRACE: run benches/run.sh first (it generates the trace)" >&2
    exit 1
fi
cargo build --profile perf --quiet --bin scansim
rows=$(($(wc -l <"$TRACE") - 1))
mkdir -p output
measure() {
    local log
    log=$(mktemp)
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    /usr/bin/time -v "$@" 2>"$log" >/dev/null || { cat "$log" >&2; rm -f "$log"; exit 1; }
    awk -v rows="$rows" -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
        /User time/ { user = $2 } /System time/ { sys = $2 }
        /Maximum resident set size/ { rss = $2 }
        END { printf "wall %.2f s, CPU %.2f s (user %.2f, sys %.2f), %.2f M rows/s of wall, peak RSS %.0f MB\n",
              wall, user + sys, user, sys, rows / wall / 1e6, rss / 1024 }' "$log"
    rm -f "$log"
}
echo "calibrate: $rows rows"
measure target/perf/scansim calibrate "$TRACE" --out output/calibrated.toml --force
echo "back-test, 30 days held out, 10 draws"
measure target/perf/scansim calibrate "$TRACE" --holdout 30 --out output/backtest --force
