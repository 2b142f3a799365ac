"""Shape of the published documents: groups, ordering, signals, paths and what never leaves the warehouse."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from conftest import group

from picks_export.cli import error_message
from picks_export.exporters import ExportError
from picks_export.exporters.errors import OptionError

DAY = dt.date(2026, 1, 14)


def test_day_file_layout_and_key_order(rows, run):
    rows.game(DAY)
    rows.signal(DAY, "favorable")
    rows.pick(DAY, "LeBron James", predicted=26.08, line=24.5)
    result = run(rows)
    document = result.day(DAY)
    assert list(document) == ["date", "generated_at", "model", "signal", "groups"]
    assert document["date"] == "2026-01-14" and document["model"] == "A" and document["signal"] == "favorable"
    assert document["generated_at"] == "2026-02-07T15:30:00Z"
    top = group(document, "top")
    assert list(top) == ["id", "name", "record", "stats", "picks"]
    assert list(top["record"]) == ["season", "month", "week"]
    assert list(top["stats"]) == ["units", "roi", "last_10", "streak", "last_7_days", "last_30_days", "over", "under"]
    assert list(top["stats"]["units"]) == list(top["stats"]["roi"]) == ["season", "month", "week"]
    assert top["picks"] == [
        {
            "player": "LeBron James",
            "team": "LAL",
            "opponent": "BOS",
            "prediction": 26.1,
            "line": 24.5,
            "direction": "OVER",
            "actual": None,
            "result": None,
        }
    ]
    raw = (result.dest / "v1/picks/2026-01-14.json").read_bytes()
    assert raw.startswith(b'{"date":"2026-01-14","generated_at":') and b"\n" not in raw
    for secret in (b"sys-a", b"system_id", b"player_lookup", b"lebronjames", b"version"):
        assert secret not in raw


def test_only_active_subsets_in_display_order_even_when_empty(rows, run):
    rows.subsets = [
        ("zeta", "Zeta", 1, True),
        ("alpha", "Alpha", 1, True),
        ("first", "First", 0, True),
        ("gone", "Gone", -1, False),
    ]
    rows.pick(DAY, "Zeta Pick", subset="zeta")
    rows.pick(DAY, "Gone Pick", subset="gone")
    document = run(rows).day(DAY)
    assert [each["id"] for each in document["groups"]] == ["first", "alpha", "zeta"]
    assert group(document, "alpha")["picks"] == [] and group(document, "first")["picks"] == []
    assert b"Gone Pick" not in str(document).encode()


def test_picks_ordered_by_rank_then_player(rows, run):
    rows.pick(DAY, "Zed", rank=2)
    rows.pick(DAY, "Bob", rank=2)
    rows.pick(DAY, "Amy", rank=3)
    rows.pick(DAY, "Cat", rank=1)
    rows.pick(DAY, "Dan", rank=10)
    players = [pick["player"] for pick in group(run(rows).day(DAY), "top")["picks"]]
    assert players == ["Cat", "Bob", "Zed", "Amy", "Dan"]


def test_signal_is_null_without_a_row_and_per_model(rows, run):
    rows.signal(DAY, "challenging", system="sys-b")
    rows.pick(DAY, "Player")
    assert run(rows).day(DAY)["signal"] is None


def test_daily_writes_today_yesterday_and_season(rows, run):
    rows.pick(DAY - dt.timedelta(days=1), "Yesterday")
    result = run(rows, today=DAY)
    calls: list[tuple[int, int | None]] = []
    outcome = result.exporter().daily(DAY, lambda done, total: calls.append((done, total)))
    assert calls[-1] == (5, 5)  # two days, the season file at both of its addresses, and its table
    expected = [
        "v1/picks/2026-01-13.json",
        "v1/picks/2026-01-14.json",
        "v1/subsets/season.json",
        "v1/subsets/seasons/2025-26.json",
    ]
    assert result.files() == expected
    schemas = [
        "v1/schemas/manifest.schema.json",
        "v1/schemas/picks-day.schema.json",
        "v1/schemas/picks-export.d.ts",
        "v1/schemas/picks-index.schema.json",
        "v1/schemas/season.schema.json",
        "v1/schemas/status.schema.json",
    ]
    tables = ["v1/subsets/seasons/2025-26.parquet"]
    assert (
        sorted(outcome.paths)
        == result.published()
        == sorted([*expected, "v1/manifest.json", "v1/picks/index.json", "v1/status.json", *schemas, *tables])
    )
    assert group(result.read("v1/picks/2026-01-14.json"), "top")["picks"] == []


def test_daily_skips_yesterday_without_picks_and_past_seasons_are_not_current(rows, run):
    rows.pick(DAY, "Today")
    result = run(rows, today=dt.date(2026, 11, 23))
    result.exporter().daily(DAY)
    assert result.files() == ["v1/picks/2026-01-14.json", "v1/subsets/seasons/2025-26.json"]


def test_season_file_is_identical_under_both_paths(rows, run):
    rows.graded_pick(DAY, "Player", "hit")
    result = run(rows, today=DAY)
    result.exporter().season("2025-26")
    assert result.read("v1/subsets/season.json") == result.read("v1/subsets/seasons/2025-26.json")


def test_other_models_go_under_models_code(rows, run):
    rows.pick(DAY, "B Pick", system="sys-b")
    result = run(rows, model="B", today=DAY)
    result.exporter().daily(DAY)
    assert result.files() == [
        "v1/models/B/picks/2026-01-14.json",
        "v1/models/B/subsets/season.json",
        "v1/models/B/subsets/seasons/2025-26.json",
    ]
    assert result.read("v1/models/B/picks/2026-01-14.json")["model"] == "B"


def test_naming_the_champion_writes_the_default_layout(rows, run):
    rows.pick(DAY, "A Pick")
    result = run(rows, model="A", today=dt.date(2030, 1, 1))
    result.exporter().backfill(DAY, DAY)
    assert result.files() == ["v1/picks/2026-01-14.json", "v1/subsets/seasons/2025-26.json"]


def test_named_model_works_without_a_champion(rows, run):
    rows.models = [("sys-a", "A", "Model A", False, True), ("sys-b", "B", "Model B", False, True)]
    rows.pick(DAY, "A Pick")
    result = run(rows, model="A", today=dt.date(2030, 1, 1))
    result.exporter().backfill(DAY, DAY)
    assert result.files()[0] == "v1/models/A/picks/2026-01-14.json"


def test_custom_prefix(rows, run):
    rows.pick(DAY, "Player")
    result = run(rows, prefix="/staging/v1", today=dt.date(2030, 1, 1))
    result.exporter().backfill(DAY, DAY)
    assert result.files() == ["staging/v1/picks/2026-01-14.json", "staging/v1/subsets/seasons/2025-26.json"]


@pytest.mark.parametrize("prefix", ["../v1", "v1/../../etc", "v 1/", "a//b"])
def test_prefix_cannot_escape_or_be_odd(rows, run, prefix):
    rows.pick(DAY, "Player")
    with pytest.raises(ExportError, match="prefix"):
        run(rows, prefix=prefix).exporter()


def test_backfill_writes_dates_with_picks_and_each_touched_season(rows, run):
    rows.pick(dt.date(2025, 6, 1), "Old")
    rows.pick(dt.date(2025, 10, 25), "New")
    rows.pick(dt.date(2025, 10, 26), "Outside")
    result = run(rows, today=dt.date(2030, 1, 1))
    calls: list[tuple[int, int | None]] = []
    result.exporter().backfill(
        dt.date(2025, 5, 1), dt.date(2025, 10, 25), lambda done, total: calls.append((done, total))
    )
    # the total is known from the first file on; a season file's table counts with it
    assert calls == [(1, 6), (3, 6), (4, 6), (6, 6)]
    assert result.files() == [
        "v1/picks/2025-06-01.json",
        "v1/picks/2025-10-25.json",
        "v1/subsets/seasons/2024-25.json",
        "v1/subsets/seasons/2025-26.json",
    ]
    # the season file lists all of its season's dates, even past the range's end
    season = result.read("v1/subsets/seasons/2025-26.json")
    assert [each["date"] for each in group(season, "top")["dates"]] == ["2025-10-26", "2025-10-25"]


def test_backfill_refuses_an_inverted_range(rows, run):
    with pytest.raises(OptionError, match="before") as refused:
        run(rows).exporter().backfill(DAY, DAY - dt.timedelta(days=1))
    # the library speaks of the options' concepts; the command line shows them as its flags
    assert str(refused.value) == f"end {DAY - dt.timedelta(days=1)} is before start {DAY}"
    assert error_message(refused.value) == f"--end {DAY - dt.timedelta(days=1)} is before --start {DAY}"


def test_season_as_of_outside_the_season_is_refused(rows, run):
    with pytest.raises(OptionError, match="not in season") as refused:
        run(rows).exporter().season("2025-26", as_of=dt.date(2026, 8, 1))
    assert str(refused.value) == "as of 2026-08-01 is not in season 2025-26 (2025-08-01 to 2026-07-31)"
    assert error_message(refused.value).startswith("--as-of 2026-08-01 is not in season 2025-26")


def test_dates_out_of_range_and_a_day_far_ahead_name_their_concepts(rows, run):
    rows.pick(DAY, "Player")
    made = run(rows, today=DAY)
    with pytest.raises(OptionError) as refused:
        made.exporter().daily(dt.date(3000, 1, 1))
    assert error_message(refused.value) == (
        "--date 3000-01-01 is out of range: dates must be between 1900-01-01 and 2999-12-31"
    )
    ahead = DAY + dt.timedelta(days=3)
    with pytest.raises(OptionError) as refused:
        made.exporter().daily(ahead)
    assert error_message(refused.value) == (
        f"--date {ahead} is more than a day after today ({DAY}) and model A has no shown picks that day:"
        " nothing published"
    )
    made.options = replace(made.options, today=dt.date(3001, 1, 1))
    with pytest.raises(OptionError) as refused:
        made.exporter().daily(DAY)
    assert str(refused.value).startswith("today 3001-01-01 is out of range")
    assert made.published() == []


def test_rerun_is_byte_identical(rows, run):
    rows.graded_pick(DAY, "Player", "hit")
    result = run(rows, today=DAY)
    result.exporter().daily(DAY)
    first = {path: (result.dest / path).read_bytes() for path in result.files()}
    result.exporter().daily(DAY)
    assert {path: (result.dest / path).read_bytes() for path in result.files()} == first
