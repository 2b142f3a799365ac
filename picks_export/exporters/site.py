"""The site files: each model's index, the manifest and the status file, built from what is published.

Pure functions of a listing (what a folder holds, as `ObjectInfo`s), of a run's planned steps, and of what the
published files say when read back (`Published.read`): a publishing run plans these files with them (from its
listings and its steps) and builds each one again from a fresh listing just before it is written (`build`); a
rollback, which has no warehouse, builds them the same way for the models the published manifest names.
`manifest.py` and `status.py` give the documents their shape; this module decides what goes into them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol

import orjson

from .. import __version__
from . import rules
from .documents import Document, Kind, index_document
from .layout import Layout
from .manifest import manifest_document, manifest_path, model_entry, season_entry
from .parquet import parquet_path
from .publish import ObjectInfo, Payload, Step, content_hash, day_summary, season_summary
from .status import status_document, status_model_entry, status_path
from .validation import check_document, problems

Days = dict[dt.date, tuple[int, bool]]  # a model's per-day files by date: (picks shown, fully graded)
SiteKind = Literal["index", "manifest", "status"]
# The manifest whose other models' entries a rebuilt manifest keeps: the published one when it is written.
PUBLISHED: Literal["published"] = "published"


class Published(Protocol):
    """The destination as the site files read it: a listing of a folder (or one path, or a range of a folder's
    paths), a file's bytes."""

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> Mapping[str, ObjectInfo]: ...

    def read(self, path: str) -> bytes | None: ...


def json_or_none(data: bytes | None) -> Any:
    """The JSON of a published file, or None when it is missing or not JSON."""
    try:
        return orjson.loads(data) if data is not None else None
    except orjson.JSONDecodeError:
        return None


def checked_payload(path: str, kind: Kind, content: dict[str, Any]) -> Payload:
    """A built document, once it passed its schema, ready to publish."""
    check_document(Document(path, kind, content))
    return Payload.of(path, kind, content)


@dataclass(frozen=True)
class SiteModel:
    """A model as its site files name it, with what this run knows of it."""

    code: str
    name: str
    layout: Layout
    is_default: bool
    warnings: tuple[dict[str, Any], ...] = ()  # the quality gate's findings, as the status file lists them
    built: tuple[Payload, ...] = ()  # this run's files of the model: a season file's summary without a read

    @classmethod
    def of_entry(cls, prefix: str, entry: Mapping[str, Any]) -> SiteModel | None:
        """The model of a published manifest entry, or None when its folder is not where this version puts it."""
        code, name, default = entry.get("code"), entry.get("name"), entry.get("default")
        if not (isinstance(code, str) and isinstance(name, str) and isinstance(default, bool)):
            return None
        layout = Layout(prefix, code, default)
        return cls(code, name, layout, default) if layout.base == entry.get("path") else None


@dataclass(frozen=True)
class Site:
    """What a prefix's site files are built from, besides the listings."""

    prefix: str
    today: dt.date
    generated_at: str
    models: tuple[SiteModel, ...]
    run: str  # the run's id, command and start, as the status file names them
    command: str
    started_at: str
    replace_all: bool = False  # the manifest lists only these models (a run over every enabled model)
    # The manifest whose other models' entries are kept: PUBLISHED (read when it is written), or a fixed one.
    kept_manifest: Mapping[str, Any] | None | Literal["published"] = PUBLISHED
    # Bytes to publish instead of a rebuilt file of the same content (a rollback's, `generated_at` and all).
    keep: Mapping[str, Payload] = field(default_factory=dict)
    # Files this run deletes once the site files are rewritten (a rollback's): already left out of them.
    leaving: frozenset[str] = frozenset()
    # The other models found once a run, when a manifest or status file must be recovered (`recovered_models`).
    recovered: dict[str, list[SiteModel]] = field(default_factory=dict, repr=False, compare=False)

    def present(self, listed: Mapping[str, ObjectInfo]) -> Mapping[str, ObjectInfo]:
        """A listing less the files this run is about to delete."""
        return {path: info for path, info in listed.items() if path not in self.leaving} if self.leaving else listed

    def run_json(self, finished_at: str) -> dict[str, Any]:
        """The status file's `run`."""
        return {
            "id": self.run,
            "command": self.command or None,
            "started_at": self.started_at,
            "finished_at": finished_at,
            "version": __version__,
        }


