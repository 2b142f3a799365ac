"""Bad warehouse data: a clear one-line error naming the table, date and row, a non-zero exit, nothing written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import WarehouseRows
from picks_export.cli import app
from picks_export.exporters.duckdb_engine import write_warehouse

DAY = dt.date(2026, 1, 14)


def valid_rows() -> WarehouseRows:
    rows = WarehouseRows()
    rows.game(DAY)
    rows.signal(DAY, "neutral")
    rows.graded_pick(DAY - dt.timedelta(days=1), "Yesterday Guy", "hit")
    rows.pick(DAY, "Good Player", rank=1)
    return rows


def run_daily(tmp_path: Path, rows: WarehouseRows, *extra: str):
    warehouse = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    dest = tmp_path / "public"
    (dest / "v1" / "picks").mkdir(parents=True)
    sentinel = dest / "v1" / "picks" / f"{DAY}.json"
    sentinel.write_bytes(b"old published bytes")
    result = CliRunner().invoke(
        app, ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(dest), *extra]
    )
    untouched = sentinel.read_bytes() == b"old published bytes" and [p.name for p in dest.rglob("*")] == [
        "v1", "picks", f"{DAY}.json"
    ]
    return result, untouched


def test_valid_rows_pass(tmp_path):
    result, untouched = run_daily(tmp_path, valid_rows())
    assert result.exit_code == 0, result.output
    assert not untouched


BAD_PICKS = [
    ("direction", dict(direction="SIDEWAYS"), "direction 'SIDEWAYS' is not OVER or UNDER"),
    ("lowercase direction", dict(direction="over"), "direction 'over' is not OVER or UNDER"),
    ("negative line", dict(line=-0.5), "line -0.5 is negative"),
    ("missing line", dict(line=None), "line is missing"),
    ("unknown subset", dict(subset="mystery"), "subset_id 'mystery' is not in table subset_definitions"),
    ("missing prediction", dict(predicted=None), "predicted_points None is missing"),
]


@pytest.mark.parametrize(("case", "fields", "message"), BAD_PICKS, ids=[case for case, _, _ in BAD_PICKS])
def test_bad_pick_row(tmp_path, case, fields, message):
    rows = valid_rows()
    rows.pick(DAY, "Bad Row", version="v1", rank=2, **fields)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3
    assert untouched
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in result.output
    assert line.startswith(f"Error: table subset_picks, date {DAY}, row (")
    assert "version_id='v1'" in line and "player_lookup='badrow'" in line
    assert message in line


def test_duplicate_pick_in_one_version(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Good Player", rank=2)  # same subset, version and player as the valid row
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table subset_picks, date {DAY}" in result.stderr
    assert "player_lookup='goodplayer'" in result.stderr and "duplicate pick" in result.stderr


def test_same_player_in_two_subsets_or_versions_is_fine(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Good Player", subset="second")
    rows.pick(DAY, "Good Player", version="v0", computed="10:00")
    result, _ = run_daily(tmp_path, rows)
    assert result.exit_code == 0, result.stderr


def test_bad_rows_in_a_version_that_is_never_shown_do_not_matter(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Late Bad", version="v9", computed="23:30", direction="SIDEWAYS")
    result, _ = run_daily(tmp_path, rows)
    assert result.exit_code == 0, result.stderr


def test_several_bad_rows_are_counted(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Bad One", direction="X", rank=2)
    rows.pick(DAY, "Bad Two", line=-1.0, rank=3)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert "(and 1 more bad row)" in result.stderr


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ([("sys-a", "A", "Model A", False, True), ("sys-b", "B", "Model B", False, True)], "no row with enabled and is_champion"),
        ([("sys-a", "A", "Model A", True, True), ("sys-b", "B", "Model B", True, True)], "2 rows (A, B) with enabled and is_champion"),
        ([("sys-a", "A", "Model A", True, False)], "no row with enabled and is_champion"),
    ],
    ids=["no champion", "two champions", "disabled champion"],
)
def test_champion_must_be_unique(tmp_path, models, message):
    rows = valid_rows()
    rows.models = models
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert result.stderr.startswith("Error: table models: ") and message in result.stderr


@pytest.mark.parametrize(
    ("model", "message"),
    [("Z", "no model with code 'Z' in table models (known: A, B, C)"), ("C", "model 'C' is not enabled")],
)
def test_named_model_must_exist_and_be_enabled(tmp_path, model, message):
    """A code nobody enabled is a mistake of the option (exit 1), not bad data."""
    rows = valid_rows()
    rows.models.append(("sys-c", "C", "Model C", False, False))
    result, untouched = run_daily(tmp_path, rows, "--model", model)
    assert result.exit_code == 1 and untouched
    assert result.stderr.startswith("Error: --model: ")
    assert message in result.stderr


def test_model_code_that_cannot_be_a_folder(tmp_path):
    rows = valid_rows()
    rows.models.append(("sys-evil", "../../etc", "Evil", False, True))
    result, untouched = run_daily(tmp_path, rows, "--model", "../../etc")
    assert result.exit_code == 3 and untouched
    assert "cannot name a published folder" in result.stderr


def test_bad_signal_rows(tmp_path):
    rows = valid_rows()
    rows.signal(DAY - dt.timedelta(days=1), "great")
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table daily_signals, date {DAY - dt.timedelta(days=1)}" in result.stderr and "'great'" in result.stderr


def test_two_signals_for_one_date(tmp_path):
    rows = valid_rows()
    rows.signal(DAY, "favorable")
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table daily_signals, date {DAY}" in result.stderr and "second signal row" in result.stderr


def test_duplicate_box_score_rows(tmp_path):
    rows = valid_rows()
    rows.result(DAY - dt.timedelta(days=1), "yesterdayguy", 3)
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched
    assert f"table player_game_summary, date {DAY - dt.timedelta(days=1)}, player_lookup 'yesterdayguy': 2 rows" in result.stderr


def test_missing_table_is_a_warehouse_error(tmp_path):
    import duckdb

    warehouse = write_warehouse(tmp_path / "w.duckdb", valid_rows().rows())
    with duckdb.connect(str(warehouse)) as con:
        con.execute("DROP TABLE nba_predictions.games")
    result = CliRunner().invoke(app, ["daily", "--date", str(DAY), "--warehouse", str(warehouse), "--dest", str(tmp_path / "out")])
    assert result.exit_code == 5
    assert "games" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
