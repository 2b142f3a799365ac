"""The contract's rules as pure functions: calendar, results, rounding and records."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
SEASON_START_MONTH = 8  # seasons start on Aug 1

Result = Literal["hit", "miss", "push", "dnp"]
Period = Literal["season", "month", "week"]
PERIODS: tuple[Period, ...] = ("season", "month", "week")


def today_in_new_york(now: dt.datetime | None = None) -> dt.date:
    """The contract's "today": the date in America/New_York."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return now.astimezone(NEW_YORK).date()


def season_start_year(day: dt.date) -> int:
    return day.year if day.month >= SEASON_START_MONTH else day.year - 1


def season_label(day: dt.date) -> str:
    """`2025-26` for any date from 2025-08-01 to 2026-07-31."""
    year = season_start_year(day)
    return f"{year}-{(year + 1) % 100:02d}"


def season_bounds(label: str) -> tuple[dt.date, dt.date]:
    """First and last date of a season given by its label; ValueError on a malformed label."""
    head, sep, tail = label.partition("-")
    if not (sep and len(head) == 4 and len(tail) == 2 and head.isdigit() and tail.isdigit()):
        raise ValueError(f"season {label!r} is not of the form 2025-26")
    year = int(head)
    if (year + 1) % 100 != int(tail):
        raise ValueError(f"season {label!r}: {tail} does not follow {head}")
    if not dt.MINYEAR <= year < dt.MAXYEAR:
        raise ValueError(f"season {label!r} is out of the calendar")
    return dt.date(year, SEASON_START_MONTH, 1), dt.date(year + 1, SEASON_START_MONTH, 1) - dt.timedelta(days=1)


def period_start(period: Period, day: dt.date) -> dt.date:
    """First date of the season, calendar month or Monday-Sunday week that contains `day`."""
    if period == "season":
        return dt.date(season_start_year(day), SEASON_START_MONTH, 1)
    if period == "month":
        return day.replace(day=1)
    return day - dt.timedelta(days=day.weekday())  # weekday(): Monday is 0


def round_half_away(value: float, places: int = 1) -> float:
    """Round half away from zero on the decimal value a person reads (26.15 -> 26.2, -0.25 -> -0.3).

    `round()` rounds half to even on the binary value, so it gets 12.25 and 26.15 wrong.
    """
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def win_pct(wins: int, losses: int) -> float | None:
    """100 * wins / (wins + losses), half away from zero to one decimal, in exact integer arithmetic."""
    decided = wins + losses
    if decided == 0:
        return None
    tenths, remainder = divmod(1000 * wins, decided)
    if 2 * remainder >= decided:
        tenths += 1
    return tenths / 10


def pick_result(
    direction: str, line: float, points: int | None, minutes: float | None, graded: bool
) -> tuple[int | None, Result | None]:
    """(actual, result) of one pick from its box-score row; `graded` is False when there is no row."""
    if not graded:
        return None, None
    if minutes is None or minutes == 0:
        return None, "dnp"
    if points is None:
        return None, None
    if points == line:
        return points, "push"
    over_won = points > line
    return points, ("hit" if over_won == (direction == "OVER") else "miss")


@dataclass(frozen=True)
class Record:
    wins: int = 0
    losses: int = 0
    pushes: int = 0

    def as_json(self) -> dict[str, int | float | None]:
        return {"wins": self.wins, "losses": self.losses, "pushes": self.pushes, "pct": win_pct(self.wins, self.losses)}


class RecordBook:
    """Win-loss records of one group of picks over any date range, each in O(log n).

    Holds running totals of hits, misses and pushes by date, so that a backfill of every day of a season
    does not recount the season for each day.
    """

    def __init__(self, results: Iterable[tuple[dt.date, Result | None]]) -> None:
        totals: dict[dt.date, list[int]] = {}
        for game_date, result in results:
            slot = _SLOT.get(result) if result else None
            if slot is not None:
                totals.setdefault(game_date, [0, 0, 0])[slot] += 1
        self._dates = sorted(totals)
        self._running: list[tuple[int, int, int]] = [(0, 0, 0)]
        wins = losses = pushes = 0
        for game_date in self._dates:
            w, l, p = totals[game_date]
            wins, losses, pushes = wins + w, losses + l, pushes + p
            self._running.append((wins, losses, pushes))

    def between(self, first: dt.date, last: dt.date) -> Record:
        """The record of picks dated from `first` to `last`, both included."""
        lo = bisect.bisect_left(self._dates, first)
        hi = bisect.bisect_right(self._dates, last)
        if hi <= lo:
            return Record()
        (w1, l1, p1), (w0, l0, p0) = self._running[hi], self._running[lo]
        return Record(w1 - w0, l1 - l0, p1 - p0)

    def records(self, day: dt.date, include_day: bool) -> dict[Period, Record]:
        """Season, month and week records for the periods containing `day`.

        Counts picks dated before `day` ("entering" it, for per-day files), or on or before it
        (`include_day`, for a season file as of that date).
        """
        last = day if include_day else day - dt.timedelta(days=1)
        return {period: self.between(period_start(period, day), last) for period in PERIODS}

    def last_graded_date(self, first: dt.date, last: dt.date) -> dt.date | None:
        """The latest date in [first, last] with at least one hit, miss or push."""
        hi = bisect.bisect_right(self._dates, last)
        if hi and self._dates[hi - 1] >= first:
            return self._dates[hi - 1]
        return None


_SLOT: dict[str, int] = {"hit": 0, "miss": 1, "push": 2}
