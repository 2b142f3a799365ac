"""BigQuery as a warehouse, declared: its scheme (`bigquery://PROJECT`), its options, its capabilities.

Light on purpose: the command line reads this declaration to make its options, and the registry opens the engine
through `open_bigquery`, which checks every name and setting (`bigquery_settings`) before Google's client is
imported (`bigquery_engine`, loaded only for a bigquery:// warehouse).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import WarehouseError
from ..tables import Rows
from .bigquery_settings import (
    CAPABILITIES,
    DEFAULT_MAXIMUM_BYTES_BILLED,
    BigQuerySettings,
    check_settings,
    parse_bytes,
)
from .engine import PROJECT_PATTERN, PROJECT_RULE, EngineOption, EngineSpec, check_identifier

if TYPE_CHECKING:
    from .bigquery_engine import BigQueryEngine

SCHEME = "bigquery"


def bigquery_project(warehouse: str) -> str:
    """The checked project id of `bigquery://PROJECT`."""
    return check_identifier("project", warehouse.removeprefix(f"{SCHEME}://"), PROJECT_PATTERN, PROJECT_RULE)


def open_bigquery(warehouse: str, dataset: str, settings: BigQuerySettings) -> BigQueryEngine:
    """The BigQuery engine of `bigquery://PROJECT`; every name and setting is checked before the client loads."""
    project = bigquery_project(warehouse)
    check_identifier("dataset", dataset)
    check_settings(settings)
    try:
        from .bigquery_engine import BigQueryEngine
    except ImportError as error:
        raise WarehouseError(
            f"{warehouse} needs Google's BigQuery client ({error.name or error}): reinstall picks-export with its"
            " dependencies"
        ) from None
    return BigQueryEngine(project, dataset, settings)


def write_demo(warehouse: str | Path, rows: Rows, dataset: str, settings: BigQuerySettings, *, force: bool) -> None:
    """Create the dataset if needed and replace the contract's tables (only a previous demo's unless `force`)."""
    engine = open_bigquery(str(warehouse), dataset, settings)
    try:
        engine.load(rows, force=force)
    finally:
        engine.close()


SPEC = EngineSpec(
    name="BigQuery",
    schemes=(SCHEME,),
    example="bigquery://PROJECT",
    capabilities=CAPABILITIES,
    settings=BigQuerySettings,
    options=(
        EngineOption("location", None, "BigQuery location of the dataset and jobs (US, EU, ...).", "LOCATION"),
        EngineOption(
            "bigquery_endpoint",
            None,
            "Another BigQuery API endpoint (an emulator), used with anonymous credentials.",
            "URL",
            field="endpoint",
        ),
        EngineOption(
            "maximum_bytes_billed",
            DEFAULT_MAXIMUM_BYTES_BILLED,
            "BigQuery cost cap of every query, like 1GiB or 500MiB (at least 10MiB).",
            "BYTES",
            parse=parse_bytes,
            shown_default="1GiB",
            loads=False,  # loading a demo runs no query
        ),
    ),
    open=open_bigquery,
    write_demo=write_demo,
)
