"""The registry of warehouse engines: which engine a `--warehouse` names, by its scheme.

`bigquery://PROJECT` is BigQuery; a warehouse without a registered scheme is a DuckDB file path. Each engine
declares its schemes, capabilities and options in a light module (`duckdb_file`, `bigquery`) that imports the
engine's own libraries only when a warehouse of its kind is opened: the core runs without Google's client.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..tables import Rows
from . import bigquery, duckdb_file
from .engine import DEFAULT_DATASET, Engine, EngineOption, EngineSpec

ENGINES: tuple[EngineSpec, ...] = (duckdb_file.SPEC, bigquery.SPEC)
_DEFAULT = duckdb_file.SPEC  # a warehouse naming no registered scheme is a file path


def engine_for(warehouse: str | Path) -> EngineSpec:
    """The engine of a warehouse: the one whose scheme it starts with (`scheme://`), else a DuckDB file."""
    scheme, separator, _ = str(warehouse).partition("://")
    if separator:
        for spec in ENGINES:
            if scheme in spec.schemes:
                return spec
    return _DEFAULT


def engine_options(*, loads: bool = False) -> list[EngineOption]:
    """Every engine's options, each once (`loads`: only those of loading tables, for `demo`)."""
    found: dict[str, EngineOption] = {}
    for spec in ENGINES:
        for option in spec.options:
            if option.loads or not loads:
                found.setdefault(option.name, option)
    return list(found.values())


def open_engine(
    warehouse: str | Path, dataset: str = DEFAULT_DATASET, values: Mapping[str, Any] | None = None
) -> Engine:
    """The engine of an existing warehouse, with the settings `values` gives by concept (an option's name, or a
    settings field such as `sql_cache` or `command`); a value another engine takes is ignored."""
    spec = engine_for(warehouse)
    return spec.open(str(warehouse), dataset, spec.settings_of(values or {}))


def write_demo(
    warehouse: str | Path, rows: Rows, dataset: str, values: Mapping[str, Any] | None = None, *, force: bool = False
) -> None:
    """Lay out the contract's tables in `warehouse` and fill them with `rows`, replacing what was there.

    Only a previous demo (or nothing) is replaced unless `force`: the demo must never overwrite real data.
    """
    spec = engine_for(warehouse)
    spec.write_demo(warehouse, rows, dataset, spec.settings_of(values or {}), force=force)
