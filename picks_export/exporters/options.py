"""What a publishing run is asked for besides its command's dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import rules
from .common import utc_timestamp
from .layout import DEFAULT_PREFIX
from .quality import QualityOptions


@dataclass(frozen=True)
class ExportOptions:
    model: str | None = None  # a model code; None for the champion
    prefix: str = DEFAULT_PREFIX
    today: dt.date = field(default_factory=rules.today_in_new_york)  # decides which season is "current"
    generated_at: str = field(default_factory=utc_timestamp)  # every document's; fix it to reproduce a build
    with_page: bool = False  # also publish the reference page under {prefix}page/
    quality: QualityOptions = field(default_factory=QualityOptions)  # the gate's settings
    build_workers: int | None = None  # processes building a long run's models (None: the cores this process may use)
    shard: tuple[int, int] | None = None  # (I, N): task I of N publishes its share of the run (scopes.shard_plan)
