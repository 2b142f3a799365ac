"""Actual and result of each pick, and the season / month / week records, through the whole pipeline."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import group

DAY = dt.date(2026, 1, 14)  # a Wednesday


def only_pick(document, subset: str = "top") -> dict:
    (pick,) = group(document, subset)["picks"]
    return pick


@pytest.mark.parametrize(
    ("direction", "line", "points", "minutes", "actual", "result"),
    [
        ("OVER", 20.5, 25, 31.0, 25, "hit"),
        ("OVER", 20.5, 15, 31.0, 15, "miss"),
        ("OVER", 20.0, 20, 31.0, 20, "push"),
        ("UNDER", 20.5, 15, 31.0, 15, "hit"),
        ("UNDER", 20.5, 25, 31.0, 25, "miss"),
        ("UNDER", 20.0, 20, 31.0, 20, "push"),
        ("OVER", 20.5, 0, 0.0, None, "dnp"),  # minutes 0: void, even with points
        ("UNDER", 20.5, None, None, None, "dnp"),  # minutes null: void
        ("OVER", 20.5, None, 12.0, None, None),  # played but no points yet: not graded
        ("OVER", 0.0, 0, 4.0, 0, "push"),  # zero is a real score, not a missing one
    ],
)
def test_result_of_a_pick(rows, run, direction, line, points, minutes, actual, result):
    lookup = rows.pick(DAY, "Player", line=line, direction=direction)
    rows.result(DAY, lookup, points, minutes)
    pick = only_pick(run(rows).day(DAY))
    assert (pick["actual"], pick["result"]) == (actual, result)
    assert pick["line"] == line and pick["direction"] == direction


def test_no_summary_row_is_not_graded(rows, run):
    rows.pick(DAY, "Player")
    rows.result(DAY, "someoneelse", 30)
    rows.result(DAY - dt.timedelta(days=1), "player", 30)  # same player, other day
    pick = only_pick(run(rows).day(DAY))
    assert (pick["actual"], pick["result"]) == (None, None)


@pytest.mark.parametrize(("stored", "shown"), [(26.15, 26.2), (26.25, 26.3), (26.149, 26.1), (19.95, 20.0), (7.0, 7.0)])
def test_prediction_rounds_half_away_from_zero(rows, run, stored, shown):
    rows.pick(DAY, "Player", predicted=stored)
    assert only_pick(run(rows).day(DAY))["prediction"] == shown


def test_pct_rounds_half_away_from_zero_at_49_and_351(rows, run):
    for index in range(400):
        day = dt.date(2025, 11, 1) + dt.timedelta(days=index % 60)
        rows.graded_pick(day, f"Player {index}", "hit" if index < 49 else "miss", rank=index)
    record = group(run(rows).season("2025-26"), "top")["record"]["season"]
    assert record == {"wins": 49, "losses": 351, "pushes": 0, "pct": 12.3}
    assert round(100 * 49 / 400, 1) == 12.2  # what the careless implementation would publish


def test_records_count_pushes_but_not_dnp_or_ungraded(rows, run):
    rows.graded_pick(DAY, "Hit", "hit", rank=1)
    rows.graded_pick(DAY, "Miss", "miss", rank=2)
    rows.graded_pick(DAY, "Push", "push", rank=3)
    rows.graded_pick(DAY, "Void", "dnp", rank=4)
    rows.pick(DAY, "Ungraded", rank=5)
    record = group(run(rows).day(DAY + dt.timedelta(days=1)), "top")["record"]
    assert record["season"] == {"wins": 1, "losses": 1, "pushes": 1, "pct": 50.0}


def test_zero_decided_picks_give_null_pct(rows, run):
    rows.graded_pick(DAY, "Push", "push")
    record = group(run(rows).day(DAY + dt.timedelta(days=1)), "top")["record"]["season"]
    assert record == {"wins": 0, "losses": 0, "pushes": 1, "pct": None}


def test_day_records_are_entering_the_day(rows, run):
    rows.graded_pick(DAY - dt.timedelta(days=1), "Yesterday", "hit")
    rows.graded_pick(DAY, "Today", "miss")
    record = group(run(rows).day(DAY), "top")["record"]
    assert record["season"] == {"wins": 1, "losses": 0, "pushes": 0, "pct": 100.0}
    assert record["week"] == record["season"]


def test_week_runs_monday_to_sunday(rows, run):
    monday = dt.date(2026, 1, 12)
    rows.graded_pick(monday - dt.timedelta(days=1), "Previous Sunday", "miss")
    rows.graded_pick(monday, "Monday", "hit")
    rows.graded_pick(monday + dt.timedelta(days=6), "Sunday", "hit")
    rows.pick(monday + dt.timedelta(days=7), "Next Monday")
    result = run(rows)
    sunday_file = result.day(monday + dt.timedelta(days=6))
    assert group(sunday_file, "top")["record"]["week"]["wins"] == 1  # Monday only: Sunday is not entered yet
    assert group(sunday_file, "top")["record"]["week"]["losses"] == 0
    next_monday = result.day(monday + dt.timedelta(days=7))
    assert group(next_monday, "top")["record"]["week"] == {"wins": 0, "losses": 0, "pushes": 0, "pct": None}
    assert group(next_monday, "top")["record"]["season"]["wins"] == 2


def test_month_edges(rows, run):
    rows.graded_pick(dt.date(2026, 1, 31), "January", "hit")
    rows.graded_pick(dt.date(2026, 2, 1), "February", "miss")
    result = run(rows)
    document = result.season("2025-26", as_of=dt.date(2026, 2, 1))
    record = group(document, "top")["record"]
    assert record["month"] == {"wins": 0, "losses": 1, "pushes": 0, "pct": 0.0}
    assert record["season"]["wins"] == 1 and record["season"]["losses"] == 1
    # Jan 31 2026 is a Saturday and Feb 1 a Sunday: one week holds both.
    assert record["week"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}


def test_august_first_starts_a_season_but_not_a_week(rows, run):
    # Aug 1 2025 is a Friday: its week started on Monday Jul 28, in the previous season.
    rows.graded_pick(dt.date(2025, 7, 28), "Old Season", "hit")
    rows.graded_pick(dt.date(2025, 8, 1), "New Season", "miss")
    rows.pick(dt.date(2025, 8, 2), "Saturday")
    document = run(rows).day(dt.date(2025, 8, 2))
    record = group(document, "top")["record"]
    assert record["season"] == {"wins": 0, "losses": 1, "pushes": 0, "pct": 0.0}
    assert record["month"] == record["season"]
    assert record["week"] == {"wins": 1, "losses": 1, "pushes": 0, "pct": 50.0}


def test_october_games_belong_to_the_season_that_starts_that_year(rows, run):
    rows.graded_pick(dt.date(2025, 10, 22), "Opening Night", "hit")
    rows.graded_pick(dt.date(2025, 6, 10), "Last Finals", "hit")
    result = run(rows)
    result.exporter().backfill(dt.date(2025, 6, 10), dt.date(2025, 10, 22))
    new = result.read("v1/subsets/seasons/2025-26.json")
    old = result.read("v1/subsets/seasons/2024-25.json")
    assert [each["date"] for each in group(new, "top")["dates"]] == ["2025-10-22"]
    assert [each["date"] for each in group(old, "top")["dates"]] == ["2025-06-10"]
    assert new["as_of"] == "2025-10-22" and old["as_of"] == "2025-06-10"
    assert group(new, "top")["record"]["season"]["wins"] == 1


def test_records_are_per_subset(rows, run):
    rows.graded_pick(DAY, "Top Hit", "hit", subset="top")
    rows.graded_pick(DAY, "Second Miss", "miss", subset="second")
    document = run(rows).day(DAY + dt.timedelta(days=1))
    assert group(document, "top")["record"]["season"]["wins"] == 1
    assert group(document, "second")["record"]["season"] == {"wins": 0, "losses": 1, "pushes": 0, "pct": 0.0}


def test_season_file_records_and_as_of(rows, run):
    rows.graded_pick(DAY, "Graded", "hit")
    rows.pick(DAY + dt.timedelta(days=2), "Not Yet")  # ungraded picks after as_of still listed
    document = run(rows).season("2025-26")
    assert document["as_of"] == DAY.isoformat()
    top = group(document, "top")
    assert [each["date"] for each in top["dates"]] == [str(DAY + dt.timedelta(days=2)), str(DAY)]
    assert top["record"]["season"]["wins"] == 1
    # as_of given: records count picks on or before it
    earlier = run(rows).season("2025-26", as_of=DAY - dt.timedelta(days=1))
    assert earlier["as_of"] == str(DAY - dt.timedelta(days=1))
    assert group(earlier, "top")["record"]["season"]["wins"] == 0


def test_season_without_graded_picks_has_null_records(rows, run):
    rows.pick(DAY, "Ungraded")
    document = run(rows).season("2025-26")
    assert document["as_of"] is None
    assert all(each["record"] is None for each in document["groups"])
    assert len(group(document, "top")["dates"]) == 1
