#!/usr/bin/env bash
# advise benchmark (issue 14): `scansim advise` over the whole 2024-profile grid of
# scenarios/default.toml (6 push × (no pull window + 5 pull windows × 2 modes) = 66
# settings) with 5 replications: 330 runs of a 280-repository, 365-day registry with two
# years of history. Aim: under 60 s of wall time on 2 cores. Prints the load before,
# /usr/bin/time -v's wall, CPU and peak RSS, and the sweep's own split of the time.
#
#   benches/advise.sh                      # 2 threads, 5 replications
#   THREADS=1 REPLICATIONS=3 benches/advise.sh
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
REPLICATIONS=${REPLICATIONS:-5}
export RAYON_NUM_THREADS=$THREADS

cargo build --profile perf --quiet --bin scansim
bin=target/perf/scansim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); threads: $THREADS; $(nproc) cores"
/usr/bin/time -v "$bin" advise scenarios/default.toml --target 'in_use_coverage>=15' \
    --replications "$REPLICATIONS" --out "$work/advice" --quiet \
    >"$work/advice.md" 2>"$work/time.log"
grep -E 'Elapsed|User time|System time|Maximum resident' "$work/time.log"
echo "settings searched: $(grep -o '"settings_searched": [0-9]*' "$work/advice/advise.json")"
grep -m1 '^\*\*Answer' "$work/advice.md" || grep -m1 '^\*\*No setting' "$work/advice.md"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
