"""What each command publishes: the dates a daily run, a backfill and a season export cover, the files each of
them wants for one model, and the dates a run may name.

Errors here speak of the options' concepts (`OptionError`: `{date}`, `{start}`, ...); the command line shows
each one as its flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from . import rules
from .engines.engine import DryRunEngine
from .errors import ExportError, OptionError
from .layout import Layout
from .publish import ObjectInfo
from .warehouse import RunPlan, Snapshot, snapshot_queries

# The dates a run may name. Far wider than any NBA season (the league began in 1946), and narrow enough that the
# whole seasons and weeks a run reads around them stay within the calendar Python can count.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class Wanted:
    """What one model's run builds: per-day files of these dates, and these seasons' files (with as-of dates).

    Plain data rather than the documents themselves: the run knows how many files are coming (for progress)
    and builds each one only when the previous one is validated and spooled."""

    days: list[dt.date]
    seasons: list[tuple[str, dt.date | None]]
    newest_first: bool = False  # the days' order (across the seasons): a daily run's day comes before the day before
    # The days the quality gate checks (None: every one of `days`). A daily rebuilds its whole season so that it
    # heals what earlier mornings missed, but only the dates it is run for are news a reader sees today.
    gated: list[dt.date] | None = None

    def within(self, snapshot: Snapshot) -> Wanted:
        """What of this the snapshot builds: its own dates' files and its season's."""
        season = rules.season_label(snapshot.first_date)
        return Wanted(
            [day for day in self.days if snapshot.covers(day)],
            [each for each in self.seasons if each[0] == season],
            self.newest_first,
            None if self.gated is None else [day for day in self.gated if snapshot.covers(day)],
        )

    @property
    def checked(self) -> list[dt.date]:
        """The days the quality gate checks."""
        return self.days if self.gated is None else self.gated


class Scope:
    """What one command publishes: the dates it covers ([first, last]), and per model the files it wants."""

    command: str  # what the run does, for its record: `daily --date 2026-02-07`
    first: dt.date
    last: dt.date
    require_graded: dt.date | None = None  # a date whose picks must all be graded before anything is published

    def wanted(self, snapshot: Snapshot, layout: Layout, published: Mapping[str, ObjectInfo]) -> Wanted:
        """The files of the snapshot's model (`published`: what its folders already hold)."""
        raise NotImplementedError


class Daily(Scope):
    """`day`'s season as of `day`: the per-day file of `day` (even without picks), of every earlier date of its
    season with shown picks or a published file, of the day before when it has picks, and the season file; with
    `require_graded`, the day before must be fully graded.

    Rebuilding the whole season (unchanged files are skipped by their hash) is what makes the next morning heal a
    missed one, box scores that landed late, and a day file deleted or damaged by hand. The quality gate checks
    `day` and the day before only, as it always did."""

    def __init__(self, day: dt.date, today: dt.date, *, require_graded: bool = False) -> None:
        self.first, self.last = daily_dates(day)
        self.today = check_date("today", today)
        self.command = f"daily --date {day}"
        self.require_graded = self.first if require_graded else None

    def wanted(self, snapshot: Snapshot, layout: Layout, published: Mapping[str, ObjectInfo]) -> Wanted:
        day, yesterday = self.last, self.first
        dates = snapshot.dates_with_picks()
        if day > self.today + dt.timedelta(days=1) and snapshot.covers(day) and day not in dates:
            raise OptionError(
                f"{{date}} {day} is more than a day after today ({self.today}) and model"
                f" {_literal(snapshot.model.code)} has no shown picks that day: nothing published"
            )
        gated = [day] + ([yesterday] if yesterday in dates else [])
        season = rules.season_label(day)
        start, _ = rules.season_bounds(season)
        days = {each for each in dates if start <= each <= day}
        days |= {each for each in map(layout.date_of, published) if each is not None and start <= each <= day}
        if not days and season < rules.season_label(self.today) and snapshot.covers(day):
            # An earlier season without a shown pick or a published day: a mistyped year, not a day to index.
            raise OptionError(
                f"{{date}} {day} is in season {season}, before today's ({self.today}), and model"
                f" {_literal(snapshot.model.code)} has no shown picks nor published days in it: nothing published"
            )
        days |= set(gated)
        return Wanted(sorted(days, reverse=True), [(season, None)], newest_first=True, gated=gated)


class Backfill(Scope):
    """The per-day file of every date of [first, last] with shown picks, and every touched season's file.

    A published day of the range that no longer has shown picks is rebuilt too (empty), rather than left
    contradicting its season file; the shrink guard decides whether it may replace the old one. Likewise a
    season of the range gets its file when it has shown picks, is the current season, or already has a file."""

    def __init__(self, first: dt.date, last: dt.date, today: dt.date) -> None:
        self.first, self.last = backfill_dates(first, last)
        self.current = rules.season_label(check_date("today", today))
        self.command = f"backfill --start {first} --end {last}"

    def wanted(self, snapshot: Snapshot, layout: Layout, published: Mapping[str, ObjectInfo]) -> Wanted:
        first, last = self.first, self.last
        shown = snapshot.dates_with_picks()
        days = {day for day in shown if first <= day <= last}
        days |= {day for day in map(layout.date_of, published) if day is not None and first <= day <= last}
        between = seasons_between(first, last)
        seasons = {rules.season_label(day) for day in shown} | {self.current}
        seasons |= {season for season in between if layout.season(season) in published}
        return Wanted(sorted(days), [(season, None) for season in between if season in seasons])


