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
  # Figures that are measured, not computed, differ from run to run.
  find "$o" -name summary.json -exec sed -i -E '/"(wall|elapsed|seconds)/d' {} +
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
