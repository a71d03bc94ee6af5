#!/usr/bin/env bash
# The several-host rehearsal on one machine (issue 23, item 5): two app hosts, one task worker, one PostgreSQL and an
# S3 server, a locust mix at the country's scale for five minutes, and one app host killed midway.
#
#   make load-cluster                          (= nice ./scripts/with_postgres.sh ./load/cluster.sh)
#   SCHOOLS=2000 DURATION=2m make load-cluster # a quick run; also USERS (30), SPAWN_RATE (1), WORKERS (2 a host)
#
# Needs DATABASE_URL of an empty throwaway database (scripts/with_postgres.sh gives one). Generates SCHOOLS schools
# (manage.py generate_scale, default 40,000); starts moto's S3 server with a private bucket (every uploaded file,
# held upload and report goes there, as it must when hosts share no disk); two gunicorn hosts on their own ports,
# each with its own MEDIA_ROOT, STATIC_ROOT and TMPDIR; one `manage.py db_worker`; load/balancer.py in front of the
# hosts. locust (load/cluster_locustfile.py) drives the mix through the balancer for DURATION; at half time host A
# gets SIGKILL, master and workers at once. Afterwards the queue must drain and load/cluster_db.py compares the rows
# written with the writes accepted. The table goes to load/results/cluster.txt. Exit status 1 on an error other than
# the killed host's in-flight requests, on a row lost, or on a report job that did not finish. The figures are those
# of the steady state, counted from the moment every user has logged in: the logins' burst of the first minute, one
# password hash each, is not in them (errors are counted over the whole run).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?запускайте через scripts/with_postgres.sh (make load-cluster): нужна пустая временная база}"
SCHOOLS=${SCHOOLS:-40000}
USERS=${USERS:-30}
SPAWN_RATE=${SPAWN_RATE:-1}
DURATION=${DURATION:-5m}
WORKERS=${WORKERS:-2}
PY=$PWD/.venv/bin/python
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_ok() { python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null; }
seconds() { case "$1" in *h) echo $(( ${1%h} * 3600 ));; *m) echo $(( ${1%m} * 60 ));; *s) echo "${1%s}";; *) echo "$1";; esac; }

. load/common.sh
locust_venv

RUN=$(mktemp -d /tmp/shnor-cluster.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$RUN"
}
trap cleanup EXIT

production_on_loopback
export NO_PROXY=${NO_PROXY:+$NO_PROXY,}127.0.0.1

# The S3 server (moto, from requirements-dev) and the bucket every host and the worker share.
S3_PORT=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$RUN/moto.log" 2>&1 &
PIDS+=($!)
export AWS_STORAGE_BUCKET_NAME=shnor-cluster AWS_S3_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_S3_REGION_NAME=us-east-1
export AWS_S3_ADDRESSING_STYLE=path AWS_S3_ACCESS_KEY_ID=cluster AWS_S3_SECRET_ACCESS_KEY=cluster-secret
for _ in $(seq 1 100); do
  http_ok "$AWS_S3_ENDPOINT_URL/moto-api/" && break
  sleep 0.2
done
$PY -c "import boto3, os; boto3.client('s3', endpoint_url=os.environ['AWS_S3_ENDPOINT_URL'], region_name='us-east-1',
aws_access_key_id='cluster', aws_secret_access_key='cluster-secret').create_bucket(Bucket='shnor-cluster')"

echo "Подготовка: миграции, $SCHOOLS школ, участники нагрузки…"
started=$(date +%s)
$PY manage.py migrate --noinput -v0
$PY manage.py generate_scale --schools "$SCHOOLS" | grep -E '^\[|Готово' | tail -n 3
$PY -c "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shnor_portal.settings'); django.setup()
from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"
export CLUSTER_FIXTURE="$RUN/fixture.json" CLUSTER_ACCEPTED="$RUN/accepted.json" CLUSTER_KILL_FILE="$RUN/kill.json"
$PY load/cluster_db.py prepare "$CLUSTER_FIXTURE" "$RUN/self-assessments"
echo "Подготовка заняла $(( $(date +%s) - started )) с"

