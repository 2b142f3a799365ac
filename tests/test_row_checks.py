"""The warehouse's row checks at their edges (contract, section 5): each message as the contract words it, every bad
row counted, legal values at the contract's limits published, and the column-wise (Arrow) read taking clean rows
itself: it hands a span to the row-by-row check only when some row may be refused, which would cost it its speed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import WarehouseRows
from test_bad_input import DAY, run_daily, valid_rows

from picks_export.exporters import warehouse
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse


def refusal(tmp_path: Path, rows: WarehouseRows) -> str:
    """The one line a daily over `rows` ends with, once it is checked that the run refused them (exit 3) and
    published nothing."""
    result, untouched = run_daily(tmp_path, rows)
    assert result.exit_code == 3 and untouched, result.output
    line = result.stderr.strip()
    assert "\n" not in line and "Traceback" not in result.output
    return line


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (dict(line=None), "line is missing"),
        (dict(rank=None), "pick_rank is missing"),
        (dict(player="", lookup="badrow"), "player_name is empty or blank"),
    ],
    ids=["line", "pick_rank", "empty player_name"],
)
def test_a_missing_value_is_named_in_the_contract_s_words(tmp_path, fields, message):
    rows = valid_rows()
    rows.pick(DAY, **{"player": "Bad Row", "version": "v1", "rank": 2, **fields})
    line = refusal(tmp_path, rows)
    assert line.startswith(f"Error: table subset_picks, date {DAY}, row (") and "player_lookup='badrow'" in line
    assert line.endswith(f"): {message}")


def test_a_null_player_name_is_missing_not_blank(tmp_path):
    rows = valid_rows()
    rows.pick(DAY, "Placeholder", version="v1", rank=2, lookup="nameless")
    rows.picks[-1] = tuple(None if value == "Placeholder" else value for value in rows.picks[-1])
    line = refusal(tmp_path, rows)
    assert "player_lookup='nameless'" in line and line.endswith("): player_name is missing")


def test_every_player_with_two_box_scores_is_counted(tmp_path):
    yesterday = DAY - dt.timedelta(days=1)
    rows = valid_rows()
    rows.graded_pick(yesterday, "Other Guy", "miss", rank=2)
    rows.result(yesterday, "yesterdayguy", 3)
    rows.result(yesterday, "otherguy", 3)
    line = refusal(tmp_path, rows)
    assert line == (
        f"Error: table player_game_summary, date {yesterday}, player_lookup 'yesterdayguy':"
        " 2 rows where one is expected (and 1 more bad row)"
    )


def edge_rows() -> WarehouseRows:
    """Clean rows with legal values at the contract's limits: a line of 0 and of 1,000, predictions of +1,000 and
    -1,000, both directions, one player in two subsets of a day and in one subset on two days, every known subset
    (the inactive one too), two players of one subset, graded and ungraded picks."""
    rows = WarehouseRows()
    first, second = dt.date(2026, 1, 12), dt.date(2026, 1, 13)
    for day in (first, second):
        rows.game(day)
    rows.pick(first, "Edge Zero", subset="top", rank=1, line=0.0, predicted=1000.0, direction="OVER")
    rows.pick(first, "Edge Max", subset="top", rank=2, line=1000.0, predicted=-1000.0, direction="UNDER")
    rows.pick(first, "Edge Zero", subset="second", rank=1, line=0.0, predicted=1000.0, direction="OVER")
    rows.pick(first, "Old Tab Guy", subset="old", rank=1)
    rows.pick(second, "Edge Zero", subset="top", rank=1, line=0.5, predicted=0.0, direction="UNDER")
    rows.result(first, "edgezero", 0, 12.0)
    rows.result(first, "edgemax", 1000, 48.0)
    return rows


def snapshots(path: Path, *, arrow: bool) -> list[str]:
    """Model A's snapshot of the season up to the second day, as its repr (Model B has no rows: the row-by-row
    read gives it its empty snapshot whichever way the run reads)."""
    engine = DuckDBEngine(path)
    try:
        plan = warehouse.read_plan(
            engine, "A", dt.date(2025, 8, 1), dt.date(2026, 1, 13)
        )  # runs read from a season start
        return [repr(each) for model in warehouse.read_shown_picks(engine, plan, plan.models, arrow=arrow)
                for each in model]  # fmt: skip
    finally:
        engine.close()


def test_clean_rows_at_the_limits_are_read_column_wise_and_as_the_row_by_row_read_reads_them(tmp_path, monkeypatch):
    path = write_warehouse(tmp_path / "w.duckdb", edge_rows().rows())
    expected = snapshots(path, arrow=False)
    checked: list[Any] = []
    row_by_row = warehouse._shown_picks

    def counted(*args: Any, **kwargs: Any) -> Any:
        checked.append(args)
        return row_by_row(*args, **kwargs)

    monkeypatch.setattr(warehouse, "_shown_picks", counted)
    assert snapshots(path, arrow=True) == expected
    assert not checked, "clean rows were handed to the row-by-row check"
    for text in ("line=0.0", "line=1000.0", "prediction=1000.0", "prediction=-1000.0"):
        assert text in expected[0]


def test_picks_at_the_limits_publish_with_their_results(tmp_path):
    rows = edge_rows()
    rows.games = [game for game in rows.games if game[0] == dt.date(2026, 1, 12)]
    day = dt.date(2026, 1, 12)
    warehouse_path = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    from typer.testing import CliRunner

    from picks_export.cli import app

    dest = tmp_path / "public"
    result = CliRunner().invoke(app, ["daily", "--date", str(day), "--warehouse", str(warehouse_path),
                                      "--dest", str(dest), "--today", "2026-01-13"])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = orjson.loads((dest / "v1" / "picks" / f"{day}.json").read_bytes())
    top = next(group for group in document["groups"] if group["id"] == "top")
    made = {pick["player"]: (pick["line"], pick["prediction"], pick["actual"], pick["result"]) for pick in top["picks"]}
    # 0 points over a line of 0 is a push; 1,000 points under a line of 1,000 is a push too
    assert made == {"Edge Zero": (0.0, 1000.0, 0, "push"), "Edge Max": (1000.0, -1000.0, 1000, "push")}


def test_a_snapshot_covers_its_first_and_last_dates_and_nothing_beyond(tmp_path):
    model = warehouse.Model("sys-a", "A", "Model A", True)
    snapshot = warehouse.Snapshot(model, [], dt.date(2025, 8, 1), dt.date(2026, 7, 31))
    assert snapshot.covers(dt.date(2025, 8, 1)) and snapshot.covers(dt.date(2026, 7, 31))
    assert not snapshot.covers(dt.date(2025, 7, 31)) and not snapshot.covers(dt.date(2026, 8, 1))
