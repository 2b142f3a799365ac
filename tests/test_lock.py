"""The lock: which version of a date's picks is shown, run through the real SQL on DuckDB."""

from __future__ import annotations

import datetime as dt

from conftest import group

DAY = dt.date(2026, 1, 14)


def shown_players(document) -> list[str]:
    return [pick["player"] for pick in group(document, "top")["picks"]]


def test_versions_after_first_tipoff_are_never_shown(rows, run):
    rows.game(DAY, "23:00")
    rows.game(DAY, "23:30")
    rows.pick(DAY, "Early", version="v1", computed="14:00")
    rows.pick(DAY, "Late Before", version="v2", computed="22:59")
    rows.pick(DAY, "After Tip", version="v3", computed="23:01")
    assert shown_players(run(rows).day(DAY)) == ["Late Before"]


def test_version_computed_exactly_at_tipoff_is_locked_out(rows, run):
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Before", version="v1", computed="22:00")
    rows.pick(DAY, "At Tip", version="v2", computed="23:00")
    assert shown_players(run(rows).day(DAY)) == ["Before"]


def test_postponed_games_do_not_set_the_first_tipoff(rows, run):
    rows.game(DAY, "17:00", status="postponed")
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Before Postponed", version="v1", computed="16:00")
    rows.pick(DAY, "After Postponed", version="v2", computed="18:00")
    assert shown_players(run(rows).day(DAY)) == ["After Postponed"]


def test_all_games_postponed_makes_every_version_a_candidate(rows, run):
    rows.game(DAY, "17:00", status="postponed")
    rows.game(DAY, "19:00", status="postponed")
    rows.pick(DAY, "First", version="v1", computed="12:00")
    rows.pick(DAY, "Latest", version="v2", computed="23:59")
    assert shown_players(run(rows).day(DAY)) == ["Latest"]


def test_no_games_rows_makes_every_version_a_candidate(rows, run):
    rows.game(DAY - dt.timedelta(days=1), "10:00")  # another day's early game must not lock this one
    rows.pick(DAY, "First", version="v1", computed="12:00")
    rows.pick(DAY, "Latest", version="v2", computed="23:59")
    assert shown_players(run(rows).day(DAY)) == ["Latest"]


def test_greatest_version_id_wins_not_latest_row_order(rows, run):
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Version 10", version="20260114T1500-10", computed="15:00")
    rows.pick(DAY, "Version 02", version="20260114T1400-02", computed="14:00")
    assert shown_players(run(rows).day(DAY)) == ["Version 10"]


def test_a_version_with_any_row_after_tipoff_is_locked_out(rows, run):
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Safe", version="v1", computed="20:00")
    rows.pick(DAY, "Mixed Early", version="v2", computed="21:00")
    rows.pick(DAY, "Mixed Late", version="v2", computed="23:10", subset="second")
    assert shown_players(run(rows).day(DAY)) == ["Safe"]


def test_the_lock_is_per_model(rows, run):
    rows.game(DAY, "23:00")
    rows.pick(DAY, "A Early", version="v1", computed="14:00", system="sys-a")
    rows.pick(DAY, "A After Tip", version="v3", computed="23:30", system="sys-a")
    rows.pick(DAY, "B Latest", version="v9", computed="20:00", system="sys-b")
    document = run(rows).day(DAY)
    assert document["model"] == "A"
    assert shown_players(document) == ["A Early"]


def test_no_qualifying_version_means_no_picks(rows, run):
    rows.game(DAY, "23:00")
    rows.pick(DAY, "Too Late", version="v1", computed="23:30")
    result = run(rows)
    result.exporter().backfill(DAY, DAY)
    assert not (result.dest / f"v1/picks/{DAY}.json").exists()
    result.exporter().daily(DAY)
    assert shown_players(result.read(f"v1/picks/{DAY}.json")) == []


def test_picks_after_tipoff_are_never_counted_in_records(rows, run):
    rows.game(DAY, "23:00")
    rows.graded_pick(DAY, "Shown Hit", "hit")
    late = rows.pick(DAY, "Late Miss", version="v2", computed="23:30", rank=2)
    rows.result(DAY, late, 10)
    document = run(rows).season("2025-26")
    assert group(document, "top")["record"]["season"] == {"wins": 1, "losses": 0, "pushes": 0, "pct": 100.0}
