#!/usr/bin/env bash
# Runs pgvector's regression test files against a server the way PostgreSQL's
# pg_regress does, so that Quiver can be held to pgvector's own expected output.
#
# Usage: scripts/pgvector-regress.sh -s <pgvector source dir> [-h host] [-p port]
#          [-U user] [-d db] [test ...]
#   tests default to: vector_type hnsw_vector ivfflat_vector
#   (names are files test/sql/<name>.sql with expected output test/expected/<name>.out)
#
# What it copies from pg_regress (PostgreSQL 15, src/test/regress/pg_regress*.c):
# - each file is fed to `psql -X -a -q -d <db> -v HIDE_TABLEAM=on
#   -v HIDE_TOAST_COMPRESSION=on < in.sql > out 2>&1`;
# - environment: LANGUAGE and LC_ALL unset, LC_MESSAGES=C, PGTZ=PST8PDT,
#   PGDATESTYLE='Postgres, MDY', PGOPTIONS += '-c intervalstyle=postgres_verbose',
#   PGAPPNAME=pg_regress/<test>, PGCLIENTENCODING unset;
# - a fresh database per run (CREATE DATABASE ... TEMPLATE=template0 plus the
#   ALTER DATABASE ... SET lines pg_regress issues), then --load-extension=vector;
# - the result is compared with `diff -U3` against the expected file.
# When the server cannot create databases (Quiver may not), the given database is
# used as it is and a note is printed.
# Exit status: 0 when every test matched, 1 otherwise, 2 on usage/setup errors.
set -euo pipefail

host=127.0.0.1
port=5433
user=quiver
basedb=quiver
srcdir=
regressdb=contrib_regression

usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while getopts 's:h:p:U:d:' opt; do
  case "$opt" in
    s) srcdir=$OPTARG ;;
    h) host=$OPTARG ;;
    p) port=$OPTARG ;;
    U) user=$OPTARG ;;
    d) basedb=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[[ -n "$srcdir" && -d "$srcdir/test/sql" ]] || { echo "pgvector-regress: -s <pgvector source dir> is required" >&2; usage; }
srcdir=$(cd "$srcdir" && pwd)
tests=("$@")
[[ ${#tests[@]} -gt 0 ]] || tests=(vector_type hnsw_vector ivfflat_vector)

command -v psql >/dev/null || { echo "pgvector-regress: psql not found (run scripts/setup-deps.sh)" >&2; exit 2; }

unset LANGUAGE LC_ALL PGCLIENTENCODING PGSERVICE
export LC_MESSAGES=C
export PGTZ=PST8PDT
export PGDATESTYLE='Postgres, MDY'
export PGOPTIONS="${PGOPTIONS:-} -c intervalstyle=postgres_verbose"
export PGHOST=$host PGPORT=$port PGUSER=$user

outdir=$(mktemp -d "${TMPDIR:-/tmp}/pgvector-regress.XXXXXX")
# pg_regress runs psql in its output directory, whose results/ subdirectory some
# tests write to (copy.sql: \copy ... TO 'results/vector.bin').
mkdir -p "$outdir/results"

admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c "$2" >>"$outdir/setup.log" 2>&1; }

db=$regressdb
if admin "$basedb" "DROP DATABASE IF EXISTS \"$regressdb\"" &&
  admin "$basedb" "CREATE DATABASE \"$regressdb\" TEMPLATE=template0"; then
  admin "$basedb" "ALTER DATABASE \"$regressdb\" SET lc_messages TO 'C'; ALTER DATABASE \"$regressdb\" SET lc_monetary TO 'C'; ALTER DATABASE \"$regressdb\" SET lc_numeric TO 'C'; ALTER DATABASE \"$regressdb\" SET lc_time TO 'C'; ALTER DATABASE \"$regressdb\" SET bytea_output TO 'hex'; ALTER DATABASE \"$regressdb\" SET timezone_abbreviations TO 'Default'" ||
    echo "note: ALTER DATABASE ... SET not accepted; continuing"
else
  echo "note: could not create a fresh database; using \"$basedb\" as it is (see $outdir/setup.log)"
  db=$basedb
fi
if ! admin "$db" 'CREATE EXTENSION IF NOT EXISTS "vector"'; then
  echo "pgvector-regress: CREATE EXTENSION vector failed (see $outdir/setup.log)" >&2
  exit 2
fi

failed=0
for t in "${tests[@]}"; do
  infile=$srcdir/test/sql/$t.sql
  expected=$srcdir/test/expected/$t.out
  result=$outdir/results/$t.out
  if [[ ! -f "$infile" || ! -f "$expected" ]]; then
    printf 'test %-24s ... FAILED (no such test in %s)\n' "$t" "$srcdir/test"
    failed=$((failed + 1))
    continue
  fi
  start=$(date +%s%N)
  (cd "$outdir" && PGAPPNAME="pg_regress/$t" psql -X -a -q -d "$db" -v HIDE_TABLEAM=on -v HIDE_TOAST_COMPRESSION=on \
    <"$infile" >"$result" 2>&1) || true
  ms=$((($(date +%s%N) - start) / 1000000))
  if diff -U3 "$expected" "$result" >"$outdir/$t.diff"; then
    rm -f "$outdir/$t.diff"
    printf 'test %-24s ... ok %8d ms\n' "$t" "$ms"
  else
    printf 'test %-24s ... FAILED %4d ms  (%s)\n' "$t" "$ms" "$outdir/$t.diff"
    failed=$((failed + 1))
  fi
done

if [[ $db == "$regressdb" ]]; then
  admin "$basedb" "DROP DATABASE IF EXISTS \"$regressdb\"" || true
fi

total=${#tests[@]}
echo "$((total - failed)) passed, $failed failed (outputs in $outdir)"
[[ $failed -eq 0 ]]
