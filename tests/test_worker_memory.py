"""Never out of memory: a build worker whose DuckDB query runs out of its memory limit reads its share again with
twice and four times the limit, and after that has it built in the run's own process, so whatever one process
builds, the workers build, byte for byte.

The scaled-down case of a 4.2M-row warehouse with several versions per date under the workers' 64 MB: a 204k-row
one (a twentieth) under 4 MB (a sixteenth), and every worker's query runs out of it and of 8 and 16 MB; each
share's query fits in 32 MB (DuckDB 1.5: 20 MB is too little for either share)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import published_bytes

from picks_export.cli.settings import worker_memory
from picks_export.exporters import demo
from picks_export.exporters.engines.duckdb_engine import WORKER_MEMORY, DuckDBEngine, write_warehouse
from picks_export.exporters.engines.engine import EngineMemoryError
from picks_export.exporters.errors import ExportError
from picks_export.exporters.warehouse import read_plan, read_shown_picks

TOOL = Path(sys.executable).with_name("picks-export")
TODAY = demo.SCALED_TODAY
EPOCH = "1782864000"
SMALL_LIMIT = "4MB"


@pytest.fixture(scope="module")
def many_versions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo season with three models, every day a version after tip-off and eight more before it."""
    path = tmp_path_factory.mktemp("memory") / "warehouse.duckdb"
    return write_warehouse(path, demo.generate_scaled(1, 3, 9, late_rate=1.0, extra_versions=8))


