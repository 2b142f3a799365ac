"""The gzip level of uploads (`--gzip`), chosen by measurement: compression time against bytes, levels 1-9, on
the files a backfill publishes.

    python bench/gzip_level.py                  # a backfill of the 35x warehouse, every file
    python bench/gzip_level.py --size 1
    python bench/gzip_level.py --files DIR      # the files already published under DIR

(Not named gzip.py: a script's folder comes first on the import path, and it would stand in for the standard
library's module in every script of bench/.)

For each level it compresses every published file as an upload does (`gzip.compress(data, level, mtime=0)`),
timing the CPU of each kind of file apart (per-day files, season files, the rest), and prints the seconds and
the bytes of each level against level 9's, and how many bytes each further CPU second saves.
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

import run

LEVELS = range(1, 10)
KINDS = ("day", "season", "other")


def kind_of(relative: str) -> str:
    if "/seasons/" in relative or relative.endswith("/season.json"):
        return "season"
    return "day" if "/picks/20" in relative else "other"


def published(folder: Path) -> dict[str, list[bytes]]:
    """The bytes of every published file under `folder` by kind (not run records nor the store's own files)."""
    files: dict[str, list[bytes]] = {kind: [] for kind in KINDS}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_file() and not relative.startswith((".", "_runs/")) and not relative.endswith(".parquet"):
            files[kind_of(relative)].append(path.read_bytes())
    return files


def measure(files: dict[str, list[bytes]], repeat: int) -> dict[int, dict[str, tuple[float, int]]]:
    """level -> kind -> (CPU seconds to compress the kind's files, the best of `repeat`; their gzip bytes)."""
    results: dict[int, dict[str, tuple[float, int]]] = {}
    for level in LEVELS:
        results[level] = {}
        for kind, datas in files.items():
            best, size = float("inf"), 0
            for _ in range(repeat):
                started = time.process_time()
                size = sum(len(gzip.compress(data, compresslevel=level, mtime=0)) for data in datas)
                best = min(best, time.process_time() - started)
            results[level][kind] = (best, size)
    return results


def report(files: dict[str, list[bytes]], results: dict[int, dict[str, tuple[float, int]]]) -> None:
    raw = {kind: sum(map(len, datas)) for kind, datas in files.items()}
    counts = ", ".join(f"{len(datas):,} {kind} ({raw[kind] / 1e6:,.1f} MB)" for kind, datas in files.items())
    print(f"files: {counts}; {os.cpu_count()} CPUs")
    top = results[9]
    print("level | " + " | ".join(f"{kind} CPU s | {kind} MB" for kind in KINDS) + " | all CPU s | all MB"
          " | CPU vs 9 | bytes vs 9")  # fmt: skip
    total9 = sum(seconds for seconds, _ in top.values()), sum(size for _, size in top.values())
    for level, by_kind in results.items():
        cells = [f"{seconds:.2f} | {size / 1e6:.2f}" for seconds, size in by_kind.values()]
        seconds, size = sum(s for s, _ in by_kind.values()), sum(b for _, b in by_kind.values())
        print(f"{level} | " + " | ".join(cells) + f" | {seconds:.2f} | {size / 1e6:.2f} | {seconds / total9[0]:.2f}×"
              f" | {size / total9[1]:.4f}×")  # fmt: skip
    for level in LEVELS:
        if level == 9:
            continue
        seconds = sum(s for s, _ in results[level].values())
        size = sum(b for _, b in results[level].values())
        saved = (size - total9[1]) / max(total9[0] - seconds, 1e-9)
        print(f"level 9 against {level}: {total9[0] - seconds:.2f} CPU s more, {size - total9[1]:,} bytes fewer"
              f" ({saved / 1e3:,.0f} kB per CPU second)")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.warehouse_arguments(parser, "35")
    parser.add_argument("--files", type=Path, help="measure the files published under this folder instead")
    parser.add_argument("--repeat", type=int, default=3, help="the best of this many rounds per level (default 3)")
    options = parser.parse_args(argv)
    if options.files is not None:
        files = published(options.files)
    else:
        warehouse = run.cached_warehouse(options)
        with tempfile.TemporaryDirectory(prefix="picks-gzip-") as scratch:
            try:
                (args,) = run.backfill_commands(run.tool(), warehouse, Path(scratch), "all", True)
                run.checked(run.run_child(args, run.child_env()), "backfill")
            finally:
                run.SPAWNER.close()
            files = published(Path(scratch))
    report(files, measure(files, options.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
