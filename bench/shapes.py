"""Warehouses of other shapes than bench/run.py's sizes: does a backfill stay correct, and what does it cost?

    python bench/shapes.py                                   # the four shapes below
    python bench/shapes.py --shapes 2,4,96,0.5,0 --shapes 30,2,8,0.3,2

A shape is `seasons,models,subsets[,late_rate[,extra_versions]]` of the demo's generator (`generate_scaled`):
the defaults are a long history (20 seasons), many subsets (96), many models (48) and many versions a day (24
before the lock, 90 % of the days with one after it). For each, generated once into bench/.cache/ as bench/run.py
does, it times in new processes (wall, CPU of the run and its workers, peak memory summed over them):
`backfill --all-models` of every season with the default build workers and again with one
(`PICKS_EXPORT_BUILD_WORKERS=1`), checks that both published the same bytes (every file but the run's own
state: `status.json`, `_runs/` and the hidden records), then times `daily --all-models` of a mid-season date over
the first destination (its second run: the first publishes what the daily adds to a backfill).

What it shows: a run's memory follows the largest unit it builds at once (one model's season, its picks times
its subsets), not the length of the history or the number of models.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import limits  # noqa: E402  bench/limits.py: the published files
import run  # noqa: E402  bench/run.py: the warehouses, the child processes

DEFAULT_SHAPES = ("20,2,8,0.3,4", "2,4,96,0.5,0", "2,48,8,0.2,1", "1,3,8,0.9,24")


def register(shape: str) -> str:
    """The label under which bench/run.py builds (and caches) the warehouse of `shape`."""
    parts = shape.split(",")
    if not 3 <= len(parts) <= 5:
        raise SystemExit(f"shape {shape!r}: give seasons,models,subsets[,late_rate[,extra_versions]]")
    seasons, models, subsets = (int(part) for part in parts[:3])
    late = float(parts[3]) if len(parts) > 3 else 0.0
    versions = int(parts[4]) if len(parts) > 4 else 0
    label = f"{seasons}x{models}x{subsets}-late{late}-v{versions}"
    run.SIZES[label] = (seasons, models, subsets)
    run.LATE_RATES[label] = late
    run.EXTRA_VERSIONS[label] = versions
    return label


def published(root: Path) -> dict[str, bytes]:
    """Every published file under `root` by its path (bench/limits.py's), without the status file, which names
    the run that wrote it."""
    return {path.as_posix(): data for path, data in limits.published(root) if path.name != "status.json"}


def describe(child: run.Child) -> str:
    return (
        f"{child.seconds:6.2f} s, CPU {child.cpu_seconds:6.2f} s, peak {child.tree_pss_mb:5.0f} MB summed PSS"
        f" ({child.max_rss_mb:.0f} MB largest RSS)"
    )


def measure(command: str, label: str, cache: Path) -> None:
    warehouse = run.build_warehouse(label, cache)
    rows = warehouse.rows["subset_picks"]
    last_season = [day for day in warehouse.dates if day >= warehouse.last - dt.timedelta(days=364)]
    day = last_season[len(last_season) // 2]
    print(f"{warehouse.shape}, {label}: {rows:,} pick rows", flush=True)
    with tempfile.TemporaryDirectory(prefix="picks-shapes-") as work:
        workers, single = Path(work, "workers"), Path(work, "single")
        (backfill,) = run.backfill_commands(command, warehouse, workers, "all", True)
        child = run.checked(run.run_child(backfill, run.child_env()), "backfill")
        print(f"  backfill, {os.cpu_count()} build workers: {describe(child)}, {run.queries_of(child)} queries")
        (backfill,) = run.backfill_commands(command, warehouse, single, "all", True)
        child = run.checked(
            run.run_child(backfill, {**run.child_env(), "PICKS_EXPORT_BUILD_WORKERS": "1"}), "one-worker backfill"
        )
        print(f"  backfill, 1 build worker:  {describe(child)}")
        ours, theirs = published(workers), published(single)
        differ = sorted(path for path in ours.keys() | theirs.keys() if ours.get(path) != theirs.get(path))
        if differ:
            raise SystemExit(f"  {len(differ)} files differ between the two backfills, first {differ[0]}")
        print(f"  the same {len(ours):,} files ({sum(map(len, ours.values())) / 1e6:.1f} MB) from both")
        daily = [command, "daily", "--date", day.isoformat(), "--all-models", *run.common_args(warehouse, workers)]
        run.checked(run.run_child(daily, run.child_env()), "daily (first)")
        child = run.checked(run.run_child(daily, run.child_env()), "daily")
        print(f"  daily --all-models --date {day}: {describe(child)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shapes", action="append", help="seasons,models,subsets[,late_rate[,extra_versions]]")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    command = run.tool()
    try:
        for shape in args.shapes or DEFAULT_SHAPES:
            measure(command, register(shape), args.cache)
    finally:
        run.SPAWNER.close()


if __name__ == "__main__":
    main()
