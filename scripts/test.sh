#!/usr/bin/env bash
# Runs every test (CTest) in each given build directory and prints one
# summary line at the end. Used by `make test`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR..." >&2; exit 2; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}

# Four tests at once on two CPUs: each spends most of its time waiting on its
# own stack (Postgres, devbroker, the services), not computing. JC_TEST_JOBS
# overrides.
jobs=${JC_TEST_JOBS:-4}

total=0 failed=0 summary=""
for b in "$@"; do
  echo "== tests: $b ==" >&2
  log="$b/ctest-summary.log"
  (cd "$b" && ctest --output-on-failure --timeout 900 -j "$jobs") | tee "$log"
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "test: ctest printed no summary in $b" >&2
    failed=$((failed + 1)); summary="$summary $b: no result;"; continue
  fi
  t=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
  f=$(echo "$line" | sed -E 's/.*, ([0-9]+) tests? failed.*/\1/')
  total=$((total + t)); failed=$((failed + f))
  summary="$summary $(basename "$b"): $((t - f))/$t;"
done

# Nothing a test started may outlive the run.
left=$(pgrep -f "$root/(build|build-asan)/(services|tools)/" || true)
if [ -n "$left" ]; then
  echo "test: processes left running by tests (killed): $left" >&2
  kill -9 $left 2>/dev/null || true
  failed=$((failed + 1))
fi

echo "make test: $((total - failed)) passed, $failed failed, out of $total ($summary )"
[ "$failed" -eq 0 ]
