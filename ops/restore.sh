#!/bin/sh
# Restore a dump made by ops/backup.sh into an EMPTY database, in one transaction: either
# everything is restored or nothing is.
#
#   createdb -h HOST -U USER portal_restored
#   ops/restore.sh portal-20261123.dump postgres://USER@HOST:5432/portal_restored
#
# Then compare `manage.py figures` on both databases (docs/operations.md).
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 FILE DATABASE_URL" >&2
  exit 2
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname "$2" "$1"
echo "restored $1"
