#!/bin/sh
# Restore a backup made by frontdesk-backup.sh into a FRESH database, never over a live one.
#
#   frontdesk-restore.sh BACKUP TARGET_URL
#
# BACKUP      a .dump (PostgreSQL, pg_dump -Fc) or .db (SQLite) file
# TARGET_URL  postgresql+psycopg://user:pass@host:port/NEWDB — NEWDB is created and must not
#             exist yet (the user needs CREATEDB) — or sqlite+aiosqlite:///path/new.db (the file
#             must not exist yet)
#
# Restores in one transaction (all or nothing), then prints the schema revision and the
# number of appointments. Afterwards: `frontdesk db upgrade` against TARGET_URL if the backup is
# older than the release, `frontdesk doctor`, then switch (docs/runbook.md#restore-from-backup).
set -eu

backup="${1:?usage: frontdesk-restore.sh BACKUP TARGET_URL}"
target="${2:?usage: frontdesk-restore.sh BACKUP TARGET_URL}"
[ -f "$backup" ] || { echo "no backup at $backup" >&2; exit 1; }

case "$target" in
  postgresql*)
    pgurl="$(printf '%s' "$target" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')"
    # The database name is the URL's path; the server's maintenance database creates it.
    name="$(printf '%s' "$pgurl" | sed -E 's#^[^/]*//[^/]*/([^?]*).*$#\1#')"
    admin="$(printf '%s' "$pgurl" | sed -E 's#^([^/]*//[^/]*/)[^?]*#\1postgres#')"
    case "$name" in
      ''|*[!A-Za-z0-9_]*) echo "target database name must be [A-Za-z0-9_]+" >&2; exit 2 ;;
    esac
    psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --dbname="$admin" \
      --command="CREATE DATABASE \"$name\""
    pg_restore --no-owner --exit-on-error --single-transaction --dbname="$pgurl" "$backup"
    query() { psql --no-psqlrc --tuples-only --no-align --dbname="$pgurl" --command="$1"; }
    ;;
  sqlite*)
    path="${target#*:///}"
    [ ! -e "$path" ] || { echo "$path exists: restore into a new file" >&2; exit 1; }
    [ "$(sqlite3 "$backup" 'PRAGMA integrity_check;')" = ok ]
    sqlite3 "$backup" ".backup '$path'"
    query() { sqlite3 "$path" "$1"; }
    ;;
  *)
    echo "unsupported TARGET_URL scheme" >&2
    exit 2
    ;;
esac

echo "revision: $(query 'SELECT version_num FROM alembic_version;')"
echo "appointments: $(query 'SELECT count(*) FROM appointment;')"
