#!/usr/bin/env bash
# CloudTrail import benchmark: renders a gen_trace trace as gzipped CloudTrail log files
# (examples/gen_cloudtrail.rs; once, kept while the parameters and generators are the
# same), then times `scansim import cloudtrail DIR` on one core and prints records,
# wall time, records/s, CPU and peak RSS.
#
#   benches/cloudtrail.sh                  # 830,000 trace rows: about 1 M records
#   ROWS=100000 benches/cloudtrail.sh      # smaller
#   SORT_BUFFER=50000 benches/cloudtrail.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-830000}
REPOS=${REPOS:-2000}
DAYS=${DAYS:-90}
SEED=${SEED:-1}
SORT_BUFFER=${SORT_BUFFER:-200000}
TRACE=benches/ct-trace.csv
LOGS=benches/cloudtrail-logs
OUT=output/ct-bench/trace.csv
PARAMS="rows=$ROWS repos=$REPOS days=$DAYS seed=$SEED gen=$(cat examples/gen_trace.rs \
    examples/gen_cloudtrail.rs tests/it/ct_render.rs | sha1sum | cut -c1-12)"

cargo build --profile perf --quiet --bin scansim --example gen_trace --example gen_cloudtrail

if [[ ! -d $LOGS || "$(cat "$LOGS.params" 2>/dev/null)" != "$PARAMS" ]]; then
    echo "generating $LOGS ($PARAMS)"
    rm -rf "$LOGS" "$LOGS.params"
    target/perf/examples/gen_trace --rows "$ROWS" --repos "$REPOS" --days "$DAYS" \
        --seed "$SEED" --out "$TRACE"
    target/perf/examples/gen_cloudtrail --trace "$TRACE" --out "$LOGS"
    rm -f "$TRACE"
    echo "$PARAMS" >"$LOGS.params"
fi

bytes=$(du -sb "$LOGS" | cut -f1)
files=$(find "$LOGS" -name '*.json.gz' | wc -l)
mkdir -p "$(dirname "$OUT")"
cmd=(target/perf/scansim import cloudtrail "$LOGS" --sort-buffer "$SORT_BUFFER" --trace-out "$OUT")
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 0 /usr/bin/time -v "${cmd[@]}" 2>"$log" || { cat "$log" >&2; exit 1; }
grep -v -E '^\s' "$log" >&2 || true # the import's own summary
records=$(sed -n 's/.* from \([0-9]*\) CloudTrail records.*/\1/p' "$log")
wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
user=$(awk -F': ' '/User time/ {print $2}' "$log")
sys=$(awk -F': ' '/System time/ {print $2}' "$log")
awk -v d="$LOGS" -v b="$bytes" -v f="$files" -v r="$records" -v w="$wall" -v u="$user" \
    -v s="$sys" -v m="$rss_kb" -v rows="$(($(wc -l <"$OUT") - 1))" 'BEGIN {
    printf "input          %s (%d gzipped files, %.1f MB)\n", d, f, b / 1e6
    printf "records        %d\n", r
    printf "trace rows     %d\n", rows
    printf "wall time      %.2f s (user %s s, sys %s s)\n", w, u, s
    printf "records/s      %.0f (%.0f per CPU second)\n", r / w, r / (u + s)
    printf "peak RSS       %.1f MB\n", m / 1024
}'
