"""A smoke run of the benchmark (bench/run.py --quick) on two warehouses of a few days: it runs end to end and
its table has the expected columns and sane figures. The full benchmark is not part of the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
                   "daily --all-models s (history / empty)", "small daily / bare python", "query %", "build %", "validate %", "write %"):  # fmt: skip
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
    # a constant number of warehouse queries, whatever the number of dates
    assert results[0]["queries"] == results[1]["queries"] > 0
    assert results[0]["shown_picks"] < results[1]["shown_picks"]
