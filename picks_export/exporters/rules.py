"""The contract's rules as pure functions: calendar, results, rounding, records and the stats beside them."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
SEASON_START_MONTH = 8  # seasons start on Aug 1

Result = Literal["hit", "miss", "push", "dnp"]
Period = Literal["season", "month", "week"]
PERIODS: tuple[Period, ...] = ("season", "month", "week")


def today_in_new_york(now: dt.datetime | None = None) -> dt.date:
    """The contract's "today": the date in America/New_York."""
    now = now or dt.datetime.now(dt.UTC)
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


def round_fraction(numerator: int, denominator: int, places: int) -> float:
    """numerator / denominator (denominator > 0) rounded half away from zero to `places` decimals.

    Exact integer arithmetic: no float is formed before the result, so that a half is a half (11 wins and 5
    losses: an ROI of exactly 31.25, published 31.3) and a value is rounded once, never twice."""
    scale = 10**places
    scaled, remainder = divmod(abs(numerator) * scale, denominator)
    if 2 * remainder >= denominator:
        scaled += 1
    return (scaled if numerator >= 0 else -scaled) / scale


def win_pct(wins: int, losses: int) -> float | None:
    """100 * wins / (wins + losses), half away from zero to one decimal; None without a win or a loss."""
    decided = wins + losses
    return None if decided == 0 else round_fraction(100 * wins, decided, 1)


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


LAST_PICKS = 10  # `last_10`: the group's last ten counted picks
WINDOWS: tuple[tuple[str, int], ...] = (("last_7_days", 7), ("last_30_days", 30))  # rolling windows, in days


class Record(NamedTuple):
    """Wins (hits), losses (misses) and pushes of some picks. A tuple: a backfill makes a dozen per group and file,
    and a frozen dataclass costs several times as much to make."""

    wins: int = 0
    losses: int = 0
    pushes: int = 0

    def as_json(self) -> dict[str, int | float | None]:
        return _record_json(self.wins, self.losses, self.pushes)

    def units(self) -> float:
        """The units won, half away from zero to two decimals (42 hits, 18 misses: 222/11 = 20.18)."""
        return _units(self.wins, self.losses)

    def roi(self) -> float | None:
        """100 * units / (wins + losses) from the exact fraction, to one decimal; None without a win or a loss."""
        return _roi(self.wins, self.losses)


def _units(wins: int, losses: int) -> float:
    """Flat one-unit stakes at -110 in elevenths of a unit: a hit wins 100/110 = 10/11, a miss loses 11/11."""
    return round_fraction(10 * wins - 11 * losses, 11, 2)


def _roi(wins: int, losses: int) -> float | None:
    decided = wins + losses
    return None if decided == 0 else round_fraction(100 * (10 * wins - 11 * losses), 11 * decided, 1)


def _record_json(wins: int, losses: int, pushes: int) -> dict[str, int | float | None]:
    """A record as published."""
    decided = wins + losses
    if decided == 0:
        return {"wins": wins, "losses": losses, "pushes": pushes, "pct": None}
    # win_pct's round_fraction(100 * wins, decided, 1) inlined (wins >= 0): a backfill makes a million of these
    tenths, remainder = divmod(1000 * wins, decided)
    pct = (tenths + 1 if 2 * remainder >= decided else tenths) / 10
    return {"wins": wins, "losses": losses, "pushes": pushes, "pct": pct}


