"""BigQuery's settings, shared by its declaration (`bigquery`) and its engine (`bigquery_engine`): the cost cap,
its byte counts, the API endpoint, and what the engine can do."""

from __future__ import annotations

import re
from typing import NamedTuple

from ..errors import OptionError, literal
from .engine import Capabilities

MIB = 1024**2
GIB = 1024**3
DEFAULT_MAXIMUM_BYTES_BILLED = GIB
# BigQuery bills at least 10 MiB per query, so a lower cap refuses every query.
MINIMUM_BYTES_BILLED = 10 * MIB
DEFAULT_QUERY_TIMEOUT = 300.0
_BYTE_UNITS = {"": 1, "B": 1, "KIB": 1024, "MIB": MIB, "GIB": GIB, "TIB": 1024**4}
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]iB|B)?\s*", re.IGNORECASE)
_ENDPOINT = re.compile(r"https?://[^\s/@]+(/[^\s@]*)?")
_HOST_PORT = re.compile(r"[A-Za-z0-9.-]+:\d{1,5}")

# Build workers each open clients of their own after the fork (Google's clients do not survive one) and run their
# models' query. It can dry-run a query (`estimate`).
CAPABILITIES = Capabilities(forked_workers=True, dry_run=True)


class BigQuerySettings(NamedTuple):
    """How the BigQuery engine runs its jobs."""

    command: str = "cli"  # the `command` label of every job
    location: str | None = None
    endpoint: str | None = None  # another API endpoint (an emulator), reached with anonymous credentials
    maximum_bytes_billed: int = DEFAULT_MAXIMUM_BYTES_BILLED
    timeout: float = DEFAULT_QUERY_TIMEOUT  # seconds one query may take, retries included
    # The Storage Read API's host:port beside `endpoint` (an emulator's, plaintext gRPC); with `endpoint` and
    # without it, results come as the REST API's pages.
    storage_endpoint: str | None = None


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
        raise OptionError(
            f"{{maximum_bytes_billed}} {format_bytes(settings.maximum_bytes_billed)} is below BigQuery's minimum bill"
            f" of {format_bytes(MINIMUM_BYTES_BILLED)} per query, so every query would be refused: use 10MiB or more"
        )
    if settings.endpoint is not None and not _ENDPOINT.fullmatch(settings.endpoint):
        raise OptionError(
            f"{{bigquery_endpoint}} {literal(repr(settings.endpoint))} is not an http(s)://host[:port] address"
            " without credentials"
        )
    if settings.storage_endpoint is not None and not _HOST_PORT.fullmatch(settings.storage_endpoint):
        raise OptionError(
            f"the BigQuery Storage Read API endpoint {literal(repr(settings.storage_endpoint))} is not a host:port"
        )
    return settings
