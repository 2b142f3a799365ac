"""The environment variables that set the library's options, read at the edge (the command line) and handed to
the library as values (`ExportOptions.build_workers`, `ExportOptions.generated_at`); the library reads none."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

from .common import utc_timestamp
from .errors import ExportError
from .workers import available_cores

BUILD_WORKERS_ENV = "PICKS_EXPORT_BUILD_WORKERS"


def build_workers(environ: Mapping[str, str] | None = None) -> int:
    """PICKS_EXPORT_BUILD_WORKERS: the processes building a long run's models (default: the cores this process
    may use)."""
    value = (os.environ if environ is None else environ).get(BUILD_WORKERS_ENV, "").strip()
    if not value:
        return available_cores()
    if not value.isdigit() or int(value) < 1:
        raise ExportError(f"{BUILD_WORKERS_ENV}={value!r} is not a whole number of at least 1")
    return int(value)


def generated_at_now(environ: Mapping[str, str] | None = None) -> str:
    """UTC now to the second, or the time `SOURCE_DATE_EPOCH` gives, so that builds can be reproduced."""
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH")
    if not epoch:
        return utc_timestamp()
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ExportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    return utc_timestamp(moment)
