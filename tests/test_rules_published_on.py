"""`RecordBook.published_on` (every day of a season in one pass, as the per-day files take it) against the book's
plain bisection form (`summary`), day by day; and the per-day file's summary (`digest.day_summary`) against a plain
count, on documents of any shape. Bytes are compared (orjson): 0 and 0.0 would not pass for equal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from picks_export.exporters import digest, rules

D = dt.date
RESULTS = ["hit", "miss", "push", "dnp", None]
# Across a season's end and Aug 1, month ends, weeks reaching back over Aug 1, and a leap day
FIRST, LAST = D(2023, 7, 10), D(2024, 9, 20)

picked = st.tuples(st.dates(FIRST, LAST), st.sampled_from(RESULTS), st.sampled_from(["OVER", "UNDER"]))
asked = st.lists(st.dates(FIRST - dt.timedelta(days=30), LAST + dt.timedelta(days=400)), max_size=40)


def by_bisection(book: rules.RecordBook, day: dt.date, include_day: bool) -> bytes:
    records, stats = book.summary(day, include_day)
    return orjson.dumps(({period: record.as_json() for period, record in records.items()}, stats))


def check_every_day(picks: list[tuple[dt.date, Any, str]], days: list[dt.date]) -> None:
    for include_day in (False, True):
        book = rules.RecordBook(picks)
        made = book.published_on(days, include_day)
        assert list(made) == list(dict.fromkeys(days))
        for day in days:
            assert orjson.dumps(made[day]) == by_bisection(book, day, include_day), (day, include_day)
            assert orjson.dumps(made[day]) == orjson.dumps(book.published(day, include_day)), (day, include_day)


@settings(max_examples=200, deadline=None)
@given(st.lists(picked, max_size=80), asked)
def test_every_day_in_one_pass_matches_the_bisection(picks, days):
    check_every_day(picks, days)


@settings(max_examples=40, deadline=None)
@given(st.lists(picked, min_size=1, max_size=300), st.booleans())
def test_a_whole_range_of_days_forwards_or_backwards(picks, backwards):
    days = [FIRST - dt.timedelta(days=3) + dt.timedelta(days=n) for n in range((LAST - FIRST).days + 10)]
    check_every_day(picks, list(reversed(days)) if backwards else days)


@pytest.mark.parametrize(
    "picks",
    [
        [],  # an empty book: every record empty, no streak
        [(D(2024, 1, 10), "push", "OVER"), (D(2024, 1, 12), "push", "UNDER")],  # pushes only: no pct, no streak
        [(D(2024, 1, 10), "hit", "OVER")],  # a single pick
        [(D(2024, 1, 10), "dnp", "OVER"), (D(2024, 1, 11), None, "UNDER")],  # nothing counted
        [(D(2023, 7, 31), "hit", "OVER"), (D(2023, 8, 1), "miss", "UNDER")],  # across Aug 1, in one week
        [(D(2024, 2, 29), "miss", "OVER"), (D(2024, 3, 1), "hit", "OVER")],  # a leap day and a month's first
        [(D(2024, 1, 10), "hit", "OVER")] * 15 + [(D(2024, 1, 10), "miss", "UNDER")] * 3,  # more than ten on a date
    ],
)
def test_edges(picks):
    days = [D(2023, 7, 25) + dt.timedelta(days=n) for n in range(0, 420, 3)] + [D(2023, 8, 1), D(2024, 8, 1)]
    check_every_day(picks, days)


def test_no_days_no_records():
    assert rules.RecordBook([(D(2024, 1, 10), "hit", "OVER")]).published_on([], False) == {}


def test_days_counting_the_same_picks_share_their_objects():
    book = rules.RecordBook([(D(2026, 1, 5), "hit", "OVER"), (D(2026, 1, 20), "miss", "UNDER")])
    made = book.published_on([D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 12)], False)
    assert made[D(2026, 1, 7)] is made[D(2026, 1, 8)]  # the same week, month, season and windows
    assert made[D(2026, 1, 12)] is not made[D(2026, 1, 8)]  # a new week


def plain_day_summary(content: Any) -> tuple[int, bool]:
    """The per-day summary as first written: every result listed, then counted."""
    groups = content.get("groups") if isinstance(content, dict) else None
    results = [
        pick.get("result")
        for group in (groups if isinstance(groups, list) else [])
        if isinstance(group, dict) and isinstance(group.get("picks"), list)
        for pick in group["picks"]
        if isinstance(pick, dict)
    ]
    return len(results), bool(results) and all(result is not None for result in results)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["result", "x"]), inner, max_size=2),
    max_leaves=8,
)
a_pick = st.fixed_dictionaries({}, optional={"result": st.sampled_from([None, "hit", "miss", "push", "dnp", 0, ""])})
a_group = st.one_of(
    st.fixed_dictionaries({}, optional={"picks": st.lists(a_pick | json_values, max_size=4)}), json_values
)
a_document = st.one_of(
    st.fixed_dictionaries({}, optional={"groups": st.lists(a_group, max_size=4) | json_values}), json_values
)


@settings(max_examples=400, deadline=None)
@given(a_document)
def test_day_summary_counts_as_a_plain_count_does(content):
    assert digest.day_summary(content) == plain_day_summary(content)
    assert type(digest.day_summary(content)[1]) is bool
