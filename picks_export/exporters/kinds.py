"""The kinds of published file, in one table: where each lives, what checks it, how it is served and published.

Layout, validation, the publishing order, caching, `serve`'s headers and the run records all read this table:
a new kind of file is one row here (plus the code that builds it). Imports nothing of the project's, so any layer
can read it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast

PublishKind = Literal["day", "season", "parquet", "index", "schema", "manifest", "types", "page", "status"]

JSON_CONTENT_TYPE = "application/json"
# A page file's name that is not one of the page's files (a record of an older page) is sent as bytes.
UNKNOWN_CONTENT_TYPE = "application/octet-stream"

# The reference page's files (`picks_export/page/`) and the Content-Type each is served with, locally and from the
# bucket.
PAGE_FILES: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "page.js": "text/javascript; charset=utf-8",
}


@dataclass(frozen=True)
class FileKind:
    """One kind of published file.

    `pattern` finds the kind from a path relative to the destination's root, wherever the prefix and the model
    folder put it. The Cache-Control of a kind is set by its option (`cache_option`, a concept the command line
    spells `--cache-day`, ...), defaulting to `cache_control`; a kind without an option follows another's
    (`cache_like`) or always has `cache_control`. Files go out phase by phase, lowest first. A `rebuilt` file is
    built from a listing of what is published just before it is written; a `listed_alone` one lies at the prefix's
    root and is listed by its own path rather than by its folder. An unrecorded kind stays out of run records:
    never rolled back, and no copy of the bytes it replaces is kept. A `compressed` kind is never gzipped (its
    bytes would not shrink, and a reader's range requests need them as they are).
    """

    name: PublishKind
    pattern: str  # a regular expression
    phase: int
    content_type: str | None = JSON_CONTENT_TYPE  # None: per file (PAGE_FILES)
    schema: str | None = None  # its JSON Schema's file name (`schemas/json/`): checked before it is written
    cache_option: str | None = None
    cache_control: str | None = None
    cache_like: PublishKind | None = None
    rebuilt: bool = False
    listed_alone: bool = False
    recorded: bool = True
    compressed: bool = False  # its bytes are compressed already: published as they are, never gzipped

    def matches(self, path: str) -> bool:
        return re.search(self.pattern, path, re.DOTALL) is not None


def _at(pattern: str) -> str:
    """A path ending in `pattern` at the prefix's root or in any folder (`v1/`, `v1/models/{code}/`)."""
    return rf"(?:^|/){pattern}$"


_PAGE_NAMES = "|".join(re.escape(name) for name in PAGE_FILES)

# In publishing order: the schemas and per-day files first, season files next, the indexes, and the manifest (with
# the page that reads it and the status file) last, so that a reader never finds an index entry, a season date or a
# manifest entry whose files are not all there. The patterns are disjoint: at most one kind matches a path.
FILE_KINDS: tuple[FileKind, ...] = (
    FileKind(
        "schema",
        _at(r"schemas/.*\.schema\.json"),
        phase=0,
        cache_option="cache_schema",
        cache_control="public, max-age=86400",
    ),
    # The TypeScript declarations change when the schemas do.
    FileKind("types", _at(r"schemas/.*\.d\.ts"), phase=0, content_type="application/typescript", cache_like="schema"),
    FileKind(
        "day",
        _at(r"picks/\d{4}-\d{2}-\d{2}\.json"),
        phase=0,
        schema="picks-day.schema.json",
        cache_option="cache_day",
        cache_control="public, max-age=300",
    ),
    FileKind(
        "season",
        _at(r"subsets/(?:season|seasons/\d{4}-\d{2})\.json"),
        phase=1,
        schema="season.schema.json",
        cache_option="cache_season",
        cache_control="public, max-age=3600",
    ),
    # Each dated season file's picks as a table (`exporters/parquet.py`), beside it and as fresh as it.
    FileKind(
        "parquet",
        _at(r"subsets/seasons/\d{4}-\d{2}\.parquet"),
        phase=1,
        content_type="application/vnd.apache.parquet",
        cache_like="season",
        compressed=True,
    ),
    FileKind(
        "index",
        _at(r"picks/index\.json"),
        phase=2,
        schema="picks-index.schema.json",
        cache_option="cache_index",
        cache_control="public, max-age=300",
        rebuilt=True,
    ),
    # The manifest changes when an index does.
    FileKind(
        "manifest",
        _at(r"manifest\.json"),
        phase=3,
        schema="manifest.schema.json",
        cache_like="index",
        rebuilt=True,
        listed_alone=True,
    ),
    # The reference page (`--with-page`) is as fresh as the manifest it reads.
    FileKind("page", _at(rf"page/(?:{_PAGE_NAMES})"), phase=3, content_type=None, cache_like="index"),
    # The status file says what state the data is in now: never served from a cache without asking. A heartbeat
    # every run rewrites, and a rollback rebuilds: not recorded.
    FileKind(
        "status",
        _at(r"status\.json"),
        phase=3,
        schema="status.schema.json",
        cache_control="no-cache",
        rebuilt=True,
        listed_alone=True,
        recorded=False,
    ),
)
KIND: Mapping[PublishKind, FileKind] = {kind.name: kind for kind in FILE_KINDS}
# Every pattern in one search, each kind a named group: a listing of many thousand files asks this of each.
_ANY_KIND = re.compile("|".join(f"(?P<{kind.name}>{kind.pattern})" for kind in FILE_KINDS), re.DOTALL)


def kind_of_path(path: str) -> PublishKind | None:
    """The kind of published file at `path` (relative to the destination's root; `\\` taken for `/`), or None for
    any other file."""
    found = _ANY_KIND.search(path.replace("\\", "/"))
    return cast("PublishKind", found.lastgroup) if found else None


def content_type(kind: PublishKind, path: str = "") -> str:
    """The Content-Type a file of `kind` at `path` is published and served with."""
    fixed = KIND[kind].content_type
    return fixed if fixed is not None else PAGE_FILES.get(path.rpartition("/")[2], UNKNOWN_CONTENT_TYPE)


def cache_controls(given: Mapping[PublishKind, str]) -> dict[PublishKind, str]:
    """Every kind's Cache-Control from the values given for the kinds with an option: `given` (in its order), then
    each kind following another's, then the fixed ones. A kind whose option was not given is left out."""
    resolved = dict(given)
    for kind in FILE_KINDS:
        if kind.cache_like is not None and kind.cache_like in resolved:
            resolved.setdefault(kind.name, resolved[kind.cache_like])
        elif kind.cache_option is None and kind.cache_like is None and kind.cache_control is not None:
            resolved.setdefault(kind.name, kind.cache_control)
    return resolved


def phases() -> tuple[tuple[PublishKind, ...], ...]:
    """The kinds of each publishing phase, first phase first."""
    count = max(kind.phase for kind in FILE_KINDS) + 1
    return tuple(tuple(kind.name for kind in FILE_KINDS if kind.phase == number) for number in range(count))


# A per-day file that is final (old enough and fully graded) does not change again in normal operation.
FINAL_DAY_CACHE_CONTROL = "public, max-age=86400"


def default_cache_controls() -> dict[PublishKind, str]:
    """The default Cache-Control of each kind that has an option for it."""
    return {kind.name: cast(str, kind.cache_control) for kind in FILE_KINDS if kind.cache_option is not None}


def schema_files() -> dict[PublishKind, str]:
    """The JSON Schema file of each kind of document that has one, in publishing order."""
    return {kind.name: kind.schema for kind in FILE_KINDS if kind.schema is not None}
