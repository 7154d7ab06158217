#!/usr/bin/env bash
# `make bench`: every benchmark; each prints its numbers and writes bench/out/*.json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export JC_BUILD_DIR=${1:-$root/build}
/usr/bin/python3 "$root/bench/pipeline.py"
/usr/bin/python3 "$root/bench/intake.py"
/usr/bin/python3 "$root/bench/scheduling.py"
/usr/bin/python3 "$root/bench/offers.py"
/usr/bin/python3 "$root/bench/notifications.py"
/usr/bin/python3 "$root/bench/control.py"
/usr/bin/python3 "$root/bench/soak.py"
/usr/bin/python3 "$root/bench/e2e.py"
