"""Edges that a plausible one-token bug would cross unnoticed: the order of picks of equal rank, the first week of a
season read across two seasons, the shrink guard on a day with one pick, the schema check of a season file."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import WarehouseRows

from picks_export.exporters import documents
from picks_export.exporters.errors import InvalidDocumentError
from picks_export.exporters.publish import PublishRefused
from picks_export.exporters.quality import QualityOptions

TODAY = dt.date(2026, 2, 7)


def test_picks_of_equal_rank_are_ordered_by_the_players_name_before_the_lookup(run, rows):
    """The contract orders a subset's picks by rank, then the player's name: the lookup only breaks a tie."""
    day = TODAY - dt.timedelta(days=1)
    rows.game(day)
    rows.pick(day, "Zed Adams", lookup="aaa-zed")  # the first lookup, the last name
    rows.pick(day, "Bob Young", lookup="zzz-bob")
    rows.pick(day, "Bob Young", lookup="mmm-bob")  # a namesake: the lookup decides
    rows.pick(day, "Amy First", rank=2, lookup="000-amy")
    made = run(rows, today=TODAY)
    document = made.day(day)
    (top,) = [group for group in document["groups"] if group["id"] == "top"]
    assert [pick["player"] for pick in top["picks"]] == ["Bob Young", "Bob Young", "Zed Adams", "Amy First"]
    season = made.read("v1/subsets/season.json")
    (entry,) = [group for group in season["groups"] if group["id"] == "top"]
    (published,) = entry["dates"]
    assert [pick["player"] for pick in published["picks"]] == ["Bob Young", "Bob Young", "Zed Adams", "Amy First"]


def first_week_rows() -> WarehouseRows:
    """Hits on Monday Jul 28 and Wednesday Jul 30 2025 (season 2024-25), Friday Aug 1 and Saturday Aug 2 (2025-26):
    the same Monday-Sunday week, whose record the Aug 2 file counts (entering Aug 2) across the seasons' boundary."""
    rows = WarehouseRows()
    days = (dt.date(2025, 7, 21), dt.date(2025, 7, 28), dt.date(2025, 7, 30), dt.date(2025, 8, 1), dt.date(2025, 8, 2))
    for day in days:
        rows.game(day, status="final")
        rows.graded_pick(day, f"Player {day}", "hit")
    return rows


@pytest.mark.parametrize(
    "start", [dt.date(2025, 7, 20), dt.date(2025, 7, 28), dt.date(2025, 7, 29), dt.date(2025, 8, 2)]
)
def test_the_first_week_of_a_season_counts_the_monday_before_aug_1_however_the_run_reads(run, start):
    assert dt.date(2025, 7, 28).weekday() == 0 and dt.date(2025, 8, 1).weekday() == 4
    made = run(first_week_rows(), today=dt.date(2025, 8, 3))
    made.exporter().backfill(start, dt.date(2025, 8, 2))  # from the season before: a run across two seasons
    (top,) = [group for group in made.read("v1/picks/2025-08-02.json")["groups"] if group["id"] == "top"]
    assert top["record"]["week"] == {"wins": 3, "losses": 0, "pushes": 0, "pct": 100.0}
    assert top["record"]["season"] == {"wins": 1, "losses": 0, "pushes": 0, "pct": 100.0}


def test_the_shrink_guard_keeps_a_published_day_of_exactly_one_pick(run, rows):
    day = TODAY - dt.timedelta(days=3)
    rows.game(day, status="final")
    rows.graded_pick(day, "The Only One", "hit")
    made = run(rows, today=TODAY)
    made.exporter().backfill(day, TODAY)
    before = (made.dest / f"v1/picks/{day}.json").read_bytes()
    assert made.read(f"v1/picks/{day}.json")["groups"][0]["picks"] != []
    emptied = WarehouseRows()
    emptied.game(day, status="final")  # the day's game is there, its one pick is gone
    again = run(emptied, today=TODAY, quality=QualityOptions(min_volume=0.0))  # the gate off: the guard's case
    with pytest.raises(PublishRefused, match=f"v1/picks/{day}.json: it has 1 picks published and would have none"):
        again.exporter().backfill(day, TODAY)
    assert (made.dest / f"v1/picks/{day}.json").read_bytes() == before


def test_a_season_document_failing_its_schema_publishes_nothing(run, rows, monkeypatch):
    rows.game(TODAY - dt.timedelta(days=1))
    rows.pick(TODAY - dt.timedelta(days=1), "Player One")
    built = documents.DocumentBuilder.season

    def broken(self, season, as_of):
        return {**built(self, season, as_of), "season": 2026}  # a number where the schema wants a label

    monkeypatch.setattr(documents.DocumentBuilder, "season", broken)
    made = run(rows, today=TODAY)
    with pytest.raises(InvalidDocumentError, match=r"season") as refused:
        made.exporter().daily(TODAY)
    assert refused.value.exit_code == 4
    assert made.published() == []
