#!/bin/sh
# Back up frontdesk's database into BACKUP_DIR, keep the KEEP_BACKUPS newest backups.
#
# PostgreSQL: a custom-format dump (pg_dump -Fc: compressed, restorable table by table with
# pg_restore), checked by listing it before it replaces nothing. SQLite: the online backup API
# (sqlite3 ".backup"), safe while `frontdesk serve` writes (copying the file with cp is not: the
# WAL may hold committed pages the copy misses), checked with PRAGMA integrity_check.
#
# Environment (the same EnvironmentFile as the services, plus):
#   FRONTDESK_DATABASE_URL  the database to back up (sqlite+aiosqlite:///… or postgresql+psycopg://…)
#   BACKUP_DIR              where backups go (default /var/backups/frontdesk)
#   KEEP_BACKUPS            how many backups to keep, newest first by the UTC time in their
#                           name (default 14: two weeks of daily ones; 0 keeps all). By count,
#                           not file age: a wrong clock or a paused timer never deletes the last
#                           good backups.
# Prints the path of the new backup. Exit non-zero on any failure (systemd then marks the unit
# failed; alert on it, see docs/deployment.md#backups).
set -eu

url="${FRONTDESK_DATABASE_URL:?FRONTDESK_DATABASE_URL is not set}"
dir="${BACKUP_DIR:-/var/backups/frontdesk}"
keep="${KEEP_BACKUPS:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"
out=""
# A failed run leaves no half-written backup behind (it would look like a good one).
trap 'if [ -n "$out" ]; then rm -f "$out.partial"; fi' EXIT

case "$url" in
  postgresql*)
    # libpq reads the URL itself once SQLAlchemy's driver suffix is gone.
    pgurl="$(printf '%s' "$url" | sed 's#^postgresql+[a-z0-9]*://#postgresql://#')"
    out="$dir/frontdesk-$stamp.dump"
    pg_dump --format=custom --no-owner --dbname="$pgurl" --file="$out.partial"
    pg_restore --list "$out.partial" > /dev/null
    ;;
  sqlite*)
    path="${url#*:///}"
    [ -f "$path" ] || { echo "no SQLite database at $path" >&2; exit 1; }
    out="$dir/frontdesk-$stamp.db"
    sqlite3 "$path" ".backup '$out.partial'"
    [ "$(sqlite3 "$out.partial" 'PRAGMA integrity_check;')" = ok ]
    ;;
  *)
    echo "unsupported FRONTDESK_DATABASE_URL scheme" >&2
    exit 2
    ;;
esac

mv "$out.partial" "$out"
if [ "$keep" -gt 0 ]; then
  # Names are frontdesk-YYYYMMDDTHHMMSSZ.(dump|db): sorting them sorts by time.
  find "$dir" -maxdepth 1 -type f \( -name 'frontdesk-*.dump' -o -name 'frontdesk-*.db' \) \
    | sort -r | tail -n "+$((keep + 1))" | while read -r old; do rm -f "$old"; done
fi
echo "$out"
