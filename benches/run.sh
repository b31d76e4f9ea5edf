#!/usr/bin/env bash
# Engine benchmark: generates benches/trace-bench.csv if missing (or made with other
# parameters), then times `scansim run benches/trace-bench.toml` on one core and prints
# rows, wall time, events/s and peak RSS.
#
#   benches/run.sh                     # 10M rows, 2,000 repositories, 365 days, seed 1
#   ROWS=1000000 benches/run.sh        # a smaller trace
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-10000000}
REPOS=${REPOS:-2000}
DAYS=${DAYS:-365}
SEED=${SEED:-1}
TRACE=benches/trace-bench.csv
# The generator's own hash too, so a changed generator makes a new trace.
PARAMS="rows=$ROWS repos=$REPOS days=$DAYS seed=$SEED gen=$(sha1sum examples/gen_trace.rs | cut -c1-12)"

cargo build --profile perf --quiet --bin scansim --example gen_trace

if [[ ! -s $TRACE || "$(cat "$TRACE.params" 2>/dev/null)" != "$PARAMS" ]]; then
    echo "generating $TRACE ($PARAMS)"
    rm -f "$TRACE.params"
    start=$(date +%s.%N)
    target/perf/examples/gen_trace --rows "$ROWS" --repos "$REPOS" --days "$DAYS" \
        --seed "$SEED" --out "$TRACE"
    end=$(date +%s.%N)
    echo "$PARAMS" >"$TRACE.params"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "generation wall time: %.2f s\n", b - a }'
fi

bytes=$(stat -c %s "$TRACE")
rows=$(($(wc -l <"$TRACE") - 1))

cmd=(target/perf/scansim run benches/trace-bench.toml --out output/bench --no-charts)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export RAYON_NUM_THREADS=1
# Other work on the machine makes wall time longer than CPU time: say how busy it was.
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -x /usr/bin/time ]]; then
    taskset -c 0 /usr/bin/time -v "${cmd[@]}" 2>"$log" || { cat "$log" >&2; exit 1; }
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
    rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    user=$(awk -F': ' '/User time/ {print $2}' "$log")
    sys=$(awk -F': ' '/System time/ {print $2}' "$log")
    grep -v -E '^\s' "$log" >&2 || true # the run's own messages, if any
else
    echo "note: /usr/bin/time is missing (Debian package \`time\`): no peak RSS" >&2
    start=$(date +%s.%N)
    taskset -c 0 "${cmd[@]}"
    end=$(date +%s.%N)
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
    rss_kb="" user="" sys=""
fi

awk -v f="$TRACE" -v b="$bytes" -v r="$rows" -v w="$wall" -v u="$user" -v s="$sys" \
    -v m="$rss_kb" 'BEGIN {
    printf "trace          %s (%.1f MB)\n", f, b / 1e6
    printf "rows           %d\n", r
    printf "wall time      %.2f s", w
    if (u != "") printf " (user %s s, sys %s s)", u, s
    printf "\n"
    printf "events/s       %.0f", (w > 0 ? r / w : 0)
    if (u != "" && u + s > 0) printf " (%.0f per CPU second)", r / (u + s)
    printf "\n"
    if (m != "") printf "peak RSS       %.1f MB\n", m / 1024
}'