# A host: its own folders (nothing is shared on disk), its own port, gunicorn with WORKERS sync workers.
start_host() {
  local name=$1 port=$2 dir=$RUN/host-$1
  mkdir -p "$dir/static" "$dir/media" "$dir/tmp"
  STATIC_ROOT="$dir/static" MEDIA_ROOT="$dir/media" TMPDIR="$dir/tmp" $PY manage.py collectstatic --noinput -v0
  STATIC_ROOT="$dir/static" MEDIA_ROOT="$dir/media" TMPDIR="$dir/tmp" .venv/bin/gunicorn shnor_portal.wsgi \
    --no-control-socket --workers "$WORKERS" --bind "127.0.0.1:$port" --worker-tmp-dir "$dir/tmp" \
    --error-logfile "$dir/gunicorn.log" --log-level warning --capture-output &
  HOST_PID=$!
  PIDS+=("$HOST_PID")
}
PORT_A=$(free_port); PORT_B=$(free_port); PORT_LB=$(free_port)
start_host a "$PORT_A"; PID_A=$HOST_PID
start_host b "$PORT_B"; PID_B=$HOST_PID
mkdir -p "$RUN/worker/media" "$RUN/worker/tmp"
MEDIA_ROOT="$RUN/worker/media" TMPDIR="$RUN/worker/tmp" $PY manage.py db_worker --no-reload >"$RUN/worker.log" 2>&1 &
PIDS+=($!)
$PY load/balancer.py --listen "127.0.0.1:$PORT_LB" --stats "$RUN/balancer.json" "127.0.0.1:$PORT_A" "127.0.0.1:$PORT_B" &
BALANCER_PID=$!
PIDS+=("$BALANCER_PID")
for port in "$PORT_A" "$PORT_B"; do
  for _ in $(seq 1 150); do
    http_ok "http://127.0.0.1:$port/health/" && break
    sleep 0.2
  done
  http_ok "http://127.0.0.1:$port/health/" || { echo "хост :$port не отвечает на /health/" >&2; tail -n 30 "$RUN"/host-*/gunicorn.log >&2; exit 1; }
done

$PY load/cluster_db.py counts "$RUN/before.json"
echo "Нагрузка: $USERS пользователей (+$SPAWN_RATE/с), $DURATION; хосты A :$PORT_A и B :$PORT_B по $WORKERS воркера, балансировщик :$PORT_LB"
mkdir -p load/results
export LOAD_REPORT=load/results/cluster.txt
export LOAD_SETUP="$(date --iso-8601=minutes) schools=$SCHOOLS users=$USERS spawn=$SPAWN_RATE/s duration=$DURATION hosts=2x$WORKERS workers cores=$(nproc) loadavg_before=$(cut -d' ' -f1 /proc/loadavg)"
STATUS=0
load/.venv/bin/locust -f load/cluster_locustfile.py --headless --host "http://127.0.0.1:$PORT_LB" \
  --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$DURATION" --stop-timeout 30 \
  --only-summary --loglevel WARNING >"$RUN/locust.log" 2>&1 &
LOCUST_PID=$!

# Midway, host A dies at once: SIGKILL to its master and its workers, as a power cut would leave it.
half=$(( $(seconds "$DURATION") / 2 ))
sleep "$half"
victims="$PID_A $(pgrep -P "$PID_A" | tr '\n' ' ')"
at=$(date +%s.%N)
# shellcheck disable=SC2086
kill -KILL $victims
printf '{"at": %s, "host": "A (127.0.0.1:%s)", "pids": "%s", "after": %s}\n' "$at" "$PORT_A" "${victims% }" "$half" >"$CLUSTER_KILL_FILE"
echo "$(date +%H:%M:%S) хост A убит (SIGKILL: ${victims% }); нагрузка идёт на хост B"
wait "$LOCUST_PID" || STATUS=$?
http_ok "http://127.0.0.1:$PORT_B/health/" || { echo "хост B не отвечает после нагрузки" >&2; STATUS=1; }
kill -TERM "$BALANCER_PID"; wait "$BALANCER_PID" 2>/dev/null || true

if [ ! -s "$LOAD_REPORT" ] || [ "$STATUS" != 0 ]; then tail -n 40 "$RUN/locust.log"; fi
for log in "$RUN"/host-*/gunicorn.log "$RUN/worker.log"; do
  if [ -s "$log" ]; then echo "--- $log:"; tail -n 15 "$log"; fi
done
[ -s "$CLUSTER_ACCEPTED" ] || { echo "locust не записал принятые записи" >&2; exit 1; }
echo "Ждём, пока обработчик разберёт очередь заданий…"
$PY load/cluster_db.py check "$RUN/before.json" "$CLUSTER_ACCEPTED" "$LOAD_REPORT" || STATUS=1
python3 - "$RUN/balancer.json" "$PORT_A" >>"$LOAD_REPORT" <<'EOF'
import json, sys
stats = json.load(open(sys.argv[1]))
print(f"Balancer: connections {stats['connections']}, refused (host down, sent on to the other) {stats['refused']}, "
      f"cut without an answer {stats['cut']}, none to go to {stats['no_backend']}.")
EOF
echo; cat "$LOAD_REPORT"
exit "$STATUS"
