#!/usr/bin/env bash
# Set everything up and run the whole test suite against the installed (non-editable) package.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# setuptools' build/ keeps the files of an earlier build: a module since moved or removed would be installed again.
rm -rf build
.venv/bin/python -m pip install --quiet --disable-pip-version-check '.[test]'
# The BigQuery API emulator the tests start, in an environment of its own: it pins a sqlglot the project cannot use.
[ -x .venv-bqemulator/bin/python ] || "$PYTHON" -m venv .venv-bqemulator
.venv-bqemulator/bin/python -m pip install --quiet --disable-pip-version-check -r tests/bqemulator/requirements.txt
# The pinned json-schema-to-typescript and tsc the TypeScript tests run (tests/test_types.py skips them without npm).
if command -v npm >/dev/null && ! cmp -s web/package-lock.json web/node_modules/.picks-export-lock; then
    npm ci --prefix web --no-audit --no-fund --loglevel=error
    cp web/package-lock.json web/node_modules/.picks-export-lock
fi
# Debian's Chromium for the reference page's browser tests (Playwright drives it; no browser build is downloaded).
# Installed when missing and we are root; otherwise tests/test_page.py skips with the reason (fails under CI=true).
if [ ! -x "${PICKS_EXPORT_CHROMIUM:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "warning: could not install chromium" >&2
fi
# podman, runc (where crun cannot start a container: hybrid cgroups) and mmdebstrap for the container image's test,
# which builds the image over a base made from Debian's packages. Installed when missing and we are root; otherwise
# tests/test_container.py skips with the reason (fails under CI=true).
if ! { command -v podman && command -v runc && command -v mmdebstrap; } >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq podman runc mmdebstrap >/dev/null; } || echo "warning: could not install podman" >&2
fi
# The import contracts (pyproject.toml, [tool.importlinter]) over the source tree, before the tests.
.venv/bin/lint-imports --no-cache --no-logo --config pyproject.toml
# Lint, formatting and types (pyproject.toml): ruff over the code, tests and scripts; mypy over the package.
.venv/bin/ruff check --quiet picks_export tests bench scripts
.venv/bin/ruff format --check --quiet picks_export tests bench scripts
.venv/bin/mypy --no-error-summary
# The console script, not `python -m pytest`: the repository must not shadow the installed package.
PICKS_EXPORT_EXPECT_INSTALLED=1 .venv/bin/pytest -q "$@"
