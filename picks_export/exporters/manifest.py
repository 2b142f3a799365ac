"""The manifest (`v1/manifest.json`): everything a reader can fetch, found in one request.

Pure builders: the exporter gives them what is published (after this run's files) and they return the document.
A run replaces the entries of its own models and keeps the others' from the published manifest, so a run for one
model never hides another; only a run over every enabled model (`--all-models`) drops a model's entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from .layout import DEFAULT_PREFIX, schema_path, status_path
from .publish import SeasonSummary
from .validation import SCHEMA_FILES, TYPES_FILE


def manifest_path(prefix: str) -> str:
    return f"{prefix}manifest.json"


def api_version(prefix: str) -> str:
    """`v1/` gives "v1"; another prefix its last segment; the bare root follows the v1 layout."""
    segments = [segment for segment in prefix.split("/") if segment]
    return segments[-1] if segments else DEFAULT_PREFIX.rstrip("/")


def season_entry(season: str, path: str, summary: SeasonSummary, parquet: str | None = None) -> dict[str, Any]:
    """A season file's entry from its summary (`publish.season_summary` of its content, or its metadata), with
    the path of its Parquet table when one is published."""
    as_of, first, last = summary
    entry = {"season": season, "path": path, "as_of": as_of, "first_date": first, "last_date": last}
    return entry if parquet is None else {**entry, "parquet": parquet}


def model_entry(
    *,
    code: str,
    name: str,
    is_default: bool,
    path: str,
    index: str,
    current_season: str,
    days: Mapping[dt.date, tuple[int, bool]],
    seasons: Iterable[dict[str, Any]],
) -> dict[str, Any]:
    """One model's entry from its published per-day files (picks, fully graded) and season entries."""
    with_picks = [day for day, (picks, _) in days.items() if picks > 0]
    graded = [day for day, (picks, fully_graded) in days.items() if picks > 0 and fully_graded]
    ordered = sorted(seasons, key=lambda entry: entry["season"], reverse=True)
    return {
        "code": code,
        "name": name,
        "default": is_default,
        "path": path,
        "index": index,
        "current_season": current_season if any(entry["season"] == current_season for entry in ordered) else None,
        "latest_date": max(with_picks).isoformat() if with_picks else None,
        "latest_graded_date": max(graded).isoformat() if graded else None,
        "seasons": ordered,
    }


def manifest_document(
    prefix: str,
    generated_at: str,
    entries: list[dict[str, Any]],
    previous: Mapping[str, Any] | None = None,
    *,
    replace_all: bool = False,
) -> dict[str, Any]:
    """The manifest: this run's model entries, plus the previous manifest's other models unless `replace_all`.

    A kept entry that claims this run's folder (a former default model) is dropped: the folder's files are
    this run's model's now.
    """
    codes = {entry["code"] for entry in entries}
    paths = {entry["path"] for entry in entries}
    kept = (
        []
        if replace_all or previous is None
        else [
            entry for entry in previous.get("models", []) if entry["code"] not in codes and entry["path"] not in paths
        ]
    )
    models = sorted([*entries, *kept], key=lambda entry: (not entry["default"], entry["code"]))
    default = next((entry["code"] for entry in models if entry["default"]), None)
    return {
        "api_version": api_version(prefix),
        "generated_at": generated_at,
        "default_model": default,
        "schemas": {
            # The manifest's v1 shape names these kinds' schemas; the status file's is published beside them.
            **{kind: schema_path(prefix, name) for kind, name in SCHEMA_FILES.items() if kind != "status"},
            "types": schema_path(prefix, TYPES_FILE),
        },
        "status": status_path(prefix),  # added within v1: a reader of an older manifest finds none
        "models": models,
    }
