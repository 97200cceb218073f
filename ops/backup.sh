#!/bin/sh
# Dump the portal's database to one file (PostgreSQL custom format, compressed).
#
#   ops/backup.sh "$DATABASE_URL" portal-$(date +%Y%m%d).dump
#
# Keep FIELD_ENCRYPTION_KEY and ID_HASH_KEY with the dump (apart from it): without them the
# ID numbers in it can be neither read nor found. See docs/operations.md.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 DATABASE_URL FILE" >&2
  exit 2
fi
pg_dump --format=custom --no-owner --no-privileges --file "$2" "$1"
echo "dumped to $2 ($(wc -c < "$2") bytes)"
