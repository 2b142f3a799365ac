"""The DuckDB engine's settings, shared by its declaration (`duckdb_file`) and the engine (`duckdb_engine`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .engine import Capabilities

# A DuckDB file is simply opened again in each forked build worker.
CAPABILITIES = Capabilities(forked_workers=True)


@dataclass(frozen=True)
class DuckDBSettings:
    """`sql_cache`: the folder keeping transpiled SQL for later runs (None: transpile in every process)."""

    sql_cache: Path | None = None