class SiteFile(NamedTuple):
    """A site file as a run writes it: built from a fresh listing of `listing` just before it is written, or (an
    index with `planned`) from the run's planning listing and its own writes, under that listing's precondition."""

    site: Site
    kind: SiteKind
    path: str
    listing: str  # the folder (ending in `/`) or the single path listed
    depends_on: tuple[str, ...]  # folders whose files it is built from: a write there by this run forces a rewrite
    model: SiteModel | None = None  # an index's model
    planned: Mapping[str, ObjectInfo] | None = None  # an index's: what the run planned against (`model_listing`)
    # An index's as planned: the days it lists and its payload, published again as it is when it lists the same.
    prebuilt: tuple[Days, Payload] | None = None


def site_files(site: Site) -> list[SiteFile]:
    """Each model's index (from its picks/ folder), then the manifest and the status file (from every folder)."""
    files = []
    for model in site.models:
        picks = model.layout.folders()[0]
        files.append(SiteFile(site, "index", model.layout.index(), picks, (picks,), model))
    folders = tuple(folder for model in site.models for folder in model.layout.folders())
    files.append(SiteFile(site, "manifest", manifest_path(site.prefix), manifest_path(site.prefix), folders))
    files.append(SiteFile(site, "status", status_path(site.prefix), status_path(site.prefix), folders))
    return files


class Listing(dict[str, ObjectInfo]):
    """A model's planning listing (path -> `ObjectInfo`), and `elsewhere`: the per-day files of the dates it did
    not list, as the verified published index lists them (`model_listing`)."""

    def __init__(self, objects: Mapping[str, ObjectInfo] | None = None, elsewhere: Days | None = None) -> None:
        super().__init__(objects or {})
        self.elsewhere: Days = elsewhere or {}


def model_listing(
    published: Published, layout: Layout, code: str, span: tuple[dt.date, dt.date] | None = None
) -> Listing:
    """What a model's folders hold, to plan a run against: its index first (the version its rewrite is written
    under: observed before the per-day files, so that a run that wrote one of them and then the index makes that
    write fail), then subsets/ and picks/.

    With `span` (a daily's: its season, and the day before when that ends the previous one), only those dates'
    part of picks/ is listed: the other per-day files are those the published index lists (`Listing.elsewhere`),
    taken only when the index verifies (`indexed_elsewhere`). Otherwise picks/ is listed whole."""
    picks, subsets = layout.folders()
    index = published.list(layout.index())
    listed = Listing(published.list(subsets))
    kept = indexed_elsewhere(published, layout, code, index.get(layout.index()), span, listed) if span else None
    if kept is None or span is None:
        listed.update(published.list(picks))
    else:
        listed.update(published.list(picks, layout.day(span[0]), layout.day(span[1] + dt.timedelta(days=1))))
        listed.elsewhere = kept
    listed.update(index)
    return listed


def indexed_elsewhere(
    published: Published,
    layout: Layout,
    code: str,
    index: ObjectInfo | None,
    span: tuple[dt.date, dt.date],
    seasons: Mapping[str, ObjectInfo],
) -> Days | None:
    """The per-day files outside `span` as the published index lists them, or None unless it verifies: written
    by a run (its metadata names one and its hash), its bytes hashing to that hash, passing its schema, naming the
    model, and agreeing with each season's file but the span's last on its first and last date with picks
    (`seasons`: the listing of subsets/). Metadata and saved copies are caches to check, never the truth: what
    does not verify is listed."""
    if index is None or index.content_hash is None or not index.run:
        return None
    data = published.read(layout.index())
    content = json_or_none(data)
    path = layout.index()
    if not isinstance(content, dict) or content.get("model") != code or problems("index", content, path):
        return None
    if content_hash(content, data) != index.content_hash:
        return None
    dated = _dated(content)
    if not _agrees_with_seasons(dated, layout, seasons, rules.season_label(span[1])):
        return None
    return {day: figures for day, figures in dated.items() if not span[0] <= day <= span[1]}


