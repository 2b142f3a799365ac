"""What the environment sets beyond a command's options, read once at the edge and handed to the library.

`PICKS_EXPORT_BUILD_WORKERS` (build processes of a long run; default the cores this process may use),
`PICKS_EXPORT_WORKER_MEMORY` (DuckDB's memory in each build worker; default the engine's, 64 MB),
`CLOUD_RUN_TASK_INDEX` and `CLOUD_RUN_TASK_COUNT` (a Cloud Run job's task: the default of `--shard`),
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
    worker_memory: int | None = None  # bytes of DuckDB memory per build worker; None: the engine's default
    task_shard: tuple[int, int] | None = None  # the Cloud Run job's task, (I, N) from 1; None: not one of several

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of `environ` (the process's environment); a bad value is an ExportError naming it."""
        environ = os.environ if environ is None else environ
        return cls(
            build_workers(environ),
            generated_at_now(dict(environ)),
            sql_cache_folder(environ),
            storage_endpoint=environ.get("PICKS_EXPORT_BIGQUERY_STORAGE_ENDPOINT") or None,
            worker_memory=worker_memory(environ),
            task_shard=task_shard(environ),
        )

    def engine_values(self) -> dict[str, object]:
        """What engines take from the environment, by their settings' names."""
        return {
            "sql_cache": self.sql_cache,
            "storage_endpoint": self.storage_endpoint,
            "worker_memory": self.worker_memory,
        }

    def shard(self, option: str | None) -> tuple[int, int] | None:
        """The run's shard: `--shard I/N` when given, else the Cloud Run task's; None for a whole run (N = 1)."""
        shard = self.task_shard if option is None else parse_shard(option, "--shard")
        return shard if shard is not None and shard[1] > 1 else None


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


WORKER_MEMORY_ENV = "PICKS_EXPORT_WORKER_MEMORY"
TASK_INDEX_ENV, TASK_COUNT_ENV = "CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT"
MOST_WORKER_MEMORY = 1000**5  # 1000000GB
_UNITS = {"": 1, "kb": 1000, "mb": 1000**2, "gb": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3}


def worker_memory(environ: Mapping[str, str]) -> int | None:
    """PICKS_EXPORT_WORKER_MEMORY: DuckDB's memory in each build worker, in bytes (`64MB`, `1GiB`, `500000000`);
    unset: the engine's default."""
    from ..exporters.errors import ExportError

    value = environ.get(WORKER_MEMORY_ENV, "").strip()
    if not value:
        return None
    number = value.rstrip("KMGBikmgb ")
    unit = value[len(number) :].strip().lower()
    if not number.isdigit() or unit not in _UNITS or int(number) * _UNITS[unit] < 1_000_000:
        raise ExportError(f"{WORKER_MEMORY_ENV}={value!r} is not an amount of memory of at least 1MB, such as 512MB")
    if int(number) * _UNITS[unit] > MOST_WORKER_MEMORY:  # DuckDB wraps 2**64 bytes to 0 and cannot parse more
        raise ExportError(
            f"{WORKER_MEMORY_ENV}={value!r} is more memory than a build worker can be given: at most 1000000GB"
        )
    return int(number) * _UNITS[unit]


def task_shard(environ: Mapping[str, str]) -> tuple[int, int] | None:
    """The Cloud Run job's task as a shard (I, N), I from 1: CLOUD_RUN_TASK_INDEX counts from 0. None when the
    environment names no task."""
    index, count = environ.get(TASK_INDEX_ENV, "").strip(), environ.get(TASK_COUNT_ENV, "").strip()
    if not index and not count:
        return None
    if not (index.isdigit() and count.isdigit() and int(index) < int(count)):
        from ..exporters.errors import ExportError

        raise ExportError(
            f"{TASK_INDEX_ENV}={index!r} and {TASK_COUNT_ENV}={count!r} do not name a task: whole numbers, the index"
            " from 0 and below the count"
        )
    return parse_shard(f"{int(index) + 1}/{count}", f"{TASK_INDEX_ENV} and {TASK_COUNT_ENV}")


