"""The quality gate: upstream failures noticed from a run's own rows before anything is published.

Three named checks (docs/operator.md#quality-checks), each over the dates a run publishes for one model:
- `grading`: a date whose games are all final still has shown picks without a box score (grading has not landed);
  a warning, and with `require_graded` a daily run whose yesterday is not fully graded publishes nothing (exit 8);
- `volume`: a date's shown picks fall below a fraction of the model's trailing median both per played game and
  in number (a light 2-game night is not a drop, nor a heavy 14-game one where top-N subsets stay the same size),
  or a subset that had picks on every previous date of the season (at least 28) has none;
- `stale`: today's shown version was computed long before the first tip-off; a warning.
A volume finding refuses the run (exit 7, nothing published) only where a reader would see the failure now
(`Gate.refuses`): the dates a daily run publishes as news, and a date whose published file would lose picks.
Elsewhere it is history a regeneration must be able to rebuild: a warning. `allow_drop` turns every refusal
into a warning; `min_volume` 0 turns the volume check off.
Nothing here queries: the snapshot already holds the picks, the schedule and each shown version's computed_at.
"""

from __future__ import annotations

import datetime as dt
import statistics
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import rules
from .common import and_more
from .errors import NotGradedError, VolumeDropError
from .warehouse import Snapshot

if TYPE_CHECKING:
    from .layout import Layout
    from .metadata import ObjectInfo
    from .publish import Report

VOLUME_HISTORY = 14  # the previous dates with picks whose median a date is compared with
VOLUME_MIN_HISTORY = 7  # fewer previous dates with picks (a season's first week): no volume check
# A subset with picks on every previous date with picks of the season so far (at least SUBSET_MIN_HISTORY of them)
# is steady: none today is a failure. A 7-day window would flag a subset that has picks on four days out of five
# (the demo's longshots) several times a season.
SUBSET_MIN_HISTORY = 28


@dataclass(frozen=True)
class QualityOptions:
    min_volume: float = 0.5  # fraction of the trailing median of picks per game below which a day is a drop
    stale_hours: float = 18.0  # today's shown version computed longer before the first tip-off is stale
    require_graded: bool = False  # daily: publish nothing (exit 8) while yesterday is not fully graded
    allow_drop: bool = False  # a volume finding is a warning wherever it is (never refuses the run)

    def __post_init__(self) -> None:
        from .errors import OptionError

        if not 0 <= self.min_volume <= 1:
            raise OptionError(f"{{min_volume}} must be between 0 and 1, not {self.min_volume}")
        if not self.stale_hours > 0:
            raise OptionError(f"{{stale_hours}} must be positive, not {self.stale_hours}")


@dataclass(frozen=True)
class QualityWarning:
    """One finding of the gate, for the summary, the run's report and the status file."""

    check: str  # grading, volume or stale
    model: str
    date: dt.date
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "date": self.date.isoformat(), "message": self.message}

    def __str__(self) -> str:
        return f"model {self.model}: {self.message}"


@dataclass
class GateResult:
    warnings: list[QualityWarning] = field(default_factory=list)
    refusals: list[QualityWarning] = field(default_factory=list)


def day_counts(snapshot: Snapshot) -> dict[dt.date, tuple[int, int]]:
    """(shown picks, picks without a box-score row) per date with picks, counted as the per-day files show them.

    A pick with a row but no points has no result either, yet its grading has landed: it is not counted."""
    counts: dict[dt.date, tuple[int, int]] = {}
    for by_date in snapshot.picks.values():
        for day, picks in by_date.items():
            total, ungraded = counts.get(day, (0, 0))
            counts[day] = (total + len(picks), ungraded + sum(1 for pick in picks if not pick.box_score))
    return counts


class Gate:
    """The checks of one model's run, fed its snapshots season by season, oldest first: the counts of the dates
    already seen are kept (a date's trailing median reaches back into the season before).

    `daily`: the run is a daily one, whose checked dates are the news it publishes (its date and the day before)."""

    def __init__(self, today: dt.date, options: QualityOptions, *, daily: bool = False) -> None:
        self.today = today
        self.options = options
        self.daily = daily
        self.counts: dict[dt.date, tuple[int, int]] = {}
        self.grading: list[QualityWarning] = []
        self.stale: list[QualityWarning] = []
        self.volume: list[QualityWarning] = []  # volume findings that do not refuse the run: warnings
        self.refusals: list[QualityWarning] = []

    def check(
        self,
        snapshot: Snapshot,
        days: list[dt.date],
        layout: Layout | None = None,
        published: Mapping[str, ObjectInfo] | None = None,
    ) -> None:
        """The checks over `days`, dates of the snapshot's own (none later than a snapshot still to come);
        `published`: what the model's folders hold (`layout` names its per-day files)."""
        self.counts.update(day_counts(snapshot))
        self.grading += grading_warnings(snapshot, days, self.counts)
        self.stale += stale_warnings(snapshot, days, self.today, self.options.stale_hours)
        if self.options.min_volume == 0:
            return  # the volume check is off
        for finding in volume_drops(snapshot, days, self.counts, self.options.min_volume):
            lost = layout is not None and published is not None and self._loses_picks(finding.date, layout, published)
            (self.refusals if self.refuses(finding.date, lost) else self.volume).append(finding)

    def refuses(self, day: dt.date, loses_picks: bool) -> bool:
        """Whether a volume finding on `day` refuses the run: a reader would see the failure now.

        That is on a date a daily run publishes as news (its own date and the day before), on today and yesterday
        in any run (the dates today's daily publishes), and on a date whose published file would lose picks."""
        if self.options.allow_drop:
            return False
        return self.daily or day >= self.today - dt.timedelta(days=1) or loses_picks

    def _loses_picks(self, day: dt.date, layout: Layout, published: Mapping[str, ObjectInfo]) -> bool:
        """Whether `day`'s published file holds more shown picks than the run would publish (unknown: no)."""
        info = published.get(layout.day(day))
        return info is not None and info.picks is not None and info.picks > self.counts.get(day, (0, 0))[0]

    def result(self) -> GateResult:
        return GateResult(self.grading + self.stale + self.volume, list(self.refusals))


