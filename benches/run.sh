#!/usr/bin/env bash
# Trace replay benchmark. Generates the trace once, then times, in the same run:
#   1. the limit: reading, hashing and parsing the trace without simulating
#      (examples/read_trace.rs, the reader scansim uses);
#   2. the replay: `scansim run SCENARIO --trace TRACE`, parsing, hashing and writing
#      included.
# and prints wall, CPU, events/s and peak RSS of each.
#
#   benches/run.sh                  # the 10 M-row benchmark trace (examples/gen_trace.rs:
#                                   # 2,000 repositories, 365 days, seed 1), 2 cores
#   benches/run.sh default          # the 4.03 M-row trace `generate` writes for
#                                   # scenarios/default.toml, replayed with it
#   CORES=1 benches/run.sh          # one core (taskset, RAYON_NUM_THREADS=1: one thread)
#   ROWS=1000000 benches/run.sh     # a smaller benchmark trace
#   BIN=/path/to/scansim benches/run.sh   # another build (e.g. an older one)
set -euo pipefail
cd "$(dirname "$0")/.."

CORES=${CORES:-2}
cargo build --profile perf --quiet --bin scansim --example gen_trace --example read_trace
BIN=${BIN:-target/perf/scansim}

if [[ ${1:-bench} == default ]]; then
    TRACE=benches/default-trace.csv
    SCENARIO=scenarios/default.toml
    PARAMS="generate scenarios/default.toml $(sha1sum scenarios/default.toml | cut -c1-12)"
    make_trace() { target/perf/scansim generate "$SCENARIO" --trace-out "$TRACE"; }
else
    ROWS=${ROWS:-10000000}
    REPOS=${REPOS:-2000}
    DAYS=${DAYS:-365}
    SEED=${SEED:-1}
    TRACE=benches/trace-bench.csv
    SCENARIO=benches/trace-bench.toml
    # The generator's own hash too, so a changed generator makes a new trace.
    PARAMS="rows=$ROWS repos=$REPOS days=$DAYS seed=$SEED gen=$(sha1sum examples/gen_trace.rs | cut -c1-12)"
    make_trace() {
        target/perf/examples/gen_trace --rows "$ROWS" --repos "$REPOS" --days "$DAYS" \
            --seed "$SEED" --out "$TRACE"
    }
fi

if [[ ! -s $TRACE || "$(cat "$TRACE.params" 2>/dev/null)" != "$PARAMS" ]]; then
    echo "generating $TRACE ($PARAMS)"
    rm -f "$TRACE.params"
    start=$(date +%s.%N)
    make_trace
    end=$(date +%s.%N)
    echo "$PARAMS" >"$TRACE.params"
    awk -v a="$start" -v b="$end" 'BEGIN { printf "generation wall time: %.2f s\n", b - a }'
fi

bytes=$(stat -c %s "$TRACE")
rows=$(($(wc -l <"$TRACE") - 1))
if [[ $CORES == 1 ]]; then
    export RAYON_NUM_THREADS=1
    pin=(taskset -c 0)
else
    pin=(taskset -c "0-$((CORES - 1))")
fi
# The output folder is the script's own; builds older than --force replace it anyway.
force=()
"$BIN" run --help | grep -q -- --force && force=(--force)
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time is missing (Debian package \`time\`)" >&2; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Runs a command under /usr/bin/time; prints one line of figures.
measure() { # $1 = label, rest = command
    local label=$1
    shift
    "${pin[@]}" /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
    awk -F': ' -v label="$label" -v r="$rows" '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { m = $2 }
        END { printf "%-13s wall %6.2f s  CPU %6.2f s (user %.2f, sys %.2f)  %5.2f M events/s  peak RSS %6.1f MB\n",
              label, w, u + s, u, s, r / w / 1e6, m / 1024 }' "$log"
    grep -v -E '^\s' "$log" >&2 || true # the command's own messages, if any
}

printf 'trace          %s (%.1f MB, %d rows)\n' "$TRACE" "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" "$rows"
echo "cores          $CORES ($(nproc) online); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "read+parse" target/perf/examples/read_trace "$TRACE"
measure "replay" "$BIN" run "$SCENARIO" --trace "$TRACE" --out output/bench "${force[@]}" --no-charts -q
