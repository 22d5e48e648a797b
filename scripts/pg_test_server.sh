#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the store tests and print its URL.
#
#   export HOPTAC_TEST_PG=$(scripts/pg_test_server.sh DIR)
#
# Installs Debian's postgresql when it is missing. The server listens only on a Unix
# socket inside DIR and trusts local connections; it runs as the `postgres` user because
# PostgreSQL refuses to run as root. Stop it with: pg_ctl -D DIR/data stop
set -euo pipefail
dir=$(realpath -m "${1:?usage: pg_test_server.sh DIR}")
port=${PGPORT_TEST:-54329}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ]; then
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq postgresql postgresql-contrib) >&2
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
if ! as_owner "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
        -o "-k $dir -p $port -c listen_addresses='' -c fsync=off" start >&2
fi
as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = 'hoptac_test'" | grep -q 1 \
    || as_owner "$bindir/createdb" -h "$dir" -p "$port" -U postgres hoptac_test >&2
echo "postgresql+psycopg://postgres@/hoptac_test?host=$dir&port=$port"