def backfill(warehouse: Path, dest: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    environ.update({"SOURCE_DATE_EPOCH": EPOCH, **env})
    args = [str(TOOL), "backfill", "--start", "2025-08-01", "--end", "2026-07-31", "--all-models",
            "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY.isoformat()]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, env=environ, timeout=300)


def test_the_small_limit_is_too_small_for_a_worker(many_versions: Path, tmp_path: Path) -> None:
    engine = DuckDBEngine(many_versions, worker_memory=4 * 1000**2)
    try:
        plan = read_plan(engine, None, dt.date(2025, 7, 28), TODAY, all_models=True)
        engine.for_worker(str(tmp_path))
        with pytest.raises(EngineMemoryError, match="ran out of memory"):
            for snapshots in read_shown_picks(engine, plan, plan.models[:2]):
                for _ in snapshots:
                    pass
    finally:
        engine.close()


def test_workers_out_of_memory_publish_what_one_process_publishes(many_versions: Path, tmp_path: Path) -> None:
    one = backfill(many_versions, tmp_path / "one", PICKS_EXPORT_BUILD_WORKERS="1")
    assert one.returncode == 0, one.stderr
    short = backfill(many_versions, tmp_path / "short", PICKS_EXPORT_BUILD_WORKERS="2",
                     PICKS_EXPORT_WORKER_MEMORY=SMALL_LIMIT)  # fmt: skip
    assert short.returncode == 0, short.stderr
    assert published_bytes(tmp_path / "short") == published_bytes(tmp_path / "one")
    # six queries, three attempts in each worker (4, 8 and 16 MB), and one per share built again in this process
    (queries,) = re.findall(r"(\d+) warehouse queries", short.stdout)
    assert int(queries) == 6 + 2 * 3 + 2
    for worker in (1, 2):  # the operator is told, once a worker
        assert short.stderr.count(f"build worker {worker} of 2 ran out of memory with 4 times its DuckDB memory: its"
                                  " share is built in the run's own process") == 1  # fmt: skip
    assert "read its share again" not in short.stderr


def test_a_worker_reads_its_share_again_with_more_memory(many_versions: Path, tmp_path: Path) -> None:
    """9 MB and 18 MB are too little for either worker's query, 36 MB is enough: each worker's third attempt
    builds its share, and no share is built in the run's own process (which would take a query more each)."""
    one = backfill(many_versions, tmp_path / "one", PICKS_EXPORT_BUILD_WORKERS="1")
    assert one.returncode == 0, one.stderr
    retried = backfill(many_versions, tmp_path / "retried", PICKS_EXPORT_BUILD_WORKERS="2",
                       PICKS_EXPORT_WORKER_MEMORY="9MB")  # fmt: skip
    assert retried.returncode == 0, retried.stderr
    assert published_bytes(tmp_path / "retried") == published_bytes(tmp_path / "one")
    (queries,) = re.findall(r"(\d+) warehouse queries", retried.stdout)
    assert int(queries) == 6 + 2 * 3
    for worker in (1, 2):
        assert retried.stderr.count(f"build worker {worker} of 2 ran out of its DuckDB memory and read its share"
                                    " again with 4 times as much") == 1  # fmt: skip
    assert "run's own process" not in retried.stderr
    # with JSON events, the warnings are JSON events too, like every other line on stderr
    events = backfill(many_versions, tmp_path / "events", PICKS_EXPORT_BUILD_WORKERS="2",
                      PICKS_EXPORT_WORKER_MEMORY="9MB", PICKS_EXPORT_LOG_FORMAT="json")  # fmt: skip
    assert events.returncode == 0, events.stderr
    parsed = [json.loads(line) for line in events.stderr.splitlines()]
    warned = [each for each in parsed if each["message"].startswith("build worker ")]
    assert len(warned) == 2 and {each["severity"] for each in warned} == {"WARNING"}
    assert all(each["command"] == "backfill" and each["run"] for each in warned)
    # enough memory at the first attempt: nothing to say
    plain = backfill(many_versions, tmp_path / "plain", PICKS_EXPORT_BUILD_WORKERS="2",
                     PICKS_EXPORT_WORKER_MEMORY="64MB")  # fmt: skip
    assert plain.returncode == 0 and "build worker" not in plain.stderr, plain.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [("64MB", 64 * 1000**2), ("1GiB", 1024**3), ("500000000", 500_000_000), (" 2 gb ", 2 * 1000**3), ("", None)],
)
def test_the_worker_memory_setting(value: str, expected: int | None) -> None:
    assert worker_memory({"PICKS_EXPORT_WORKER_MEMORY": value}) == expected
    assert worker_memory({}) is None and WORKER_MEMORY == 64 * 1024**2


@pytest.mark.parametrize("value", ["lots", "12XB", "512", "0MB", "-5MB", "1.5GB"])
def test_a_bad_worker_memory_is_exit_1(many_versions: Path, tmp_path: Path, value: str) -> None:
    with pytest.raises(ExportError, match="PICKS_EXPORT_WORKER_MEMORY"):
        worker_memory({"PICKS_EXPORT_WORKER_MEMORY": value})
    done = backfill(many_versions, tmp_path / "out", PICKS_EXPORT_WORKER_MEMORY=value)
    assert done.returncode == 1 and done.stderr.startswith("Error: PICKS_EXPORT_WORKER_MEMORY="), done.stderr


def test_extra_versions_add_hidden_versions_to_every_day() -> None:
    plain = demo.generate_scaled(1, 2, 8, late_rate=0.0)
    more = demo.generate_scaled(1, 2, 8, late_rate=0.0, extra_versions=5)

    def versions(rows: list[tuple]) -> dict[tuple, int]:
        found: dict[tuple, set[str]] = {}
        for row in rows:
            if row[1] != demo.DISABLED_SYSTEM_ID:  # its handful of old rows are one version
                found.setdefault((row[0], row[1]), set()).add(row[2])  # (game_date, system_id) -> version ids
        return {key: len(ids) for key, ids in found.items()}

    before, after = versions(plain["subset_picks"]), versions(more["subset_picks"])
    assert before.keys() == after.keys()
    # the demo's 1-4 versions before the lock (and one after it on its forced late days); at least 1 + 5 with more
    assert max(before.values()) <= 5 and min(after.values()) >= 6
    with pytest.raises(ValueError, match="extra_versions"):
        demo.generate_scaled(1, 2, 8, extra_versions=demo.MAX_EXTRA_VERSIONS + 1)
