#!/bin/sh
# docker/Dockerfile, stage seed: a throwaway PostgreSQL 15 in which
# `entrypoint.py seed` builds the new database and the demo factory and
# dumps them into $1 (database.dump, demo.dump); the init service restores
# one of them instead of building it on the first start of a site
set -eu
out=$1
bin=/usr/lib/postgresql/15/bin
pgdata=/tmp/seed-pgdata
install -d "$out" /tmp/seed-files
install -d -o postgres -g postgres "$pgdata" /var/run/postgresql
runuser -u postgres -- "$bin/initdb" -D "$pgdata" -U tryton -A trust \
    -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -w -l /tmp/seed-pg.log \
    -o "-c fsync=off -c full_page_writes=off -c listen_addresses=''" start
trap 'runuser -u postgres -- "$bin/pg_ctl" -D "$pgdata" -m fast stop \
    >/dev/null || :; rm -rf "$pgdata" /tmp/seed-files' EXIT
# PYTHONOPTIMIZE=1 as the app containers run (and a third faster)
TRYTOND_DATABASE__URI=postgresql://tryton@/ \
    TRYTOND_DATABASE__PATH=/tmp/seed-files PYTHONOPTIMIZE=1 \
    python /opt/zhizao/docker/entrypoint.py seed "$out"