def _agrees_with_seasons(days: Days, layout: Layout, seasons: Mapping[str, ObjectInfo], listed: str) -> bool:
    """Whether each season's file (but `listed`'s, which the run rebuilds) has the first and last date with picks
    of `days` in its season."""
    with_picks: dict[str, list[dt.date]] = {}
    for day, (picks, _) in days.items():
        if picks:
            with_picks.setdefault(rules.season_label(day), []).append(day)
    for path, info in seasons.items():
        season = layout.season_of(path)
        if season is None or season == listed or info.season is None:
            continue
        dated = with_picks.get(season, [])
        first, last = (min(dated).isoformat(), max(dated).isoformat()) if dated else (None, None)
        if (first, last) != info.season[1:]:
            return False
    return True


def build(file: SiteFile, listed: Mapping[str, ObjectInfo], published: Published, now: str) -> Payload:
    """`file` from `listed` (its listing just taken) and what else is published now (`now`: the status file's time).

    The manifest and the status file are written after the indexes: each model's days come from its index (one
    read), its season files from a listing of its subsets/ folder, rather than a listing of every per-day file."""
    site = file.site
    if file.kind == "index":
        assert file.model is not None
        days = published_days(published, file.model.layout, site.present(listed))
        same_days = file.prebuilt is not None and file.prebuilt[0] == days
        payload = file.prebuilt[1] if file.prebuilt is not None and same_days else index_payload(site, file.model, days)
    elif file.kind == "manifest":
        entries = [
            manifest_entry(site, model, index_days(published, model.layout), written_seasons(published, model, site))
            for model in site.models
        ]
        kept = site.kept_manifest
        previous = previous_document(published, "manifest", file.path, listed) if kept == PUBLISHED else kept
        if kept == PUBLISHED and previous is None:
            previous = recovered_previous(published, site, "manifest", now)
        payload = manifest_payload(site, entries, previous if isinstance(previous, Mapping) else None)
    else:
        entries = [status_entry(site, model, index_days(published, model.layout), now) for model in site.models]
        previous = previous_document(published, "status", file.path, listed)
        previous = previous or recovered_previous(published, site, "status", now)
        payload = status_payload(site, entries, now, previous)
    same = site.keep.get(file.path)
    return same if same is not None and same.content_hash == payload.content_hash else payload


def previous_document(
    published: Published, kind: Literal["manifest", "status"], path: str, listed: Mapping[str, ObjectInfo]
) -> Mapping[str, Any] | None:
    """The published manifest or status file when the listing holds it and this version reads it; else None
    (then the file is built from this run's models only)."""
    content = json_or_none(published.read(path)) if path in listed else None
    return content if content is not None and not problems(kind, content, path) else None


def recovered_models(published: Published, site: Site) -> list[SiteModel]:
    """Every model of the prefix other than the site's own whose folder holds an index this version reads: the
    default folder's and each `models/{code}/` folder's (one listing of `models/`). Used when the published
    manifest or status file cannot be read, so that other models' files stay reachable; a model's display name
    was in the unreadable file: its code stands for it until its own next run. Looked for once a run (the plan and
    the writing of both files ask)."""
    if site.prefix in site.recovered:
        return site.recovered[site.prefix]
    own = {model.code for model in site.models} | {model.layout.base for model in site.models}
    folder = f"{site.prefix}models/"
    codes = sorted({path[len(folder) :].split("/", 1)[0] for path in published.list(folder)})
    candidates = [(None, True)] + [(code, False) for code in codes]
    found = []
    for code, default in candidates:
        layout = Layout(site.prefix, code or "", default)
        content = json_or_none(published.read(layout.index())) if layout.base not in own else None
        named = content.get("model") if isinstance(content, dict) else None
        if isinstance(named, str) and named not in own and (default or named == code):
            found.append(SiteModel(named, named, Layout(site.prefix, named, default), default))
    site.recovered[site.prefix] = found
    return found


