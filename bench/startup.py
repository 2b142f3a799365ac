"""The small `daily`'s start-up cost against a bare Python process, as bench/run.py's "small daily / bare python"
measures it, but alone and with more runs: quicker to repeat while working on the command line's start-up.

    python bench/startup.py              # median of 15 alternated runs of each
    python bench/startup.py --runs 31 --work /tmp/startup

It writes the demo season's warehouse (`picks-export demo`, bench/run.py's 1× size), backfills the champion's
season into a folder, then alternates `picks-export daily --date D` (D in the middle of the season, over that
published history) with `python -c "import duckdb, orjson; duckdb.connect(W).execute('SELECT 1')"`, each in a
new process, and prints each one's median wall time and their ratio (the issue's goal: at most 2×), and the ratio
of their CPU times (user + system), which a load shared with other jobs moves less. Alternating keeps such a load
on both sides of the ratio.

--ladder also times, alternated with those, processes that each stop earlier on the daily's way: the interpreter
alone, importing the command line (Typer, the CLI module), Typer's building and parsing of the same command line
without running it, importing the modules the run needs (the exporter, DuckDB and its engine), and reading the
warehouse as the daily does (the engine opened, the seven queries run and their rows made into the season's
snapshots) without building anything. The differences between rungs say where the time goes; what the last rung
leaves to the daily itself is building, hashing, validating, planning and publishing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TODAY = "2026-07-01"  # demo.SCALED_TODAY: the 1× warehouse of bench/run.py
DATE = "2026-02-16"  # a day in the middle of the demo season
EPOCH = "1782864000"  # SOURCE_DATE_EPOCH, as bench/run.py sets it


def tool() -> str:
    found = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit(f"picks-export is not installed next to {sys.executable}")
    return found


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of `command` in folder `cwd`: not the repository's,
    whose picks_export/ a `python -c` would import (and compile) instead of the installed package."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


# The modules a daily's run imports beyond the command line's (the exporter, DuckDB and its engine).
RUN_MODULES = "import picks_export.exporters.exporter, picks_export.exporters.engines.duckdb_engine"
# The daily's reading of the warehouse alone: the engine opened with the SQL cache, then read_plan's and
# read_models' queries, every snapshot made, nothing built.
READ = (
    "import datetime as dt; from picks_export.cli.settings import Settings;"
    " from picks_export.exporters import scopes, warehouse, workers;"
    " from picks_export.exporters.engines.duckdb_engine import DuckDBEngine;"
    " scope = scopes.Daily(dt.date.fromisoformat({date!r}), dt.date.fromisoformat({today!r}));"
    " engine = DuckDBEngine({warehouse!r}, sql_cache=Settings.read().sql_cache);"
    " plan = warehouse.read_plan(engine, None, *scopes.read_span(scope.first, scope.last));"
    " [list(snapshots) for snapshots in workers.read_models(engine, plan, plan.models, None)]; engine.close()"
)


def ladder(arguments: list[str], warehouse: Path) -> dict[str, list[str]]:
    """Processes that stop earlier and earlier on the way of `picks-export ARGUMENTS` (a daily over `warehouse`)."""
    read = READ.format(date=DATE, today=TODAY, warehouse=str(warehouse))
    # as the console script (picks_export.console, cli.process.main) starts and ends: collections off from before the
    # imports; Typer's building (of the named command only) and parsing of the command line, without its body
    parse = ("import gc; gc.disable(); import sys, typer.main; import picks_export.cli;"
             " from picks_export.cli.process import app_for, start_up; start_up();"
             " group = typer.main.get_command(app_for(sys.argv[1:]));"
             " group.commands[sys.argv[1]].callback = lambda **options: None;"
             " group.main(sys.argv[1:], 'picks-export', standalone_mode=False); gc.freeze()")  # fmt: skip
    return {
        "interpreter (python -c pass)": [sys.executable, "-c", "pass"],
        "import picks_export.cli (Typer, the CLI)": [
            sys.executable,
            "-c",
            "import gc; gc.disable(); import picks_export.cli; gc.freeze()",
        ],
        "+ Typer builds and parses the command line": [sys.executable, "-c", parse, *arguments],
        "+ imports the run's modules": [
            sys.executable,
            "-c",
            parse.replace("gc.freeze()", f"{RUN_MODULES}; gc.freeze()"),
            *arguments,
        ],
        "+ reads the warehouse (no building)": [
            sys.executable,
            "-c",
            parse.replace("gc.freeze()", f"{RUN_MODULES}; {read}; gc.freeze()"),
            *arguments,
        ],
    }


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (alternated)")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--ladder", action="store_true", help="also time the rungs of the start-up (see above)")
    args = parser.parse_args()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    command = tool()
    work = args.work or Path(tempfile.mkdtemp(prefix="picks-startup-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        warehouse, dest = work / "warehouse.duckdb", work / "site"
        if not warehouse.exists():
            subprocess.run([command, "demo", "--warehouse", str(warehouse), "--today", TODAY, "--seed", "7"],
                           env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        common = ["--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY]
        if not dest.exists():
            subprocess.run([command, "backfill", "--start", "2025-08-01", "--end", "2026-07-31", *common],
                           env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        daily = [command, "daily", "--date", DATE, *common]
        bare = [sys.executable, "-c",
                f"import duckdb, orjson; duckdb.connect({str(warehouse)!r}, read_only=True).execute('SELECT 1')"]  # fmt: skip
        timed(daily, env, work)  # the first run publishes what changed since the backfill; the timed ones are alike
        commands = {"bare python": bare, **(ladder(daily[1:], warehouse) if args.ladder else {}), "small daily": daily}
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, each in commands.items():
                wall, cpu = timed(each, env, work)
                walls[name].append(wall)
                cpus[name].append(cpu)
        wall_of = {name: median(values) for name, values in walls.items()}
        cpu_of = {name: median(values) for name, values in cpus.items()}
        if args.ladder:
            previous = (0.0, 0.0)
            for name in commands:
                wall, cpu = wall_of[name], cpu_of[name]
                print(f"  {name:<44} wall {wall * 1000:6.1f} ms ({(wall - previous[0]) * 1000:+6.1f})"
                      f"  CPU {cpu * 1000:6.1f} ms ({(cpu - previous[1]) * 1000:+6.1f})")  # fmt: skip
                previous = (wall, cpu) if name != "bare python" else (0.0, 0.0)
        small, floor = wall_of["small daily"], wall_of["bare python"]
        print(f"small daily {small:.3f} s / bare python {floor:.3f} s = {small / floor:.2f}× "
              f"(median of {args.runs}; {os.cpu_count()} cores); CPU time: {cpu_of['small daily'] / cpu_of['bare python']:.2f}×")  # fmt: skip
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
