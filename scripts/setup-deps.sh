#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, and nothing when they are
# all present (idempotent). Called first by scripts/test.mjs (npm test).
#
# Add a package by appending "<package> <command-or-file that proves it is installed>"
# to REQUIRED below. The probe is checked first so that a machine where the tool
# came from elsewhere is not touched; dpkg is asked when the probe is absent.
set -euo pipefail

# package                  probe (a command on PATH, or an absolute path)
REQUIRED=(
  "postgresql-client       psql"
  # Planned by DESIGN.md §7, enable when their tests land:
  "etcd-server             etcd"
  "default-jdk-headless    javac"
  "libpostgresql-jdbc-java /usr/share/java/postgresql.jar"
  "python3-psycopg2        /usr/lib/python3/dist-packages/psycopg2/__init__.py"
  "python3-sqlalchemy      /usr/lib/python3/dist-packages/sqlalchemy/__init__.py"
)

present() {
  local pkg=$1 probe=$2
  if [[ $probe == /* ]]; then
    [[ -e $probe ]] && return 0
  elif command -v "$probe" >/dev/null 2>&1; then
    return 0
  fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for entry in "${REQUIRED[@]}"; do
  read -r pkg probe <<<"$entry"
  present "$pkg" "$probe" || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup-deps: all ${#REQUIRED[@]} required packages present"
  exit 0
fi

echo "setup-deps: missing: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    echo "setup-deps: not root and no password-less sudo; install them by hand:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=()
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-deps: apt-get not available; install by hand: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

for entry in "${REQUIRED[@]}"; do
  read -r pkg probe <<<"$entry"
  present "$pkg" "$probe" || { echo "setup-deps: $pkg still missing after install" >&2; exit 1; }
done
echo "setup-deps: installed ${missing[*]}"
