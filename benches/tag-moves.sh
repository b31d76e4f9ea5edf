#!/usr/bin/env bash
# Tag moves: N pushes of N images that share the same 100,000 tags (each push takes every
# tag from the image before), with and without a lifecycle policy whose tag pattern has
# to read every tag of an image. Time should grow linearly with the number of pushes.
#
#   benches/tag-moves.sh                      # target/perf/scansim
#   benches/tag-moves.sh OTHER_BINARY [LIMIT] # e.g. an older build; runs stopped after LIMIT s (60)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/perf/scansim}
limit=${2:-60}
[[ $# -ge 1 ]] || cargo build --profile perf --quiet --bin scansim
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

tags=$(seq -f 't%g' 0 99999 | paste -sd';')
cat >"$work/lc.json" <<'EOF'
{"rules":[
  {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["zz*"],
   "countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
  {"rulePriority":2,"selection":{"tagStatus":"untagged",
   "countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}
EOF
base='[simulation]
start = "2026-01-01"
days = 2
[registry]
scan_type = "ENHANCED"
rules = [{ scan_frequency = "CONTINUOUS_SCAN", filters = ["*"] }]
[traffic]
trace = "events.csv"'
echo "$base" >"$work/plain.toml"
printf '%s\n[[lifecycle]]\nrepositories = ["*"]\npolicy = "lc.json"\n' "$base" >"$work/policy.toml"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-10s %10s %10s\n' pushes scenario wall user+sys
for n in 2 4 8; do
    {
        echo "time,event,repository,digest,tags,supported"
        for ((i = 0; i < n; i++)); do
            printf '2026-01-01T00:00:%02dZ,push,app,d%d,%s,true\n' "$i" "$i" "$tags"
        done
    } >"$work/events.csv"
    for sc in plain policy; do
        if out=$( { /usr/bin/time -f '%e %U %S' timeout "$limit" "$bin" run "$work/$sc.toml" \
            --out "$work/out" --no-charts -q; } 2>&1); then
            read -r wall user sys <<<"$(tail -1 <<<"$out")"
            printf '%-8s %-10s %9ss %9ss\n' "$n" "$sc" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}')"
        else
            printf '%-8s %-10s %10s\n' "$n" "$sc" ">${limit}s"
        fi
    done
done