def grading_warnings(
    snapshot: Snapshot, days: list[dt.date], counts: dict[dt.date, tuple[int, int]]
) -> list[QualityWarning]:
    """Dates whose games are all final but whose picks are not all graded: the box scores have not landed."""
    warnings = []
    for day in sorted(days):
        schedule = snapshot.schedule.get(day)
        total, ungraded = counts.get(day, (0, 0))
        if schedule is not None and schedule.all_final and ungraded:
            warnings.append(
                QualityWarning(
                    "grading",
                    snapshot.model.code,
                    day,
                    f"{day}: {ungraded} of {total} picks not graded: no box score yet",
                )
            )
    return warnings


def require_graded(snapshot: Snapshot, yesterday: dt.date) -> None:
    """Refuse the daily run (exit 8) while yesterday has shown picks without a box-score row."""
    total, ungraded = day_counts(snapshot).get(yesterday, (0, 0))
    if ungraded:
        raise NotGradedError(
            f"model {snapshot.model.code}: {yesterday}: {ungraded} of {total} picks not graded yet"
            " (--require-graded): nothing published; run again once grading has landed"
        )


def stale_warnings(snapshot: Snapshot, days: list[dt.date], today: dt.date, hours: float) -> list[QualityWarning]:
    """Today's (or a later date's) shown version computed more than `hours` before the first tip-off."""
    warnings = []
    for day in sorted(day for day in days if day >= today):
        computed_at, schedule = snapshot.computed_at.get(day), snapshot.schedule.get(day)
        if computed_at is None or schedule is None or schedule.first_tipoff is None:
            continue
        ahead = (schedule.first_tipoff - computed_at).total_seconds() / 3600
        if ahead > hours:
            warnings.append(
                QualityWarning(
                    "stale",
                    snapshot.model.code,
                    day,
                    f"{day}: shown picks computed {ahead:.1f} h before the first tip-off (more than {hours:g} h): stale?",
                )
            )
    return warnings


def volume(snapshot: Snapshot, day: dt.date, picks: int) -> float:
    """Shown picks per played game; the plain count on a date without games in the schedule."""
    schedule = snapshot.schedule.get(day)
    return picks / schedule.games if schedule is not None and schedule.games else float(picks)


def volume_drops(
    snapshot: Snapshot, days: list[dt.date], counts: dict[dt.date, tuple[int, int]], min_volume: float
) -> list[QualityWarning]:
    """Dates whose picks per game fall below `min_volume` of the trailing median, or a steady subset is empty.

    The dates before a date are found by bisection in the sorted history (every date with picks, each subset's
    among them), not by a scan: a backfill checks every date of many seasons."""
    history = sorted(counts)
    subset_dates = {group.id: sorted(snapshot.picks.get(group.id, {})) for group in snapshot.groups}
    drops = []
    for day in sorted(days):
        schedule = snapshot.schedule.get(day)
        picks = counts.get(day, (0, 0))[0]
        if picks == 0 and (schedule is None or schedule.games == 0):
            continue  # nothing scheduled, nothing shown: not a game day
        before = bisect_left(history, day)  # the dates with picks before `day`: history[:before]
        trailing = history[max(before - VOLUME_HISTORY, 0) : before]
        if len(trailing) >= VOLUME_MIN_HISTORY:
            median = statistics.median(volume(snapshot, each, counts[each][0]) for each in trailing)
            plain_median = statistics.median(counts[each][0] for each in trailing)
            figure = volume(snapshot, day, picks)
            if figure < min_volume * median and picks < min_volume * plain_median:
                drops.append(
                    QualityWarning(
                        "volume",
                        snapshot.model.code,
                        day,
                        f"{day}: {picks} shown picks, {figure:.2f} per game, below {min_volume:g} of the trailing"
                        f" {len(trailing)}-day median {median:.2f} per game ({plain_median:g} picks)",
                    )
                )
                continue
        season_start, _ = rules.season_bounds(rules.season_label(day))
        recent = before - bisect_left(history, season_start, 0, before)  # the season's dates with picks so far
        if picks and recent >= SUBSET_MIN_HISTORY:
            for group in snapshot.groups:
                dates = subset_dates[group.id]  # dates of the history too: a count says whether it has each of them
                steady = bisect_left(dates, day) - bisect_left(dates, season_start) == recent
                if steady and day not in snapshot.picks.get(group.id, {}):
                    drops.append(
                        QualityWarning(
                            "volume",
                            snapshot.model.code,
                            day,
                            f"{day}: subset {group.id} has no shown picks, after picks on each of the previous"
                            f" {recent} dates with picks",
                        )
                    )
    return drops


def refuse(refusals: list[QualityWarning], report: Report | None = None) -> None:
    """Refuse the run (exit 7) over the first volume drop; `report`: a dry run's plan, shown with the error."""
    if refusals:
        more = and_more(len(refusals))
        prefix = (
            "dry run: the volume check would refuse the run" if report is not None else "refusing to publish anything"
        )
        first = str(refusals[0]).replace("{", "{{").replace("}", "}}")  # a template: names from the warehouse escaped
        error = VolumeDropError(
            f"{prefix}: {first}{more} ({{allow_drop}} publishes it anyway; {{min_volume}} 0 turns the volume check off)"
        )
        error.report = report  # type: ignore[attr-defined]
        raise error
