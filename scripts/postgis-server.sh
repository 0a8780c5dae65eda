#!/usr/bin/env bash
# Prepare a real PostgreSQL/PostGIS server on Debian for tests and benchmarks:
# install PostGIS when missing, start the cluster, create the database and the extension.
# Prints the DATABASE_URL to use on its last line.
#   scripts/postgis-server.sh [DBNAME]     (default: tessera_test)
set -euo pipefail
db="${1:-tessera_test}"
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
  echo "installing PostGIS (postgresql-15-postgis-3)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-15-postgis-3 postgis >&2
fi

if command -v pg_lsclusters >/dev/null; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  if ! pg_lsclusters -h | awk '{print $4}' | grep -q online; then
    pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
  fi
fi

for _ in $(seq 1 30); do
  as_postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1 && break
  sleep 1
done
if ! as_postgres psql -h 127.0.0.1 -U postgres -d postgres -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
  as_postgres createdb -h 127.0.0.1 -U postgres "$db"
fi
as_postgres psql -h 127.0.0.1 -U postgres -d "$db" -qc 'CREATE EXTENSION IF NOT EXISTS postgis' >&2
echo "postgres://postgres@127.0.0.1:5432/$db"