def recovered_previous(
    published: Published, site: Site, kind: Literal["manifest", "status"], now: str
) -> dict[str, Any] | None:
    """A manifest or status file standing in for the published one that cannot be read, or is missing (deleted,
    lost): the entries of every other model of the prefix (`recovered_models`), built from their indexes and
    folders, so that a run for one model never hides another's files. None for a run over every enabled model (its
    manifest lists those only) and when no other model is found: on a new destination, a listing of `models/`."""
    if site.replace_all:
        return None
    models = recovered_models(published, site)
    if not models:
        return None
    if kind == "manifest":
        entries = [
            manifest_entry(site, model, index_days(published, model.layout), written_seasons(published, model))
            for model in models
        ]
    else:
        entries = [status_entry(site, model, index_days(published, model.layout), now) for model in models]
    return {"models": entries}


def published_manifest(published: Published, prefix: str, data: bytes | None = None) -> dict[str, Any] | None:
    """The manifest at `prefix` (or `data`, its bytes), when it is one this version reads."""
    path = manifest_path(prefix)
    content = json_or_none(published.read(path) if data is None else data)
    return content if isinstance(content, dict) and not problems("manifest", content, path) else None


def published_days(published: Published, layout: Layout, listed: Mapping[str, ObjectInfo]) -> Days:
    """Every per-day file of `layout`'s model in a listing: (picks, fully graded), from its metadata or content."""
    days: Days = dict(listed.elsewhere) if isinstance(listed, Listing) else {}
    for path, info in listed.items():
        day = layout.date_of(path)
        if day is None:
            continue
        if info.picks is None:  # a file not published by picks-export: count its picks from its content
            content = json_or_none(published.read(path))
            if not isinstance(content, dict):
                continue  # not a readable per-day document: it gets no index entry
            days[day] = day_summary(content)
        else:
            days[day] = (info.picks, bool(info.graded))
    return days


def planned_days(published: Published, layout: Layout, listed: Mapping[str, ObjectInfo], steps: Sequence[Step]) -> Days:
    """Every per-day file that will be published once `steps` (a run's files of the model) are out."""
    days = published_days(published, layout, listed)
    for step in steps:
        day = layout.date_of(step.payload.path)
        if day is not None and step.action != "superseded" and step.payload.picks is not None:
            days[day] = (step.payload.picks, bool(step.payload.graded))
    return days


# An index as a run left it (what a listing of its path showed, or the run's write of it) and the days it lists.
KnownIndex = tuple[ObjectInfo, Days]


class ReadOnce:
    """The destination as site files read it, each file read once and each index parsed once (for the files built
    from the same listings: the manifest and the status file).

    An index in `known` is not read at all while a listing of its path (taken after the listings the files are
    written under) shows the very object the run left: the same version, size and content hash. Its days are then
    those the run built it from, read and verified when it was planned; anything else is read."""

    def __init__(self, published: Published, known: Mapping[str, KnownIndex] | None = None) -> None:
        self._published = published
        self._known = known or {}
        self._read: dict[str, bytes | None] = {}
        self._days: dict[str, Days] = {}

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> Mapping[str, ObjectInfo]:
        return self._published.list(folder, start, end)

    def read(self, path: str) -> bytes | None:
        if path not in self._read:
            self._read[path] = self._published.read(path)
        return self._read[path]

    def index_days(self, path: str) -> Days:
        if path not in self._days:
            known = self._known.get(path)
            same = known is not None and _same_object(self._published.list(path).get(path), known[0])
            self._days[path] = known[1] if known is not None and same else _dated(json_or_none(self.read(path)))
        return self._days[path]


def _same_object(listed: ObjectInfo | None, expected: ObjectInfo) -> bool:
    """Whether a listing shows the object expected: its content hash, size and every version token the store gives
    (a GCS generation, an S3 version id or entity tag) the same. A folder gives none: its hash is the record kept
    for the file's inode, size and time, or else the file's own bytes hashed."""
    if listed is None or expected.content_hash is None:
        return False
    fields = ("content_hash", "size", "generation", "etag")
    return all(getattr(listed, name) == getattr(expected, name) for name in fields)