class Figures:
    """Published records, and units and ROI, by their counts: made once for every book sharing them (a model's
    groups over a season), as most counts of the shorter ranges repeat from file to file and group to group.
    Nothing changes a record's object once it is made."""

    __slots__ = ("_records", "_stakes")

    def __init__(self) -> None:
        self._records: dict[tuple[int, int, int], dict[str, int | float | None]] = {}
        self._stakes: dict[tuple[int, int], tuple[float, float | None]] = {}

    def record(self, wins: int, losses: int, pushes: int) -> dict[str, int | float | None]:
        key = (wins, losses, pushes)
        found = self._records.get(key)
        if found is None:
            found = self._records[key] = _record_json(wins, losses, pushes)
        return found

    def stakes(self, wins: int, losses: int) -> tuple[float, float | None]:
        """(units, ROI)."""
        key = (wins, losses)
        found = self._stakes.get(key)
        if found is None:
            found = self._stakes[key] = (_units(wins, losses), _roi(wins, losses))
        return found

    def records_of(self, counts: Iterable[tuple[int, int, int]]) -> list[dict[str, int | float | None]]:
        """`record` of each (wins, losses, pushes), a lookup without a call for the counts met before (a made record
        is never empty, so `or` makes one only when it is missing): most counts repeat."""
        found, make = self._records.get, self.record
        return [found(key) or make(*key) for key in counts]

    def stakes_of(self, counts: Iterable[tuple[int, int, int]]) -> list[tuple[float, float | None]]:
        """`stakes` of the wins and losses of each count, as `records_of` looks them up."""
        found, make = self._stakes.get, self.stakes
        return [found((wins, losses)) or make(wins, losses) for wins, losses, _ in counts]


class Streak(NamedTuple):
    """The trailing run of equal results among the hits and misses (pushes neither extend nor break it)."""

    result: Literal["hit", "miss"]
    length: int  # published as `count` (a tuple's own `count` is a method)

    def as_json(self) -> dict[str, str | int]:
        return {"result": self.result, "count": self.length}


