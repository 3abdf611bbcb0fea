#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server.
#
#   scripts/with_postgres.sh <command> [args...]
#
# Starts a PostgreSQL server (the PostgreSQL 15 binaries: initdb, pg_ctl) on a
# temporary directory and a free port, creates the database `followup`, exports
# the standard libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE)
# for the command, and always stops and removes the server afterwards. The
# server is tuned for tests (no fsync): never point it at data you care about.
# If the binaries are missing it installs the Debian package `postgresql`.
set -euo pipefail

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "$0"
}
case "${1:-}" in
    -h | --help) usage; exit 0 ;;
    "") usage >&2; echo "with_postgres: give the command to run" >&2; exit 2 ;;
esac

find_pg_bin() {
    local candidate
    for candidate in "${PG_BIN:-}" /usr/lib/postgresql/*/bin; do
        if [ -n "$candidate" ] && [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
            echo "$candidate"
            return 0
        fi
    done
    if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        dirname "$(command -v initdb)"
        return 0
    fi
    return 1
}

if ! pg_bin=$(find_pg_bin); then
    echo "with_postgres: PostgreSQL server binaries not found; installing the Debian package postgresql" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    pg_bin=$(find_pg_bin)
fi

# PostgreSQL refuses to run as root: run the server as the `postgres` user then.
as_server_user=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_server_user=(runuser -u postgres --)
fi

workdir=$(mktemp -d /tmp/followup-pg.XXXXXX)
chmod 755 "$workdir"
[ "$(id -u)" = 0 ] && chown postgres "$workdir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
    "${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$workdir"
}
trap stop_server EXIT

"${as_server_user[@]}" "$pg_bin/initdb" -D "$workdir/data" -U followup --auth=trust \
    --encoding=UTF8 --locale=C >/dev/null
"${as_server_user[@]}" "$pg_bin/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w \
    -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50 -c work_mem=64MB -c shared_buffers=256MB -c timezone=UTC" \
    start >/dev/null
"$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U followup followup

export PGHOST=127.0.0.1 PGPORT=$port PGUSER=followup PGPASSWORD="" PGDATABASE=followup
echo "with_postgres: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on $PGHOST:$PGPORT (database $PGDATABASE)" >&2
"$@"
