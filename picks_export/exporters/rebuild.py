"""The files built from what is published rather than from the warehouse: each model's index and the manifest.

A publishing run builds them from listings just before it writes them (`publish.Rebuild`); a rollback, which has
no warehouse, builds them here from the published files and the published manifest's model entries (code, name,
folder). `rebuilt_files` is the one list of such files (with the status file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from . import rules
from .documents import index_document
from .layout import Layout
from .manifest import manifest_document, manifest_path, model_entry, season_entry
from .publish import ObjectInfo, Payload, Rebuild, day_summary, season_summary
from .status import status_document, status_model_entry, status_path
from .validation import check_document, problems
from .documents import Document, Kind

Read = Callable[[str], "bytes | None"]


def json_or_none(data: bytes | None) -> Any:
    """The JSON of a published file, or None when it is missing or not JSON."""
    try:
        return orjson.loads(data) if data is not None else None
    except orjson.JSONDecodeError:
        return None


def published_days(read: Read, layout: Layout, published: Mapping[str, ObjectInfo]) -> dict[dt.date, tuple[int, bool]]:
    """Every per-day file of `layout`'s model in a listing: (picks, fully graded), from its metadata or content."""
    days: dict[dt.date, tuple[int, bool]] = {}
    for path, info in published.items():
        day = layout.date_of(path)
        if day is None:
            continue
        if info.picks is None:  # a file not published by picks-export: count its picks from its content
            content = json_or_none(read(path))
            if not isinstance(content, dict):
                continue  # not a readable per-day document: it gets no index entry
            days[day] = day_summary(content)
        else:
            days[day] = (info.picks, bool(info.graded))
    return days


def index_days(read: Read, layout: Layout) -> dict[dt.date, tuple[int, bool]]:
    """The per-day files a model's published index lists, (picks, fully graded) by date; none when it has no index
    this version reads. What the manifest and the status file are built from once the index is written: one read,
    not a listing of every per-day file."""
    content = json_or_none(read(layout.index()))
    days: dict[dt.date, tuple[int, bool]] = {}
    for entry in content.get("dates", []) if isinstance(content, dict) and isinstance(content.get("dates"), list) else []:
        try:
            days[dt.date.fromisoformat(entry["date"])] = (int(entry["picks"]), bool(entry["graded"]))
        except (TypeError, KeyError, ValueError):
            continue
    return days


@dataclass(frozen=True)
class PublishedModel:
    """A model as the published manifest names it."""

    code: str
    name: str
    layout: Layout
    is_default: bool

    @classmethod
    def of(cls, prefix: str, entry: Mapping[str, Any]) -> PublishedModel | None:
        """The model of a manifest entry, or None when its folder is not where this version puts it."""
        code, name, default = entry.get("code"), entry.get("name"), entry.get("default")
        if not (isinstance(code, str) and isinstance(name, str) and isinstance(default, bool)):
            return None
        layout = Layout(prefix, code, default)
        return cls(code, name, layout, default) if layout.base == entry.get("path") else None


def published_manifest(read: Read, prefix: str, data: bytes | None = None) -> dict[str, Any] | None:
    """The manifest at `prefix` (or `data`, its bytes), when it is one this version reads."""
    path = manifest_path(prefix)
    content = json_or_none(read(path) if data is None else data)
    return content if isinstance(content, dict) and not problems("manifest", content, path) else None


def season_entries(
    read: Read, layout: Layout, published: Mapping[str, ObjectInfo], built: Mapping[str, Payload] | None = None
) -> list[dict[str, Any]]:
    """The manifest's entries of the season files among `published` and this run's `built` ones, from what each
    payload or record says of itself (as_of, first and last date); a file without a summary is read."""
    built = built or {}
    entries = []
    for path in sorted(set(published) | set(built)):
        season = layout.season_of(path)
        if season is None:
            continue
        summary = built[path].season if path in built else published[path].season
        if summary is None:
            summary = season_summary(json_or_none(built[path].data if path in built else read(path)))
        entries.append(season_entry(season, path, summary))
    return entries


