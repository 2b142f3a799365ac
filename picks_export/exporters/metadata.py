"""What a published object is said to be: its `ObjectInfo` as a listing reports it, and the custom metadata
(the content's hash, the run that wrote it, a day's picks, a season's dates) every store carries the same way,
encoded and decoded here. Below the stores: a folder store keeps the metadata in its records, a bucket on the
object, and both read it back through these functions.

Nothing decoded is trusted on its word: a value of the wrong type or out of bounds (picks not a count up to
`MAX_PICKS`, graded without picks, a hash not 64 lowercase hex digits, a run id of another shape, a date not ISO)
is unknown, and an unknown summary makes the publisher read the file's bytes instead."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from .digest import SeasonSummary, content_hash, day_summary, file_hash, recorded_season_summary, season_summary
from .kinds import kind_of_path

# Custom metadata on every published object: what the next run compares with, without downloading it.
META_HASH = "content-sha256"
META_RUN = "published-by-run"
META_PICKS = "picks"
META_GRADED = "graded"
META_SEASON = "season"  # a season file's as_of, first and last date with picks: JSON [as_of, first, last]

# The most picks a day file is believed to show when its record or metadata says so: far above any real day (a
# few dozen), far below what breaks a reader (the index schema's maximum). A larger count is read from the file.
MAX_PICKS = 100_000
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# A run id (`publish.new_run_id`): nanoseconds since the epoch, 20 digits, a dash and 8 random hex digits.
RUN_ID = re.compile(r"[0-9]{20}-[0-9a-f]{8}")


@dataclass(frozen=True)
class ObjectInfo:
    """What the destination holds at a path, as one listing reports it.

    A store fills the path, size, version tokens, headers and `metadata` (the custom metadata as stored); the
    publisher decodes the metadata into the hash, run and summaries (`decoded`)."""

    path: str
    content_hash: str | None = None
    size: int = 0
    # The version of the object a store can read again: a GCS generation, an S3 version id (versioned bucket).
    generation: int | str | None = None
    metageneration: int | None = None
    cache_control: str | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    run: str = ""
    picks: int | None = None
    graded: bool | None = None
    season: SeasonSummary | None = None  # a season file's, when its record or metadata carries it
    etag: str | None = None  # an S3 object's entity tag: its preconditions' token
    metadata: Mapping[str, str] = field(default_factory=dict, compare=False)


def encode_metadata(
    digest: str | None,
    run: str = "",
    picks: int | None = None,
    graded: bool | None = None,
    season: SeasonSummary | None = None,
) -> dict[str, str]:
    metadata = {META_HASH: digest} if digest is not None else {}
    if run:
        metadata[META_RUN] = run
    if picks is not None:
        metadata[META_PICKS] = str(picks)
        metadata[META_GRADED] = "true" if graded else "false"
    if season is not None:
        metadata[META_SEASON] = orjson.dumps(list(season)).decode()
    return metadata


def decoded(info: ObjectInfo) -> ObjectInfo:
    """`info` with the hash, run and summaries its metadata carries; each value that fails its check is unknown."""
    metadata = info.metadata
    picks_text = metadata.get(META_PICKS, "")
    picks = int(picks_text) if picks_text.isascii() and picks_text.isdigit() and len(picks_text) <= 9 else None
    picks, graded = day_figures(picks, {"true": True, "false": False}.get(metadata.get(META_GRADED, "")))
    return replace(
        info,
        content_hash=valid_hash(metadata.get(META_HASH)),
        run=valid_run(metadata.get(META_RUN)),
        picks=picks,
        graded=graded,
        season=_season_of_metadata(metadata.get(META_SEASON)),
    )


def valid_hash(value: object) -> str | None:
    """A content hash as the publisher writes it (64 lowercase hex digits), or None."""
    return value if isinstance(value, str) and SHA256_HEX.fullmatch(value) else None


def valid_run(value: object) -> str:
    """A run id of the shape runs are given, or "" (no run known)."""
    return value if isinstance(value, str) and RUN_ID.fullmatch(value) else ""


def day_figures(picks: object, graded: object) -> tuple[int | None, bool | None]:
    """(picks, graded) of a day file as said by a record or metadata, both None unless they are believable: a
    count from 0 to MAX_PICKS and a boolean, never graded without picks (what `day_summary` would never say)."""
    if isinstance(picks, bool) or not isinstance(picks, int) or not 0 <= picks <= MAX_PICKS:
        return None, None
    if not isinstance(graded, bool) or (graded and picks == 0):
        return None, None
    return picks, graded


def _season_of_metadata(value: str | None) -> SeasonSummary | None:
    try:
        return recorded_season_summary(orjson.loads(value)) if value else None
    except orjson.JSONDecodeError:
        return None


def sound_record(record: Mapping[str, Any]) -> bool:
    """Whether every value a folder's record keeps passes its check (`record_of`'s shape): otherwise the record is
    not used and the file is read."""
    sha256, run, picks = record.get("sha256"), record.get("run"), record.get("picks")
    if sha256 is not None and valid_hash(sha256) is None:
        return False
    if run not in (None, "") and not valid_run(run):
        return False
    if (picks, record.get("graded")) != (None, None) and day_figures(picks, record.get("graded")) == (None, None):
        return False
    return "season" not in record or recorded_season_summary(record["season"]) is not None


def file_metadata(path: str, data: bytes) -> dict[str, str]:
    """The metadata of a file found without any (a folder's file written by hand or by an older version), read
    from its bytes; no hash for a JSON file that does not parse, so that any new version replaces it."""
    if not path.endswith(".json"):
        return encode_metadata(file_hash(path, data))  # the TypeScript declarations, the reference page
    try:
        content = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}
    kind = kind_of_path(path)
    picks, graded = day_summary(content) if kind == "day" else (None, None)
    season = season_summary(content) if kind == "season" else None
    return encode_metadata(content_hash(content), "", picks, graded, season)


def record_of(metadata: Mapping[str, str]) -> dict[str, Any]:
    """The metadata as a folder's records keep it: typed, as every version has written them."""
    info = decoded(ObjectInfo("", metadata=metadata))
    record: dict[str, Any] = {"run": info.run, "sha256": info.content_hash, "picks": info.picks, "graded": info.graded}
    if info.season is not None:
        record["season"] = list(info.season)
    return record


def metadata_of(record: Mapping[str, Any]) -> dict[str, str]:
    """The metadata a folder's record keeps (`record_of`)."""
    picks, graded = record.get("picks"), record.get("graded")
    return encode_metadata(
        record.get("sha256"),
        record.get("run") or "",
        picks if isinstance(picks, int) else None,
        graded if isinstance(graded, bool) else None,
        recorded_season_summary(record.get("season")),
    )
