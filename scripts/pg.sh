#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL cluster for the tests, in .pgdata/, on a
# loopback port, with a superuser role `doudi` and trust authentication on loopback.
set -euo pipefail
action=${1:-start}
port=${2:-54329}
data="${DOUDI_PGDATA:-/tmp/doudi-pgdata-$port}"
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "$action" in
  start)
    if [ ! -f "$data/PG_VERSION" ]; then
      mkdir -p "$data"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
      as_owner "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    fi
    psql_() { "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -qtA "$@"; }
    if [ "$(psql_ -c "select 1 from pg_roles where rolname='doudi'")" != 1 ]; then
      psql_ -c "create role doudi superuser login"
    fi
    if [ "$(psql_ -c "select 1 from pg_database where datname='doudi'")" != 1 ]; then
      psql_ -c "create database doudi owner doudi"
    fi
    echo "PostgreSQL 已在 127.0.0.1:$port 运行 (数据目录 $data)"
    ;;
  stop)
    as_owner "$bindir/pg_ctl" -D "$data" stop -m fast >/dev/null 2>&1 || true
    ;;
esac
