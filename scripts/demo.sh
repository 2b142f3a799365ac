#!/usr/bin/env bash
# Set everything up, build the demo warehouse and publish its whole season into ./public/: a file for every day
# with picks, the season file, the index, the manifest and the status file, each consistent with the others.
# PICKS_EXPORT names an installed picks-export to use instead of installing one into .venv; the command line's
# environment variables (PICKS_EXPORT_WAREHOUSE, PICKS_EXPORT_DEST, PICKS_EXPORT_TODAY, ...) apply as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

if [ -z "${PICKS_EXPORT:-}" ]; then
    [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
    # setuptools' build/ keeps the files of an earlier build: a module since moved or removed would be installed again.
    rm -rf build
    .venv/bin/python -m pip install --quiet --disable-pip-version-check .
    PICKS_EXPORT=.venv/bin/picks-export
fi
# The demo prints commands to try; its backfill covers every day of the demo's season (a daily alone would
# publish two days beside a season file that lists them all).
# (Printed from a variable, not through `tee /dev/stderr`, which reopens a log file that stdout shares and
# overwrites it.)
suggested=$("$PICKS_EXPORT" demo)
printf '%s\n' "$suggested"
backfill=$(printf '%s\n' "$suggested" | sed -n 's/^  picks-export \(backfill .*\)$/\1/p')
[ -n "$backfill" ] || { echo "demo.sh: the demo suggested no backfill" >&2; exit 1; }
# shellcheck disable=SC2086  # the suggested command, word by word
"$PICKS_EXPORT" $backfill
echo
echo "The files are in ${PICKS_EXPORT_DEST:-public}/v1/; \`$PICKS_EXPORT status\` says how fresh they are and"
echo "\`$PICKS_EXPORT serve ${PICKS_EXPORT_DEST:-public}\` shows them (run $PICKS_EXPORT --help for more)."
