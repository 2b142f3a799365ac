"""What a published file says of itself: the hash it is compared by and, for a per-day or a season file, the
summary the indexes and the manifest are built from. Read from a document being published, from the bytes of a
file found at the destination, and from what a store keeps beside an object."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any, NamedTuple

import orjson


def content_hash(content: Any, data: bytes | None = None) -> str:
    """SHA-256 of the document without `generated_at`: a re-run over unchanged data gives the same hash.

    With `data` (the document's bytes, `orjson.dumps(content)`), the hashed bytes are `data` less its
    `"generated_at":...,` member, rather than a second serialization of the whole document."""
    if isinstance(content, dict):
        if data is not None:
            cut = _generated_at_span(content, data)
            if cut is not None:
                digest = hashlib.sha256(memoryview(data)[: cut[0]])
                digest.update(memoryview(data)[cut[1] :])
                return digest.hexdigest()
        content = {key: value for key, value in content.items() if key != "generated_at"}
    return hashlib.sha256(orjson.dumps(content)).hexdigest()


def _generated_at_span(content: dict[str, Any], data: bytes) -> tuple[int, int] | None:
    """Where the top-level `"generated_at":"...",` member lies in `data`, checked against the members before it;
    None when it is absent, last or not a string (then the document is serialized again without it)."""
    keys = list(content)
    if "generated_at" not in content or keys[-1] == "generated_at" or not isinstance(content["generated_at"], str):
        return None
    position = keys.index("generated_at")
    head = orjson.dumps({key: content[key] for key in keys[:position]})[:-1] + (b"," if position else b"")
    member = b'"generated_at":' + orjson.dumps(content["generated_at"]) + b","
    if not data.startswith(member, len(head)) or not data.startswith(head):
        return None
    return len(head), len(head) + len(member)


def file_hash(path: str, data: bytes) -> str:
    """The hash a published file is compared by: its JSON content's (`content_hash`), or its bytes' for text."""
    return content_hash(orjson.loads(data)) if path.endswith(".json") else hashlib.sha256(data).hexdigest()


def day_summary(content: Any) -> tuple[int, bool]:
    """(picks shown, fully graded) of a per-day document: graded when it has picks and each has a result."""
    # Also reads files found at a day path that picks-export did not write: anything but our shape counts nothing.
    groups = content.get("groups") if isinstance(content, dict) else None
    count, graded = 0, True
    for group in groups if isinstance(groups, list) else ():
        picks = group.get("picks") if isinstance(group, dict) else None
        if isinstance(picks, list):
            results = [pick.get("result") for pick in picks if isinstance(pick, dict)]
            count += len(results)
            graded = graded and None not in results  # a JSON value equals None only when it is null
    return count, count > 0 and graded


SeasonSummary = tuple[str | None, str | None, str | None]


def season_summary(content: Any) -> SeasonSummary:
    """(as_of, first date with picks, last date with picks) of a season document; Nones for anything else."""
    if not isinstance(content, dict):
        return None, None, None
    as_of = content.get("as_of") if isinstance(content.get("as_of"), str) else None
    groups = content.get("groups")
    dates = {
        entry["date"]
        for group in (groups if isinstance(groups, list) else [])
        if isinstance(group, dict) and isinstance(group.get("dates"), list)
        for entry in group["dates"]
        if isinstance(entry, dict) and isinstance(entry.get("date"), str) and entry.get("picks")
    }
    return as_of, min(dates, default=None), max(dates, default=None)


class Serialized(NamedTuple):
    """A document's bytes and what the comparison, the index and the manifest need of it: its content hash, its
    picks and whether fully graded (a per-day file), its summary (a season file)."""

    data: bytes
    content_hash: str
    picks: int | None
    graded: bool | None
    season: SeasonSummary | None

    @classmethod
    def of(cls, kind: str, content: Any) -> Serialized:
        data = orjson.dumps(content)
        picks, graded = day_summary(content) if kind == "day" else (None, None)
        season = season_summary(content) if kind == "season" else None
        return cls(data, content_hash(content, data), picks, graded, season)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_date(value: Any) -> bool:
    """Whether `value` is a calendar date written YYYY-MM-DD."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def recorded_season_summary(value: Any) -> SeasonSummary | None:
    """A season summary as a record or an object's metadata keeps it (a list of three ISO dates or nulls, the
    first date with picks no later than the last, both or neither); None for anything else, and then the file is
    read for it."""
    if not (isinstance(value, list) and len(value) == 3 and all(item is None or iso_date(item) for item in value)):
        return None
    as_of, first, last = value
    if (first is None) != (last is None) or (first is not None and first > last):
        return None
    return as_of, first, last
