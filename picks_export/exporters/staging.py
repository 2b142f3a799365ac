"""Staging a run's files: each model's snapshots checked by the quality gate, its documents built, validated
against their schemas and spooled to disk, season by season, before the destination sees any of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from itertools import chain
from typing import Any, NamedTuple

from . import digest, parquet, quality, rules
from .documents import Document, DocumentBuilder
from .layout import Layout, publishing_prefix
from .options import ExportOptions
from .publish import FINAL_DAY_AGE, ObjectInfo, Payload, Spool, pause_for_tests
from .quality import QualityWarning
from .scopes import Daily, Scope, Wanted
from .validation import check_document
from .warehouse import Model, Snapshot, collection_paused

Progress = Callable[[int, int | None], None]  # (documents built, documents in the run when known)
# What a model's folders already hold (one listing of them), given the model.
Listing = Callable[[Model], dict[str, ObjectInfo]]
# Whether the run's plan leaves a published file as it is (its step "unchanged"), given the payload built for it and
# the published file's listing: then nothing ever sends or reads the payload's bytes.
Current = Callable[[Payload, ObjectInfo], bool]


class Staged:
    """One model's files of a run, validated and spooled, with what its folders already hold. (A plain class: a
    dataclass costs start-up time to create.)"""

    def __init__(
        self,
        layout: Layout,
        model: str,
        published: dict[str, ObjectInfo],
        payloads: list[Payload],
        name: str = "",  # the model's display name, for the manifest
        is_default: bool = False,
    ) -> None:
        self.layout = layout
        self.model = model
        self.published = published
        self.payloads = payloads
        self.name = name
        self.is_default = is_default
        self.warnings: list[QualityWarning] = []  # the quality gate's, for the status file
        self.refusals: list[QualityWarning] = []  # the gate's volume findings that refuse the run


def layout_of(prefix: str, model: Model) -> Layout:
    return Layout(prefix, model.code, model.is_default)


def season_paths(layout: Layout, today: dt.date, season: str, as_of: dt.date | None = None) -> list[str]:
    """Where a season's file goes: its own path, and the current season's fixed address when it is current.

    A file as of an explicit date is a deliberate view of the past: the live address keeps the latest records."""
    current = season == rules.season_label(today) and as_of is None
    return [layout.season(season)] + ([layout.current_season()] if current else [])


def expected_total(counts: list[int], models: int) -> int:
    """The files a run will build, for progress: exact for the models reached so far (`counts`), each model
    still to come counted like the mean of those, so the total is right from the first model on. (Likewise a
    model's files from those of its seasons reached so far.)"""
    return sum(counts) + round(sum(counts) / len(counts)) * max(models - len(counts), 0)


class _Made(NamedTuple):
    """A document's content as serialized, and whether it passed its schema: the current season's fixed address
    shares its dated file's content object, serialized and checked once."""

    content: dict[str, Any]
    kind: str
    serialized: digest.Serialized
    checked: bool = False


class _ModelFiles:
    """The files of the model being staged, as its seasons are built."""

    __slots__ = ("days", "seasons", "season_counts", "newest_first")

    def __init__(self) -> None:
        self.days: list[tuple[dt.date, Payload]] = []
        self.seasons: list[Payload] = []
        self.season_counts: list[int] = []  # its files, season by season
        self.newest_first = False


class Stager:
    """Checks (the quality gate), builds, validates and spools each model's files season by season as its
    snapshots arrive, each snapshot dropped before the next is read."""

    def __init__(
        self,
        options: ExportOptions,
        scope: Scope,
        spool: Spool,
        listing: Listing,
        progress: Progress | None = None,
        part_models: int | None = None,  # a build worker's share of the run's models (progress counts these)
        current: Current | None = None,  # None: every file's bytes are spooled
    ) -> None:
        self.options = options
        self.prefix = publishing_prefix(options.prefix)
        self.scope = scope
        self.spool = spool
        self.listing = listing
        self.progress = progress
        self.part_models = part_models
        self.current = current
        self.built = 0
        self.counts: list[int] = []  # files of each model reached so far (the current one's estimated)
        self._made: _Made | None = None  # the document staged last, as serialized (within a season)

    def stage(self, models: Iterator[Iterator[Snapshot]]) -> Iterator[Staged]:
        for snapshots in models:
            yield self._model(snapshots)

    def _model(self, snapshots: Iterator[Snapshot]) -> Staged:
        gate = quality.Gate(self.options.today, self.options.quality, daily=isinstance(self.scope, Daily))
        staged: Staged | None = None
        files = _ModelFiles()
        # No garbage collection while the model's seasons are read and staged: their picks and documents hold no
        # cycles, and the collections their allocations set off would traverse them again and again.
        with collection_paused():
            for snapshot in snapshots:
                if staged is None:
                    model = snapshot.model
                    layout = layout_of(self.prefix, model)
                    staged = Staged(layout, model.code, self.listing(model), [], model.name, model.is_default)
                    self.counts.append(0)
                self._season(staged, gate, snapshot, files)
                del snapshot  # this season's picks go before the next season is read
        assert staged is not None  # every run's range holds at least one season
        files.days.sort(key=lambda each: each[0], reverse=files.newest_first)
        staged.payloads = [payload for _, payload in files.days] + files.seasons
        staged.warnings, staged.refusals = gate.result().warnings, gate.refusals
        return staged

    def _season(self, staged: Staged, gate: quality.Gate, snapshot: Snapshot, files: _ModelFiles) -> None:
        """One snapshot's files: checked, built, validated and spooled (every one before the destination sees any)."""
        builder = DocumentBuilder(snapshot, self.options.generated_at)
        wanted = self.scope.wanted(snapshot, staged.layout, staged.published)
        files.newest_first = wanted.newest_first
        wanted = wanted.within(snapshot)
        graded = self.scope.require_graded
        if graded is not None and snapshot.covers(graded):
            quality.require_graded(snapshot, graded)
        gate.check(snapshot, wanted.checked, staged.layout, staged.published)
        # each season's file or files, and its table (parquet.py)
        paths = sum(len(season_paths(staged.layout, self.options.today, *each)) + 1 for each in wanted.seasons)
        files.season_counts.append(len(wanted.days) + paths)
        self.counts[-1] = expected_total(
            files.season_counts, snapshot.run_seasons
        )  # the seasons to come like those seen
        total = expected_total(self.counts, self.part_models or snapshot.run_models)  # a worker's share, or the run's
        for day, document in self._documents(builder, staged.layout, wanted):
            payload = self._kept(staged.layout, staged.published.get(document.path), document)
            if day is None:
                tables = self._season_tables(staged.published, document, payload)
                files.seasons.extend([payload, *tables])
                self.built += len(tables)
            else:
                files.days.append((day, payload))
            self.built += 1
            if self.built == 1:
                pause_for_tests("building")  # the first file is built and spooled, nothing is published
            if self.progress:
                self.progress(self.built, total)
        self._made = None  # the season's last document goes with the season

    def _kept(self, layout: Layout, published: ObjectInfo | None, document: Document) -> Payload:
        """The document's payload as the run keeps it until it publishes: validated and spooled; or, when the
        published file already has this content (its hash), not validated again (that content passed its schema
        when it was published), and a stand-in without its bytes when the plan leaves that file as it is (`current`).

        The payload is made at once, final or not (`_final`) and spooled (`Payload.of_serialized`): a backfill makes
        tens of thousands, and each `dataclasses.replace` of one costs as much as making it. A document of the same content
        (the same object) as the one before takes over its serialization and check (`_made`)."""
        path, kind = document.path, document.kind
        made = self._made
        if made is None or made.content is not document.content or made.kind != kind:
            made = self._made = _Made(document.content, kind, digest.Serialized.of(kind, document.content))
        serialized = made.serialized
        final = self._final(layout, path, kind, serialized.graded)
        if published is None or published.content_hash != serialized.content_hash:
            if not made.checked:
                check_document(document)
                self._made = made._replace(checked=True)
        elif self.current is not None:
            built = Payload.of_serialized(path, kind, serialized, final=final)
            if self.current(built, published):  # an unchanged step is never sent nor decided again: no spool write
                return built.stand_in()
        return Payload.of_serialized(path, kind, serialized, final=final, spool=self.spool)

    def _season_tables(
        self, published: Mapping[str, ObjectInfo], document: Document, payload: Payload
    ) -> list[Payload]:
        """The Parquet table beside a dated season file (none beside the current season's fixed address): built and
        checked, unless the published one is current. It is when the published season file has this content's
        hash and the published table was written by the same run as that file (a run builds both from the same
        content): then a stand-in of the published table (its hash and size, no bytes) plans it as unchanged, and
        pyarrow is not even loaded. A table without a run's metadata, or whose record does not match the file, is
        built again."""
        path = parquet.parquet_path(document.path)
        if path is None:
            return []
        season, table = published.get(document.path), published.get(path)
        if (
            season is not None
            and table is not None
            and season.content_hash == payload.content_hash
            and table.content_hash is not None
            and table.run
            and table.run == season.run
        ):
            return [Payload(path, "parquet", table.content_hash, table.size)]
        return parquet.season_table(document.path, document.content, self.spool)

    def _documents(
        self, builder: DocumentBuilder, layout: Layout, wanted: Wanted
    ) -> Iterator[tuple[dt.date | None, Document]]:
        """The wanted documents, each built when the previous one is spooled (a per-day one with its date)."""
        days = (
            (day, Document(layout.day(day), "day", content))
            for day, content in zip(wanted.days, builder.days(wanted.days), strict=True)
        )
        seasons = (
            (None, each) for season in wanted.seasons for each in self._season_documents(builder, layout, *season)
        )
        return chain(days, seasons)

    def _season_documents(
        self, builder: DocumentBuilder, layout: Layout, season: str, as_of: dt.date | None
    ) -> list[Document]:
        content = builder.season(season, as_of or builder.default_as_of(season))
        return [Document(path, "season", content) for path in season_paths(layout, self.options.today, season, as_of)]

    def _final(self, layout: Layout, path: str, kind: str, graded: bool | None) -> bool:
        """A per-day file old enough and fully graded is final: it gets the final days' cache policy."""
        day = layout.date_of(path) if kind == "day" else None
        return day is not None and bool(graded) and day <= self.options.today - dt.timedelta(days=FINAL_DAY_AGE)
