"""Layering: the core and the CLI import without Google's or AWS's client libraries, and `--help` stays light.

Which module may import which is import-linter's contracts (pyproject.toml, `[tool.importlinter]`), checked by
scripts/test.sh before the tests; these tests check what an import graph cannot: what a run actually loads."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

BLOCK_GOOGLE = """
import sys
class BlockGoogle:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("google", "boto3", "botocore"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, BlockGoogle())
"""


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK_GOOGLE + code], capture_output=True, text=True, timeout=120)


def test_core_imports_and_runs_without_google_cloud(tmp_path):
    code = f"""
import datetime as dt
import picks_export.exporters, picks_export.cli
from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore
path = write_warehouse({str(tmp_path / "w.duckdb")!r}, generate_demo(dt.date(2025, 10, 25), 1))
Exporter(DuckDBEngine(path), FolderStore({str(tmp_path / "out")!r}), ExportOptions()).daily(dt.date(2025, 10, 25))
assert not [name for name in sys.modules if name.split(".")[0] in ("google", "boto3", "botocore")]
print("ok")
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_help_does_not_load_the_engine():
    code = """
from typer.testing import CliRunner
from picks_export.cli import app
assert CliRunner().invoke(app, ["--help"]).exit_code == 0
heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("duckdb", "sqlglot", "jsonschema_rs", "google", "boto3"))
print(heavy)
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_duckdb_run_of_the_cli_loads_no_google_module(tmp_path):
    """The BigQuery engine is chosen by `--warehouse bigquery://...` only; a DuckDB run never imports it."""
    code = f"""
from typer.testing import CliRunner
from picks_export.cli import app
runner = CliRunner()
warehouse = {str(tmp_path / "w.duckdb")!r}
for args in (["demo", "--today", "2025-10-25"], ["daily", "--date", "2025-10-25", "--dest", {str(tmp_path / "out")!r}]):
    result = runner.invoke(app, [*args, "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
print(sorted(name for name in sys.modules if name.split(".")[0] in ("google", "boto3", "botocore")))
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    assert (tmp_path / "out" / "v1" / "picks" / "2025-10-25.json").is_file()


def test_bigquery_without_googles_client_is_a_clear_error():
    code = """
from typer.testing import CliRunner
from picks_export.cli import app
result = CliRunner().invoke(app, ["daily", "--warehouse", "bigquery://picks-export-test"])
print(result.exit_code, result.output.strip())
"""
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    output = result.stdout.strip()
    assert output.startswith("5 Error: bigquery://picks-export-test needs Google's BigQuery client (")
    assert output.endswith("): reinstall picks-export with its dependencies") and "Traceback" not in output


def test_the_import_contracts_run_before_the_tests():
    """The library's layering is import-linter's contracts (pyproject.toml), checked by the test command: what they
    guard must stay among them."""
    root = Path(__file__).parent.parent
    script = (root / "scripts" / "test.sh").read_text()
    assert 0 <= script.index("lint-imports ") < script.index("pytest -q")
    config = tomllib.loads((root / "pyproject.toml").read_text())
    contracts = {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}
    assert {
        "library-no-cli",
        "library-layers",
        "library-acyclic",
        "engines-know-no-publishing",
        "stores-know-no-engine",
        "server-knows-no-engine",
        "core-no-cloud-clients",
    } <= set(contracts)
    layers = contracts["library-layers"]["layers"]
    assert layers[0] == "exporter" and "runs" in layers and contracts["library-layers"]["exhaustive"] is True
    assert contracts["core-no-cloud-clients"]["source_modules"] == ["picks_export"]
    assert {"google", "boto3"} <= set(contracts["core-no-cloud-clients"]["forbidden_modules"])
