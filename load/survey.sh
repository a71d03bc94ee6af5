#!/usr/bin/env bash
# Load test of a school's satisfaction survey (issue 22, item 5): parents answering one school's link from many
# phones at once — 2,000 answers in a minute is the bar — while anonymous visitors read the public project pages.
#
#   make load-survey           (= nice ./scripts/with_postgres.sh ./load/survey.sh)
#   USERS=50 DURATION=90s make load-survey
#
# The same set-up as load/run.sh (gunicorn, production profile, the demo); gunicorn believes X-Forwarded-For from
# the loopback, as it would from the reverse proxy in production, so each simulated phone has its own address (the
# limit per address stays on). After the run, the answers the portal accepted are counted against the rows stored.
set -euo pipefail
cd "$(dirname "$0")/.."
export USERS=${USERS:-60} SPAWN_RATE=${SPAWN_RATE:-20} DURATION=${DURATION:-75s}
export LOCUSTFILE=load/survey_locustfile.py LOAD_ACCEPTED=$(mktemp /tmp/shnor-survey-accepted.XXXXXX)
export TRUSTED_PROXIES=127.0.0.1
# shellcheck disable=SC2016
export LOAD_BEFORE='export SURVEY_TOKEN=$($PY manage.py shell -v0 -c "from surveys.models import SchoolLink; from schools.demo import SCHOOL_TEAM_SCHOOL; print(SchoolLink.objects.filter(school__short_name=SCHOOL_TEAM_SCHOOL).latest(\"pk\").token)")
export SURVEY_BEFORE=$($PY manage.py shell -v0 -c "from surveys.models import Response; print(Response.objects.count())")
export PUBLIC_PATHS=$($PY manage.py shell -v0 -c "from django.urls import reverse; from schools.models import Region; print(reverse(\"public:index\"), *(reverse(\"public:region\", args=[pk]) for pk in Region.objects.values_list(\"pk\", flat=True)))")'
# shellcheck disable=SC2016
export LOAD_AFTER='stored=$($PY manage.py shell -v0 -c "from surveys.models import Response; print(Response.objects.count())")
accepted=$(cat "$LOAD_ACCEPTED" 2>/dev/null || echo 0)
echo "ответов принято: $accepted, записано в базу: $((stored - SURVEY_BEFORE))" | tee -a "$LOAD_REPORT"
[ "$accepted" -eq "$((stored - SURVEY_BEFORE))" ]'
exec ./load/run.sh
