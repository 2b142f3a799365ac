"""The DuckDB engine's settings, shared by its declaration (`duckdb_file`) and the engine (`duckdb_engine`)."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .engine import Capabilities

# A DuckDB file is simply opened again in each forked build worker.
CAPABILITIES = Capabilities(forked_workers=True)


class DuckDBSettings(NamedTuple):
    """`sql_cache`: the folder keeping transpiled SQL for later runs (None: transpile in every process);
    `worker_memory`: bytes of DuckDB memory in each build worker (None: the engine's default)."""

    sql_cache: Path | None = None
    worker_memory: int | None = None
