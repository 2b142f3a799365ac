"""The `stats` beside each group's record, figure by figure at its edges: units and ROI at -110 (exact rounding),
the last 10 picks, the streak, the rolling windows and the over/under split; as pure rules, then through the
whole pipeline (the per-day file counts picks before its date, the season file up to its as_of)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from math import floor
from typing import Any

import pytest
from conftest import group
from hypothesis import given
from hypothesis import strategies as st

from picks_export.exporters import rules

D = dt.date
DAY = D(2026, 1, 14)  # a Wednesday
LATE_SEASON = D(2026, 7, 1)
SEASON = (D(2025, 8, 1), D(2026, 7, 31))


def half_away(value: Fraction, places: int) -> float:
    """The oracle: a Fraction rounded half away from zero, by hand."""
    rounded = floor(abs(value) * 10**places + Fraction(1, 2))
    return (rounded if value >= 0 else -rounded) / 10**places


def record(wins: int, losses: int, pushes: int) -> dict[str, object]:
    return rules.Record(wins, losses, pushes).as_json()


@pytest.mark.parametrize(
    ("wins", "losses", "units", "roi"),
    [
        (42, 18, 20.18, 33.6),  # 222/11 = 20.1818...: the contract's example
        (6, 5, 0.45, 4.1),  # 5/11 = 0.4545...: 0.45, not the 0.46 of rounding 0.455 again
        (5, 5, -0.45, -4.5),  # -0.4545..., ROI -4.5454...: rounded once, not twice (-4.55 -> -4.6)
        (5, 4, 0.55, 6.1),  # 6/11 = 0.5454...: the third decimal is 5 and more follows: up
        (6, 6, -0.55, -4.5),  # -6/11: away from zero on the negative side
        (5, 3, 1.55, 19.3),  # 17/11 = 1.5454...
        (11, 5, 5.0, 31.3),  # ROI exactly 31.25: half away from zero (round() on the float gives 31.2)
        (11, 37, -27.0, -56.3),  # ROI exactly -56.25: away from zero below zero too
        (1, 0, 0.91, 90.9),
        (0, 1, -1.0, -100.0),
        (11, 10, 0.0, 0.0),  # 110 - 110: even, and never a negative zero
        (0, 0, 0.0, None),  # pushes only: no ROI
    ],
)
def test_units_and_roi_at_minus_110(wins, losses, units, roi):
    counted = rules.Record(wins, losses, 3)  # pushes weigh nothing
    assert counted.units() == units and counted.roi() == roi
    assert str(counted.units()) != "-0.0" and str(counted.roi()) != "-0.0"
    assert round(100 * 5 / 16, 1) == 31.2  # what a float and round() would publish for (11, 5)


@given(st.integers(0, 3000), st.integers(0, 3000))
def test_units_and_roi_match_exact_fractions(wins, losses):
    counted = rules.Record(wins, losses)
    exact = Fraction(10 * wins - 11 * losses, 11)
    assert counted.units() == half_away(exact, 2)
    assert counted.roi() == (None if wins + losses == 0 else half_away(100 * exact / (wins + losses), 1))


@pytest.mark.parametrize(
    ("numerator", "denominator", "places", "rounded"),
    [
        (125, 1000, 2, 0.13),
        (-125, 1000, 2, -0.13),
        (124, 1000, 2, 0.12),
        (1, 3, 1, 0.3),
        (-1, 20, 1, -0.1),
        (0, 7, 2, 0.0),
    ],
)
def test_round_fraction(numerator, denominator, places, rounded):
    assert rules.round_fraction(numerator, denominator, places) == rounded


def book(*results: str | None) -> rules.RecordBook:
    """A book of OVER picks all on one date, in the order given."""
    return rules.RecordBook((DAY, result, "OVER") for result in results)


def dated(*picks: tuple[dt.date, str | None]) -> rules.RecordBook:
    return rules.RecordBook((day, result, "OVER") for day, result in picks)


def stats_of(book: rules.RecordBook, day: dt.date = LATE_SEASON, include_day: bool = True) -> dict[str, Any]:
    return book.summary(day, include_day)[1]


def streak_of(book: rules.RecordBook, first: dt.date, last: dt.date) -> rules.Streak | None:
    end = book.end(last)
    return book.streak(book.start(first, end), end)


@pytest.mark.parametrize(
    ("results", "streak"),
    [
        (["hit", "hit", "push", "hit"], rules.Streak("hit", 3)),  # a push inside a run neither breaks nor extends it
        (["miss", "hit", "push", "push", "hit"], rules.Streak("hit", 2)),
        (["hit", "miss", "push"], rules.Streak("miss", 1)),  # a trailing push: the run before it
        (["hit", "dnp", None, "hit"], rules.Streak("hit", 2)),  # void and ungraded picks count nowhere
        (["miss", "miss", "hit"], rules.Streak("hit", 1)),
        (["push", "push"], None),  # no hit or miss: no streak
        ([], None),
    ],
)
def test_streak(results, streak):
    assert streak_of(book(*results), *SEASON) == streak
    assert stats_of(book(*results))["streak"] == (None if streak is None else streak.as_json())


def test_streak_is_cut_at_the_start_of_the_season():
    results = [(D(2025, 7, 30), "hit"), (D(2025, 7, 31), "hit"), (D(2025, 8, 2), "push"), (D(2025, 8, 3), "hit")]
    assert streak_of(dated(*results), *SEASON) == rules.Streak("hit", 1)
    assert streak_of(dated(*results), D(2025, 7, 1), D(2025, 8, 2)) == rules.Streak("hit", 2)
    assert stats_of(dated(*results))["streak"] == {"result": "hit", "count": 1}
    assert stats_of(dated(*results[:3]))["streak"] is None  # only a push in the season


def test_last_10_with_fewer_than_ten_picks_and_more():
    assert stats_of(book("hit", "miss", "push", "dnp"))["last_10"] == record(1, 1, 1)
    assert stats_of(book())["last_10"] == record(0, 0, 0)
    twelve = ["miss", "miss"] + ["hit"] * 9 + ["push"]  # the two misses fall out of the last ten
    assert stats_of(book(*twelve))["last_10"] == record(9, 0, 1)
    later = dated(*[(D(2026, 1, 4), "miss")] * 3, *[(D(2026, 1, 5), "hit")] * 8)  # ten reaching back a date
    assert stats_of(later)["last_10"] == record(8, 2, 0)
    before = dated((D(2025, 7, 31), "miss"), *[(D(2025, 8, 5), "hit")] * 8)  # not into the season before
    assert stats_of(before)["last_10"] == record(8, 0, 0)


def test_the_order_within_a_date_is_the_order_given_and_dates_are_sorted():
    results = [(D(2026, 1, 6), "miss"), (D(2026, 1, 5), "hit"), (D(2026, 1, 6), "hit")]
    assert streak_of(dated(*results), *SEASON) == rules.Streak("hit", 1)  # Jan 6: miss, then hit
    assert stats_of(dated(*results))["streak"] == {"result": "hit", "count": 1}
    swapped = dated(results[2], results[1], results[0])  # Jan 6: hit, then miss
    assert stats_of(swapped)["streak"] == {"result": "miss", "count": 1}
    assert stats_of(swapped)["last_10"] == record(2, 1, 0)


def test_windows_count_the_days_before_a_per_day_file_and_up_to_a_season_files_as_of():
    picks = [(D(2026, 1, 14) - dt.timedelta(days=n), "hit", "OVER") for n in (0, 1, 7, 8, 29, 30, 31)]
    entering = stats_of(rules.RecordBook(picks), D(2026, 1, 14), include_day=False)
    assert entering["last_7_days"] == record(2, 0, 0)  # D-7 .. D-1: Jan 13 and Jan 7
    assert entering["last_30_days"] == record(5, 0, 0)  # D-30 .. D-1
    as_of = stats_of(rules.RecordBook(picks), D(2026, 1, 14), include_day=True)
    assert as_of["last_7_days"] == record(2, 0, 0)  # A-6 .. A: Jan 14 and Jan 13
    assert as_of["last_30_days"] == record(5, 0, 0)  # A-29 .. A: Jan 14 back to Dec 16


def test_a_window_that_starts_before_the_season_counts_from_aug_1():
    # Aug 3 2025: the 7-day window reaches back to Jul 27, the previous season; the week (from Mon Jul 28) does too.
    picks = [(D(2025, 7, 30), "hit", "OVER"), (D(2025, 7, 31), "miss", "UNDER"), (D(2025, 8, 1), "miss", "OVER"),
             (D(2025, 8, 2), "push", "UNDER")]  # fmt: skip
    records, stats = rules.RecordBook(picks).summary(D(2025, 8, 3), include_day=False)
    assert records["week"] == rules.Record(1, 2, 1)  # the week record reaches back (contract, calendar)
    assert stats["last_7_days"] == stats["last_30_days"] == stats["last_10"] == record(0, 1, 1)
    assert stats["streak"] == {"result": "miss", "count": 1}
    assert stats["over"] == record(0, 1, 0) and stats["under"] == record(0, 0, 1)
    assert stats["units"] == {"season": -1.0, "month": -1.0, "week": -1.09}  # week: 1 hit, 2 misses: -12/11
    assert stats["roi"] == {"season": -100.0, "month": -100.0, "week": -36.4}  # -1200/33 = -36.36...
    # Aug 1: nothing of the season is before it
    first_day = stats_of(rules.RecordBook(picks), D(2025, 8, 1), include_day=False)
    assert first_day["last_30_days"] == first_day["last_10"] == first_day["over"] == record(0, 0, 0)
    assert first_day["streak"] is None and first_day["roi"]["season"] is None


# Through the pipeline: the files themselves.


def test_day_and_season_files_carry_stats_of_the_picks_their_records_count(rows, run):
    for number, outcome in enumerate(["hit", "hit", "miss", "push", "hit", "dnp"]):
        rows.graded_pick(DAY - dt.timedelta(days=6 - number), f"P{number}", outcome)
    lookup = rows.pick(DAY, "Under Today", direction="UNDER", rank=2)
    rows.result(DAY, lookup, 15)  # an UNDER hit on the day itself
    result = run(rows)
    stats = group(result.day(DAY), "top")["stats"]  # entering Jan 14: hit hit miss push hit
    assert stats["units"]["season"] == 1.73 and stats["roi"]["season"] == 43.2  # 19/11 = 1.727..., 1900/44 = 43.18...
    assert stats["last_10"] == stats["last_7_days"] == stats["over"] == record(3, 1, 1)
    assert stats["streak"] == {"result": "hit", "count": 1} and stats["under"] == record(0, 0, 0)
    season = group(result.season("2025-26"), "top")["stats"]  # as of Jan 14: its UNDER hit too
    assert season["streak"] == {"result": "hit", "count": 2} and season["under"] == record(1, 0, 0)
    assert season["last_10"] == record(4, 1, 1)


def test_picks_sharing_a_rank_count_in_the_order_they_are_listed(rows, run):
    for number in range(10):
        rows.graded_pick(DAY - dt.timedelta(days=2), f"Early {number:02d}", "hit", rank=number + 1)
    rows.graded_pick(DAY - dt.timedelta(days=1), "Zed", "miss", rank=1)
    rows.graded_pick(DAY - dt.timedelta(days=1), "Amy", "hit", rank=1)  # listed first: by player within a rank
    result = run(rows)
    top = group(result.day(DAY), "top")
    assert [pick["player"] for pick in group(result.day(DAY - dt.timedelta(days=1)), "top")["picks"]] == ["Amy", "Zed"]
    assert top["stats"]["streak"] == {"result": "miss", "count": 1}  # Zed is the last pick
    assert top["stats"]["last_10"] == record(9, 1, 0)  # Early 02..09, Amy, Zed


def test_a_season_without_graded_picks_has_null_stats(rows, run):
    rows.pick(DAY, "Ungraded")
    document = run(rows).season("2025-26")
    assert all(each["record"] is None and each["stats"] is None for each in document["groups"])


def test_a_group_without_counted_picks_has_stats_of_zeros(rows, run):
    rows.graded_pick(DAY, "Top Only", "hit")
    second = group(run(rows).season("2025-26"), "second")
    assert second["stats"]["units"] == {"season": 0.0, "month": 0.0, "week": 0.0}
    assert second["stats"]["roi"] == {"season": None, "month": None, "week": None}
    assert second["stats"]["streak"] is None and second["stats"]["last_10"] == record(0, 0, 0)
