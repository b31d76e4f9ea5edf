#!/usr/bin/env bash
# Peak memory of a replay read from a pipe (`--trace -`) against the number of rows:
# examples/gen_trace.rs writes 10 M and 50 M rows at the same rate per day (the 50 M
# trace covers five years, the last of them the reported one) straight into
# `scansim run benches/pipe-bench.toml --trace -`, whose lifecycle policy keeps at most
# 100 images per repository: the live images are bounded, so peak RSS should not follow
# the rows. Nothing is written to disk but the outputs.
#
#   benches/pipe-rss.sh              # 10 M and 50 M rows
#   SIZES="10 20" benches/pipe-rss.sh
#   BIN=/path/to/old/scansim FIFO=1 benches/pipe-rss.sh  # a build without `--trace -`:
#                                    # the rows go through a named pipe instead
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile perf --quiet --bin scansim --example gen_trace
BIN=${BIN:-target/perf/scansim}
# The output folder is the script's own; builds older than --force replace it anyway.
force=()
"$BIN" run --help | grep -q -- --force && force=(--force)
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (Debian package \`time\`)" >&2; exit 1; }
work=$(mktemp -d)
log=$work/time.log
trap 'rm -rf "$work"' EXIT

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for m in ${SIZES:-10 50}; do
    rows=$((m * 1000000))
    days=$((365 * m / 10))
    # The trace ends on 2026-12-31 whatever its length.
    start=$(date -u -d "2027-01-01 - $days days" +%F)
    gen=(target/perf/examples/gen_trace --rows "$rows" --repos 2000 --days "$days" \
        --start "$start" --seed 1)
    run=(/usr/bin/time -v "$BIN" run benches/pipe-bench.toml --out output/pipe-bench "${force[@]}" --no-charts -q)
    if [[ -n ${FIFO:-} ]]; then
        rm -f "$work/fifo" && mkfifo "$work/fifo"
        "${gen[@]}" --out "$work/fifo" 2>/dev/null &
        "${run[@]}" --trace "$work/fifo" 2>"$log" || { cat "$log" >&2; exit 1; }
        wait
    else
        "${gen[@]}" --out - 2>/dev/null | "${run[@]}" --trace - 2>"$log" || { cat "$log" >&2; exit 1; }
    fi
    awk -F': ' -v m="$m" -v d="$days" '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { r = $2 }
        END { printf "%3d M rows over %4d days: wall %6.2f s  CPU %6.2f s  peak RSS %6.1f MB\n", m, d, w, u + s, r / 1024 }' "$log"
    grep -E '"(pushes|deletes|ignored_events|inputs_processed)"' output/pipe-bench/summary.json | tr -d ' \n'
    echo
done
