#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster (DATABASE_URL is set for it);
# the cluster is stopped and removed on exit, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PGROOT=$(mktemp -d /tmp/shnor-pg.XXXXXX)
export PGHOST=$PGROOT/sock PGPORT=${PGPORT:-54329}
mkdir -p "$PGROOT/data" "$PGHOST"

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_cluster() {
  as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PGROOT"
}
trap stop_cluster EXIT

# initdb refuses to run as root: the cluster belongs to the postgres user.
if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$PGROOT"; fi
chmod 700 "$PGROOT/data"
as_postgres "$PGBIN/initdb" -D "$PGROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# The socket lives in a private directory, so parallel runs on one machine do not collide.
as_postgres "$PGBIN/pg_ctl" -D "$PGROOT/data" -l "$PGROOT/pg.log" -w -t 30 \
  -o "-k $PGHOST -p $PGPORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
as_postgres "$PGBIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
  -c "CREATE ROLE portal LOGIN PASSWORD 'portal' CREATEDB" -c "CREATE DATABASE portal OWNER portal"

export DATABASE_URL="postgres://portal:portal@/portal?host=$PGHOST&port=$PGPORT"
"$@"
