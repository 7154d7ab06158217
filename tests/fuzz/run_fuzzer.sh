#!/usr/bin/env bash
# run_fuzzer.sh BINARY NAME WORKDIR: replays every saved regression input of
# NAME (tests/fuzz/regressions/NAME/*: inputs that once crashed), then fuzzes
# for $JC_FUZZ_SECONDS (default 10) from the seeds (tests/fuzz/seeds/NAME) with the
# corpus it grows kept in WORKDIR/NAME between runs. A crash leaves its input
# in WORKDIR/NAME-crashes and fails the test: fix it, then add the input
# to regressions/NAME/ so it is replayed forever.
set -euo pipefail
bin=$1 name=$2 work=$3 seconds=${JC_FUZZ_SECONDS:-10}
here=$(cd "$(dirname "$0")" && pwd)
corpus="$work/$name" crashes="$work/$name-crashes"
mkdir -p "$corpus" "$crashes"
rm -f "$crashes"/*
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

shopt -s nullglob
regressions=("$here/regressions/$name"/*)
if [ ${#regressions[@]} -gt 0 ]; then
  echo "replaying ${#regressions[@]} regression input(s)"
  "$bin" -rss_limit_mb=2048 "${regressions[@]}"
fi
[ -d "$here/seeds/$name" ] || { echo "fuzz: no seed directory tests/fuzz/seeds/$name" >&2; exit 1; }
set +e
"$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$here/seeds/$name" 2>&1 |
  grep -v '^#[0-9]*.*\(NEW\|REDUCE\|pulse\)'
rc=${PIPESTATUS[0]}
set -e
found=("$crashes"/*)
if [ "$rc" -ne 0 ] || [ ${#found[@]} -gt 0 ]; then
  echo "fuzz: $name failed (exit $rc); crashing input(s): ${found[*]:-none saved}" >&2
  exit 1
fi
echo "fuzz: $name ran ${seconds}s without a finding (corpus: $(ls "$corpus" | wc -l) inputs)"
