#!/usr/bin/env bash
# Load test of the portal: gunicorn + PostgreSQL on loopback, locust driving every demo role's journeys.
#
#   make load                      (= nice ./scripts/with_postgres.sh ./load/run.sh)
#   USERS=100 DURATION=120s SPAWN_RATE=5 make load
#
# Needs DATABASE_URL of an empty throwaway database (scripts/with_postgres.sh gives one). Migrates, seeds the demo,
# collects static files, starts gunicorn on 127.0.0.1 (workers = cores, persistent DB connections), runs locust
# headless for DURATION, stops gunicorn and prints requests/s, p50/p95/p99 and errors (also in load/results/last.txt).
# Exit status 1 if any request failed: zero errors is the bar.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?запускайте через scripts/with_postgres.sh (make load): нужна пустая временная база}"
USERS=${USERS:-50}
# 50 logins at once would queue behind 50 password hashes (PBKDF2, ~0.5–1 s of CPU each): users arrive 2 a second,
# all 50 are in after 25 s and then run together for more than the required 60 s.
SPAWN_RATE=${SPAWN_RATE:-2}
DURATION=${DURATION:-90s}
# A free port of the loopback, unless LOAD_PORT is given (a fixed one may be taken by someone's runserver).
PORT=${LOAD_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
WORKERS=${WORKERS:-$(nproc)}
PY=.venv/bin/python

. load/common.sh
locust_venv

RUN=$(mktemp -d /tmp/shnor-load.XXXXXX)
GUNICORN_PID=
cleanup() {
  if [ -n "$GUNICORN_PID" ]; then kill -TERM "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  rm -rf "$RUN"
}
trap cleanup EXIT

production_on_loopback
export STATIC_ROOT="$RUN/static" MEDIA_ROOT="$RUN/media"
export CONN_MAX_AGE=${CONN_MAX_AGE:-60}

echo "Подготовка: миграции, демо-данные, статика…"
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo >/dev/null
$PY manage.py collectstatic --noinput -v0
# The production profile asks a department for its authenticator app's code: one enrolled, its key for locust.
export LOAD_TOTP_KEYS="$RUN/totp-keys.json"
$PY load/authenticator.py department >"$LOAD_TOTP_KEYS"
# A scenario's own preparation (load/survey.sh: the survey link it answers), with the environment above.
if [ -n "${LOAD_BEFORE:-}" ]; then eval "$LOAD_BEFORE"; fi

.venv/bin/gunicorn shnor_portal.wsgi --no-control-socket --workers "$WORKERS" --bind "127.0.0.1:$PORT" \
  --error-logfile "$RUN/gunicorn.log" --log-level warning --capture-output &
GUNICORN_PID=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/accounts/login/', timeout=2)" 2>/dev/null; then
    break
  fi
  sleep 0.2
done
if ! kill -0 "$GUNICORN_PID" 2>/dev/null; then
  echo "gunicorn не запустился:" >&2; cat "$RUN/gunicorn.log" >&2; exit 1
fi

echo "Нагрузка: $USERS пользователей (+$SPAWN_RATE/с), $DURATION, gunicorn: $WORKERS воркеров, CONN_MAX_AGE=$CONN_MAX_AGE"
mkdir -p load/results
export LOAD_REPORT=load/results/last.txt
export LOAD_SETUP="$(date --iso-8601=minutes) users=$USERS spawn=$SPAWN_RATE/s duration=$DURATION gunicorn_workers=$WORKERS cores=$(nproc) conn_max_age=$CONN_MAX_AGE loadavg_before=$(cut -d' ' -f1 /proc/loadavg)"
STATUS=0
load/.venv/bin/locust -f "${LOCUSTFILE:-load/locustfile.py}" --headless --host "http://127.0.0.1:$PORT" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 10 \
  --only-summary --loglevel WARNING >"$RUN/locust.log" 2>&1 || STATUS=$?
if [ -s "$RUN/gunicorn.log" ]; then echo "--- gunicorn:"; tail -n 20 "$RUN/gunicorn.log"; fi
if [ ! -s "$LOAD_REPORT" ] || [ "$STATUS" != 0 ]; then tail -n 40 "$RUN/locust.log"; fi
[ -s "$LOAD_REPORT" ] && cat "$LOAD_REPORT"
# A scenario's own check of what was stored (load/survey.sh: answers accepted against rows written).
if [ -n "${LOAD_AFTER:-}" ]; then eval "$LOAD_AFTER" || STATUS=1; fi
exit "$STATUS"
