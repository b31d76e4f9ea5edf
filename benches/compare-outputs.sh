#!/usr/bin/env bash
# Runs two scansim binaries over the same inputs and compares every output byte for byte:
# the shared cases (run with charts, validate), the bundled scenarios, the trace demo
# (run, --events, --explain), generate + replay, import and a small sweep.
#
#   benches/compare-outputs.sh OLD_BINARY NEW_BINARY [WORK_DIR]
#
# Both binaries are run through the same path (a symlink swapped between them) so the
# command line recorded in summary.json is the same. Exit status 1 when anything differs.
set -uo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
work=${3:-$(mktemp -d)}
root=$(cd "$(dirname "$0")/.." && pwd)
shared=$root/../shared
mkdir -p "$work/bin"
bin=$work/bin/scansim

run_all() { # $1 = output folder
  local o=$1
  mkdir -p "$o"
  cd "$root" || exit 2
  if [[ -d $shared/cases ]]; then
    for c in "$shared"/cases/*/; do
      n=$(basename "$c")
      "$bin" run "$c/scenario.toml" --out "$o/cases/$n" -q >"$o/cases.$n.stdout" 2>"$o/cases.$n.stderr"
      echo "exit $?" >>"$o/cases.$n.stderr"
      "$bin" validate "$c/scenario.toml" >"$o/cases.$n.validate" 2>&1
    done
  fi
  "$bin" run scenarios/default.toml --out "$o/default" -q 2>"$o/default.stderr"
  "$bin" run scenarios/large.toml --out "$o/large" -q --no-charts 2>"$o/large.stderr"
  "$bin" run scenarios/trace-demo/scenario.toml --out "$o/demo" -q \
    --events "$o/demo-events.jsonl" \
    --explain prod/web@sha256:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61d \
    >"$o/demo.explain" 2>"$o/demo.stderr"
  "$bin" generate scenarios/default.toml --trace-out "$o/default-trace.csv" 2>"$o/generate.stderr"
  "$bin" run scenarios/default.toml --trace "$o/default-trace.csv" --out "$o/default-replay" \
    -q --no-charts 2>"$o/replay.stderr"
  "$bin" run scenarios/default.toml --out "$o/default-events" -q --no-charts \
    --events "$o/default-events.jsonl" 2>"$o/default-events.stderr"
  "$bin" import auto tests/fixtures/import/ecr-api-pages.json tests/fixtures/import/ecr-web-page1.json \
    tests/fixtures/import/ecr-web-page2.json tests/fixtures/import/inspector-coverage.json \
    --trace-out "$o/import.csv" 2>"$o/import.stderr"
  "$bin" sweep scenarios/trace-demo/scenario.toml --out "$o/sweep" -q \
    --set inspector.push_duration=LIFETIME,DAYS_30 --set inspector.pull_duration=none,DAYS_14 \
    2>"$o/sweep.stderr"
  "$bin" validate scenarios/default.toml >"$o/validate-default" 2>&1
  bad_traces "$o"
  # Figures that are measured, not computed, differ from run to run.
  find "$o" -name summary.json -exec sed -i -E '/"(wall|elapsed|seconds)/d' {} +
}

# Bad traces: each must fail with the same message (file, line, column) from both.
bad_traces() { # $1 = output folder
  local o=$1/bad i=0 row
  mkdir -p "$o"
  local h='time,event,repository,digest,tags,supported'
  local d='sha256:0819964b136026683b0a4c68e3bb7dccdd15178851e48e77b99a105b63c1d61d'
  local ok="2026-01-02T00:00:00Z,push,prod/web,$d,latest,true"
  local rows=(
    "2026-01-02,push,prod/web,$d,,"          "2026-13-02T00:00:00Z,push,prod/web,$d,,"
    "2026-01-02T00:00:60Z,push,prod/web,$d,," "2026-01-02T00:00:00,push,prod/web,$d,,"
    "1e9,push,prod/web,$d,,"                 "12345678901234567890,push,prod/web,$d,,"
    "2026-01-02T00:00:00Z,pushed,prod/web,$d,," "2026-01-02T00:00:00Z,push,Prod/web,$d,,"
    "2026-01-02T00:00:00Z,push,a,$d,,"       "2026-01-02T00:00:00Z,push,prod//web,$d,,"
    "2026-01-02T00:00:00Z,push,prod/web,,,"  "2026-01-02T00:00:00Z,push,prod/web,$d,-bad,"
    "2026-01-02T00:00:00Z,push,prod/web,$d,ok;b@d," "2026-01-02T00:00:00Z,push,prod/web,$d,,yes"
    "2026-01-02T00:00:00Z,vulndb_update,,$d,," "2026-01-01T00:00:00Z,pull,prod/web,$d,,"
    "2026-01-02T00:00:00Z,push,prod/web,\"$d,,"  "2026-01-02T00:00:00Z,push"
    "2026-01-02T00:00:00Z,delete,prod/web,$d,,,,extra" "10000-01-01T00:00:00Z,push,prod/web,$d,,"
  )
  for row in "${rows[@]}"; do
    i=$((i + 1))
    printf '%s\n%s\n%s\n' "$h" "$ok" "$row" >"$o/t$i.csv"
    "$bin" run scenarios/trace-demo/scenario.toml --trace "$o/t$i.csv" --out "$o/out$i" -q \
      >"$o/t$i.stdout" 2>"$o/t$i.stderr"
    echo "exit $?" >>"$o/t$i.stderr"
  done
  printf 'time,event,repository\n%s\n' "$ok" >"$o/nodigest.csv"
  printf 'time,event,repository,digest\n2026-01-02T00:00:00Z,push,prod/web,%s\n' "$d" >"$o/clean.csv"
  for t in nodigest clean; do
    "$bin" run scenarios/trace-demo/scenario.toml --trace "$o/$t.csv" --out "$o/out-$t" -q --strict \
      >"$o/$t.stdout" 2>"$o/$t.stderr"
    echo "exit $?" >>"$o/$t.stderr"
  done
}

# Same output paths too: summary.json records the command line.
rm -rf "$work/old" "$work/new" "$work/cur"
ln -sfn "$old" "$bin"; run_all "$work/cur"; mv "$work/cur" "$work/old"
ln -sfn "$new" "$bin"; run_all "$work/cur"; mv "$work/cur" "$work/new"
if diff -r "$work/old" "$work/new" >"$work/diff.txt"; then
  echo "identical: $(find "$work/old" -type f | wc -l) files in $work/old and $work/new"
else
  echo "DIFFERENT (first lines of $work/diff.txt):"
  head -40 "$work/diff.txt"
  exit 1
fi
