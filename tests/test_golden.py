"""Golden files: the demo warehouse's daily export, byte for byte (the daily publishes its season up to the
day: every earlier date with shown picks too).

The files under tests/golden/daily-2025-11-05/ were read and checked by a person (records against the picks
above them, the lock on the schedule-gap day, DNPs, pushes, signals); their bytes are the contract with the
frontend. After an intended change, regenerate them with `UPDATE_GOLDEN=1 pytest tests/test_golden.py`
and read the diff before committing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "daily-2025-11-05"
TODAY = "2025-11-05"
ENV = {"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": TODAY}


def export(folder: Path, hash_seed: str) -> dict[str, bytes]:
    """Build the demo warehouse and run the daily job in a fresh interpreter; return the files it wrote."""
    env = {**os.environ, **ENV, "PYTHONHASHSEED": hash_seed}
    cli = [sys.executable, "-c", "from picks_export.cli import main; main()"]
    warehouse, dest = folder / "warehouse.duckdb", folder / "public"
    for args in (["demo", "--seed", "7"], ["daily", "--date", TODAY, "--dest", str(dest)]):
        subprocess.run([*cli, *args, "--warehouse", str(warehouse)], env=env, check=True, capture_output=True)
    # The published schemas are the shipped files themselves (tests/test_publish.py); the documents are golden.
    files = {path.relative_to(dest).as_posix(): path.read_bytes() for path in sorted((dest / "v1").rglob("*.json"))}
    # A season's Parquet table is golden as its rows in JSON lines (its bytes are pyarrow's to lay out).
    for table in sorted((dest / "v1").rglob("*.parquet")):
        files[f"{table.relative_to(dest).as_posix()}.jsonl"] = parquet_rows(table)
    # v1/status.json names the run (its id and clock): tests/test_quality.py checks it instead.
    return {
        path: data for path, data in files.items() if not path.startswith("v1/schemas/") and path != "v1/status.json"
    }


def parquet_rows(table: Path) -> bytes:
    """The table's column types, then its rows (dates as ISO strings), one JSON value a line."""
    import orjson
    import pyarrow.parquet as pq

    read = pq.read_table(table)
    types = {field.name: f"{field.type}{'' if field.nullable else ' not null'}" for field in read.schema}
    return b"".join(orjson.dumps(line) + b"\n" for line in [types, *read.to_pylist()])


@pytest.mark.parametrize("hash_seed", ["1", "4242"])
def test_daily_export_of_the_demo_matches_the_golden_files(tmp_path, hash_seed):
    files = export(tmp_path, hash_seed)
    if os.environ.get("UPDATE_GOLDEN") and hash_seed == "1":
        for path, data in files.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_bytes(data)
    found = sorted([*GOLDEN.rglob("*.json"), *GOLDEN.rglob("*.parquet.jsonl")])
    golden = {path.relative_to(GOLDEN).as_posix(): path.read_bytes() for path in found}
    assert sorted(files) == sorted(golden)
    for path, data in golden.items():
        assert files[path] == data, f"{path} differs from its golden file"
