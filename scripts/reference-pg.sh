#!/usr/bin/env bash
# A reference PostgreSQL 15 + pgvector on loopback, to check what Quiver must answer
# (sql-tests expected rows, pgvector's regression tests). Never used by `npm test`.
#
#   scripts/reference-pg.sh setup <pgvector source dir>   build+install pgvector, initdb, start,
#                                                        create superuser role and database quiver
#   scripts/reference-pg.sh start | stop | restart | status
#   scripts/reference-pg.sh tune     settings for benchmarks (bench/knn.ts), kept across restarts;
#                                    restarts the server (connected sessions are dropped)
#   scripts/reference-pg.sh untune   back to PostgreSQL's defaults; restarts the server
#
# Environment: REF_PGDATA (default /work/ref/pgdata), REF_PORT (default 55433),
# PG_BIN (default /usr/lib/postgresql/15/bin), REF_SHARED_BUFFERS (tune, default 4GB: the
# 1M×128 table and its HNSW index), REF_MAINTENANCE_WORK_MEM (tune, default 2GB).
# Runs as root; the server runs as `postgres`.
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

restart() {
  as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' -l '$REF_PGDATA/server.log' -m fast -o \"-p $REF_PORT -h 127.0.0.1 -k /tmp\" -w restart"
}

# What a pgvector benchmark is only fair with (pgvector's README, "Index build time" and
# "Performance"): the table and index in shared_buffers, the HNSW graph built within
# maintenance_work_mem (it slows down sharply once it no longer fits), a parallel build
# worker (the machine has 2 cores), and no JIT for millisecond queries.
TUNED_SETTINGS=(shared_buffers maintenance_work_mem max_parallel_maintenance_workers effective_cache_size jit)

tune() {
  local psql=(psql -X -q -h 127.0.0.1 -p "$REF_PORT" -U postgres -d postgres)
  "${psql[@]}" -c "ALTER SYSTEM SET shared_buffers = '${REF_SHARED_BUFFERS:-4GB}'" \
    -c "ALTER SYSTEM SET maintenance_work_mem = '${REF_MAINTENANCE_WORK_MEM:-2GB}'" \
    -c "ALTER SYSTEM SET max_parallel_maintenance_workers = 1" \
    -c "ALTER SYSTEM SET effective_cache_size = '8GB'" \
    -c "ALTER SYSTEM SET jit = off"
  restart
  "${psql[@]}" -c "SELECT name, setting, unit FROM pg_settings WHERE name IN ($(printf "'%s'," "${TUNED_SETTINGS[@]}" | sed 's/,$//')) ORDER BY name"
}

untune() {
  local psql=(psql -X -q -h 127.0.0.1 -p "$REF_PORT" -U postgres -d postgres)
  local name
  for name in "${TUNED_SETTINGS[@]}"; do "${psql[@]}" -c "ALTER SYSTEM RESET $name"; done
  restart
}

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
  restart) restart ;;
  tune) tune ;;
  untune) untune ;;
  status) as_postgres "'$PG_BIN/pg_ctl' -D '$REF_PGDATA' status" ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
