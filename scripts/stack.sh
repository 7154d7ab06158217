#!/usr/bin/env bash
# The local stack: a throw-away PostgreSQL cluster, devbroker (the Kafka-protocol
# dev broker) and postreceiver (notifications' gateways), on loopback, in one folder.
#
#   scripts/stack.sh start [DIR]       start; writes DIR/env (default DIR: .stack)
#   scripts/stack.sh stop [DIR]        stop everything and delete DIR
#   scripts/stack.sh status [DIR]
#   scripts/stack.sh pg-restart [DIR]  restart PostgreSQL (fault tests)
#   scripts/stack.sh pg-stop|pg-start [DIR]
#   scripts/stack.sh psql [psql args]  psql as the superuser on the jobcenter DB
#                                      (stack in $JC_STACK_DIR, default .stack)
#
# Environment: JC_BUILD_DIR (where devbroker is built, default build),
# JC_STACK_BROKERS (mock brokers, default 3), JC_PG_PORT (default: a free port).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
shift $(($# > 0 ? 1 : 0))
if [ "$cmd" = psql ]; then
  dir=${JC_STACK_DIR:-$root/.stack}
else
  dir=${1:-$root/.stack}
  shift $(($# > 0 ? 1 : 0))
fi
build=${JC_BUILD_DIR:-$root/build}
services=(intake scheduling offers control notifications)

die() { echo "stack: $*" >&2; exit 1; }
log() { echo "stack: $*" >&2; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || die "PostgreSQL server binaries not found; run scripts/bootstrap.sh"
  echo "$d"
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

random_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Run a PostgreSQL server binary as the unprivileged owner of the data
# (PostgreSQL refuses to run as root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_for_file() { # file timeout_s what
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -s "$1" ] && return 0
    sleep 0.1
  done
  die "$3 did not come up within $2 s"
}

start() {
  local bin pgdata port pw superpw
  [ -e "$dir/env" ] && die "a stack is already running in $dir (stop it first: $0 stop $dir)"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  bin=$(pg_bindir)
  [ -x "$build/tools/devbroker/devbroker" ] || die "devbroker not built in $build; run make build"

  # PostgreSQL data. As root it runs as 'postgres', who must be able to reach
  # the folder; a fresh clone under mktemp -d (mode 0700) is not reachable,
  # so then the data goes to a private folder under /tmp, linked from $dir.
  pgdata=$dir/pg
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "user 'postgres' missing; run scripts/bootstrap.sh"
    if ! runuser -u postgres -- test -x "$dir"; then
      pgdata=$(mktemp -d /tmp/jobcenter-pg.XXXXXX)
      ln -sfn "$pgdata" "$dir/pg"
    else
      mkdir -p "$pgdata"
    fi
    chown postgres:postgres "$pgdata"
    chmod 700 "$pgdata"
  else
    mkdir -p "$pgdata"
  fi
  superpw=$(random_secret)
  local pwfile
  pwfile=$(mktemp /tmp/jobcenter-pw.XXXXXX)
  printf '%s\n' "$superpw" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  as_pg "$bin/initdb" -D "$pgdata/data" -U postgres --pwfile="$pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --no-locale -N \
    >"$dir/initdb.log" 2>&1 || { rm -f "$pwfile"; die "initdb failed; see $dir/initdb.log"; }
  rm -f "$pwfile"
  port=${JC_PG_PORT:-$(free_port)}
  as_pg tee -a "$pgdata/data/postgresql.conf" >/dev/null <<CONF
# jobcenter local stack
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 300
shared_buffers = 128MB
log_min_messages = warning
log_line_prefix = '%m [%p] %u@%d '
CONF
  as_pg "$bin/pg_ctl" -D "$pgdata/data" -l "$pgdata/server.log" -w -t 60 start >/dev/null \
    || die "PostgreSQL did not start; see $pgdata/server.log"

  local su_url="postgresql://postgres:$superpw@127.0.0.1:$port"
  PGCONNECT_TIMEOUT=5 psql -q -v ON_ERROR_STOP=1 "$su_url/postgres" \
    -c "CREATE DATABASE jobcenter" >/dev/null
  local args=()
  declare -A pws
  for s in "${services[@]}"; do
    pws[$s]=$(random_secret)
    args+=(-v "${s}_password=${pws[$s]}")
  done
  psql -q "${args[@]}" -f "$root/deploy/postgres/roles.sql" "$su_url/jobcenter" >/dev/null

  # devbroker: brokers on random loopback ports, announced in a file.
  setsid "$build/tools/devbroker/devbroker" --brokers "${JC_STACK_BROKERS:-3}" \
    --bootstrap-file "$dir/bootstrap" --control-file "$dir/control" \
    >"$dir/devbroker.out" 2>"$dir/devbroker.log" </dev/null &
  echo $! > "$dir/devbroker.pid"
  wait_for_file "$dir/bootstrap" 30 "devbroker"
  wait_for_file "$dir/control" 5 "devbroker control channel"

  # postreceiver: Digital Post / e-mail / SMS / a-kasse webhooks on loopback
  # for notifications (skipped when this build has not built it).
  if [ -x "$build/tools/postreceiver/postreceiver" ]; then
    setsid "$build/tools/postreceiver/postreceiver" --url-file "$dir/postreceiver.url" \
      --control-file "$dir/postreceiver.control" \
      >"$dir/postreceiver.out" 2>"$dir/postreceiver.log" </dev/null &
    echo $! > "$dir/postreceiver.pid"
    wait_for_file "$dir/postreceiver.url" 10 "postreceiver"
    printf '{"webhooks": {"*": {"url": "%s/akasse/{akasse}/reports"}}}\n' \
      "$(cat "$dir/postreceiver.url")" > "$dir/akasse-webhooks.json"
  fi

  {
    echo "JC_STACK_DIR=$dir"
    echo "JC_PG_BINDIR=$bin"
    echo "JC_PG_DATA=$pgdata/data"
    echo "JC_PG_PORT=$port"
    echo "JC_PG_SUPERUSER_URL=$su_url/jobcenter"
    for s in "${services[@]}"; do
      echo "JC_DB_URL_${s^^}=postgresql://$s:${pws[$s]}@127.0.0.1:$port/jobcenter"
    done
    echo "JC_KAFKA_BOOTSTRAP=$(cat "$dir/bootstrap")"
    echo "JC_DEVBROKER_CONTROL=$(cat "$dir/control")"
    if [ -s "$dir/postreceiver.url" ]; then
      echo "JC_POSTRECEIVER_URL=$(cat "$dir/postreceiver.url")"
      echo "JC_POSTRECEIVER_CONTROL=$(cat "$dir/postreceiver.control")"
      echo "JC_NOTIFY_AKASSE_WEBHOOKS_FILE=$dir/akasse-webhooks.json"
    fi
  } > "$dir/env.tmp"
  chmod 600 "$dir/env.tmp"
  mv "$dir/env.tmp" "$dir/env"
  log "up: PostgreSQL 127.0.0.1:$port, Kafka (devbroker) $(cat "$dir/bootstrap")$([ -s "$dir/postreceiver.url" ] && echo ", postreceiver $(cat "$dir/postreceiver.url") (control $(cat "$dir/postreceiver.control"))"); settings in $dir/env"
}

read_env() {
  [ -f "$dir/env" ] || die "no stack in $dir"
  # shellcheck disable=SC1091
  set -a; . "$dir/env"; set +a
}

pg_ctl_do() {
  read_env
  as_pg "$JC_PG_BINDIR/pg_ctl" -D "$JC_PG_DATA" -l "$JC_PG_DATA/../server.log" -w -t 60 "$@" >/dev/null
}

# True while $1 runs. A zombie does not count: stopped processes are
# reparented to PID 1, which on some machines reaps them seconds later.
running() {
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

stop() {
  local pid pgdata bin
  [ -d "$dir" ] || return 0
  for f in devbroker postreceiver; do
    [ -f "$dir/$f.pid" ] || continue
    pid=$(cat "$dir/$f.pid")
    if running "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do running "$pid" || break; sleep 0.05; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  pgdata=$dir/pg
  bin=$(pg_bindir)
  if [ -f "$pgdata/data/postmaster.pid" ]; then
    as_pg "$bin/pg_ctl" -D "$pgdata/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if [ -L "$pgdata" ]; then
    local target
    target=$(readlink "$pgdata")
    case "$target" in /tmp/jobcenter-pg.*) rm -rf "$target" ;; esac
  fi
  rm -rf "$dir"
}

status() {
  read_env
  echo "stack in $dir"
  if running "$(cat "$dir/devbroker.pid")"; then
    echo "  devbroker: running, bootstrap $JC_KAFKA_BOOTSTRAP"
  else
    echo "  devbroker: NOT running"
  fi
  if [ -f "$dir/postreceiver.pid" ]; then
    if running "$(cat "$dir/postreceiver.pid")"; then
      echo "  postreceiver: running, $JC_POSTRECEIVER_URL (control $JC_POSTRECEIVER_CONTROL)"
    else
      echo "  postreceiver: NOT running"
    fi
  fi
  if as_pg "$JC_PG_BINDIR/pg_ctl" -D "$JC_PG_DATA" status >/dev/null 2>&1; then
    echo "  postgres: running on 127.0.0.1:$JC_PG_PORT"
  else
    echo "  postgres: NOT running"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  pg-restart) pg_ctl_do -m fast restart ;;
  pg-stop) pg_ctl_do -m fast stop ;;
  pg-start) pg_ctl_do start ;;
  psql) read_env; exec psql "$JC_PG_SUPERUSER_URL" "$@" ;;
  *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
