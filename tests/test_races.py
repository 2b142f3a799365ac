"""Real `picks-export` processes racing each other, and killed, over one folder and over a bucket of each store.

The runs line up with the test-only hook PICKS_EXPORT_TEST_PAUSE=POINT:FILE (each waits at POINT until FILE
exists), so the overlap is certain rather than a matter of timing.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from stores import STORES, Destination

from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.publish import day_summary

TODAY = "2026-02-07"
CLI = [sys.executable, "-c", "from picks_export.cli import main; main()"]
_names = itertools.count()


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path]:
    """Two demo warehouses of different seeds: every day file of one differs from the other's."""
    folder = tmp_path_factory.mktemp("race-warehouses")
    day = dt.date.fromisoformat(TODAY)
    return (
        write_warehouse(folder / "a.duckdb", generate_demo(day, 1)),
        write_warehouse(folder / "b.duckdb", generate_demo(day, 2)),
    )


def files(dest: Destination) -> dict[str, Any]:
    """Every published JSON file, parsed; not the status file, which names the run that wrote it."""
    return {path: orjson.loads(each.data) for path, each in dest.published().items()
            if path.endswith(".json") and path != "v1/status.json"}  # fmt: skip


def start(dest: Destination, warehouse: Path, *args: str, pause: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PICKS_EXPORT_TODAY": TODAY, "SOURCE_DATE_EPOCH": "1770478200", **dest.env()}
    env.pop("PICKS_EXPORT_TEST_PAUSE", None)
    if pause:
        env["PICKS_EXPORT_TEST_PAUSE"] = pause
    return subprocess.Popen(
        [*CLI, *args, "--all-models", "--warehouse", str(warehouse), "--dest", dest.dest, "--retry-deadline", "30"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, (out, err)
    return out


def wait_for(path: Path, processes: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + 120
    while not path.exists():
        assert all(process.poll() is None for process in processes), [process.communicate() for process in processes]
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.02)


def reference(tmp_path: Path, warehouse: Path, *args: str) -> dict[str, Any]:
    """What one run alone publishes into an empty folder."""
    alone = Destination("folder", tmp_path)
    finish(start(alone, warehouse, *args))
    return files(alone)


def assert_indexes_list_exactly_the_day_files(files: dict[str, Any]) -> None:
    indexes = [path for path in files if path.endswith("picks/index.json")]
    assert len(indexes) == 2  # the demo's two models
    for index in indexes:
        folder = index.removesuffix("index.json")
        days = {
            path[len(folder) : -5]: files[path]
            for path in files
            if path.startswith(folder) and re.fullmatch(r"\d{4}-\d{2}-\d{2}\.json", path[len(folder) :])
        }
        entries = files[index]["dates"]
        assert sorted(entry["date"] for entry in entries) == sorted(days), index
        for entry in entries:
            assert (entry["picks"], entry["graded"]) == day_summary(days[entry["date"]]), (index, entry["date"])
        assert len(days) > 100
    assert_manifest_agrees_with_the_indexes(files)


def assert_manifest_agrees_with_the_indexes(files: dict[str, Any]) -> None:
    """Every model's manifest entry names the latest dates its index lists, and season files that are there."""
    manifest = files["v1/manifest.json"]
    assert len(manifest["models"]) == 2
    for entry in manifest["models"]:
        dates = files[entry["index"]]["dates"]
        assert entry["latest_date"] == max((each["date"] for each in dates if each["picks"]), default=None), entry[
            "code"
        ]
        graded = [each["date"] for each in dates if each["picks"] and each["graded"]]
        assert entry["latest_graded_date"] == max(graded, default=None), entry["code"]
        for season in entry["seasons"]:
            assert files[season["path"]]["as_of"] == season["as_of"], season["path"]


@pytest.mark.parametrize("where", STORES)
def test_overlapping_runs_all_exit_0_and_every_index_lists_exactly_the_day_files_present(
    where, warehouses, tmp_path, destination
):
    """Two disjoint backfills and a daily, all planned against the same listing, then released together; 3 rounds."""
    a, b = warehouses
    for round_number in range(3):
        dest = destination(where)
        go = [tmp_path / f"go-{where}-{round_number}-{number}" for number in range(3)]
        processes = [
            start(dest, a, "backfill", "--start", "2025-10-01", "--end", "2025-12-15", pause=f"publish:{go[0]}"),
            start(dest, b, "backfill", "--start", "2025-12-16", "--end", TODAY, pause=f"publish:{go[1]}"),
            start(dest, a, "daily", pause=f"publish:{go[2]}"),
        ]
        for each in go:  # every run has listed and planned before any publishes: each saw an empty destination
            wait_for(Path(f"{each}.waiting"), processes)
        for each in go:
            each.touch()
        for process in processes:
            finish(process)
        found = files(dest)
        assert_indexes_list_exactly_the_day_files(found)
        assert sum(1 for path in found if re.search(r"picks/\d{4}-\d{2}-\d{2}\.json$", path)) > 200


@pytest.mark.parametrize("where", STORES)
def test_an_older_run_never_replaces_what_a_newer_run_published(where, warehouses, tmp_path, destination):
    """A backfill starts first (the older run) and pauses once planned; a daily of other data starts and publishes
    everything; then the backfill goes on. The daily's files stay; the index counts what is there."""
    a, b = warehouses
    backfill_alone = reference(tmp_path, a, "backfill", "--start", "2025-10-01", "--end", TODAY)
    daily_alone = reference(tmp_path, b, "daily")
    # built from what is there when written, whichever run writes them
    rebuilt = ("index.json", "manifest.json", "status.json")
    daily_paths = {path for path in daily_alone if not path.endswith(rebuilt) and "/schemas/" not in path}
    # The daily publishes its season up to the date: of its files the older run also publishes, those on which the
    # two warehouses differ are left to the newer run (the same content would be unchanged).
    differing = {path for path in daily_paths if path in backfill_alone and daily_alone[path] != backfill_alone[path]}
    assert f"v1/picks/{TODAY}.json" in differing and len(differing) > len(daily_paths) / 2
    for round_number in range(2):
        dest = destination(where)
        go = tmp_path / f"release-{where}-{round_number}"
        older = start(dest, a, "backfill", "--start", "2025-10-01", "--end", TODAY, pause=f"publish:{go}")
        wait_for(Path(f"{go}.waiting"), [older])
        newer = start(dest, b, "daily")
        assert "0 left to a newer run" in finish(newer)
        go.touch()
        out = finish(older)
        # the daily's files the two warehouses differ on, and the season table of each of the demo's two models
        assert f"{len(differing) + 2} left to a newer run" in out
        found = files(dest)
        assert sorted(found) == sorted(set(backfill_alone) | set(daily_alone))
        for path, content in found.items():
            if path.endswith(rebuilt):
                continue
            expected = daily_alone[path] if path in daily_paths else backfill_alone[path]
            assert content == expected, path
        assert all(found[path] != backfill_alone[path] for path in differing if "/picks/" in path)  # the data differ
        assert_indexes_list_exactly_the_day_files(found)


def test_a_run_killed_with_files_staged_leaves_debris_the_next_run_removes(warehouses, tmp_path):
    a, _ = warehouses
    dest = Destination("folder", tmp_path)
    go = tmp_path / "never"
    args = ("backfill", "--start", "2025-10-01", "--end", TODAY)
    killed = start(dest, a, *args, pause=f"staged:{go}")
    wait_for(Path(f"{go}.waiting"), [killed])
    staged = sorted(dest.folder.rglob("*.tmp"))
    assert len(staged) > 100 and all(f".{killed.pid}." in path.name for path in staged)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert sorted(dest.folder.rglob("*.tmp")) == staged  # kill -9: nothing could clean up
    assert not [path for path in dest.folder.rglob("*.json") if "/picks/20" in path.as_posix()]  # nothing renamed
    # A staged file of a live process (this one) is not the dead run's debris: it stays.
    live = dest.folder / "v1" / "picks" / f".2025-10-21.json.{os.getpid()}.0badcafe.tmp"
    live.write_bytes(b"{}")
    finish(start(dest, a, *args))
    assert sorted(dest.folder.rglob("*.tmp")) == [live]
    live.unlink()
    assert files(dest) == reference(tmp_path, a, *args)
    assert_indexes_list_exactly_the_day_files(files(dest))
    validated = subprocess.run([*CLI, "validate", str(dest.folder)], capture_output=True, text=True, timeout=120)
    assert validated.returncode == 0, validated.stdout + validated.stderr
