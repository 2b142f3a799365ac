"""Chooses the engine a `--warehouse` names: a DuckDB file path, or `bigquery://PROJECT`.

Only this choice knows both engines. It imports neither Google's client nor DuckDB until one is asked for, so that
the core runs without `google-cloud-bigquery` installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .engine import DEFAULT_DATASET, PROJECT_PATTERN, PROJECT_RULE, Engine, check_identifier
from ..errors import ExportError, WarehouseError
from ..tables import Rows

if TYPE_CHECKING:
    from .bigquery_engine import BigQueryEngine

BIGQUERY_SCHEME = "bigquery://"
MIB = 1024**2
GIB = 1024**3
DEFAULT_MAXIMUM_BYTES_BILLED = GIB
# BigQuery bills at least 10 MiB per query, so a lower cap refuses every query.
MINIMUM_BYTES_BILLED = 10 * MIB
DEFAULT_QUERY_TIMEOUT = 300.0
_BYTE_UNITS = {"": 1, "B": 1, "KIB": 1024, "MIB": MIB, "GIB": GIB, "TIB": 1024**4}
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]iB|B)?\s*", re.IGNORECASE)
_ENDPOINT = re.compile(r"https?://[^\s/@]+(/[^\s@]*)?")


@dataclass(frozen=True)
class BigQuerySettings:
    """How the BigQuery engine runs its jobs; ignored for a DuckDB warehouse."""

    command: str = "cli"  # the `command` label of every job
    location: str | None = None
    endpoint: str | None = None  # another API endpoint (an emulator), reached with anonymous credentials
    maximum_bytes_billed: int = DEFAULT_MAXIMUM_BYTES_BILLED
    timeout: float = DEFAULT_QUERY_TIMEOUT  # seconds one query may take, retries included


def is_bigquery(warehouse: str | Path) -> bool:
    return str(warehouse).startswith(BIGQUERY_SCHEME)


def bigquery_project(warehouse: str) -> str:
    """The checked project id of `bigquery://PROJECT`."""
    return check_identifier("project", warehouse.removeprefix(BIGQUERY_SCHEME), PROJECT_PATTERN, PROJECT_RULE)


def parse_bytes(text: str) -> int:
    """A byte count such as `1073741824`, `500MiB` or `2GiB`."""
    match = _SIZE.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a byte count like 1073741824, 500MiB or 2GiB")
    return int(match[1]) * _BYTE_UNITS[(match[2] or "").upper()]


def format_bytes(count: int) -> str:
    """`1 GiB (1,073,741,824 bytes)` for a whole number of a unit, else `12,345 bytes`."""
    for unit in ("TiB", "GiB", "MiB"):
        size = _BYTE_UNITS[unit.upper()]
        if count >= size and count % size == 0:
            return f"{count // size} {unit} ({count:,} bytes)"
    return f"{count:,} bytes"


def check_settings(settings: BigQuerySettings) -> BigQuerySettings:
    """Refuse settings that could only fail later, before any request."""
    if settings.maximum_bytes_billed < MINIMUM_BYTES_BILLED:
        raise ExportError(
            f"--maximum-bytes-billed {format_bytes(settings.maximum_bytes_billed)} is below BigQuery's minimum bill of"
            f" {format_bytes(MINIMUM_BYTES_BILLED)} per query, so every query would be refused: use 10MiB or more"
        )
    if settings.endpoint is not None and not _ENDPOINT.fullmatch(settings.endpoint):
        raise ExportError(
            f"--bigquery-endpoint {settings.endpoint!r} is not an http(s)://host[:port] address without credentials"
        )
    return settings


def open_bigquery(warehouse: str, dataset: str, settings: BigQuerySettings) -> BigQueryEngine:
    """The BigQuery engine of `bigquery://PROJECT`; every name and setting is checked before the client loads."""
    project = bigquery_project(warehouse)
    check_identifier("dataset", dataset)
    check_settings(settings)
    try:
        from .bigquery_engine import BigQueryEngine
    except ImportError as error:
        raise WarehouseError(
            f"{warehouse} needs Google's BigQuery client ({error.name or error}): reinstall picks-export with its dependencies"
        ) from None
    return BigQueryEngine(project, dataset, settings)


def open_engine(
    warehouse: str | Path, dataset: str = DEFAULT_DATASET, settings: BigQuerySettings | None = None
) -> Engine:
    """The engine of an existing warehouse: BigQuery for `bigquery://PROJECT`, else the DuckDB file at that path."""
    if is_bigquery(warehouse):
        return open_bigquery(str(warehouse), dataset, settings or BigQuerySettings())
    from .duckdb_engine import DuckDBEngine

    return DuckDBEngine(warehouse, dataset)


def write_demo(
    warehouse: str | Path, rows: Rows, dataset: str, settings: BigQuerySettings | None = None, *, force: bool = False
) -> None:
    """Lay out the contract's tables in `warehouse` and fill them with `rows`, replacing what was there.

    Only a previous demo (or nothing) is replaced unless `force`: the demo must never overwrite real data.
    """
    if is_bigquery(warehouse):
        engine = open_bigquery(str(warehouse), dataset, settings or BigQuerySettings())
        try:
            engine.load(rows, force=force)
        finally:
            engine.close()
        return
    from .duckdb_engine import holds_only_a_demo, write_warehouse

    if not force and not holds_only_a_demo(warehouse):
        raise ExportError(
            f"warehouse {warehouse} holds something other than a previous demo: pass --force to replace it"
        )
    write_warehouse(warehouse, rows, dataset)
