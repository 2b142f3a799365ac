"""The library's entry points: what the daily job, a backfill and a season export build and publish."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from itertools import chain
from dataclasses import dataclass, field
from typing import Any

import orjson

from . import rules
from .documents import Document, DocumentBuilder, index_document
from .engine import DryRunEngine, Engine
from .errors import ExportError
from .layout import DEFAULT_PREFIX, Layout, normalize_prefix, schema_path
from .manifest import manifest_document, manifest_path, model_entry, season_entry
from .page import PAGE_FILES, page_file, page_path
from .publish import ObjectInfo, Payload, PublishPolicy, Publisher, Report, Sink, Spool, Step, day_summary
from .validation import SCHEMA_FILES, TYPES_FILE, check_document, problems, schema_text, types_text
from .warehouse import read_snapshots, snapshot_queries

Progress = Callable[[int, int | None], None]  # (documents built, documents in the run when known)


@dataclass(frozen=True)
class ExportOptions:
    model: str | None = None  # a model code; None for the champion
    prefix: str = DEFAULT_PREFIX
    today: dt.date = field(default_factory=rules.today_in_new_york)  # decides which season is "current"
    generated_at: str = field(default_factory=lambda: generated_at_now())
    with_page: bool = False  # also publish the reference page under {prefix}page/


@dataclass
class Outcome:
    """What a run did with each of its files, for the report and the summary line."""

    report: Report
    queries: int

    @property
    def paths(self) -> list[str]:
        return [result.path for result in self.report.results]


def generated_at_now(environ: dict[str, str] | None = None) -> str:
    """UTC now to the second, or the time `SOURCE_DATE_EPOCH` gives, so that builds can be reproduced."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ExportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    else:
        moment = dt.datetime.now(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Wanted:
    """What one model's run builds: per-day files of these dates, and these seasons' files (with as-of dates).

    Plain data rather than the documents themselves: the run knows how many files are coming (for progress)
    and builds each one only when the previous one is validated and spooled."""

    days: list[dt.date]
    seasons: list[tuple[str, dt.date | None]]


# What a command wants built for one model, given its builder and what the model's folders already hold.
Wants = Callable[[DocumentBuilder, dict[str, ObjectInfo]], _Wanted]


@dataclass
class _Staged:
    """One model's files of a run, validated and spooled, with what its folders already hold."""

    layout: Layout
    model: str
    published: dict[str, ObjectInfo]
    payloads: list[Payload]
    name: str = ""  # the model's display name, for the manifest


class Exporter:
    """Builds documents model by model from the warehouse and publishes them through a sink."""

    def __init__(self, engine: Engine, sink: Sink, options: ExportOptions, policy: PublishPolicy | None = None) -> None:
        self.engine = engine
        self.sink = sink
        self.options = options
        self.prefix = normalize_prefix(options.prefix)
        self.publisher = Publisher(sink, policy or PublishPolicy())

    def daily(self, day: dt.date, progress: Progress | None = None, *, all_models: bool = False) -> Outcome:
        """The per-day file of `day`, the one of the day before when it has picks, and `day`'s season file."""
        yesterday, _ = daily_dates(day)

        def wants(builder: DocumentBuilder, _: dict[str, ObjectInfo]) -> _Wanted:
            shown = yesterday in builder.snapshot.dates_with_picks()
            return _Wanted([day] + ([yesterday] if shown else []), [(rules.season_label(day), None)])

        return self._run(yesterday, day, wants, progress, all_models=all_models)

    def backfill(
        self, first: dt.date, last: dt.date, progress: Progress | None = None, *, all_models: bool = False
    ) -> Outcome:
        """The per-day file of every date in [first, last] with shown picks, and every touched season's file.

        A published day of the range that no longer has shown picks is rebuilt too (empty), rather than left
        contradicting its season file; the shrink guard decides whether it may replace the old one.
        """
        backfill_dates(first, last)

        def wants(builder: DocumentBuilder, published: dict[str, ObjectInfo]) -> _Wanted:
            layout = self._layout(builder)
            days = {day for day in builder.snapshot.dates_with_picks() if first <= day <= last}
            days |= {day for day in map(layout.date_of, published) if day is not None and first <= day <= last}
            return _Wanted(sorted(days), [(season, None) for season in _seasons_between(first, last)])

        return self._run(first, last, wants, progress, all_models=all_models)

    def season(self, season: str, as_of: dt.date | None = None) -> Outcome:
        """One season's file, with records as of `as_of` (default: its latest graded date)."""
        first, last = season_dates(season)
        if as_of is not None and not first <= as_of <= last:
            raise ExportError(f"--as-of {as_of} is not in season {season} ({first} to {last})")
        return self._run(first, last, lambda builder, _: _Wanted([], [(season, as_of)]), None)

    def _run(
        self,
        first: dt.date,
        last: dt.date,
        wants: Wants,
        progress: Progress | None,
        *,
        all_models: bool = False,
    ) -> Outcome:
        start, end = read_span(first, last)
        spool = Spool()
        try:
            staged: list[_Staged] = []
            built = total = 0  # the total grows as each model is reached: exact for a one-model run
            for snapshot in read_snapshots(self.engine, self.options.model, start, end, all_models=all_models):
                builder = DocumentBuilder(snapshot, self.options.generated_at)
                layout = self._layout(builder)
                published = self.publisher.listing(layout.folders())
                wanted = wants(builder, published)
                total += len(wanted.days) + sum(len(self._season_paths(layout, season)) for season, _ in wanted.seasons)
                documents = chain(
                    (self._day_document(builder, day) for day in wanted.days),
                    chain.from_iterable(self._season_documents(builder, *each) for each in wanted.seasons),
                )
                payloads = []
                for document in documents:
                    # Every document passes the gate before the destination sees the first file.
                    check_document(document)
                    payloads.append(Payload.of(document.path, document.kind, document.content, spool))
                    built += 1
                    if progress:
                        progress(built, total)
                staged.append(_Staged(layout, snapshot.model.code, published, payloads, snapshot.model.name))
            return self._publish(staged, all_models=all_models)
        finally:
            spool.close()

    def _layout(self, builder: DocumentBuilder) -> Layout:
        model = builder.snapshot.model
        return Layout(self.prefix, model.code, model.is_default)

    def _day_document(self, builder: DocumentBuilder, day: dt.date) -> Document:
        return Document(self._layout(builder).day(day), "day", builder.day(day))

    def _season_paths(self, layout: Layout, season: str) -> list[str]:
        """Where a season's file goes: its own path, and the current season's fixed address when it is current."""
        current = season == rules.season_label(self.options.today)
        return [layout.season(season)] + ([layout.current_season()] if current else [])

    def _season_documents(self, builder: DocumentBuilder, season: str, as_of: dt.date | None) -> list[Document]:
        content = builder.season(season, as_of or builder.default_as_of(season))
        return [Document(path, "season", content) for path in self._season_paths(self._layout(builder), season)]

    def _publish(self, staged: list[_Staged], *, all_models: bool = False) -> Outcome:
        """Plan every file against what is published (each model's index, then the manifest last), then publish."""
        schemas = [Payload.raw(schema_path(self.prefix, name), "schema", schema_text(kind)) for kind, name in SCHEMA_FILES.items()]
        schemas.append(Payload.raw(schema_path(self.prefix, TYPES_FILE), "types", types_text()))
        steps = self.publisher.plan(schemas, self.publisher.listing([schema_path(self.prefix, "")]))
        if self.options.with_page:
            page = [Payload.raw(page_path(self.prefix, name), "page", page_file(name)) for name in PAGE_FILES]
            steps += self.publisher.plan(page, self.publisher.listing([page_path(self.prefix, "")]))
        entries = []
        for each in staged:
            model_steps = self.publisher.plan(each.payloads, each.published)
            days = self._published_days(each.layout, each.published, model_steps)
            index = Document(each.layout.index(), "index", index_document(each.model, self.options.generated_at, days))
            check_document(index)
            steps += model_steps + self.publisher.plan([Payload.of(index.path, index.kind, index.content)], each.published)
            entries.append(self._manifest_entry(each, model_steps, days))
        steps += self._manifest_steps(entries, replace_all=all_models)
        return Outcome(self.publisher.publish(steps), self.engine.queries_run)

    def _manifest_entry(
        self, each: _Staged, steps: list[Step], days: dict[dt.date, tuple[int, bool]]
    ) -> dict[str, object]:
        """One model's manifest entry, from what its folders will hold once this run's files are published."""
        layout = each.layout
        built = {step.payload.path: step for step in steps if step.action not in ("superseded", "refused")}
        seasons = []
        for path in sorted(set(each.published) | set(built)):
            season = layout.season_of(path)
            if season is None:
                continue
            # This run's season files from the spool; the others (not rebuilt by this run) read back.
            data = built[path].payload.data if path in built else self.sink.read(path)
            seasons.append(season_entry(season, path, _json_or_none(data)))
        return model_entry(
            code=each.model,
            name=each.name,
            is_default=layout.base == self.prefix,
            path=layout.base,
            index=layout.index(),
            current_season=rules.season_label(self.options.today),
            days=days,
            seasons=seasons,
        )

    def _manifest_steps(self, entries: list[dict[str, object]], *, replace_all: bool) -> list[Step]:
        """The manifest, planned last: this run's models' entries replace theirs in the published one."""
        path = manifest_path(self.prefix)
        published = {key: info for key, info in self.publisher.listing([path]).items() if key == path}
        previous = _json_or_none(self.sink.read(path)) if path in published else None
        if previous is not None and problems("manifest", previous, path):
            previous = None  # not a manifest this version can read: rebuilt from this run's models
        content = manifest_document(self.prefix, self.options.generated_at, entries, previous, replace_all=replace_all)
        manifest = Document(path, "manifest", content)
        check_document(manifest)
        return self.publisher.plan([Payload.of(manifest.path, manifest.kind, manifest.content)], published)

    def _published_days(
        self, layout: Layout, published: dict[str, ObjectInfo], steps: list[Step]
    ) -> dict[dt.date, tuple[int, bool]]:
        """Every per-day file that will be published once this run's day files are: (picks, fully graded)."""
        days: dict[dt.date, tuple[int, bool]] = {}
        for path, info in published.items():
            day = layout.date_of(path)
            if day is None:
                continue
            if info.picks is None:  # a file not published by picks-export: count its picks from its content
                summary = _summary_of(self.sink.read(path))
                if summary is None:
                    continue  # not a readable per-day document: it gets no index entry
                days[day] = summary
            else:
                days[day] = (info.picks, bool(info.graded))
        for step in steps:
            day = layout.date_of(step.payload.path)
            if day is not None and step.action != "superseded" and step.payload.picks is not None:
                days[day] = (step.payload.picks, bool(step.payload.graded))
        return days


def _summary_of(data: bytes | None) -> tuple[int, bool] | None:
    content = _json_or_none(data)
    return day_summary(content) if isinstance(content, dict) else None


def _json_or_none(data: bytes | None) -> Any:
    """The JSON of a published file, or None when it is missing or not JSON."""
    try:
        return orjson.loads(data) if data is not None else None
    except orjson.JSONDecodeError:
        return None


def daily_dates(day: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the daily job of `day` publishes from: the day before and the day."""
    return day - dt.timedelta(days=1), day


def backfill_dates(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    if last < first:
        raise ExportError(f"--end {last} is before --start {first}")
    return first, last


def season_dates(season: str) -> tuple[dt.date, dt.date]:
    try:
        return rules.season_bounds(season)
    except ValueError as error:
        raise ExportError(str(error)) from None


def read_span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a run over [first, last] reads.

    Whole seasons, plus the days of a week that reaches back before Aug 1, so that every record and every season
    file of the range can be built from one read per model.
    """
    start = rules.period_start("week", rules.period_start("season", first))
    _, end = rules.season_bounds(rules.season_label(last))
    return start, end


def estimate(engine: DryRunEngine, first: dt.date, last: dt.date) -> list[tuple[str, int]]:
    """The bytes each query of a run over [first, last] would scan, from dry runs: nothing runs, nothing is billed.

    The model is not known without running the models query; the bytes scanned do not depend on it.
    """
    return [(name, engine.dry_run(name, params)) for name, params in snapshot_queries([""], *read_span(first, last))]


def _seasons_between(first: dt.date, last: dt.date) -> list[str]:
    years = range(rules.season_start_year(first), rules.season_start_year(last) + 1)
    return [rules.season_label(dt.date(year, rules.SEASON_START_MONTH, 1)) for year in years]
