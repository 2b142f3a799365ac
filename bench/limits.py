"""The physical work of a backfill, each step measured alone, against the backfill's own CPU time in the same run.

    python bench/limits.py                 # the 140x warehouse
    python bench/limits.py --size 35v      # another of bench/run.py's sizes
    python bench/limits.py --size 140v     # 140x with more versions a day (6.9M rows)

It runs `picks-export backfill --all-models` of every season into an empty folder (a new process through
bench/run.py's helper: its wall time, and its CPU time with its build workers'), then measures in this process,
each step by itself, the work no exporter can skip for the same files:

- query: the backfill's own shown_picks query (the tool's SQL, transpiled as the tool does), over every enabled
  model and the whole range, its result fetched as one Arrow table;
- serialize: orjson of every published JSON document (each file read and parsed first, untimed; the bytes made
  are checked against the published ones);
- hash: SHA-256 of every published file's bytes;
- write: every published file's bytes written to a file of its own in a new folder tree (each folder made once).

It prints each step's CPU and wall seconds, their sum, and the backfill's CPU over that sum.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import orjson
import run

from picks_export.exporters.engines.duckdb_engine import transpile
from picks_export.exporters.engines.engine import DEFAULT_DATASET
from picks_export.exporters.scopes import read_span
from picks_export.exporters.warehouse import range_params

STEPS = ("query", "serialize", "hash", "write")


class Clock:
    """CPU and wall seconds added up over the stretches it times."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> Clock:
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu += time.process_time() - self._cpu
        self.wall += time.perf_counter() - self._wall


def query_as_arrow(warehouse: run.Warehouse, clock: Clock) -> int:
    """The shown_picks query of every enabled model over the backfill's read span, fetched as Arrow: its rows."""
    (statement,) = transpile("shown_picks", DEFAULT_DATASET, None)  # transpiled outside the clock, as a cache does
    params = range_params([system for system, _, _ in warehouse.models], *read_span(warehouse.first, warehouse.last))
    connection = duckdb.connect(str(warehouse.path), read_only=True)
    try:
        with clock:
            table = connection.execute(statement, params).to_arrow_table()
        return table.num_rows
    finally:
        connection.close()


def published(folder: Path) -> Iterator[tuple[Path, bytes]]:
    """Every published file under `folder` with its bytes (not the run records nor the store's own files)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith((".", "_runs/")):
            yield path.relative_to(folder), path.read_bytes()


def file_steps(source: Path, target: Path, clocks: dict[str, Clock]) -> tuple[int, int, int]:
    """Serialize, hash and write every published file of `source` (into `target`): files, bytes, and JSON files
    whose orjson bytes differ from the published ones (none expected: the tool publishes `orjson.dumps`)."""
    files = size = differing = 0
    folders: set[Path] = set()
    for relative, data in published(source):
        files, size = files + 1, size + len(data)
        if relative.suffix == ".json":
            content = orjson.loads(data)
            with clocks["serialize"]:
                made = orjson.dumps(content)
            differing += made != data
        with clocks["hash"]:
            hashlib.sha256(data).digest()
        folder = target / relative.parent
        with clocks["write"]:
            if folder not in folders:
                os.makedirs(folder, exist_ok=True)
                folders.add(folder)
            with open(target / relative, "wb") as out:
                out.write(data)
    return files, size, differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.warehouse_arguments(parser, "140")
    options = parser.parse_args(argv)
    warehouse = run.cached_warehouse(options)
    clocks = {step: Clock() for step in STEPS}
    with tempfile.TemporaryDirectory(prefix="picks-limits-") as scratch:
        work = Path(scratch)
        try:
            (args,) = run.backfill_commands(run.tool(), warehouse, work / "backfill", "all", True)
            backfill = run.checked(run.run_child(args, run.child_env()), "backfill")
        finally:
            run.SPAWNER.close()
        os.sync()
        rows = query_as_arrow(warehouse, clocks["query"])
        files, size, differing = file_steps(work / "backfill", work / "written", clocks)
        os.sync()
    floor_cpu = sum(clock.cpu for clock in clocks.values())
    print(f"{options.size}× ({warehouse.shape}): {rows:,} shown picks, {files:,} files, {size / 1e6:,.1f} MB"
          f" ({differing} JSON files published as written rather than by orjson: the schemas); {os.cpu_count()} CPUs")  # fmt: skip
    for step, clock in clocks.items():
        print(f"  {step:<10} CPU {clock.cpu:7.2f} s   wall {clock.wall:7.2f} s")
    print(f"  {'sum':<10} CPU {floor_cpu:7.2f} s   wall {sum(clock.wall for clock in clocks.values()):7.2f} s")
    print(f"backfill: wall {backfill.seconds:.2f} s, CPU {backfill.cpu_seconds:.2f} s (build workers included),"
          f" peak PSS {backfill.tree_pss_mb:.0f} MB")  # fmt: skip
    print(f"backfill CPU / physical work: {backfill.cpu_seconds / floor_cpu:.2f}× (target ≤ 2.5×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
