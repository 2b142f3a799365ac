"""What the environment sets beyond a command's options, read once at the edge and handed to the library.

`PICKS_EXPORT_BUILD_WORKERS` (build processes of a long run; default the cores this process may use),
`SOURCE_DATE_EPOCH` (the `generated_at` of reproducible builds) and the DuckDB engine's SQL cache: the folder
`picks-export/sql` of the user's cache folder (`XDG_CACHE_HOME` when set, else platformdirs' answer: ~/.cache on
Linux), none with `PICKS_EXPORT_NO_SQL_CACHE`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


class Settings(NamedTuple):
    build_workers: int
    generated_at: str  # the UTC time every document of the run carries
    sql_cache: Path | None  # the DuckDB engine's folder of transpiled SQL; None: transpile in every process
    # PICKS_EXPORT_BIGQUERY_STORAGE_ENDPOINT: an emulator's Storage Read API (host:port) beside --bigquery-endpoint
    storage_endpoint: str | None = None

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (the process's environment); a bad value is an ExportError naming it."""
        environ = os.environ if environ is None else environ
        storage_endpoint = environ.get("PICKS_EXPORT_BIGQUERY_STORAGE_ENDPOINT") or None
        return cls(build_workers(environ), generated_at_now(dict(environ)), sql_cache_folder(environ), storage_endpoint)

    def engine_values(self) -> dict[str, object]:
        """What engines take from the environment, by their settings' names."""
        return {"sql_cache": self.sql_cache, "storage_endpoint": self.storage_endpoint}


BUILD_WORKERS_ENV = "PICKS_EXPORT_BUILD_WORKERS"


def build_workers(environ: Mapping[str, str]) -> int:
    """PICKS_EXPORT_BUILD_WORKERS: the processes building a long run's models (default: the cores this process
    may use)."""
    from ..exporters.errors import ExportError
    from ..exporters.workers import available_cores

    value = environ.get(BUILD_WORKERS_ENV, "").strip()
    if not value:
        return available_cores()
    if not value.isdigit() or int(value) < 1:
        raise ExportError(f"{BUILD_WORKERS_ENV}={value!r} is not a whole number of at least 1")
    return int(value)


def generated_at_now(environ: Mapping[str, str]) -> str:
    """UTC now to the second, or the time `SOURCE_DATE_EPOCH` gives, so that builds can be reproduced."""
    from ..exporters.common import utc_timestamp
    from ..exporters.errors import ExportError

    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return utc_timestamp()
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ExportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    return utc_timestamp(moment)


def sql_cache_folder(environ: Mapping[str, str]) -> Path | None:
    """The user's cache folder as platformdirs names it, and in it picks-export/sql. On Linux that is
    $XDG_CACHE_HOME or ~/.cache, worked out here without importing platformdirs (about 3 ms of a small daily);
    elsewhere platformdirs' answer. A set XDG_CACHE_HOME is honoured on every system, as it always was."""
    if environ.get("PICKS_EXPORT_NO_SQL_CACHE"):
        return None
    base = environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "picks-export" / "sql"
    if sys.platform.startswith("linux"):
        return Path.home() / ".cache" / "picks-export" / "sql"
    import platformdirs

    return platformdirs.user_cache_path("picks-export", appauthor=False) / "sql"
