#!/usr/bin/env bash
# Installs every system package the build, the local stack and the tests need,
# with apt-get, when missing. Safe to run again: does nothing when all are there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config           # compiler and build
  clang libclang-rt-14-dev                   # libFuzzer targets (tests/fuzz)
  chromium python3-pil                       # the management page, tested in a real browser
  librdkafka-dev libpq-dev libjansson-dev libmicrohttpd-dev libssl-dev
  postgresql postgresql-contrib              # server for the local stack; pgbench
  python3 python3-jsonschema python3-psycopg2 python3-confluent-kafka python3-yaml  # tests
  docker-compose                             # only to validate docker-compose.yml
  curl procps iproute2 util-linux            # scripts: curl, pkill, ss, runuser/setsid
)

# node + npm for the schema-aware checkers (tools/checkers: AsyncAPI, Kubernetes, Strimzi)
command -v node >/dev/null || packages+=(nodejs npm)

# The checkers' pinned npm toolset: (re)installed from its lock file when missing or stale.
checkers() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/checkers"
  [ -f "$dir/package-lock.json" ] || return 0
  if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
     [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "bootstrap: npm ci --prefix tools/checkers" >&2
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
  fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { checkers; exit 0; }

echo "bootstrap: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done" >&2
checkers
