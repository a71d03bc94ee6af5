#!/usr/bin/env bash
# The whole pytest suite on a throwaway PostgreSQL 15 cluster; the twenty slowest tests are listed at the end, so
# that whoever adds a slow set-up sees it (the suite must stay under 15 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
EXPECT_DATABASE_VENDOR=postgresql exec ./scripts/with_postgres.sh .venv/bin/python -m pytest -n 2 --dist worksteal --durations=20 "$@"
