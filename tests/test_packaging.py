"""The installed command works from any directory: SQL templates and schemas ship inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import picks_export
from picks_export.exporters.engines.engine import query_names
from picks_export.exporters.validation import SCHEMA_FILES, schema_text

REPO = Path(__file__).resolve().parents[1]


def test_package_data_is_reachable():
    assert {"models", "subsets", "shown_picks", "signals", "create_tables"} <= set(query_names())
    for kind in SCHEMA_FILES:
        assert schema_text(kind).startswith(b"{")


def test_tested_code_is_the_installed_copy_when_asked():
    """scripts/test.sh installs the project non-editable and sets this, so the suite proves what ships."""
    if os.environ.get("PICKS_EXPORT_EXPECT_INSTALLED") != "1":
        return
    location = Path(picks_export.__file__).resolve()
    assert "site-packages" in location.parts and location.parent != REPO / "picks_export"


def test_console_script_runs_from_another_directory(tmp_path):
    command = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    assert command, "the picks-export console script is not installed next to this Python"
    env = {**os.environ, "PICKS_EXPORT_TODAY": "2025-10-22", "SOURCE_DATE_EPOCH": "0"}
    env.pop("PYTHONPATH", None)
    for args in (["demo"], ["daily"], ["validate", "public"]):
        done = subprocess.run([command, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "warehouse.duckdb").is_file()
    assert (tmp_path / "public/v1/picks/2025-10-22.json").is_file()
    assert "files valid" in done.stdout