class Season(Scope):
    """One season's file, with records as of `as_of` (None: its latest graded date)."""

    def __init__(self, season: str, as_of: dt.date | None, today: dt.date) -> None:
        self.first, self.last = season_dates(season)
        check_date("today", today)
        self.season, self.as_of = season, as_of
        self.command = f"season --season {season}" + (f" --as-of {as_of}" if as_of else "")
        if as_of is not None and not self.first <= as_of <= self.last:
            raise OptionError(f"{{as_of}} {as_of} is not in season {season} ({self.first} to {self.last})")

    def wanted(self, snapshot: Snapshot, layout: Layout, published: Mapping[str, ObjectInfo]) -> Wanted:
        return Wanted([], [(self.season, self.as_of)])


def check_date(option: str, day: dt.date) -> dt.date:
    """`day` when a run may name it; `option`: the concept it is (`end`; a flag such as `--end` is read as one)."""
    concept = option.lstrip("-").replace("-", "_")
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise OptionError(
            f"{{{concept}}} {day} is out of range: dates must be between {EARLIEST_DATE} and {LATEST_DATE}"
        )
    return day


def daily_dates(day: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the daily job of `day` publishes from: the day before and the day."""
    check_date("date", day)
    return day - dt.timedelta(days=1), day


def backfill_dates(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    check_date("start", first)
    check_date("end", last)
    if last < first:
        raise OptionError(f"{{end}} {last} is before {{start}} {first}")
    return first, last


def season_dates(season: str) -> tuple[dt.date, dt.date]:
    try:
        first, last = rules.season_bounds(season)
    except ValueError as error:
        raise ExportError(str(error)) from None
    if not EARLIEST_DATE <= first <= last <= LATEST_DATE:
        raise ExportError(
            f"season {season} is out of range: seasons must lie between {EARLIEST_DATE} and {LATEST_DATE}"
        )
    return first, last


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
    return [
        (name, engine.dry_run(name, params))
        for name, params in snapshot_queries(engine.dataset, [""], *read_span(first, last))
    ]


def estimate_notes(engine: DryRunEngine) -> list[str]:
    """What makes the estimate's bytes grow with the history: each dated table not partitioned by `game_date`."""
    return [
        f"table {table} is not partitioned by game_date: every run scans its whole history (partition it by"
        " game_date, and cluster it by system_id where it has one)"
        for table in engine.unpartitioned_tables()
    ]


def shard_plan(
    plan: RunPlan, shard: tuple[int, int] | None, scope: Scope
) -> tuple[RunPlan, dict[str, tuple[dt.date, dt.date]] | None]:
    """The plan of task `shard` (None: the whole run) of `scope`'s run: the models with units in this task, and
    the dates each reads (`read_span` of its share; None: the plan's)."""
    if shard is None:
        return plan, None
    shares = shard_spans(shard, [model.code for model in plan.models], scope.first, scope.last)
    spans = {code: read_span(*share) for code, share in shares.items()}
    return replace(plan, models=[model for model in plan.models if model.code in spans]), spans


def shard_spans(
    shard: tuple[int, int], models: list[str], first: dt.date, last: dt.date
) -> dict[str, tuple[dt.date, dt.date]]:
    """Task `shard` = (I, N) of N tasks: its models (codes) with the dates of [first, last] each reads.

    A run's units are its (model, season) pairs, model by model, each model's seasons oldest first; task I takes
    the I-th of N runs of consecutive units (sizes differing by one at most). Consecutive, so that each model's share
    is one span of seasons, read in one query; a model whose units all went to other tasks is not in the answer."""
    index, count = shard
    seasons = [rules.season_bounds(season) for season in seasons_between(first, last)]
    units = [(model, season) for model in models for season in seasons]
    mine = units[(index - 1) * len(units) // count : index * len(units) // count]
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for model, (start, end) in mine:
        spans[model] = (spans[model][0] if model in spans else max(start, first), min(end, last))
    return spans


def seasons_between(first: dt.date, last: dt.date) -> list[str]:
    years = range(rules.season_start_year(first), rules.season_start_year(last) + 1)
    return [rules.season_label(dt.date(year, rules.SEASON_START_MONTH, 1)) for year in years]


def _literal(text: str) -> str:
    """`text` inside an OptionError's message, where braces name concepts."""
    return text.replace("{", "{{").replace("}", "}}")
