#!/usr/bin/env bash
# A mutation run (mutmut 3.8.1) of the rules, documents, quality gate, publishing and stores against the tests that
# cover them: every mutant the tests do not kill is a bug they would miss. Not part of the test suite (minutes per
# module on two cores, hours for all of them); see docs/development.md#mutation-testing.
#
#   bash scripts/mutation.sh                      # every module below
#   bash scripts/mutation.sh rules quality        # some of them
#   MUTATION_KEEP=1 bash scripts/mutation.sh rules  # keep the work folder, to look at survivors (mutmut show NAME)
#
# It works on a copy of the package and the tests in a temporary folder (mutmut writes `mutants/` beside its
# configuration), with the test venv that scripts/test.sh made and mutmut installed into it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "run bash scripts/test.sh once first (it makes .venv)" >&2; exit 2; }
.venv/bin/python -m pip install --quiet --disable-pip-version-check 'mutmut==3.8.1'

# Each module, and the test files that exercise it (mutmut runs, per mutant, the ones that reach its function).
declare -A TESTS=(
    [rules]="tests/test_rules.py tests/test_rules_edges.py tests/test_edges.py tests/test_documents.py tests/test_properties.py"
    [documents]="tests/test_documents.py tests/test_documents_edges.py tests/test_edges.py tests/test_golden.py tests/test_properties.py"
    [quality]="tests/test_quality.py tests/test_quality_history.py tests/test_quality_edges.py"
    [publish]="tests/test_edges.py tests/test_results_and_records.py tests/test_runs.py tests/test_races.py"
    [stores]="tests/test_stores.py tests/test_edges.py"
)
declare -A FILES=(
    [rules]="picks_export/exporters/rules.py"
    [documents]="picks_export/exporters/documents.py"
    [quality]="picks_export/exporters/quality.py"
    [publish]="picks_export/exporters/publish.py picks_export/exporters/transfer.py"
    [stores]="picks_export/exporters/stores/*.py"
)
modules=("$@")
[ ${#modules[@]} -gt 0 ] || modules=(rules documents quality publish stores)

work="$(mktemp -d -t picks-mutation-XXXXXX)"
[ -n "${MUTATION_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
cp -r picks_export tests "$work/"
for module in "${modules[@]}"; do
    [ -n "${TESTS[$module]:-}" ] || { echo "unknown module $module (of: ${!TESTS[*]})" >&2; exit 2; }
    rm -rf "$work/mutants"
    {
        echo "[tool.mutmut]"
        echo 'source_paths = ["picks_export"]'
        printf 'only_mutate = [%s]\n' "$(printf '"%s", ' ${FILES[$module]} | sed 's/, $//')"
        printf 'pytest_add_cli_args_test_selection = [%s]\n' "$(printf '"%s", ' ${TESTS[$module]} | sed 's/, $//')"
        echo 'pytest_add_cli_args = ["-p", "no:randomly", "-p", "no:cacheprovider", "-x", "-q"]'
        echo "[tool.pytest.ini_options]"
        echo 'testpaths = ["tests"]'
    } > "$work/pyproject.toml"
    echo "== $module: ${FILES[$module]}"
    (cd "$work" && "$OLDPWD/.venv/bin/mutmut" run --max-children 2 > "$work/run-$module.log" 2>&1 || tail -20 "$work/run-$module.log"
     "$OLDPWD/.venv/bin/mutmut" results --all true | awk '{print $NF}' | sort | uniq -c
     "$OLDPWD/.venv/bin/mutmut" results)
done
[ -z "${MUTATION_KEEP:-}" ] || echo "work folder kept: $work"
