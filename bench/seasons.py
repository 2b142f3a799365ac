"""A daily over a long history against the same daily over its current season alone: the "daily costs one season"
figure, on a folder and on a bucket (fake-gcs-server).

    python bench/seasons.py                      # 8 seasons × 4 models × 8 subsets, 5 alternated pairs
    python bench/seasons.py --shape 8,16,16      # bench/run.py's 140× warehouse
    python bench/seasons.py --no-bucket --pairs 9

It generates the warehouse as bench/run.py does (cached in bench/.cache/), publishes it twice to each kind of
destination: every season (`backfill --all-models` of the whole range) and the current season only (a backfill
of its dates), runs one untimed `daily --all-models` of a mid-season date over each (it publishes what the daily
adds to a backfill), then alternates the same daily over the two, each in a new process, and prints each pair's
ratio (history / current season) and their median. Both destinations hold the same current season, so both
dailies converge the same files: the ratio is what the earlier seasons cost.
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

import run  # noqa: E402  bench/run.py: the warehouses, the child processes, fake-gcs-server


def alternate(commands: dict[str, list[str]], env: dict[str, str], pairs: int) -> dict[str, list[run.Child]]:
    """Each command once untimed, then `pairs` rounds of each in turn: the timed runs by name."""
    for name, command in commands.items():
        run.checked(run.run_child(command, env), f"{name} (first)")
    times: dict[str, list[run.Child]] = {name: [] for name in commands}
    for _ in range(pairs):
        for name, command in commands.items():
            times[name].append(run.checked(run.run_child(command, env), name))
    return times


def report(where: str, times: dict[str, list[run.Child]]) -> None:
    """Each pair's wall and CPU times and ratios, and the medians of the ratios (CPU time, user + system of the run
    and its children, moves less than wall time when other jobs share the machine)."""
    history, current = times["history"], times["current season"]
    walls = [over.seconds / alone.seconds for over, alone in zip(history, current, strict=True)]
    cpus = [over.cpu_seconds / alone.cpu_seconds for over, alone in zip(history, current, strict=True)]
    for number, (over, alone) in enumerate(zip(history, current, strict=True)):
        print(f"  {where} pair {number + 1}: history {over.seconds:.3f} s (CPU {over.cpu_seconds:.3f} s),"
              f" current season {alone.seconds:.3f} s (CPU {alone.cpu_seconds:.3f} s):"
              f" {walls[number]:.2f}× wall, {cpus[number]:.2f}× CPU")  # fmt: skip
    print(f"{where}: history / current season, median of {len(walls)} pairs: {run.median(walls):.2f}× wall,"
          f" {run.median(cpus):.2f}× CPU (target ≤ 1.1×); {os.cpu_count()} cores")  # fmt: skip


def dailies(command: str, warehouse: run.Warehouse, day: dt.date, history: str, current: str) -> dict[str, list[str]]:
    daily = [command, "daily", "--date", day.isoformat(), "--all-models"]
    return {
        "history": [*daily, *run.common_args(warehouse, history)],
        "current season": [*daily, *run.common_args(warehouse, current)],
    }


def publish(command: str, warehouse: run.Warehouse, season_start: dt.date, history: str, current: str) -> None:
    env = run.child_env()
    (whole,) = run.backfill_commands(command, warehouse, history, "all", True)
    run.checked(run.run_child(whole, env), "backfill of every season")
    alone = [*run.backfill_commands(command, warehouse, current, "all", True)[0]]
    alone[alone.index("--start") + 1] = season_start.isoformat()
    run.checked(run.run_child(alone, env), "backfill of the current season")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", default="8,4,8", help="seasons,models,subsets of the warehouse (default 8,4,8)")
    parser.add_argument("--pairs", type=int, default=5, help="alternated pairs on each destination")
    parser.add_argument("--no-bucket", action="store_true", help="the folder case only")
    parser.add_argument("--cache", type=Path, default=BENCH / ".cache")
    args = parser.parse_args()
    seasons, models, subsets = (int(part) for part in args.shape.split(","))
    label = f"{seasons}x{models}x{subsets}"
    run.SIZES.setdefault(label, (seasons, models, subsets))
    if (seasons, models, subsets) == run.SIZES["140"]:
        label = "140"  # the same warehouse as bench/run.py's (its late versions included)
    args.cache.mkdir(parents=True, exist_ok=True)
    command = run.tool()
    warehouse = run.build_warehouse(label, args.cache)
    last_season = [day for day in warehouse.dates if day >= warehouse.last - dt.timedelta(days=364)]
    day = last_season[len(last_season) // 2]
    season_start = dt.date(warehouse.last.year - 1, 8, 1)
    print(f"{warehouse.shape} warehouse, daily --all-models --date {day}", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="picks-seasons-") as work:
            history, current = f"{work}/history", f"{work}/current"
            publish(command, warehouse, season_start, history, current)
            report("folder", alternate(dailies(command, warehouse, day, history, current), run.child_env(), args.pairs))
        missing = None if args.no_bucket else run.fake_gcs_missing()
        if args.no_bucket or missing:
            print(f"bucket: not measured ({missing or '--no-bucket'})")
            return
        from fakegcs import FakeGCS, client_for

        server = FakeGCS()
        try:
            client = client_for(server.url)
            for name in ("history", "current"):
                client.create_bucket(f"bench-seasons-{name}")
            history, current = "gs://bench-seasons-history", "gs://bench-seasons-current"
            env = {**run.child_env(), "STORAGE_EMULATOR_HOST": server.url}
            os.environ["STORAGE_EMULATOR_HOST"] = server.url  # for the backfills (run.child_env copies it)
            publish(command, warehouse, season_start, history, current)
            report("bucket", alternate(dailies(command, warehouse, day, history, current), env, args.pairs))
        finally:
            server.stop()
    finally:
        run.SPAWNER.close()


if __name__ == "__main__":
    main()
