"""Layering: the core and the CLI import without Google's client libraries, and `--help` stays light."""

from __future__ import annotations

import subprocess
import sys

BLOCK_GOOGLE = """
import sys
class BlockGoogle:
    def find_spec(self, name, path=None, target=None):
        if name == "google" or name.startswith("google."):
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
from picks_export.exporters.export import Exporter, ExportOptions
from picks_export.exporters.sinks import FolderSink
path = write_warehouse({str(tmp_path / 'w.duckdb')!r}, generate_demo(dt.date(2025, 10, 25), 1))
Exporter(DuckDBEngine(path), FolderSink({str(tmp_path / 'out')!r}), ExportOptions()).daily(dt.date(2025, 10, 25))
assert not [name for name in sys.modules if name.startswith("google")]
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
heavy = sorted(name for name in sys.modules if name.split(".")[0] in ("duckdb", "sqlglot", "jsonschema_rs", "google"))
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
warehouse = {str(tmp_path / 'w.duckdb')!r}
for args in (["demo", "--today", "2025-10-25"], ["daily", "--date", "2025-10-25", "--dest", {str(tmp_path / 'out')!r}]):
    result = runner.invoke(app, [*args, "--warehouse", warehouse])
    assert result.exit_code == 0, result.output
print(sorted(name for name in sys.modules if name.split(".")[0] == "google"))
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


def _library_imports() -> dict[str, set[str]]:
    """Each module of picks_export.exporters (as `engines.duckdb_engine`, `sinks`, `export`, ...) and the modules of
    the library it imports, at the top or inside a function."""
    import ast
    from pathlib import Path

    import picks_export.exporters as library

    root = Path(library.__file__).parent
    found: dict[str, set[str]] = {}
    for file in sorted(root.rglob("*.py")):
        parts = file.relative_to(root).with_suffix("").parts
        package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"
        targets: set[str] = set()
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = list(package if parts[-1] != "__init__" else parts[:-1])
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                if node.level - 1 > len(package):
                    continue  # picks_export itself (its version)
                module = [*base, *(node.module.split(".") if node.module else [])]
                names = [module] if node.module else [[*base, alias.name] for alias in node.names]
                targets |= {".".join(each) for each in names if each}
        found[name] = targets
    return found


def _part(module: str) -> str:
    return module.split(".")[0]


def test_the_library_parts_depend_one_way():
    """Engines and sinks know nothing of the documents, the publishing run or each other; the local server knows no
    engine; nothing below the entry points (export, exporter, runs) imports them."""
    imports = _library_imports()
    assert "engines.duckdb_engine" in imports and "sinks.gcs_sink" in imports and "server.serve" in imports
    forbidden = {
        "engines": {"sinks", "server", "export", "documents", "publish", "runs", "quality", "status", "manifest"},
        "sinks": {"engines", "server", "export", "documents", "runs", "quality", "warehouse"},
        "server": {"engines", "export", "warehouse", "runs", "quality"},
    }
    for module, targets in imports.items():
        for target in targets:
            assert _part(target) not in forbidden.get(_part(module), set()), f"{module} imports {target}"
            if _part(module) not in ("export", "exporter", "runs", "__init__"):
                assert _part(target) not in ("export", "exporter", "runs"), f"{module} imports the entry point {target}"


def test_the_library_has_no_import_cycle():
    imports = _library_imports()
    graph = {module: {target for target in targets if target in imports} for module, targets in imports.items()}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*path, module, target]))
            if target not in state:
                visit(target, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
