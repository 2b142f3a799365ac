"""The contract's rules as pure functions: calendar, rounding, results and record arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from picks_export.exporters import rules

D = dt.date


@pytest.mark.parametrize(
    ("day", "label"),
    [
        (D(2025, 8, 1), "2025-26"),
        (D(2025, 7, 31), "2024-25"),
        (D(2025, 10, 21), "2025-26"),
        (D(2026, 1, 15), "2025-26"),
        (D(2026, 6, 15), "2025-26"),
        (D(1999, 12, 31), "1999-00"),
        (D(2009, 8, 1), "2009-10"),
    ],
)
def test_season_label(day, label):
    assert rules.season_label(day) == label


def test_season_bounds():
    assert rules.season_bounds("2025-26") == (D(2025, 8, 1), D(2026, 7, 31))
    assert rules.season_bounds("1999-00") == (D(1999, 8, 1), D(2000, 7, 31))


@pytest.mark.parametrize("label", ["2025-27", "2025", "25-26", "2025/26", "abcd-ef", "2025-26x", ""])
def test_season_bounds_refuses_malformed_labels(label):
    with pytest.raises(ValueError):
        rules.season_bounds(label)


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (D(2026, 1, 12), D(2026, 1, 12)),  # Monday
        (D(2026, 1, 18), D(2026, 1, 12)),  # Sunday
        (D(2026, 2, 1), D(2026, 1, 26)),  # Sunday across a month edge
        (D(2025, 8, 1), D(2025, 7, 28)),  # Friday across the season edge
        (D(2026, 1, 1), D(2025, 12, 29)),  # across a year edge
    ],
)
def test_week_starts_on_monday(day, monday):
    assert rules.period_start("week", day) == monday


def test_month_and_season_start():
    assert rules.period_start("month", D(2026, 2, 28)) == D(2026, 2, 1)
    assert rules.period_start("season", D(2026, 2, 28)) == D(2025, 8, 1)
    assert rules.period_start("season", D(2025, 8, 1)) == D(2025, 8, 1)


@pytest.mark.parametrize(
    ("wins", "losses", "pct"),
    [
        (49, 351, 12.3),
        (1, 79, 1.3),
        (42, 18, 70.0),
        (8, 3, 72.7),
        (2, 1, 66.7),
        (1, 2, 33.3),
        (0, 5, 0.0),
        (5, 0, 100.0),
    ],
)
def test_win_pct(wins, losses, pct):
    assert rules.win_pct(wins, losses) == pct


def test_win_pct_is_null_without_decided_picks():
    assert rules.win_pct(0, 0) is None


@given(st.integers(0, 5000), st.integers(0, 5000))
def test_win_pct_matches_exact_decimal_arithmetic(wins, losses):
    from decimal import ROUND_HALF_UP, Decimal

    if wins + losses == 0:
        return
    exact = (Decimal(100) * wins / (wins + losses)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert rules.win_pct(wins, losses) == float(exact)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [(26.15, 26.2), (26.25, 26.3), (26.35, 26.4), (0.05, 0.1), (-1.25, -1.3), (26.149999, 26.1), (3.0, 3.0)],
)
def test_round_half_away_from_zero(value, rounded):
    assert rules.round_half_away(value) == rounded


@pytest.mark.parametrize(
    ("direction", "line", "points", "minutes", "graded", "expected"),
    [
        ("OVER", 24.5, 28, 33.0, True, (28, "hit")),
        ("OVER", 24.5, 20, 33.0, True, (20, "miss")),
        ("OVER", 24.0, 24, 33.0, True, (24, "push")),
        ("UNDER", 24.5, 20, 33.0, True, (20, "hit")),
        ("UNDER", 24.5, 28, 33.0, True, (28, "miss")),
        ("UNDER", 24.0, 24, 33.0, True, (24, "push")),
        ("OVER", 24.5, 28, 0.0, True, (None, "dnp")),
        ("OVER", 24.5, None, None, True, (None, "dnp")),
        ("OVER", 24.5, None, 10.0, True, (None, None)),
        ("OVER", 24.5, None, None, False, (None, None)),
    ],
)
def test_pick_result(direction, line, points, minutes, graded, expected):
    assert rules.pick_result(direction, line, points, minutes, graded) == expected


def over(results):
    """Picks of the OVER direction with these (date, result)s, as a RecordBook takes them."""
    return [(day, result, "OVER") for day, result in results]


def test_record_book_counts_ranges_and_skips_voids():
    book = rules.RecordBook(
        over(
            [
                (D(2026, 1, 5), "hit"),
                (D(2026, 1, 5), "miss"),
                (D(2026, 1, 6), "dnp"),
                (D(2026, 1, 7), None),
                (D(2026, 1, 8), "push"),
                (D(2026, 1, 12), "hit"),
            ]
        )
    )
    assert book.between(D(2026, 1, 1), D(2026, 1, 31)) == rules.Record(2, 1, 1)
    assert book.between(D(2026, 1, 6), D(2026, 1, 11)) == rules.Record(0, 0, 1)
    assert book.between(D(2026, 1, 13), D(2026, 1, 12)) == rules.Record()
    entering = book.records(D(2026, 1, 12), include_day=False)
    assert entering["week"] == rules.Record() and entering["month"] == rules.Record(1, 1, 1)
    assert book.records(D(2026, 1, 12), include_day=True)["week"] == rules.Record(1, 0, 0)
    assert book.last_graded_date(D(2026, 1, 1), D(2026, 1, 10)) == D(2026, 1, 8)
    assert book.last_graded_date(D(2026, 1, 9), D(2026, 1, 11)) is None


@given(
    st.lists(st.tuples(st.dates(D(2025, 7, 1), D(2026, 3, 1)), st.sampled_from(["hit", "miss", "push", "dnp", None]))),
    st.dates(D(2025, 7, 1), D(2026, 3, 1)),
    st.booleans(),
)
def test_record_book_agrees_with_counting(results, day, include_day):
    book = rules.RecordBook(over(results))
    for period, record in book.records(day, include_day).items():
        start = rules.period_start(period, day)
        counted = [r for d, r in results if start <= d and (d < day or (include_day and d == day))]
        assert record == rules.Record(counted.count("hit"), counted.count("miss"), counted.count("push"))


def test_today_is_the_date_in_new_york():
    late_evening_new_york = dt.datetime(2026, 1, 15, 3, 30, tzinfo=dt.UTC)  # 22:30 on Jan 14 in New York
    assert rules.today_in_new_york(late_evening_new_york) == D(2026, 1, 14)
    summer = dt.datetime(2026, 7, 1, 3, 59, tzinfo=dt.UTC)  # EDT, UTC-4
    assert rules.today_in_new_york(summer) == D(2026, 6, 30)
