#!/usr/bin/env bash
# Scaling of the synthetic path: scenarios/large.toml at 0.25x, 0.5x, 1x and 2x the
# repository counts (same traffic per repository), wall time, CPU time, peak RSS and
# events processed. Usage: benches/scale.sh [factors...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --profile perf --quiet --bin scansim
factors=${*:-0.25 0.5 1 2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-7s %9s %9s %10s %12s %12s\n' factor wall_s user_s peak_MB events events_per_s
for f in $factors; do
    awk -v f="$f" '/^count = / { printf "count = %d\n", $3 * f; next } { print }' \
        scenarios/large.toml | sed "s#\"default-lifecycle.json\"#\"$PWD/scenarios/default-lifecycle.json\"#" \
        >"$tmp/large-$f.toml"
    /usr/bin/time -f '%e %U %M' -o "$tmp/time" \
        target/perf/scansim run "$tmp/large-$f.toml" --out "$tmp/out-$f" --no-charts --quiet
    read -r wall user kb <"$tmp/time"
    events=$(sed -n 's/.*"inputs_processed": \([0-9]*\).*/\1/p' "$tmp/out-$f/summary.json")
    awk -v f="$f" -v w="$wall" -v u="$user" -v kb="$kb" -v e="$events" \
        'BEGIN { printf "%-7s %9.2f %9.2f %10.1f %12d %12.0f\n", f, w, u, kb / 1024, e, e / w }'
done
