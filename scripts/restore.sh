#!/usr/bin/env bash
# Restore of a copy made by scripts/backup.sh into an EMPTY database and an empty MEDIA_ROOT.
#
#   scripts/restore.sh [--force] BACKUP_DIR      (or: make restore IN=BACKUP_DIR [FORCE=1])
#
# database.pgdump  → `pg_restore` into the PostgreSQL database of DATABASE_URL (it creates the tables);
# database.xml.gz → `manage.py migrate` then `loaddata` into the portal's database (SQLite or PostgreSQL);
# media.tar.gz     → unpacked into MEDIA_ROOT, or uploaded into the S3 bucket (`manage.py media_bucket restore`).
# Everything is checked before anything is written: the checksums, that the database has no data and MEDIA_ROOT
# no files. --force replaces what is there (pg_restore --clean / manage.py flush) — stop the portal first.
set -euo pipefail

FORCE=0
if [ "${1:-}" = "--force" ]; then FORCE=1; shift; fi
if [ $# -ne 1 ]; then
  echo "Использование: $0 [--force] КАТАЛОГ_КОПИИ" >&2
  exit 2
fi
IN=$(realpath -- "$1")
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}

fail() { echo "$*" >&2; exit 1; }

[ -f "$IN/SHA256SUMS" ] || fail "В $IN нет SHA256SUMS: это не копия scripts/backup.sh."
(cd "$IN" && sha256sum --check --quiet SHA256SUMS) || fail "Файлы копии $IN повреждены (не сходятся контрольные суммы)."
if [ -f "$IN/database.pgdump" ]; then DATABASE_FILE=database.pgdump; else DATABASE_FILE=database.xml.gz; fi
[ -f "$IN/$DATABASE_FILE" ] || fail "В $IN нет файла базы (database.pgdump или database.xml.gz)."

django() { "$PYTHON" -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shnor_portal.settings'); django.setup(); $1"; }
# The files are in MEDIA_ROOT, or in the bucket (s3://NAME) when AWS_STORAGE_BUCKET_NAME is set.
INFO=$(django "from django.conf import settings; from django.db import connection; bucket = settings.AWS_STORAGE_BUCKET_NAME; print(connection.vendor, f's3://{bucket}' if bucket else settings.MEDIA_ROOT)")
read -r VENDOR MEDIA_DIR <<<"$INFO"
in_bucket() { [ "${MEDIA_DIR#s3://}" != "$MEDIA_DIR" ]; }

pg_tool() {
  if [ -n "${PGBIN:-}" ]; then echo "$PGBIN/$1"; return; fi
  local newest
  newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$newest" ] && [ -x "$newest/$1" ]; then echo "$newest/$1"; else command -v "$1"; fi
}
libpq_url() { printf '%s' "$DATABASE_URL" | sed -E 's#^(pgsql|postgis)://#postgresql://#'; }

# Is the target empty? Tables for pg_restore; rows (other than what `migrate` itself creates) for loaddata.
if [ "$DATABASE_FILE" = database.pgdump ]; then
  [ "$VENDOR" = postgresql ] || fail "Копия PostgreSQL (database.pgdump) восстанавливается только в PostgreSQL: задайте DATABASE_URL."
  TABLES=$("$(pg_tool psql)" --no-psqlrc --quiet --tuples-only --no-align --dbname="$(libpq_url)" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  NOT_EMPTY=$([ "$TABLES" -gt 0 ] && echo "в базе уже есть таблицы ($TABLES)" || true)
else
  "$PYTHON" manage.py migrate --noinput -v0
  NOT_EMPTY=$(django "
from django.apps import apps
skip = {'contenttypes.contenttype', 'auth.permission'}
rows = [m._meta.label for m in apps.get_models() if m._meta.label_lower not in skip and m._default_manager.exists()]
print('в базе уже есть данные: ' + ', '.join(rows[:5]) if rows else '')")
fi
if [ -n "$NOT_EMPTY" ] && [ "$FORCE" = 0 ]; then
  fail "Восстановление отменено: $NOT_EMPTY. Восстанавливайте в пустую базу или запустите с --force, чтобы заменить данные."
fi
if in_bucket; then
  OBJECTS=$("$PYTHON" manage.py media_bucket count)
  if [ "$OBJECTS" != 0 ] && [ "$FORCE" = 0 ]; then
    fail "Восстановление отменено: в корзине $MEDIA_DIR уже есть файлы ($OBJECTS). Укажите пустую корзину или запустите с --force."
  fi
elif [ -d "$MEDIA_DIR" ] && [ -n "$(ls -A "$MEDIA_DIR")" ] && [ "$FORCE" = 0 ]; then
  fail "Восстановление отменено: в MEDIA_ROOT ($MEDIA_DIR) уже есть файлы. Укажите пустой каталог или запустите с --force."
fi

if [ "$DATABASE_FILE" = database.pgdump ]; then
  CLEAN=()
  if [ -n "$NOT_EMPTY" ]; then CLEAN=(--clean --if-exists); fi
  # One transaction: either the whole copy is in, or nothing is. Owner and grants are the restoring role's.
  "$(pg_tool pg_restore)" --exit-on-error --single-transaction --no-owner --no-privileges "${CLEAN[@]}" \
    --dbname="$(libpq_url)" "$IN/database.pgdump"
else
  if [ -n "$NOT_EMPTY" ]; then "$PYTHON" manage.py flush --noinput; fi
  "$PYTHON" manage.py loaddata --verbosity 1 "$IN/database.xml.gz"
fi

if in_bucket; then
  "$PYTHON" manage.py media_bucket restore "$IN/media.tar.gz"
else
  mkdir -p "$MEDIA_DIR"
  tar --extract --gzip --file="$IN/media.tar.gz" --directory="$MEDIA_DIR" --no-same-owner
fi
echo "Восстановлено из $IN: база ($VENDOR), файлы в $MEDIA_DIR."