def checked_payload(path: str, kind: Kind, content: dict[str, Any]) -> Payload:
    """A built document, once it passed its schema, ready to publish."""
    check_document(Document(path, kind, content))
    return Payload.of(path, kind, content)


def index_payload(read: Read, model: PublishedModel, listed: Mapping[str, ObjectInfo], generated_at: str) -> Payload:
    days = published_days(read, model.layout, listed)
    return checked_payload(model.layout.index(), "index", index_document(model.code, generated_at, days))


def manifest_payload(
    read: Read,
    list_folders: Callable[[tuple[str, ...]], Mapping[str, ObjectInfo]],
    prefix: str,
    models: list[PublishedModel],
    previous: Mapping[str, Any] | None,
    today: dt.date,
    generated_at: str,
) -> Payload:
    """The manifest with `models`' entries built from their folders as they are now, the others kept."""
    entries = []
    for model in models:
        published = list_folders(model.layout.folders())
        seasons = season_entries(read, model.layout, published)
        entries.append(model_entry(
            code=model.code, name=model.name, is_default=model.is_default, path=model.layout.base,
            index=model.layout.index(), current_season=rules.season_label(today),
            days=published_days(read, model.layout, published), seasons=seasons,
        ))
    return checked_payload(manifest_path(prefix), "manifest", manifest_document(prefix, generated_at, entries, previous))


def rebuilt_files(
    read: Read,
    list_folders: Callable[[tuple[str, ...]], Mapping[str, ObjectInfo]],
    prefix: str,
    models: list[PublishedModel],
    previous: Mapping[str, Any] | None,
    today: dt.date,
    generated_at: str,
    keep: Mapping[str, Payload] | None = None,
    run: Callable[[], Mapping[str, Any]] | None = None,
) -> dict[str, Rebuild]:
    """Each of `models`' index, the prefix's manifest and (given the `run` that rebuilds them) its status file,
    rebuilt from listings when they are written.

    `keep`: bytes to publish instead of a rebuilt file whose content they match (a rollback restores the
    previous index byte for byte, `generated_at` included, when the files it lists are what they were)."""
    kept = keep or {}

    def keeping(build: Callable[[Mapping[str, ObjectInfo]], Payload]) -> Callable[[Mapping[str, ObjectInfo]], Payload]:
        def built(listed: Mapping[str, ObjectInfo]) -> Payload:
            payload = build(listed)
            same = kept.get(payload.path)
            return same if same is not None and same.content_hash == payload.content_hash else payload
        return built

    rebuilt: dict[str, Rebuild] = {}
    for model in models:
        picks = model.layout.folders()[0]
        rebuilt[model.layout.index()] = Rebuild(
            picks, keeping(lambda listed, model=model: index_payload(read, model, listed, generated_at)), (picks,)
        )
    folders = tuple(folder for model in models for folder in model.layout.folders())
    rebuilt[manifest_path(prefix)] = Rebuild(
        manifest_path(prefix),
        keeping(lambda _: manifest_payload(read, list_folders, prefix, models, previous, today, generated_at)),
        folders,
    )
    if run is not None:
        status = status_path(prefix)
        rebuilt[status] = Rebuild(status, lambda listed: status_payload(read, list_folders, prefix, models, listed, today, run()), folders)
    return rebuilt


def status_payload(
    read: Read,
    list_folders: Callable[[tuple[str, ...]], Mapping[str, ObjectInfo]],
    prefix: str,
    models: list[PublishedModel],
    listed: Mapping[str, ObjectInfo],
    today: dt.date,
    run: Mapping[str, Any],
) -> Payload:
    """The status file with `models`' entries built from their picks/ folders as they are now (no gate ran: no
    warnings), the others kept from the published one (`listed` holds its state)."""
    entries = [
        status_model_entry(
            code=model.code, index=model.layout.index(), today=today, run=run["id"], checked_at=run["finished_at"],
            days=published_days(read, model.layout, list_folders(model.layout.folders()[:1])), warnings=[],
        )
        for model in models
    ]
    path = status_path(prefix)
    previous = json_or_none(read(path)) if path in listed else None
    if previous is not None and problems("status", previous, path):
        previous = None
    return checked_payload(path, "status", status_document(run, entries, previous))
