#!/usr/bin/env bash
# A throwaway Debian PostgreSQL cluster for the second test leg.
#   scripts/pg15.sh start   → prints DATABASE_URL=…
#   scripts/pg15.sh stop
set -euo pipefail
PGPORT="${PGPORT:-55433}"
PGTMP="${PGTMP:-$PWD/.data/pg15-$PGPORT}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | head -1)"
[ -n "$PGBIN" ] || { echo "no Debian PostgreSQL found (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"; mkdir -p "$PGTMP"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$PGTMP"
      # the postgres user must be able to reach the data directory through every parent
      d="$PGTMP"; while [ "$d" != / ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done
    fi
    as_pg "$PGBIN/initdb" -D "$PGTMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -t 30 -o "-p $PGPORT -k '' \
      -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
    echo "DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/postgres"
    echo "server: $("$PGBIN/postgres" --version)" >&2
    ;;
  stop)
    as_pg "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PGTMP"
    ;;
esac
