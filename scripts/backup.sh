#!/usr/bin/env bash
# Backup of the portal: the database and the stored files, into a new directory.
#
#   scripts/backup.sh OUT_DIR          (or: make backup [OUT=OUT_DIR])
#
# PostgreSQL (DATABASE_URL=postgres://…): `pg_dump -Fc` → OUT_DIR/database.pgdump
# SQLite (no DATABASE_URL):               `manage.py dumpdata` → OUT_DIR/database.xml.gz
#   (XML rather than JSON: Django's JSON cuts timestamps to milliseconds, XML keeps every microsecond)
# Stored files (MEDIA_ROOT):              OUT_DIR/media.tar.gz
# Stored files in an S3 bucket:           every object, by `manage.py media_bucket backup`, into the same media.tar.gz
# plus MANIFEST.txt (what and when) and SHA256SUMS, which scripts/restore.sh checks first.
#
# The copy is written to OUT_DIR.partial and renamed at the end, so a directory named OUT_DIR is always complete.
# Settings come from the same environment as the portal's (DATABASE_URL, MEDIA_ROOT, …); see docs/PRODUCTION.md.
set -euo pipefail

if [ $# -ne 1 ] || [ "${1#-}" != "$1" ]; then
  echo "Использование: $0 КАТАЛОГ_КОПИИ" >&2
  exit 2
fi
OUT=$(realpath -m -- "$1")
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

if [ -e "$OUT" ]; then
  echo "Каталог $OUT уже есть: резервная копия пишется только в новый каталог." >&2
  exit 1
fi

# Which database and where the files are, as the portal itself sees them.
django() { "$PYTHON" -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shnor_portal.settings'); django.setup(); $1"; }
# The files are in MEDIA_ROOT, or in the bucket (s3://NAME) when AWS_STORAGE_BUCKET_NAME is set.
INFO=$(django "from django.conf import settings; from django.db import connection; bucket = settings.AWS_STORAGE_BUCKET_NAME; print(connection.vendor, f's3://{bucket}' if bucket else settings.MEDIA_ROOT)")
read -r VENDOR MEDIA_DIR <<<"$INFO"
in_bucket() { [ "${MEDIA_DIR#s3://}" != "$MEDIA_DIR" ]; }

# The PostgreSQL client of the newest installed version (pg_dump must not be older than the server).
pg_tool() {
  if [ -n "${PGBIN:-}" ]; then echo "$PGBIN/$1"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$newest" ] && [ -x "$newest/$1" ]; then echo "$newest/$1"; else command -v "$1"; fi
}
# libpq understands postgres:// and postgresql:// (dj-database-url also takes pgsql:// and postgis://).
libpq_url() { printf '%s' "$DATABASE_URL" | sed -E 's#^(pgsql|postgis)://#postgresql://#'; }

PARTIAL="$OUT.partial"
rm -rf "$PARTIAL"
mkdir -p "$PARTIAL"
trap 'rm -rf "$PARTIAL"' EXIT

case "$VENDOR" in
  postgresql)
    "$(pg_tool pg_dump)" --format=custom --compress=6 --file="$PARTIAL/database.pgdump" --dbname="$(libpq_url)"
    DATABASE_FILE=database.pgdump
    ;;
  sqlite)
    # Content types and permissions are rebuilt by `migrate` on restore; rows refer to them by natural keys.
    "$PYTHON" manage.py dumpdata --natural-foreign --natural-primary \
      --exclude contenttypes --exclude auth.permission \
      --format xml --output "$PARTIAL/database.xml.gz"
    DATABASE_FILE=database.xml.gz
    ;;
  *)
    echo "База $VENDOR не поддерживается: только PostgreSQL и SQLite." >&2
    exit 1
    ;;
esac

if in_bucket; then
  "$PYTHON" manage.py media_bucket backup "$PARTIAL/media.tar.gz"
elif [ -d "$MEDIA_DIR" ]; then
  tar --create --gzip --file="$PARTIAL/media.tar.gz" --directory="$MEDIA_DIR" .
else
  tar --create --gzip --file="$PARTIAL/media.tar.gz" --files-from=/dev/null
fi

{
  echo "Резервная копия портала ШНОР"
  echo "created: $(date --iso-8601=seconds)"
  echo "database: $VENDOR ($DATABASE_FILE)"
  echo "media: $MEDIA_DIR ($(tar --list --gzip --file="$PARTIAL/media.tar.gz" | grep -cv '/$' || true) файлов)"
  echo "code: $(git rev-parse HEAD 2>/dev/null || echo unknown)"
} >"$PARTIAL/MANIFEST.txt"
(cd "$PARTIAL" && sha256sum "$DATABASE_FILE" media.tar.gz MANIFEST.txt >SHA256SUMS)

mv "$PARTIAL" "$OUT"
trap - EXIT
echo "Резервная копия: $OUT"
