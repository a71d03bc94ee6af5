# The two commands of the README: `make demo` and `make test`. Everything they need is installed here.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test install install-dev assets system-test-deps lint serve bench-identification bench-reminders

# The task worker (identification runs, yearly reports, e-mail) runs in the background beside the server and stops
# with it: Ctrl+C, or the server exiting for any reason, ends the worker too.
demo: install assets
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Портал: http://127.0.0.1:$(PORT)/  (остановить — Ctrl+C; обработчик заданий остановится вместе с ним)"
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	DEBUG=1 DEMO_MODE=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install-dev assets system-test-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	./scripts/run_tests.sh $(PYTEST_ARGS)

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $@

# npm's postinstall copies the built files into static/vendor (git-ignored).
assets: static/vendor/.installed
static/vendor/.installed: package.json package-lock.json scripts/copy_assets.mjs
	npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium (Playwright cannot download its own browser here), LibreOffice Calc (the yearly report must open
# in it), pdftotext (what LibreOffice prints on a page) and PostgreSQL 15 for the tests.
system-test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v libreoffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	test -x /usr/lib/postgresql/15/bin/initdb || missing="$$missing postgresql-15"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "Не хватает системных пакетов:$$missing — установите их (apt-get install$$missing)"; exit 1; \
		fi; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Production-like serving: gunicorn with as many workers as cores, static files by whitenoise, the task worker
# beside it (stopped with it, as in `demo`).
serve: install assets
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(VENV)/bin/gunicorn shnor_portal.wsgi --no-control-socket --workers $$(nproc) --bind 127.0.0.1:$(PORT)

# Benchmarks (not tests): an identification run over SCHOOLS schools (default 40,000) on a throwaway PostgreSQL.
bench-identification: install-dev
	SCHOOLS=$${SCHOOLS:-40000} ./scripts/with_postgres.sh $(PY) bench/identification.py

# Benchmark: the daily reminders and their e-mail over SCHOOLS schools (default 40,000) on a throwaway PostgreSQL.
bench-reminders: install-dev
	SCHOOLS=$${SCHOOLS:-40000} ./scripts/with_postgres.sh $(PY) bench/reminders.py

# Benchmarks side by side with their floors at a region's and the country's scale, one table (docs/PERFORMANCE.md):
# SCHOOLS_SMALL (default 1,000) and SCHOOLS_LARGE (default 40,000) schools generated on a throwaway PostgreSQL.
.PHONY: bench bench-deps
bench: install-dev bench-deps
	./scripts/with_postgres.sh $(PY) bench/scale.py

# wrk measures the throughput under gunicorn from a second process.
bench-deps: system-test-deps
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
		else echo "Не хватает wrk — установите его (apt-get install wrk)"; exit 1; fi; }

# Backup and restore (docs/PRODUCTION.md): the database (pg_dump -Fc, or dumpdata for SQLite) and MEDIA_ROOT (or the
# S3 bucket, when AWS_STORAGE_BUCKET_NAME is set).
# make backup [OUT=dir]  — a new directory, by default backups/<date-time>;  make restore IN=dir [FORCE=1]
.PHONY: backup restore load load-survey load-cluster
backup: install
	./scripts/backup.sh "$${OUT:-backups/$$(date +%Y%m%d-%H%M%S)}"

restore: install
	@test -n "$(IN)" || { echo "Укажите копию: make restore IN=backups/…"; exit 2; }
	./scripts/restore.sh $(if $(FORCE),--force) "$(IN)"

# Load test: USERS (50) simulated users of every role for DURATION (90s, 60+ of them all together) against gunicorn
# and a throwaway PostgreSQL; figures in load/results/last.txt and docs/PRODUCTION.md.
load: install assets
	nice ./scripts/with_postgres.sh ./load/run.sh

# One school's survey answered from 2,000 phones a minute while the public pages are read (load/survey.sh);
# figures in docs/PRODUCTION.md.
load-survey: install assets
	nice ./scripts/with_postgres.sh ./load/survey.sh

# The several-host rehearsal (load/cluster.sh): two gunicorn hosts behind load/balancer.py, one task worker, one
# PostgreSQL, an S3 server, SCHOOLS (40,000) schools, a locust mix for DURATION (5m) and host A killed midway; the
# table in load/results/cluster.txt, figures in docs/PERFORMANCE.md and docs/PRODUCTION.md.
load-cluster: install install-dev assets
	nice ./scripts/with_postgres.sh ./load/cluster.sh