class RecordBook:
    """Records of one group of picks over any date range, its last picks, its streak and its OVER / UNDER split,
    each in O(log n); a file's whole summary as published (`published`) in O(1).

    Holds running totals pick by pick, in file order, so that a backfill of every day of a season does not
    recount the season for each day. `summary` is the plain form of the contract's rules, by bisection; the
    documents take `published`, the same figures (the tests compare them) at a fraction of the cost.
    """

    def __init__(self, picks: Iterable[tuple[dt.date, Result | None, str]], figures: Figures | None = None) -> None:
        """`picks` as (date, result, direction), by date, then within a date in the order they are listed (the
        order of the last picks and of the streak); dates out of order are sorted, the order within each date kept.
        `figures`: published records by their counts, shared with other books (a model's groups), filled as asked."""
        self._dates: list[dt.date] = []  # the date of each counted pick
        # Before each counted pick: wins, losses, pushes, and the same of the OVER picks alone
        self._running: list[tuple[int, int, int, int, int, int]] = [(0, 0, 0, 0, 0, 0)]
        self._runs: list[tuple[Literal["hit", "miss"] | None, int]] = []  # the trailing run at each counted pick
        dated, counted, trailing = self._dates.append, self._running.append, self._runs.append
        wins = losses = pushes = over_wins = over_losses = over_pushes = run = 0
        run_result: Literal["hit", "miss"] | None = None
        for game_date, result, direction in sorted(picks, key=itemgetter(0)):
            over = direction == "OVER"  # plain counters, not a list of totals: a backfill counts millions
            if result == "hit":
                wins, over_wins = wins + 1, over_wins + over
                run, run_result = (run + 1 if run_result == "hit" else 1), "hit"
            elif result == "miss":
                losses, over_losses = losses + 1, over_losses + over
                run, run_result = (run + 1 if run_result == "miss" else 1), "miss"
            elif result == "push":
                pushes, over_pushes = pushes + 1, over_pushes + over
            else:
                continue
            dated(game_date)
            counted((wins, losses, pushes, over_wins, over_losses, over_pushes))
            trailing((run_result, run))
        self._origin, self._through = _counts_through(self._dates)
        self._figures = Figures() if figures is None else figures
        self._last_key: tuple[int, ...] = ()
        self._last_made: tuple[dict[str, Any], dict[str, Any]] = ({}, {})

    def end(self, last: dt.date) -> int:
        """How many counted picks are dated on or before `last`: the end of a slice of the book."""
        return bisect.bisect_right(self._dates, last)

    def start(self, first: dt.date, end: int) -> int:
        """Where the counted picks dated from `first` start, among the first `end` ones."""
        return bisect.bisect_left(self._dates, first, 0, end)

    def slice(self, lo: int, hi: int) -> Record:
        """The record of the counted picks lo .. hi - 1, in file order."""
        if hi <= lo:
            return Record()
        w1, l1, p1, *_ = self._running[hi]
        w0, l0, p0, *_ = self._running[lo]
        return Record(w1 - w0, l1 - l0, p1 - p0)

    def split(self, lo: int, hi: int) -> tuple[Record, Record]:
        """The records of the OVER picks and of the UNDER picks among the counted picks lo .. hi - 1."""
        if hi <= lo:
            return Record(), Record()
        w1, l1, p1, ow1, ol1, op1 = self._running[hi]
        w0, l0, p0, ow0, ol0, op0 = self._running[lo]
        over = Record(ow1 - ow0, ol1 - ol0, op1 - op0)
        return over, Record(w1 - w0 - over.wins, l1 - l0 - over.losses, p1 - p0 - over.pushes)

    def between(self, first: dt.date, last: dt.date) -> Record:
        """The record of picks dated from `first` to `last`, both included."""
        end = self.end(last)
        return self.slice(self.start(first, end), end)

    def streak(self, lo: int, hi: int) -> Streak | None:
        """The trailing run among the hits and misses of the counted picks lo .. hi - 1; None when they have none."""
        if hi <= lo:
            return None
        result, run = self._runs[hi - 1]
        span = self.slice(lo, hi)
        decided = span.wins + span.losses  # the run may reach back before `lo`: it is cut there
        return None if result is None or decided == 0 else Streak(result, min(run, decided))

    def records(self, day: dt.date, include_day: bool) -> dict[Period, Record]:
        """Season, month and week records for the periods containing `day`.

        Counts picks dated before `day` ("entering" it, for per-day files), or on or before it
        (`include_day`, for a season file as of that date).
        """
        last = day if include_day else day - dt.timedelta(days=1)
        end = self.end(last)
        return {period: self.slice(self.start(period_start(period, day), end), end) for period in PERIODS}

    def summary(self, day: dt.date, include_day: bool) -> tuple[dict[Period, Record], dict[str, Any]]:
        """`records(day, include_day)` and the `stats` object beside them: the same picks of the season containing
        `day`. One bisection per range: a backfill asks this of every group for every date."""
        records = self.records(day, include_day)
        last = day if include_day else day - dt.timedelta(days=1)
        end = self.end(last)
        first = period_start("season", day)
        season = self.start(first, end)
        streak = self.streak(season, end)
        windows = {
            name: self.slice(self.start(max(first, last - dt.timedelta(days=days - 1)), end), end).as_json()
            for name, days in WINDOWS
        }
        over, under = self.split(season, end)
        stats = {
            "units": {period: records[period].units() for period in PERIODS},
            "roi": {period: records[period].roi() for period in PERIODS},
            "last_10": self.slice(max(season, end - LAST_PICKS), end).as_json(),
            "streak": None if streak is None else streak.as_json(),
            **windows,
            "over": over.as_json(),
            "under": under.as_json(),
        }
        return records, stats

    def published(self, day: dt.date, include_day: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """`summary(day, include_day)` as published: the `record` and `stats` objects, in O(1) without a bisection
        (`published_on` of one day)."""
        return self.published_on((day,), include_day)[day]

    def published_on(
        self, days: Iterable[dt.date], include_day: bool
    ) -> dict[dt.date, tuple[dict[str, Any], dict[str, Any]]]:
        """`published(day, include_day)` of each of `days`, in one pass: each slice is found from the counts through
        each date the days' ranges reach, laid out once. The objects are made once per distinct set of slices and
        shared by every file showing them: a day without a new counted pick in any of its ranges gets the same
        objects as the day asked before it (in this call or the one before). Nothing changes them once made."""
        days = list(days)
        if not days:
            return {}
        low = min(days).toordinal() - _REACH_BACK
        counted = self._counted_between(low, max(days).toordinal())
        step = 0 if include_day else 1
        found = {}
        last_key, objects = self._last_key, self._last_made
        for day in days:
            at = day.toordinal() - low  # each position in `counted`: an ordinal less `low`
            last = at - step
            before_season = _season_first(day) - 1 - low
            key = (
                counted[last],
                counted[before_season],
                counted[at - day.day],  # the day before the month's first
                counted[at - day.weekday() - 1],  # the Sunday before the week's Monday
                counted[max(before_season, last - _SHORT_WINDOW)],
                counted[max(before_season, last - _LONG_WINDOW)],
            )
            if key != last_key:  # the day before may count the same picks: then the same objects
                last_key, objects = key, self._make_published(*key)
            found[day] = objects
        self._last_key, self._last_made = last_key, objects
        return found

    def _counted_between(self, low: int, high: int) -> list[int]:
        """How many counted picks are dated on or before each ordinal from `low` to `high`, by position from `low`."""
        through, origin = self._through, self._origin
        before = max(0, min(origin, high + 1) - low)  # dates before the first counted pick
        within = through[max(low - origin, 0) : max(high - origin + 1, 0)]
        return [0] * before + within + [len(self._dates)] * (high - low + 1 - before - len(within))

    def _make_published(
        self, end: int, season: int, month: int, week: int, *windows: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The `record` and `stats` objects of the counted picks from each start to `end` (season, month, week,
        then each window's): the same figures as `summary`, from the running totals alone. The season's counts
        change with almost every file, so its objects are made afresh; the shorter ranges' are looked up."""
        running, figures = self._running, self._figures
        wins, losses, pushes, over_wins, over_losses, over_pushes = running[end]
        at = running[season]
        won, lost, pushed = wins - at[0], losses - at[1], pushes - at[2]
        over_won, over_lost, over_pushed = over_wins - at[3], over_losses - at[4], over_pushes - at[5]
        counts = []  # wins, losses, pushes of the month, the week, the last ten picks, then each window
        for start in (month, week, max(season, end - LAST_PICKS), *windows):
            at = running[start]
            counts.append((wins - at[0], losses - at[1], pushes - at[2]))
        month_record, week_record, last_10, *windows_records = figures.records_of(counts)
        month_stakes, week_stakes = figures.stakes_of(counts[:2])
        result, run = self._runs[end - 1] if end > season else (None, 0)
        record = {"season": _record_json(won, lost, pushed), "month": month_record, "week": week_record}
        stats: dict[str, Any] = {
            "units": {"season": _units(won, lost), "month": month_stakes[0], "week": week_stakes[0]},
            "roi": {"season": _roi(won, lost), "month": month_stakes[1], "week": week_stakes[1]},
            "last_10": last_10,
            "streak": None if result is None or won + lost == 0 else {"result": result, "count": min(run, won + lost)},
        }
        for (name, _), made in zip(WINDOWS, windows_records, strict=True):
            stats[name] = made
        stats["over"] = _record_json(over_won, over_lost, over_pushed)
        stats["under"] = _record_json(won - over_won, lost - over_lost, pushed - over_pushed)
        return record, stats

    def last_graded_date(self, first: dt.date, last: dt.date) -> dt.date | None:
        """The latest date in [first, last] with at least one hit, miss or push."""
        hi = bisect.bisect_right(self._dates, last)
        if hi and self._dates[hi - 1] >= first:
            return self._dates[hi - 1]
        return None


(_, _SHORT_WINDOW), (_, _LONG_WINDOW) = WINDOWS  # the windows' lengths, in days: published_on takes two
# How far before a date its ranges reach: the day before its season's Aug 1 (at most 366 days back) or before its
# week's Monday (7); a month starts on or after Aug 1.
_REACH_BACK = 367


def _counts_through(dates: list[dt.date]) -> tuple[int, list[int]]:
    """The ordinal of the first date, and for each date from it to the last, how many of `dates` (sorted) are on or
    before it."""
    if not dates:
        return 0, []
    origin = dates[0].toordinal()
    per_day = [0] * (dates[-1].toordinal() - origin + 1)
    for day in dates:
        per_day[day.toordinal() - origin] += 1
    return origin, list(accumulate(per_day))


def _season_first(day: dt.date) -> int:
    """The ordinal of Aug 1 of the season containing `day`."""
    return _august_first(season_start_year(day))


@lru_cache(maxsize=64)
def _august_first(year: int) -> int:
    return dt.date(year, SEASON_START_MONTH, 1).toordinal()
