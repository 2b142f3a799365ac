"""The library's entry points: what the daily job, a backfill and a season export build and publish."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from . import rules
from .documents import Document, DocumentBuilder
from .engine import DryRunEngine, Engine
from .errors import ExportError
from .layout import DEFAULT_PREFIX, Layout, normalize_prefix
from .sinks import Sink
from .validation import check_document
from .warehouse import Snapshot, read_snapshot, snapshot_queries

Progress = Callable[[int, int], None]  # (documents done, documents in the run)


@dataclass(frozen=True)
class ExportOptions:
    model: str | None = None  # a model code; None for the champion
    prefix: str = DEFAULT_PREFIX
    today: dt.date = field(default_factory=rules.today_in_new_york)  # decides which season is "current"
    generated_at: str = field(default_factory=lambda: generated_at_now())


@dataclass
class Outcome:
    """What a run published, for the summary line."""

    paths: list[str]
    bytes_written: int
    queries: int


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


class Exporter:
    """Builds one model's documents from one snapshot of the warehouse and publishes them through a sink."""

    def __init__(self, engine: Engine, sink: Sink, options: ExportOptions) -> None:
        self.engine = engine
        self.sink = sink
        self.options = options
        self.prefix = normalize_prefix(options.prefix)

    def daily(self, day: dt.date, progress: Progress | None = None) -> Outcome:
        """The per-day file of `day`, the one of the day before when it has picks, and `day`'s season file."""
        yesterday, _ = daily_dates(day)
        snapshot = self._snapshot(yesterday, day)
        builder = DocumentBuilder(snapshot, self.options.generated_at)
        days = [day] + ([yesterday] if yesterday in set(snapshot.dates_with_picks()) else [])
        documents = [self._day_document(builder, each) for each in days]
        documents += self._season_documents(builder, rules.season_label(day), as_of=None)
        return self._publish(documents, progress)

    def backfill(self, first: dt.date, last: dt.date, progress: Progress | None = None) -> Outcome:
        """The per-day file of every date in [first, last] with shown picks, and every touched season's file."""
        snapshot = self._snapshot(*backfill_dates(first, last))
        builder = DocumentBuilder(snapshot, self.options.generated_at)
        documents = [
            self._day_document(builder, day) for day in snapshot.dates_with_picks() if first <= day <= last
        ]
        for season in _seasons_between(first, last):
            documents += self._season_documents(builder, season, as_of=None)
        return self._publish(documents, progress)

    def season(self, season: str, as_of: dt.date | None = None) -> Outcome:
        """One season's file, with records as of `as_of` (default: its latest graded date)."""
        first, last = season_dates(season)
        if as_of is not None and not first <= as_of <= last:
            raise ExportError(f"--as-of {as_of} is not in season {season} ({first} to {last})")
        builder = DocumentBuilder(self._snapshot(first, last), self.options.generated_at)
        return self._publish(self._season_documents(builder, season, as_of), None)

    def _snapshot(self, first: dt.date, last: dt.date) -> Snapshot:
        return read_snapshot(self.engine, self.options.model, *read_span(first, last))

    def _layout(self, builder: DocumentBuilder) -> Layout:
        model = builder.snapshot.model
        return Layout(self.prefix, model.code, model.is_default)

    def _day_document(self, builder: DocumentBuilder, day: dt.date) -> Document:
        return Document(self._layout(builder).day(day), "day", builder.day(day))

    def _season_documents(self, builder: DocumentBuilder, season: str, as_of: dt.date | None) -> list[Document]:
        content = builder.season(season, as_of or builder.default_as_of(season))
        layout = self._layout(builder)
        documents = [Document(layout.season(season), "season", content)]
        if season == rules.season_label(self.options.today):
            documents.append(Document(layout.current_season(), "season", content))
        return documents

    def _publish(self, documents: list[Document], progress: Progress | None) -> Outcome:
        # Every document passes the gate before the sink sees the first file.
        files = []
        for document in documents:
            check_document(document)
            files.append((document.path, orjson.dumps(document.content)))
            if progress:
                progress(len(files), len(documents))
        self.sink.publish(files)
        return Outcome([path for path, _ in files], sum(len(data) for _, data in files), self.engine.queries_run)


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
    file of the range can be built from this one read.
    """
    start = rules.period_start("week", rules.period_start("season", first))
    _, end = rules.season_bounds(rules.season_label(last))
    return start, end


def estimate(engine: DryRunEngine, first: dt.date, last: dt.date) -> list[tuple[str, int]]:
    """The bytes each query of a run over [first, last] would scan, from dry runs: nothing runs, nothing is billed.

    The model is not known without running the models query; the bytes scanned do not depend on it.
    """
    return [(name, engine.dry_run(name, params)) for name, params in snapshot_queries("", *read_span(first, last))]


def _seasons_between(first: dt.date, last: dt.date) -> list[str]:
    years = range(rules.season_start_year(first), rules.season_start_year(last) + 1)
    return [rules.season_label(dt.date(year, rules.SEASON_START_MONTH, 1)) for year in years]
