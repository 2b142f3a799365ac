"""The large backfill against the floor, in alternated pairs: a steadier ratio than bench/run.py's single pair on a
shared machine, whose speed can change by a factor of two between one minute and the next.

    python bench/pairs.py                  # 140x, 3 pairs
    python bench/pairs.py --size 35 --pairs 5

Each pair runs `picks-export backfill --all-models` (every season, into an empty folder) and then bench/floor.py
over the same warehouse, each in a new process through bench/run.py's helper (its wall time, CPU time and peak
memory), the previous run's writes flushed to disk first. It prints each pair and the median of the pairs' ratios
(backfill / floor, process against process), the backfill's CPU / wall and its peak PSS.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.warehouse_arguments(parser, "140")
    parser.add_argument("--pairs", type=int, default=3, help="how many alternated pairs (default 3)")
    options = parser.parse_args(argv)
    warehouse = run.cached_warehouse(options)
    env, command = run.child_env(), run.tool()
    ratios, cpu_ratios, memory = [], [], []
    with tempfile.TemporaryDirectory(prefix="picks-pairs-") as scratch:
        work = Path(scratch)
        try:
            for number in range(1, options.pairs + 1):
                (args,) = run.backfill_commands(command, warehouse, work / "backfill", "all", True)
                backfill = run.checked(run.run_child(args, env), "backfill")
                shutil.rmtree(work / "backfill")
                floor_args = run.floor_command(warehouse, warehouse.models, work / "floor.json", work / "floor")
                floor = run.checked(run.run_child(floor_args, env), "floor")
                shutil.rmtree(work / "floor")
                ratios.append(backfill.seconds / floor.seconds)
                cpu_ratios.append(backfill.cpu_seconds / backfill.seconds)
                memory.append(backfill.tree_pss_mb)
                print(f"pair {number}: backfill {backfill.seconds:.2f} s (CPU / wall {cpu_ratios[-1]:.2f},"
                      f" {backfill.tree_pss_mb:.0f} MB), floor {floor.seconds:.2f} s (CPU {floor.cpu_seconds:.2f} s):"
                      f" {ratios[-1]:.2f}×", flush=True)  # fmt: skip
        finally:
            run.SPAWNER.close()
    print(f"{options.size}×, {options.pairs} pairs: backfill / floor median {statistics.median(ratios):.2f}×"
          f" (target ≤ 1.5×), CPU / wall median {statistics.median(cpu_ratios):.2f} (target ≥ 1.5),"
          f" peak PSS {max(memory):.0f} MB (target ≤ 400 MB); {os.cpu_count()} CPUs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
