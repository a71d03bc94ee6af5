#!/usr/bin/env bash
# The whole pytest suite on a throwaway PostgreSQL 15 cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
EXPECT_DATABASE_VENDOR=postgresql exec ./scripts/with_postgres.sh .venv/bin/python -m pytest -n 2 --dist worksteal "$@"
