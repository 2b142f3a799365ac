#!/usr/bin/env bash
# Set everything up, build the demo warehouse and run the daily export into ./public/.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# setuptools' build/ keeps the files of an earlier build: a module since moved or removed would be installed again.
rm -rf build
.venv/bin/python -m pip install --quiet --disable-pip-version-check .
.venv/bin/picks-export demo
.venv/bin/picks-export daily
echo
echo "The files are in $(pwd)/public/v1/ (run .venv/bin/picks-export --help for more)."
