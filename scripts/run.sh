#!/usr/bin/env bash
# `make run`: the local stack (PostgreSQL + devbroker) and every service, in
# the foreground. Service logs (JSON lines) stream to this terminal. Ctrl-C
# (or SIGTERM) stops every process this script started and deletes the stack.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
# JC_RUN_DIR and JC_RUN_PORT_BASE let a test run a second platform beside yours
# (the management page listens on the port below the base).
dir=${JC_RUN_DIR:-$root/.stack}
base=${JC_RUN_PORT_BASE:-8081}
declare -A ports=([intake]=$base [scheduling]=$((base + 1)) [offers]=$((base + 2)) [control]=$((base + 3))
                  [notifications]=$((base + 4)))
order=(intake scheduling offers control notifications)
pids=()

cleanup() {
  trap - EXIT INT TERM
  echo "run: stopping..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/scripts/stack.sh" stop "$dir"
  echo "run: stopped" >&2
}

on_signal() { interrupted=1; cleanup; exit 130; }
interrupted=""
"$root/scripts/stack.sh" stop "$dir" 2>/dev/null || true   # leftovers of a killed run
trap on_signal INT TERM
trap cleanup EXIT
JC_BUILD_DIR=$build "$root/scripts/stack.sh" start "$dir"
set -a; . "$dir/env"; set +a

# Development tokens, new each run: hashes in tokens.json, the tokens
# themselves only in tokens.txt (mode 600) and on this terminal.
scopes=(caseworker admin portal udk:feed akasse:3F akasse:FOA)
umask 077
{
  echo '{"tokens": ['
  sep=""
  for s in "${scopes[@]}"; do
    tok="dev-${s//:/-}-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "$s $tok" >> "$dir/tokens.txt"
    h=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
    printf '%s{"principal": "dev-%s", "sha256": "%s", "scopes": ["%s"]}\n' "$sep" "${s//:/-}" "$h" "$s"
    sep=","
  done
  echo ']}'
} > "$dir/tokens.json"
# control keeps only a keyed hash of CPR numbers: a fresh key each run.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/cpr-hmac.key"
export JC_CPR_HMAC_KEY_FILE=$dir/cpr-hmac.key
# Udbetaling Danmark signs the feed parts it sends on udk.campaign.v1 with this key.
printf '{"keys": {"udk-dev": "%s"}}\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  > "$dir/udk-keys.json"
export JC_UDK_KEYS_FILE=$dir/udk-keys.json
umask 022

# notifications delivers to postreceiver (the stack's stand-in for Digital
# Post, the e-mail and SMS gateways and the a-kasse webhooks).
if [ -n "${JC_POSTRECEIVER_URL:-}" ]; then
  export JC_NOTIFY_DIGITAL_POST_URL=$JC_POSTRECEIVER_URL/digital-post/messages
  export JC_NOTIFY_EMAIL_URL=$JC_POSTRECEIVER_URL/email/messages
  export JC_NOTIFY_SMS_URL=$JC_POSTRECEIVER_URL/sms/messages
  export JC_NOTIFY_SPOOL_DIR=$dir/letters
fi

started=()
for svc in "${order[@]}"; do
  bin=$build/services/$svc/jc-$svc
  [ -x "$bin" ] || continue
  url_var="JC_DB_URL_${svc^^}"
  if (exec 3<>"/dev/tcp/127.0.0.1/${ports[$svc]}") 2>/dev/null; then
    echo "run: port ${ports[$svc]} for $svc is in use; stop what uses it" >&2
    exit 1
  fi
  JC_DB_URL=${!url_var} JC_HTTP_PORT=${ports[$svc]} JC_TOKENS_FILE=$dir/tokens.json \
    "$bin" &
  pids+=($!)
  started+=("$svc")
done

for svc in "${started[@]}"; do
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:${ports[$svc]}/readyz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -fs "http://127.0.0.1:${ports[$svc]}/readyz" >/dev/null || { echo "run: $svc did not become ready" >&2; exit 1; }
done

# The management page (jc-console) calls the services with the caseworker token.
console=$build/tools/console/jc-console
console_port=$((base - 1))
if [ -x "$console" ]; then
  grep '^caseworker ' "$dir/tokens.txt" | cut -d' ' -f2 > "$dir/console-token"
  JC_CONSOLE_PORT=$console_port JC_CONSOLE_TOKEN_FILE=$dir/console-token \
    JC_CONSOLE_INTAKE_URL=http://127.0.0.1:${ports[intake]} \
    JC_CONSOLE_SCHEDULING_URL=http://127.0.0.1:${ports[scheduling]} \
    JC_CONSOLE_OFFERS_URL=http://127.0.0.1:${ports[offers]} "$console" &
  pids+=($!)
fi

# A synthetic Ishøj-sized municipality, through the public APIs
# (JC_SEED=0 skips it; JC_SEED_SCALE=0.1 loads a tenth).
if [ "${JC_SEED:-1}" != 0 ]; then
  /usr/bin/python3 "$root/tools/seed/seed_municipality.py" --stack "$dir" --scale "${JC_SEED_SCALE:-1}" \
    --port-base "$base" ||
    echo "run: loading the synthetic municipality failed (the platform keeps running)" >&2
fi

cw=$(grep '^caseworker ' "$dir/tokens.txt" | cut -d' ' -f2)
cat >&2 <<MSG

================================================================ jobcenter is running
management: http://127.0.0.1:$console_port/   (STAR's measures, deadlines, caseloads)
services:   $(for s in "${started[@]}"; do printf '%s http://127.0.0.1:%s  ' "$s" "${ports[$s]}"; done)
health:     curl http://127.0.0.1:$base/readyz    metrics: curl http://127.0.0.1:$base/metrics
postgres:   scripts/stack.sh psql       (superuser; schemas: ${started[*]})
kafka:      $JC_KAFKA_BOOTSTRAP   (devbroker, in memory)
letters:    ${JC_POSTRECEIVER_URL:-(postreceiver not built)}   (postreceiver; what it received: curl ${JC_POSTRECEIVER_CONTROL:-}/received)
tokens:     $dir/tokens.txt  (new every run)
try:        curl -s -X POST http://127.0.0.1:$base/v1/cases -H "Authorization: Bearer $cw" \\
              -H 'Content-Type: application/json' \\
              -d '{"cpr":"0101901234","name":"Test Testesen","target_group":"a-dagpenge","start_date":"2026-03-02"}'
Ctrl-C stops everything.
=====================================================================================

MSG
wait -n "${pids[@]}" || true
[ -n "$interrupted" ] || echo "run: a service stopped (Ctrl-C, or see its log above); stopping the rest" >&2
