#!/usr/bin/env bash
# A reference PostgreSQL 15 + pgvector on loopback, to check what Quiver must answer
# (sql-tests expected rows, pgvector's regression tests). Never used by `npm test`.
#
#   scripts/reference-pg.sh setup <pgvector source dir>   build+install pgvector, initdb, start,
#                                                        create superuser role and database quiver
#   scripts/reference-pg.sh start | stop | status
#
# Environment: REF_PGDATA (default /work/ref/pgdata), REF_PORT (default 55433),
# PG_BIN (default /usr/lib/postgresql/15/bin). Runs as root; the server runs as `postgres`.
# The pgvector source is not part of this repository: bring it yourself.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
REF_PGDATA=${REF_PGDATA:-/work/ref/pgdata}
REF_PORT=${REF_PORT:-55433}

as_postgres() { su postgres -s /bin/bash -c "$*"; }

start() {
  if as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' status" >/dev/null 2>&1; then
    echo "reference-pg: already running on 127.0.0.1:$REF_PORT"
    return
  fi
  as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' -l '$REF_PGDATA/server.log' -o \"-p $REF_PORT -h 127.0.0.1 -k /tmp\" -w start"
}

stop() { as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' -m fast -w stop"; }

setup() {
  local src=${1:?usage: reference-pg.sh setup <pgvector source dir>}
  src=$(cd "$src" && pwd)
  if [[ ! -x $PG_BIN/postgres ]]; then
    apt-get update -qq && apt-get install -y -qq postgresql-15
  fi
  if [[ ! -e $(dirname "$PG_BIN")/lib/pgxs/src/makefiles/pgxs.mk ]]; then
    apt-get update -qq && apt-get install -y -qq postgresql-server-dev-15
  fi
  make -C "$src" PG_CONFIG="$PG_BIN/pg_config"
  make -C "$src" install PG_CONFIG="$PG_BIN/pg_config"
  if [[ ! -f $REF_PGDATA/PG_VERSION ]]; then
    mkdir -p "$REF_PGDATA"
    chown postgres:postgres "$REF_PGDATA"
    chmod 700 "$REF_PGDATA"
    # C collation and UTF8, trust auth: what sql-tests' expected rows assume.
    as_postgres "'$PG_BIN/initdb' -D '$REF_PGDATA' -U postgres -E UTF8 --no-locale --auth=trust"
  fi
  start
  local psql=(psql -X -q -h 127.0.0.1 -p "$REF_PORT" -U postgres -d postgres)
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'quiver'") ]]; then
    "${psql[@]}" -c 'CREATE ROLE quiver SUPERUSER LOGIN'
  fi
  if [[ -z $("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'quiver'") ]]; then
    "${psql[@]}" -c 'CREATE DATABASE quiver OWNER quiver'
  fi
  echo "reference-pg: ready on 127.0.0.1:$REF_PORT (user quiver, database quiver)"
}

case "${1:-}" in
  setup) shift; setup "$@" ;;
  start) start ;;
  stop) stop ;;
  status) as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' status" ;;
  *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
