"""SIGINT and SIGTERM sent to a real `picks-export backfill` process: one `Error: interrupted` line, exit 130 / 143,
no traceback, nothing half-written in the destination."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from picks_export.exporters.demo import generate_scaled
from picks_export.exporters.engines.duckdb_engine import write_warehouse

CLI = Path(sys.executable).with_name("picks-export")  # the installed console script, as an operator runs it


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Two seasons, four models: a backfill of every model takes a second or two, long enough to interrupt."""
    return write_warehouse(tmp_path_factory.mktemp("big") / "warehouse.duckdb", generate_scaled(2, 4, 8))


def start_backfill(warehouse: Path, dest: Path, pause: str | None = None) -> subprocess.Popen[bytes]:
    """A backfill of every model; `pause` (POINT:FILE) holds it at a known moment until FILE exists (never, here:
    the test interrupts it there)."""
    args = ["backfill", "--start", "2024-08-01", "--end", "2026-07-31", "--all-models", "--today", "2026-06-30"]
    # One build process: the run stays long enough to interrupt while it builds (tests/test_build_workers.py
    # interrupts build workers).
    env = {
        **os.environ,
        "SOURCE_DATE_EPOCH": "1770478200",
        "PICKS_EXPORT_NO_SQL_CACHE": "1",
        "PICKS_EXPORT_BUILD_WORKERS": "1",
    }
    env.pop("PICKS_EXPORT_TEST_PAUSE", None)
    if pause:
        env["PICKS_EXPORT_TEST_PAUSE"] = pause
    return subprocess.Popen(
        [str(CLI), *args, "--warehouse", str(warehouse), "--dest", str(dest)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def debris(dest: Path) -> list[str]:
    """Temporary files left in the destination (the folder sink's lock and records are kept on purpose)."""
    return [path.name for path in dest.rglob("*") if path.name.endswith(".tmp")]


def wait_for(condition, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.001)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("phase", ["building", "publishing"])
def test_a_signal_ends_the_run_with_one_line_and_its_exit_code(warehouse, tmp_path, signum, code, phase):
    dest, hold = tmp_path / "public", tmp_path / "never"
    # Building: the first file is built, nothing is out; publishing: a phase's files are staged beside their targets.
    process = start_backfill(warehouse, dest, f"{'building' if phase == 'building' else 'staged'}:{hold}")
    wait_for(lambda: Path(f"{hold}.waiting").exists(), process)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    lines = stderr.decode().splitlines()
    assert process.returncode == code, stderr.decode()
    assert lines[-1] == "Error: interrupted"
    assert sum(line.startswith("Error:") for line in lines) == 1
    assert b"Traceback" not in stderr and b"Traceback" not in stdout
    if phase == "building":
        assert not dest.exists()


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_publishing_leaves_no_temporary_file(warehouse, tmp_path, signum, code):
    dest, hold = tmp_path / "public", tmp_path / "never"
    process = start_backfill(warehouse, dest, f"staged:{hold}")
    wait_for(lambda: Path(f"{hold}.waiting").exists(), process)
    assert debris(dest)  # the phase's files are staged
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert process.returncode == code and not debris(dest)


def test_a_second_signal_does_not_cut_the_cleanup_short(warehouse, tmp_path):
    dest, hold = tmp_path / "public", tmp_path / "never"
    process = start_backfill(warehouse, dest, f"staged:{hold}")
    wait_for(lambda: Path(f"{hold}.waiting").exists(), process)
    process.send_signal(signal.SIGTERM)
    time.sleep(0.05)  # handled: the run is unwinding
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and stderr.decode().splitlines()[-1] == "Error: interrupted"
    assert b"Traceback" not in stderr
