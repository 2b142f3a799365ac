"""Where each published document lives under the prefix (the contract's section 3)."""

from __future__ import annotations

import datetime as dt
import re

from .errors import ExportError, OptionError
from .kinds import kind_of_path as kind_of_path  # which kind of file a path holds, read from the table of kinds

DEFAULT_PREFIX = "v1/"
_PREFIX_PATTERN = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*/)*")
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_SEASON_FILE = re.compile(r"\d{4}-\d{2}\.json")


def normalize_prefix(prefix: str) -> str:
    """`v1`, `/v1/` and `v1/` all mean `v1/`; anything that is not a plain folder path is refused."""
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    if not _PREFIX_PATTERN.fullmatch(prefix) or ".." in prefix:
        raise ExportError(f"prefix {prefix!r} is not a plain folder path like v1/")
    return prefix


def publishing_prefix(prefix: str) -> str:
    """The prefix a run publishes under or reads from: `normalize_prefix`'s, and never empty, since the published
    files need a folder of their own (a bucket's or a folder's root holds `_runs/` beside them). A bucket URL's own
    prefix may be empty: that is where the destination starts, not where the files go."""
    normalized = normalize_prefix(prefix)
    if not normalized:
        raise OptionError("{prefix} is empty: the published files need a folder of their own, like v1/")
    return normalized


def status_path(prefix: str) -> str:
    """The status file: one per prefix, for every model (the manifest names it)."""
    return f"{prefix}status.json"


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

    def date_of(self, path: str) -> dt.date | None:
        """The date of one of this model's per-day paths, or None for any other path."""
        folder = f"{self.base}picks/"
        if not path.startswith(folder) or not _DAY_FILE.fullmatch(path[len(folder) :]):
            return None
        try:
            return dt.date.fromisoformat(path[len(folder) : -len(".json")])
        except ValueError:
            return None

    def season_of(self, path: str) -> str | None:
        """The season of one of this model's season files (`subsets/seasons/{season}.json`), or None."""
        folder = f"{self.base}subsets/seasons/"
        name = path[len(folder) :] if path.startswith(folder) else ""
        return name[: -len(".json")] if _SEASON_FILE.fullmatch(name) else None

    def index(self) -> str:
        return f"{self.base}picks/index.json"

    def folders(self) -> tuple[str, str]:
        """The folders this model's files live in: one listing each tells what is already published."""
        return f"{self.base}picks/", f"{self.base}subsets/"


def schema_path(prefix: str, file_name: str) -> str:
    """Where the JSON Schemas are published for frontend developers (shared by every model)."""
    return f"{prefix}schemas/{file_name}"
