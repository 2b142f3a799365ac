"""The cost of a converging daily run: `daily` rebuilds its whole season up to the date (every day file built and
hashed, the unchanged ones skipped) where it used to build the date and the day before only.

On a warehouse of one full season (the benchmark's 1× size: 2 models, 8 subsets), published whole by a backfill,
it times in one process a `daily` of a late date of the season, alternating the converging scope with the
former one (the date and the day before), and prints each one's median and their ratio. The destination is
converged before the timings start, so both publish nothing: what differs is the building and hashing.

    python bench/converge.py            # 9 runs of each
    python bench/converge.py --runs 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from picks_export.exporters import demo, rules, scopes
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore

GENERATED_AT = "2026-01-01T00:00:00Z"


def former_scope(self: scopes.Daily, snapshot, layout, published) -> scopes.Wanted:  # type: ignore[no-untyped-def]
    """The daily scope before it converged its season: the date, and the day before when it has picks."""
    day, yesterday = self.last, self.first
    days = [day] + ([yesterday] if yesterday in snapshot.dates_with_picks() else [])
    return scopes.Wanted(days, [(rules.season_label(day), None)], newest_first=True)


def timed_daily(warehouse: Path, dest: Path, day: dt.date) -> float:
    engine = DuckDBEngine(warehouse)
    try:
        started = time.perf_counter()
        Exporter(engine, FolderStore(dest), ExportOptions(today=day, generated_at=GENERATED_AT)).daily(day)
        return time.perf_counter() - started
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each scope (alternated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="picks-export-converge-") as folder:
        rows = demo.generate_scaled(1, 2, 8)
        warehouse = write_warehouse(Path(folder) / "w.duckdb", rows)
        day: dt.date = sorted({row[0] for row in rows["subset_picks"]})[-10]  # late in the season: most days before it
        dest = Path(folder) / "public"
        season_start, _ = rules.season_bounds(rules.season_label(day))
        engine = DuckDBEngine(warehouse)
        options = ExportOptions(today=day, generated_at=GENERATED_AT)
        Exporter(engine, FolderStore(dest), options).backfill(season_start, day)
        engine.close()
        converging = scopes.Daily.wanted
        timed_daily(warehouse, dest, day)  # converged, and the caches warm
        times: dict[str, list[float]] = {"former": [], "converging": []}
        for _ in range(args.runs):
            for name, wanted in (("former", former_scope), ("converging", converging)):
                scopes.Daily.wanted = wanted  # type: ignore[method-assign]
                times[name].append(timed_daily(warehouse, dest, day))
        scopes.Daily.wanted = converging  # type: ignore[method-assign]
    former, new = statistics.median(times["former"]), statistics.median(times["converging"])
    print(f"daily --date {day} over a converged season, {args.runs} alternated runs each (medians):")
    print(f"  former scope (the date and the day before): {former * 1000:7.1f} ms")
    print(f"  converging scope (the season up to the date): {new * 1000:7.1f} ms")
    print(f"  ratio: {new / former:.2f}")


if __name__ == "__main__":
    main()
