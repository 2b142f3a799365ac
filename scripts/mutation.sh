#!/usr/bin/env bash
# A mutation run (mutmut 3.8.1) of the rules, the warehouse's reading and checking of rows, documents, quality gate, publishing, its transfer and the stores
# against the tests that call them in this process: every mutant the tests do not kill is a bug they would miss.
# Not part of the test suite (minutes per module on two cores); the last scores are in docs/development.md#mutation-testing.
#
#   bash scripts/mutation.sh                        # every module below, one after the other
#   bash scripts/mutation.sh publish transfer       # some of them
#   MUTATION_KEEP=1 bash scripts/mutation.sh rules  # keep the work folder, to look at survivors (mutmut show NAME)
#   MUTATION_BUDGET=600 MUTATION_CHILDREN=1 bash scripts/mutation.sh stores   # seconds per module, parallel mutants
#   MUTATION_ONLY="picks_export.exporters.publish.x_decide*" bash scripts/mutation.sh publish  # some mutants only
#
# Only tests that import the library count: a test that runs the command line in a subprocess imports the
# installed package, never mutmut's mutated copy. So each module has its own selection of in-process tests, and
# the slow ones (the hypothesis property tests, the golden files' command-line runs) are left out: mutmut runs
# every test that reaches a mutated function once per mutant. A module whose run is cut short by its time budget
# reports the mutants left "not checked"; MUTATION_ONLY checks those (or a run's survivors, or named functions) in
# a later run.
#
# It works on a copy of the package and the tests in a temporary folder (mutmut writes `mutants/` beside its
# configuration), with the test venv that scripts/test.sh made and mutmut installed into it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "run bash scripts/test.sh once first (it makes .venv)" >&2; exit 2; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check 'mutmut==3.8.1'
budget="${MUTATION_BUDGET:-1500}"
children="${MUTATION_CHILDREN:-2}"

# Each module's files, and the in-process tests that exercise them (pytest arguments; mutmut runs, per mutant,
# the ones that reached its function when it first ran them all).
declare -A FILES=(
    [rules]="picks_export/exporters/rules.py"
    [warehouse]="picks_export/exporters/warehouse.py"
    [documents]="picks_export/exporters/documents.py"
    [quality]="picks_export/exporters/quality.py"
    [publish]="picks_export/exporters/publish.py"
    [transfer]="picks_export/exporters/transfer.py"
    [stores]="picks_export/exporters/stores/folder.py picks_export/exporters/stores/base.py picks_export/exporters/stores/__init__.py"
    [buckets]="picks_export/exporters/stores/gcs.py picks_export/exporters/stores/gcs_bucket.py picks_export/exporters/stores/s3.py picks_export/exporters/stores/s3_bucket.py picks_export/exporters/stores/summary.py"
)
KILLS="tests/test_mutation_kills.py"
declare -A TESTS=(
    [rules]="tests/test_rules.py tests/test_rules_edges.py tests/test_stats.py tests/test_edges.py tests/test_documents.py $KILLS"
    [warehouse]="tests/test_row_checks.py tests/test_bad_input.py tests/test_arrow_read.py tests/test_rounded_predictions.py tests/test_queries.py tests/test_lock.py tests/test_edges.py tests/test_quality.py $KILLS"
    [documents]="tests/test_documents.py tests/test_documents_edges.py tests/test_edges.py tests/test_stats.py tests/test_results_and_records.py $KILLS"
    [quality]="tests/test_quality.py tests/test_quality_history.py tests/test_quality_edges.py $KILLS"
    [publish]="tests/test_publish_inprocess.py $KILLS"
    [transfer]="tests/test_publish_inprocess.py $KILLS"
    [stores]="tests/test_stores.py tests/test_store_errors.py tests/test_publish_inprocess.py $KILLS"
    [buckets]="tests/test_bucket_stores_inprocess.py tests/test_stores.py tests/test_store_errors.py $KILLS"
)
# Test names to keep of those files (pytest -k), where the files test more than the module.
declare -A KEEP=(
    [stores]="not gcs and not s3"
    [buckets]="gcs or s3 or bucket_stores_inprocess"
)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(rules warehouse documents quality publish transfer stores buckets)

top="$(mktemp -d -t picks-mutation-XXXXXX)"
[ -n "${MUTATION_KEEP:-}" ] || trap 'rm -rf "$top"' EXIT
quoted() { printf '"%s", ' "$@" | sed 's/, $//'; }
for module in "${modules[@]}"; do
    [ -n "${TESTS[$module]:-}" ] || { echo "unknown module $module (of: ${!TESTS[*]})" >&2; exit 2; }
    work="$top/$module"  # a folder per module: its mutants stay there for `mutmut show`
    mkdir "$work" && cp -r picks_export tests "$work/"
    # shellcheck disable=SC2086  # word splitting of the lists is meant
    {
        echo "[tool.mutmut]"
        echo 'source_paths = ["picks_export"]'
        echo "only_mutate = [$(quoted ${FILES[$module]})]"
        echo "pytest_add_cli_args_test_selection = [$(quoted ${TESTS[$module]} ${KEEP[$module]:+-k "${KEEP[$module]}"})]"
        echo 'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "-x", "-q"]'
        echo "[tool.pytest.ini_options]"
        echo 'testpaths = ["tests"]'
    } > "$work/pyproject.toml"
    only="${MUTATION_ONLY:-}"
    echo "== $module: ${FILES[$module]}${only:+ (only $only)}"
    # In a session of its own, so that the servers a mutant's tests started and a timeout left behind end with it.
    # shellcheck disable=SC2086
    (cd "$work" && exec setsid timeout --signal=INT --kill-after=60 "$budget" "$OLDPWD/.venv/bin/mutmut" run \
        --max-children "$children" $only > "$work/run-$module.log" 2>&1) &
    session=$!
    wait "$session" || { status=$?; [ "$status" = 124 ] && echo "   stopped after ${budget}s" || tail -20 "$work/run-$module.log"; }
    kill -- "-$session" 2>/dev/null || true
    # The count of each outcome, then every mutant not killed that was checked (survived, timeout, no tests, ...).
    (cd "$work" && "$OLDPWD/.venv/bin/mutmut" results --all true > "$work/results-$module.txt"
     sed 's/.*: //' "$work/results-$module.txt" | sort | uniq -c
     grep -v ': killed$\|: not checked$' "$work/results-$module.txt" || true)
done
[ -z "${MUTATION_KEEP:-}" ] || echo "work folder kept: $top (a folder per module)"
