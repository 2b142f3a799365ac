"""The library's entry points under their former module: a facade re-exporting the names callers import from it.

The run lives in `exporter`, the commands' scopes and dates in `scopes`, staging in `staging`, the build workers in
`workers`, the plan in `plan`, the site files in `site`; the environment's options in `environment`.
"""

from __future__ import annotations

from .environment import BUILD_WORKERS_ENV, build_workers, generated_at_now
from .exporter import Exporter, ExportOptions, Outcome, outcome_json, shared_files
from .scopes import (
    EARLIEST_DATE,
    LATEST_DATE,
    backfill_dates,
    check_date,
    daily_dates,
    estimate,
    read_span,
    season_dates,
)
from .staging import Progress, expected_total
from .workers import PARALLEL_MIN_DAYS, PROGRESS_EVERY

__all__ = [
    "BUILD_WORKERS_ENV",
    "EARLIEST_DATE",
    "LATEST_DATE",
    "PARALLEL_MIN_DAYS",
    "PROGRESS_EVERY",
    "ExportOptions",
    "Exporter",
    "Outcome",
    "Progress",
    "backfill_dates",
    "build_workers",
    "check_date",
    "daily_dates",
    "estimate",
    "expected_total",
    "generated_at_now",
    "outcome_json",
    "read_span",
    "season_dates",
    "shared_files",
]