def parse_shard(text: str, source: str) -> tuple[int, int]:
    """`I/N`: task I of N, I from 1 to N; a bad value is an ExportError naming `source`."""
    from ..exporters.errors import ExportError

    index, slash, count = text.strip().partition("/")
    if not (slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise ExportError(f"{source} {text!r} is not a shard I/N: whole numbers with 1 <= I <= N, such as 1/4")
    return int(index), int(count)


# 2999-12-31T23:59:59Z, the end of the last day a run's dates may name.
LATEST_EPOCH = 32_503_679_999


def generated_at_now(environ: Mapping[str, str]) -> str:
    """UTC now to the second, or the time `SOURCE_DATE_EPOCH` gives, so that builds can be reproduced."""
    from ..exporters.common import utc_timestamp
    from ..exporters.errors import ExportError

    epoch = environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return utc_timestamp()
    try:
        seconds = int(epoch)
    except ValueError:
        raise ExportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    # From the epoch to the last day a run's dates may name: a time before 1970 (or in year 10000) is a mistake.
    if not 0 <= seconds <= LATEST_EPOCH:
        raise ExportError(
            f"SOURCE_DATE_EPOCH={epoch!r} is not a time from 1970-01-01 to 2999-12-31: seconds from 0 to {LATEST_EPOCH}"
        )
    return utc_timestamp(dt.datetime.fromtimestamp(seconds, dt.UTC))


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


ENV_PREFIX = "PICKS_EXPORT_"
# Every PICKS_EXPORT_ name the tool or its own tooling reads. The commands' options (tests/test_settings.py holds
# this set to the env vars the commands declare, so that a new option cannot be left out):
OPTION_NAMES = frozenset(
    ENV_PREFIX + name
    for name in (
        "ALLOW_DROP ALLOW_SHRINK ALL_MODELS AS_OF BIGQUERY_ENDPOINT CACHE_DAY CACHE_FINAL_DAY CACHE_INDEX CACHE_SCHEMA"
        " CACHE_SEASON CORS_MAX_AGE DATASET DATE DEST DRY_RUN END GZIP JSON LOCATION LOCK_TIMEOUT LOG_FORMAT"
        " MAXIMUM_BYTES_BILLED MAX_AGE MIN_VOLUME MODEL NONCURRENT_DAYS PORT PREFIX PROJECT QUIET REQUIRE_GRADED"
        " RETRY_DEADLINE S3_ENDPOINT_URL SEASON SEED SHARD STALE_HOURS START TODAY VERBOSE WAREHOUSE WITH_PAGE WORKERS"
    ).split()
)
# The settings of this module, and the test suite's, the container scripts' and the benchmark's own.
SETTING_NAMES = frozenset(
    {BUILD_WORKERS_ENV, WORKER_MEMORY_ENV, ENV_PREFIX + "NO_SQL_CACHE", ENV_PREFIX + "BIGQUERY_STORAGE_ENDPOINT"}
)
TOOLING_NAMES = frozenset(
    ENV_PREFIX + name
    for name in (
        "TEST_PAUSE EXPECT_INSTALLED BQEMULATOR_PYTHON CHROMIUM SCREENSHOTS IMAGE BASE_IMAGE DEBIAN_MIRROR OCI_RUNTIME"
        " CA_BUNDLE"
    ).split()
)
KNOWN_NAMES = OPTION_NAMES | SETTING_NAMES | TOOLING_NAMES


def unknown_names(environ: Mapping[str, str] | None = None) -> list[tuple[str, str | None]]:
    """The PICKS_EXPORT_ names of `environ` (the process's environment) that picks-export does not read, each with
    the known name it most likely misspells (None when none is close): a typo in a job's settings would otherwise
    be ignored without a word, and the run go on with the default."""
    environ = os.environ if environ is None else environ
    unknown = sorted(name for name in environ if name.startswith(ENV_PREFIX) and name not in KNOWN_NAMES)
    if not unknown:
        return []
    import difflib  # only when there is something to say

    known = sorted(name.removeprefix(ENV_PREFIX) for name in OPTION_NAMES | SETTING_NAMES)  # the shared prefix aside

    def guess(name: str) -> str | None:
        close = difflib.get_close_matches(name.removeprefix(ENV_PREFIX), known, n=1, cutoff=0.75)
        return ENV_PREFIX + close[0] if close else None

    return [(name, guess(name)) for name in unknown]
