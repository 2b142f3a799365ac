"""The rules' edges a one-token bug would cross: the calendar's first and last seasons, every refusal's message, and
a graded date on the first day of a range."""

from __future__ import annotations

import datetime as dt

import pytest

from picks_export.exporters import rules


def test_the_calendars_first_season_is_a_season_and_the_last_one_is_refused_by_name():
    assert rules.season_bounds("0001-02") == (dt.date(1, 8, 1), dt.date(2, 7, 31))
    assert rules.season_bounds("9998-99") == (dt.date(9998, 8, 1), dt.date(9999, 7, 31))
    with pytest.raises(ValueError) as refused:
        rules.season_bounds("9999-00")
    assert str(refused.value) == "season '9999-00' is out of the calendar"


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("2025-27", "season '2025-27': 27 does not follow 2025"),
        ("2025/26", "season '2025/26' is not of the form 2025-26"),
        ("2025-26-27", "season '2025-26-27' is not of the form 2025-26"),
    ],
)
def test_a_malformed_season_label_is_named_in_its_message(label, message):
    with pytest.raises(ValueError) as refused:
        rules.season_bounds(label)
    assert str(refused.value) == message


def test_the_latest_graded_date_may_be_the_first_day_of_the_range():
    day = dt.date(2026, 1, 10)
    book = rules.RecordBook([(day, "hit", "OVER"), (day + dt.timedelta(days=3), None, "UNDER")])
    assert book.last_graded_date(day, day + dt.timedelta(days=5)) == day
    assert book.last_graded_date(day + dt.timedelta(days=1), day + dt.timedelta(days=5)) is None