def index_days(published: Published, layout: Layout) -> Days:
    """The per-day files a model's published index lists; none when it has no index this version reads."""
    if isinstance(published, ReadOnce):
        return published.index_days(layout.index())
    return _dated(json_or_none(published.read(layout.index())))


def _dated(content: Any) -> Days:
    """The per-day files an index document lists."""
    dates = content.get("dates") if isinstance(content, dict) else None
    days: Days = {}
    for entry in dates if isinstance(dates, list) else []:
        try:
            days[dt.date.fromisoformat(entry["date"])] = (int(entry["picks"]), bool(entry["graded"]))
        except (TypeError, KeyError, ValueError):
            continue
    return days


def season_entries(
    published: Published, layout: Layout, listed: Mapping[str, ObjectInfo], built: Mapping[str, Payload]
) -> list[dict[str, Any]]:
    """The manifest's entries of the season files among `listed` and a run's `built` ones, from what each
    payload or listing says of itself (as_of, first and last date); a file without a summary is read."""
    entries = []
    paths = set(listed) | set(built)
    for path in sorted(paths):
        season = layout.season_of(path)
        if season is None:
            continue
        summary = built[path].season if path in built else listed[path].season
        if summary is None:
            summary = season_summary(json_or_none(built[path].data if path in built else published.read(path)))
        table = parquet_path(path)
        entries.append(season_entry(season, path, summary, table if table in paths else None))
    return entries


def planned_seasons(
    published: Published, layout: Layout, listed: Mapping[str, ObjectInfo], steps: Sequence[Step]
) -> list[dict[str, Any]]:
    """The season entries once `steps` are out: a superseded or refused file leaves the published one."""
    built = {step.payload.path: step.payload for step in steps if step.action not in ("superseded", "refused")}
    return season_entries(published, layout, listed, built)


def written_seasons(published: Published, model: SiteModel, site: Site | None = None) -> list[dict[str, Any]]:
    """The season entries from a fresh listing of the model's subsets/ folder (less the files `site`'s run is
    about to delete); what is there is this run's file when its hash says so (its summary known), the others'
    summaries come from the listing or a read."""
    listed = published.list(model.layout.folders()[1])
    listed = site.present(listed) if site is not None else listed
    built = {
        payload.path: payload
        for payload in model.built
        if payload.path in listed and listed[payload.path].content_hash == payload.content_hash
    }
    return season_entries(published, model.layout, listed, built)


def index_payload(site: Site, model: SiteModel, days: Days) -> Payload:
    return checked_payload(model.layout.index(), "index", index_document(model.code, site.generated_at, days))


def manifest_entry(site: Site, model: SiteModel, days: Days, seasons: list[dict[str, Any]]) -> dict[str, Any]:
    return model_entry(
        code=model.code,
        name=model.name,
        is_default=model.is_default,
        path=model.layout.base,
        index=model.layout.index(),
        current_season=rules.season_label(site.today),
        days=days,
        seasons=seasons,
    )


def manifest_payload(site: Site, entries: list[dict[str, Any]], previous: Mapping[str, Any] | None) -> Payload:
    """The manifest: these entries replace their models' in `previous`, whose other entries stay."""
    content = manifest_document(site.prefix, site.generated_at, entries, previous, replace_all=site.replace_all)
    return checked_payload(manifest_path(site.prefix), "manifest", content)


def status_entry(site: Site, model: SiteModel, days: Days, checked_at: str) -> dict[str, Any]:
    return status_model_entry(
        code=model.code,
        index=model.layout.index(),
        today=site.today,
        run=site.run,
        checked_at=checked_at,
        days=days,
        warnings=list(model.warnings),
    )


def status_payload(
    site: Site, entries: list[dict[str, Any]], finished_at: str, previous: Mapping[str, Any] | None
) -> Payload:
    """The status file: this run, its models' entries, and `previous`'s entries of other models."""
    content = status_document(site.run_json(finished_at), entries, previous)
    return checked_payload(status_path(site.prefix), "status", content)
