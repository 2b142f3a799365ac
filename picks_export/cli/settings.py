"""What the environment sets beyond a command's options, read once at the edge and handed to the library.

`PICKS_EXPORT_BUILD_WORKERS` (build processes of a long run; default the cores this process may use),
`SOURCE_DATE_EPOCH` (the `generated_at` of reproducible builds) and the DuckDB engine's SQL cache: the folder
`picks-export/sql` of the user's cache folder (`XDG_CACHE_HOME` when set, else platformdirs' answer: ~/.cache on
Linux), none with `PICKS_EXPORT_NO_SQL_CACHE`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple


class Settings(NamedTuple):
    build_workers: int
    generated_at: str  # the UTC time every document of the run carries
    sql_cache: Path | None  # the DuckDB engine's folder of transpiled SQL; None: transpile in every process

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (the process's environment); a bad value is an ExportError naming it."""
        from ..exporters.export import build_workers, generated_at_now

        environ = os.environ if environ is None else environ
        return cls(build_workers(environ), generated_at_now(dict(environ)), sql_cache_folder(environ))

    def engine_values(self) -> dict[str, object]:
        """What engines take from the environment, by their settings' names."""
        return {"sql_cache": self.sql_cache}


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
