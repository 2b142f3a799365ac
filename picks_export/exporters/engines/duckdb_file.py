"""A DuckDB file as a warehouse, declared: the default engine (a `--warehouse` that names no scheme is a file
path), its capabilities and its settings. DuckDB itself loads only when a warehouse is opened (`duckdb_engine`)."""

from __future__ import annotations

from pathlib import Path

from ..common import unusable_path
from ..errors import OptionError, literal
from ..tables import Rows
from .duckdb_settings import CAPABILITIES, DuckDBSettings
from .engine import Engine, EngineSpec


def open_duckdb(warehouse: str, dataset: str, settings: DuckDBSettings) -> Engine:
    from .duckdb_engine import DuckDBEngine

    return DuckDBEngine(warehouse, dataset, sql_cache=settings.sql_cache, worker_memory=settings.worker_memory)


def write_demo(warehouse: str | Path, rows: Rows, dataset: str, settings: DuckDBSettings, *, force: bool) -> None:
    """Write a new DuckDB file; only a previous demo (or nothing) is replaced unless `force`."""
    from .duckdb_engine import holds_only_a_demo, write_warehouse

    existing = Path(warehouse)
    if (why := unusable_path(existing)) is not None:
        raise OptionError(f"warehouse {literal(str(warehouse))} cannot be written: {why}")
    if existing.exists() and not existing.is_file():  # a device or a folder: --force replaces files only
        raise OptionError(f"warehouse {literal(str(warehouse))} is not a file: give a file's path")
    if not force and not holds_only_a_demo(warehouse):
        raise OptionError(
            f"warehouse {literal(str(warehouse))} holds something other than a previous demo: pass {{force}} to"
            " replace it"
        )
    write_warehouse(warehouse, rows, dataset, sql_cache=settings.sql_cache)


SPEC = EngineSpec(
    name="DuckDB",
    schemes=(),
    example="PATH",
    capabilities=CAPABILITIES,
    settings=DuckDBSettings,
    options=(),
    open=open_duckdb,
    write_demo=write_demo,
)
