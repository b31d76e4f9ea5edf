#!/usr/bin/env bash
# Sweep benchmark (issue 6): a 12-variant, 10-replication sweep of scenarios/default.toml
# with --no-charts against the 120 equivalent `scansim run --no-charts` calls, on the same
# number of threads. Prints both wall times, their ratio (target: the sweep takes at most
# 40% of the runs), the sweep's own split of time between traffic generation and the
# engine, and checks that the runs and the sweep agree (replication 0 daily.csv byte for
# byte, every run's total cost).
#
#   benches/sweep-vs-runs.sh                 # 2 threads, 10 replications
#   THREADS=4 REPLICATIONS=3 benches/sweep-vs-runs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
REPLICATIONS=${REPLICATIONS:-10}
PUSH=(LIFETIME DAYS_90 DAYS_30 DAYS_14)
PULL=(none DAYS_30 DAYS_14)
export RAYON_NUM_THREADS=$THREADS

cargo build --profile perf --quiet --bin scansim
bin=target/perf/scansim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); threads: $THREADS"

# The sweep.
start=$(now)
"$bin" sweep scenarios/default.toml --out "$work/sweep" --no-charts --quiet --timings \
    --set "inspector.push_duration=$(IFS=,; echo "${PUSH[*]}")" \
    --set "inspector.pull_duration=$(IFS=,; echo "${PULL[*]}")" \
    --replications "$REPLICATIONS" 2>"$work/sweep.log"
end=$(now)
sweep_wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')

# The equivalent runs: one scenario file per variant (beside a copy of the lifecycle
# policy it reads), one run per replication with the seed the sweep used (runs.csv).
cp scenarios/default-lifecycle.json "$work/"
runs=0
v=0
start=$(now)
for push in "${PUSH[@]}"; do
    for pull in "${PULL[@]}"; do
        name="push_duration=$push,pull_duration=$pull"
        sed -E -e "s/^push_duration = \"[A-Z0-9_]+\"/push_duration = \"$push\"/" \
            -e "s/^pull_duration = \"[A-Za-z0-9_]+\"/pull_duration = \"$pull\"/" \
            scenarios/default.toml >"$work/$name.toml"
        v=$((v + 1))
        for ((k = 0; k < REPLICATIONS; k++)); do
            # runs.csv: variant_no,replication,seed,cost_micro_usd,...
            seed=$(awk -F, -v n="$v" -v k="$k" '$1 == n && $2 == k { print $3 }' \
                "$work/sweep/runs.csv")
            "$bin" run "$work/$name.toml" --seed "$seed" --out "$work/run-$runs" \
                --no-charts --quiet
            runs=$((runs + 1))
        done
    done
done
end=$(now)
runs_wall=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')

# Check: the same results.
bad=0
i=0
v=0
for push in "${PUSH[@]}"; do
    for pull in "${PULL[@]}"; do
        name="push_duration=$push,pull_duration=$pull"
        v=$((v + 1))
        cmp -s "$work/run-$i/daily.csv" "$work/sweep/variants/$name/daily.csv" ||
            { echo "MISMATCH: daily.csv of $name, replication 0" >&2; bad=1; }
        for ((k = 0; k < REPLICATIONS; k++)); do
            # summary.json: "cost_usd": 22351.7 (a JSON number); runs.csv: micro-USD.
            run_cost=$(grep -m1 '"cost_usd"' "$work/run-$((i + k))/summary.json" |
                tr -dc '0-9.')
            sweep_micro=$(awk -F, -v n="$v" -v k="$k" '$1 == n && $2 == k { print $4 }' \
                "$work/sweep/runs.csv")
            awk -v a="$run_cost" -v b="$sweep_micro" \
                'BEGIN { exit !(sprintf("%.2f", a) == sprintf("%.2f", b / 1e6)) }' ||
                { echo "MISMATCH: $name replication $k: run $run_cost USD, sweep $sweep_micro micro-USD" >&2; bad=1; }
        done
        i=$((i + REPLICATIONS))
    done
done

awk -v s="$sweep_wall" -v r="$runs_wall" -v n="$runs" 'BEGIN {
    printf "sweep (%d runs)          %.2f s wall\n", n, s
    printf "%d x scansim run         %.2f s wall (%.2f s each)\n", n, r, r / n
    printf "ratio                    %.1f%% (target <= 40%%)\n", 100 * s / r
}'
grep '^timings' "$work/sweep.log" || true
[[ $bad == 0 ]] && echo "results agree (replication 0 daily.csv, total cost of every run)"
exit $bad
