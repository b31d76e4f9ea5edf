#!/bin/sh
# Runs every fuzz target one after the other, SECONDS each (default 600), seeding the
# corpora from the repository's own examples. Logs go to fuzz/logs/TARGET.log; a crash
# leaves its input in fuzz/artifacts/TARGET/.
#   fuzz/run.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")"
secs=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"trace scenario lifecycle import part"}
export RUSTC_BOOTSTRAP=1
mkdir -p logs corpus/trace corpus/scenario corpus/lifecycle corpus/import corpus/part
cp ../scenarios/trace-demo/events.csv corpus/trace/demo.csv
cp ../scenarios/*.toml ../scenarios/trace-demo/scenario.toml corpus/scenario/ 2>/dev/null || true
cp ../scenarios/*.json ../scenarios/trace-demo/lifecycle.json corpus/lifecycle/
for f in ../tests/fixtures/import/*.json; do
  (printf '\000'; cat "$f") > "corpus/import/auto-$(basename "$f")"
done
for f in ../tests/fixtures/cloudtrail/*.json; do
  (printf '\001'; cat "$f") > "corpus/import/ct-$(basename "$f")"
done
printf '\002{"totals": [{"accountId": "123456789012", "usage": [{"currency": "USD", "estimatedMonthlyCost": 0.06, "total": 6.0, "type": "ECR_RESCAN"}]}]}' > corpus/import/usage.json
cargo fuzz build
for t in $targets; do
  echo "== $t: $secs s" > "logs/$t.log"
  cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -max_len=16384 -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 >> "logs/$t.log" 2>&1 || echo "== $t: FAILED" >> "logs/$t.log"
done
