#!/usr/bin/env bash
# A throwaway PostgreSQL for the store tests: installs PostgreSQL when missing, starts a cluster on 127.0.0.1 on a
# free port under a temporary directory, waits until it accepts connections, and stops and removes it on exit.
#
# Usage:
#   source scripts/postgres.sh        start it, export CPSF_TEST_POSTGRES_URL, stop it when the sourcing shell exits
#   scripts/postgres.sh CMD [ARG...]  start it, run CMD with CPSF_TEST_POSTGRES_URL set, stop it; CMD's exit status
#   scripts/postgres.sh               start it, print the URL, keep it until interrupted (Ctrl-C)
#
# - When CPSF_TEST_POSTGRES_URL is already set, nothing is started: that server is used.
# - CPSF_POSTGRES=skip starts nothing (the PostgreSQL tests then print SKIPPED and pass).
# - As root, the cluster runs as the `postgres` user (PostgreSQL refuses to run as root); otherwise as the current
#   user. PostgreSQL is installed with apt-get (root only) when no initdb is found under /usr/lib/postgresql/*/bin
#   or on PATH.
# - The cluster trusts local connections (user `postgres`, no password), listens on 127.0.0.1 only, and runs with
#   fsync off: it is for tests, and is deleted afterwards.

cpsf_postgres_log() { printf 'postgres.sh: %s\n' "$*" >&2; }

# The directory holding initdb/pg_ctl/pg_isready: the newest /usr/lib/postgresql/N/bin, else initdb on PATH.
cpsf_postgres_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then
    printf '%s\n' "$dir"
  elif command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
  fi
}

# Run a command as the cluster's owner.
cpsf_postgres_as_owner() {
  if [[ "$(id -u)" -eq 0 ]]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su -s /bin/sh postgres -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

# Is something listening on 127.0.0.1:$1?
cpsf_postgres_port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cpsf_postgres_start() {
  if [[ -n "${CPSF_TEST_POSTGRES_URL:-}" ]]; then
    cpsf_postgres_log "using CPSF_TEST_POSTGRES_URL as set"
    return 0
  fi
  if [[ "${CPSF_POSTGRES:-}" == skip ]]; then
    cpsf_postgres_log "CPSF_POSTGRES=skip: not starting PostgreSQL"
    return 0
  fi
  local bindir
  bindir="$(cpsf_postgres_bindir)"
  if [[ -z "$bindir" ]]; then
    if [[ "$(id -u)" -ne 0 ]]; then
      cpsf_postgres_log "PostgreSQL is not installed and installing it needs root"
      return 1
    fi
    cpsf_postgres_log "installing PostgreSQL"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq postgresql >/dev/null || return 1
    bindir="$(cpsf_postgres_bindir)"
    [[ -n "$bindir" ]] || { cpsf_postgres_log "no initdb after installing PostgreSQL"; return 1; }
  fi
  if [[ "$(id -u)" -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
  fi

  CPSF_POSTGRES_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cpsf-postgres.XXXXXX")" || return 1
  if [[ "$(id -u)" -eq 0 ]]; then chown postgres "$CPSF_POSTGRES_DIR"; fi
  CPSF_POSTGRES_BINDIR="$bindir"
  cpsf_postgres_as_owner "$bindir/initdb" -D "$CPSF_POSTGRES_DIR/data" -A trust -U postgres -E UTF8 --no-sync \
    >"$CPSF_POSTGRES_DIR/initdb.log" 2>&1 || { cat "$CPSF_POSTGRES_DIR/initdb.log" >&2; return 1; }

  # A free port: try random ones until one is free and the server starts on it.
  local port attempt started=0
  for attempt in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    cpsf_postgres_port_taken "$port" && continue
    if cpsf_postgres_as_owner "$bindir/pg_ctl" -D "$CPSF_POSTGRES_DIR/data" -l "$CPSF_POSTGRES_DIR/server.log" -w -t 60 \
      -o "-p $port -k $CPSF_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [[ "$started" -ne 1 ]]; then
    cpsf_postgres_log "the server did not start; its log:"
    cat "$CPSF_POSTGRES_DIR/server.log" >&2 || true
    return 1
  fi
  # pg_ctl -w waited for the start; also wait until it accepts TCP connections.
  for attempt in $(seq 1 60); do
    "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && break
    sleep 0.5
  done
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres || { cpsf_postgres_log "not accepting connections"; return 1; }

  export CPSF_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  CPSF_POSTGRES_STARTED=1
  cpsf_postgres_log "PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') at $CPSF_TEST_POSTGRES_URL"
  printf '%s\n' "$CPSF_TEST_POSTGRES_URL"
}

cpsf_postgres_stop() {
  if [[ "${CPSF_POSTGRES_STARTED:-}" == 1 ]]; then
    cpsf_postgres_as_owner "$CPSF_POSTGRES_BINDIR/pg_ctl" -D "$CPSF_POSTGRES_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    CPSF_POSTGRES_STARTED=0
    unset CPSF_TEST_POSTGRES_URL
  fi
  if [[ -n "${CPSF_POSTGRES_DIR:-}" && -d "$CPSF_POSTGRES_DIR" ]]; then
    rm -rf "$CPSF_POSTGRES_DIR"
  fi
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  # Sourced: start, and stop when the sourcing shell exits (after any EXIT trap it already had).
  cpsf_postgres_previous_trap="$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT\$/\1/")"
  trap "cpsf_postgres_stop; ${cpsf_postgres_previous_trap}" EXIT
  cpsf_postgres_start >/dev/null || return 1
else
  set -euo pipefail
  trap cpsf_postgres_stop EXIT
  trap 'exit 130' INT TERM
  cpsf_postgres_start
  if [[ $# -gt 0 ]]; then
    status=0
    "$@" || status=$?
    exit "$status"
  fi
  cpsf_postgres_log "running until interrupted (Ctrl-C)"
  while true; do sleep 3600; done
fi
