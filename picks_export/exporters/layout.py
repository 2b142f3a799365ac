"""Where each published document lives under the prefix (the contract's section 3)."""

from __future__ import annotations

import datetime as dt
import re

from .errors import ExportError

DEFAULT_PREFIX = "v1/"
_PREFIX_PATTERN = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*/)*")


def normalize_prefix(prefix: str) -> str:
    """`v1`, `/v1/` and `v1/` all mean `v1/`; anything that is not a plain folder path is refused."""
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    if not _PREFIX_PATTERN.fullmatch(prefix) or ".." in prefix:
        raise ExportError(f"prefix {prefix!r} is not a plain folder path like v1/")
    return prefix


class Layout:
    """Paths of one model's files: the default model at the prefix's root, the others under models/{code}/."""

    def __init__(self, prefix: str, model_code: str, is_default: bool) -> None:
        self.base = prefix if is_default else f"{prefix}models/{model_code}/"

    def day(self, day: dt.date) -> str:
        return f"{self.base}picks/{day.isoformat()}.json"

    def season(self, season: str) -> str:
        return f"{self.base}subsets/seasons/{season}.json"

    def current_season(self) -> str:
        return f"{self.base}subsets/season.json"
