"""BigQuery on the emulator: the shown picks as REST pages against the Storage Read API, and build workers as one
query per worker against one read session with a stream per worker.

Usage: python bench/bigquery.py [--seasons 1] [--models 4] [--repeat 3]

Starts bqemulator as the tests do (tests/emulator.py, .venv-bqemulator), loads a scaled demo warehouse, and prints
a Markdown table. The emulator runs every query on DuckDB in its own process, on the same cores as the run: its
CPU is reported apart. What it cannot show (bytes billed, partition pruning, BigQuery's own stream splitting) is in
the benchmark's documentation.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from emulator import Emulator  # noqa: E402

from picks_export.exporters.demo import SCALED_TODAY, generate_scaled  # noqa: E402
from picks_export.exporters.engines import open_engine, write_demo  # noqa: E402
from picks_export.exporters.scopes import read_span  # noqa: E402
from picks_export.exporters.warehouse import range_params  # noqa: E402

PROJECT = "picks-export-bench"
DATASET = "bench"


def emulator_cpu(emulator: Emulator) -> float:
    """User + system seconds of the emulator's process so far."""
    assert emulator.process is not None
    fields = Path(f"/proc/{emulator.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(emulator: Emulator, action: Callable[[], Any], repeat: int) -> tuple[float, float, float, Any]:
    """Median wall, this process's CPU and the emulator's CPU of `action`, and its last result."""
    walls, cpus, served = [], [], []
    result = None
    for _ in range(repeat):
        emulated, cpu, wall = emulator_cpu(emulator), time.process_time(), time.perf_counter()
        result = action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        served.append(emulator_cpu(emulator) - emulated)
    return statistics.median(walls), statistics.median(cpus), statistics.median(served), result


def read_all(engine: Any, params: dict[str, Any]) -> int:
    _, rows = engine.query_tuples("shown_picks", params)
    return sum(1 for _ in rows)


def backfill(emulator: Emulator, workers: int, dest: Path) -> tuple[float, float, str]:
    """A `backfill --all-models` of the season in a new process: wall, CPU of it and its workers, and a digest of
    every published file."""
    env = {**os.environ, "PICKS_EXPORT_BUILD_WORKERS": str(workers), "SOURCE_DATE_EPOCH": "1770478200"}
    env |= {
        "PICKS_EXPORT_BIGQUERY_ENDPOINT": emulator.url,
        "PICKS_EXPORT_BIGQUERY_STORAGE_ENDPOINT": emulator.storage_endpoint,
    }
    command = [str(Path(sys.executable).parent / "picks-export"), "backfill", "--all-models"]
    command += ["--start", "2025-10-21", "--end", "2026-06-15", "--today", str(SCALED_TODAY)]
    command += ["--warehouse", f"bigquery://{PROJECT}", "--dataset", DATASET, "--dest", str(dest)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    digest = hashlib.sha256()
    for path in sorted(dest.rglob("*")):
        relative = path.relative_to(dest).as_posix()
        if path.is_file() and not relative.startswith((".", "_runs/")) and not relative.endswith("status.json"):
            digest.update(relative.encode() + path.read_bytes())
    return wall, cpu, digest.hexdigest()[:12]


def streams_split(engine: Any, params: dict[str, Any], streams: int) -> tuple[int, int, int]:
    """One query, one read session of up to `streams` streams over its result: the streams given, the models whose
    rows more than one stream holds (a worker per stream would have to regroup them), and the models."""
    from google.cloud.bigquery_storage_v1 import types

    job, _ = engine._result("shown_picks", params)
    table = job.destination
    client = engine._reader._read_client()
    session = client.create_read_session(
        parent=f"projects/{PROJECT}",
        read_session=types.ReadSession(
            table=f"projects/{table.project}/datasets/{table.dataset_id}/tables/{table.table_id}",
            data_format=types.DataFormat.ARROW,
        ),
        max_stream_count=streams,
    )
    holders: dict[str, set[int]] = {}
    for number, stream in enumerate(session.streams):
        for batch in engine._reader._read(
            client, types.ReadSession(streams=[stream], arrow_schema=session.arrow_schema)
        ):
            for system_id in set(batch.column(0).to_pylist()):
                holders.setdefault(system_id, set()).add(number)
    return len(session.streams), sum(1 for each in holders.values() if len(each) > 1), len(holders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seasons", type=int, default=1)
    parser.add_argument("--models", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="picks-export-bench-bq-") as scratch:
        emulator = Emulator(Path(scratch))
        emulator.start()
        try:
            run(emulator, Path(scratch), arguments)
        finally:
            emulator.stop()


def run(emulator: Emulator, scratch: Path, arguments: argparse.Namespace) -> None:
    warehouse = f"bigquery://{PROJECT}"
    rest_values = {"command": "bench", "bigquery_endpoint": emulator.url}
    storage_values = {**rest_values, "storage_endpoint": emulator.storage_endpoint}
    rows = generate_scaled(arguments.seasons, arguments.models, 8)
    started = time.perf_counter()
    write_demo(warehouse, rows, DATASET, rest_values, force=True)
    print(f"loaded {len(rows['subset_picks']):,} pick rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    system_ids = [model[0] for model in rows["models"] if model[4]]
    params = range_params(system_ids, *read_span(SCALED_TODAY.replace(year=SCALED_TODAY.year - 1), SCALED_TODAY))
    print("| measure | wall s | client CPU s | emulator CPU s | result |")
    print("|---|---|---|---|---|")
    for label, values in (("shown picks, REST pages", rest_values), ("shown picks, Storage Read API", storage_values)):
        engine = open_engine(warehouse, DATASET, values)
        wall, cpu, served, count = timed(emulator, lambda engine=engine: read_all(engine, params), arguments.repeat)
        print(
            f"| {label} | {wall:.2f} | {cpu:.2f} | {served:.2f} | {count:,} rows, {engine.storage_reads} via Storage |"
        )
        engine.close()
    engine = open_engine(warehouse, DATASET, storage_values)
    for streams in (2, 4):
        wall, cpu, served, (given, split, models) = timed(
            emulator, lambda streams=streams: streams_split(engine, params, streams), 1
        )
        print(f"| one query, a session of up to {streams} streams | {wall:.2f} | {cpu:.2f} | {served:.2f} |"
              f" {given} streams; {split} of {models} models' rows in more than one |")  # fmt: skip
    engine.close()
    for workers in (1, 2):
        emulated = emulator_cpu(emulator)
        wall, cpu, digest = backfill(emulator, workers, scratch / f"out-{workers}")
        served = emulator_cpu(emulator) - emulated
        print(
            f"| backfill --all-models, {workers} worker(s) | {wall:.2f} | {cpu:.2f} | {served:.2f} | files {digest} |"
        )


if __name__ == "__main__":
    main()
