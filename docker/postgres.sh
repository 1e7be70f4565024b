#!/bin/sh
# PostgreSQL 15 of the db image: a cluster made on the first start in the
# volume (user POSTGRES_USER with POSTGRES_PASSWORD, reachable with a
# password from the compose network), then the server in the foreground.
set -eu
: "${POSTGRES_USER:=tryton}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "POSTGRES_PASSWORD is not set" >&2
        exit 1
    fi
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 \
        --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' \
    -c shared_buffers="${POSTGRES_SHARED_BUFFERS:-256MB}" \
    -c max_connections="${POSTGRES_MAX_CONNECTIONS:-200}"
