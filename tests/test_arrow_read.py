"""The shown picks read as Arrow record batches give what the row-by-row read gives: the same snapshots, and for a
bad row the same error, naming the same first bad row and counting the same rows, wherever batches are cut.

A long run reads Arrow (`warehouse.ARROW_MIN_MODEL_DAYS`); the other test modules' small warehouses read tuples,
so the bad-input and property tests run here again with every read taken as Arrow.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import WarehouseRows

# Every in-process test of these modules, again, with each read as Arrow (the autouse fixture below).
from test_bad_input import *  # noqa: F403
from test_properties import *  # noqa: F403
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters import warehouse
from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines import duckdb_engine
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.errors import BadInputError
from picks_export.exporters.tables import TABLES


@pytest.fixture(autouse=True, scope="module")
def every_read_as_arrow() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warehouse, "ARROW_MIN_MODEL_DAYS", 0)
        yield


PICK_COLUMNS = [name for name, _ in TABLES["subset_picks"]]
FIRST, LAST = dt.date(2025, 8, 1), dt.date(2026, 8, 12)  # two seasons, the second with a week carried into it
DAYS = [FIRST + dt.timedelta(days=number) for number in range(10)]
DAYS += [dt.date(2026, 7, 20) + dt.timedelta(days=number) for number in range(24)]


def many_rows() -> WarehouseRows:
    """Two models over both sides of Aug 1, several subsets (one inactive), graded, pushed, ungraded and DNP picks,
    zero predictions of both signs, and versions of which one is shown."""
    rows = WarehouseRows()
    for number, day in enumerate(DAYS):
        rows.game(day)
        for system in ("sys-a", "sys-b"):
            rows.pick(day, "Late Version", system=system, version="v9", computed="23:30")  # after tip-off: hidden
            for rank, (subset, player) in enumerate([("top", "Ann Lee"), ("second", "Bo Ray"), ("old", "Cy Oh"),
                                                     ("top", "Di Fox"), ("second", "Ed Kim")]):  # fmt: skip
                predicted = [22.25, 0.0, -0.0, 26.15, 19.05][(number + rank) % 5]
                rows.pick(day, player, system=system, subset=subset, rank=rank, predicted=predicted,
                          line=20.0 + (number % 3) / 2, direction="UNDER" if rank % 2 else "OVER",
                          computed=f"1{rank}:00")  # fmt: skip
        for lookup, points, minutes in [("annlee", 25, 30.0), ("boray", 20, 31.0), ("difox", None, 0.0)]:
            if number % 4:
                rows.result(day, lookup, points, minutes)
    return rows


def read(path: Path, *, arrow: bool) -> list[str] | str:
    """Every snapshot of the range as its repr, or the bad input's message."""
    engine = DuckDBEngine(path)
    try:
        plan = warehouse.read_plan(engine, None, FIRST, LAST, all_models=True)
        return [repr(each) for model in warehouse.read_shown_picks(engine, plan, plan.models, arrow=arrow)
                for each in model]  # fmt: skip
    except BadInputError as error:
        return str(error)
    finally:
        engine.close()


@pytest.fixture(params=[1, 4, 7, 65_536], ids=lambda rows: f"batch{rows}")
def batch_rows(request, monkeypatch) -> int:
    """Record batches of that many rows: cut inside days, seasons and models, or not at all."""
    monkeypatch.setattr(duckdb_engine, "ARROW_BATCH", request.param)
    return request.param


def test_both_reads_give_the_same_snapshots(tmp_path, batch_rows):
    path = write_warehouse(tmp_path / "w.duckdb", many_rows().rows())
    expected = read(path, arrow=False)
    assert isinstance(expected, list) and len(expected) == 4  # two models, two seasons each
    assert read(path, arrow=True) == expected
    assert "prediction=-0.0" in expected[0] and "prediction=0.0" in expected[0]


def test_the_demo_s_two_models_read_the_same_either_way(tmp_path, monkeypatch):
    monkeypatch.setattr(duckdb_engine, "ARROW_BATCH", 333)  # a batch boundary inside a model's day
    path = write_warehouse(tmp_path / "w.duckdb", generate_demo(dt.date(2025, 12, 1), 7))
    engine = DuckDBEngine(path)
    plan = warehouse.read_plan(engine, None, dt.date(2025, 8, 1), dt.date(2025, 12, 1), all_models=True)

    def snapshots(arrow: bool) -> list[str]:
        return [repr(each) for model in warehouse.read_shown_picks(engine, plan, plan.models, arrow=arrow)
                for each in model]  # fmt: skip

    try:
        expected = snapshots(False)
        assert len(expected) == 2 and snapshots(True) == expected
    finally:
        engine.close()


def alter(path: Path, statement: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(statement)


MIDDLE = dt.date(2026, 8, 5)  # a day in the middle of the second season, model sys-b (after sys-a's rows)


def printable(text: str) -> str:
    """A parameter's id in printable ASCII (U+XXXX for any other character), so that a test run can name the test."""
    return "".join(each if each.isascii() and each.isprintable() else f"U+{ord(each):04X}" for each in text)


BAD_VALUES = [
    *[(column, "NULL", f"{column}") for column in
      ("direction", "line", "subset_id", "predicted_points", "player_name", "team", "opponent", "pick_rank")],
    ("direction", "'over'", "direction 'over' is not OVER or UNDER"),
    ("subset_id", "'mystery'", "subset_id 'mystery' is not in table subset_definitions"),
    ("line", "-0.5", "line -0.5 is negative or not a number"),
    ("line", "1000.5", "line 1000.5 is beyond 1,000"),
    ("line", "'inf'", "line inf is negative or not a number"),
    ("line", "'nan'", "line nan is negative or not a number"),
    ("predicted_points", "-1000.5", "predicted_points -1000.5 is beyond 1,000"),
    ("predicted_points", "'-inf'", "predicted_points -inf is missing or not a number"),
    ("player_name", "''", "player_name is empty or blank"),
    ("team", "'  '", "team is empty or blank"),
    ("opponent", "'\u3000'", "opponent is empty or blank"),  # white space to Python, not to a regex's \s
    ("player_name", "'\x1f'", "player_name is empty or blank"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("column", "value", "message"), BAD_VALUES, ids=[f"{c}={printable(v)}" for c, v, _ in BAD_VALUES]
)
def test_a_bad_value_is_named_as_the_row_by_row_read_names_it(tmp_path, batch_rows, column, value, message):
    path = write_warehouse(tmp_path / "w.duckdb", many_rows().rows())
    numeric = column in ("line", "predicted_points")
    cast = f"CAST({value} AS DOUBLE)" if numeric and value.startswith("'") else value
    alter(path, f"UPDATE nba_predictions.subset_picks SET {column} = {cast} WHERE system_id = 'sys-b'"
                f" AND game_date = DATE '{MIDDLE}' AND player_lookup = 'boray' AND version_id = 'v1'")  # fmt: skip
    expected = read(path, arrow=False)
    assert isinstance(expected, str) and expected.startswith(f"table subset_picks, date {MIDDLE}, row (")
    assert "system_id='sys-b'" in expected and "player_lookup='boray'" in expected and message in expected
    assert read(path, arrow=True) == expected


def test_duplicates_and_double_box_scores_are_named_and_counted_the_same(tmp_path, batch_rows):
    rows = many_rows()
    rows.result(dt.date(2026, 7, 31), "boray", 10, 30.0)  # a second box score of a day in the carried week
    rows.pick(MIDDLE, "Ann Lee", system="sys-a", rank=7)  # a second top pick of the same player: a duplicate
    rows.pick(LAST, "Bad Dir", system="sys-a", direction="SIDEWAYS", rank=9)  # the first model's last day
    rows.pick(LAST, "Bad Too", system="sys-b", direction="SIDEWAYS", rank=9)  # never read: sys-a stops the run
    path = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    expected = read(path, arrow=False)
    assert expected == (
        "table player_game_summary, date 2026-07-31, player_lookup 'boray': 2 rows where one is expected"
        " (and 2 more bad rows)"
    )
    assert read(path, arrow=True) == expected


@pytest.mark.parametrize("system", ["sys-a", "sys-b"])
def test_a_duplicate_alone_in_its_season_is_named_the_same(tmp_path, batch_rows, system):
    rows = many_rows()
    rows.pick(MIDDLE, "Ed Kim", system=system, subset="second", rank=8)  # Ed Kim is already a second pick
    path = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    expected = read(path, arrow=False)
    assert isinstance(expected, str) and expected.startswith(f"table subset_picks, date {MIDDLE}, row (system_id")
    assert expected.endswith(
        "player_lookup='edkim'): duplicate pick: the same player twice in one subset of one version"
    )
    assert read(path, arrow=True) == expected


def test_a_bad_row_in_a_version_never_shown_is_not_read_either_way(tmp_path, batch_rows):
    rows = many_rows()
    rows.pick(MIDDLE, "Late Bad", system="sys-b", version="v9", computed="23:30", direction="SIDEWAYS")
    path = write_warehouse(tmp_path / "w.duckdb", rows.rows())
    expected = read(path, arrow=False)
    assert isinstance(expected, list) and read(path, arrow=True) == expected


GOLDEN = Path(__file__).parent / "golden" / "daily-2025-11-05"


def test_the_golden_daily_read_as_arrow(tmp_path):
    from test_golden import parquet_rows

    warehouse_path = write_warehouse(tmp_path / "w.duckdb", generate_demo(dt.date(2025, 11, 5), 7))
    env = {"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": "2025-11-05"}
    dest = tmp_path / "public"
    args = ["daily", "--date", "2025-11-05", "--dest", str(dest), "--warehouse", str(warehouse_path)]
    result = CliRunner().invoke(app, args, env={**os.environ, **env})
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = {path.relative_to(dest).as_posix(): path.read_bytes()
                             for path in sorted((dest / "v1").rglob("*.json"))}  # fmt: skip
    for table in sorted((dest / "v1").rglob("*.parquet")):
        found[f"{table.relative_to(dest).as_posix()}.jsonl"] = parquet_rows(table)
    golden = {path.relative_to(GOLDEN).as_posix(): path.read_bytes() for path in GOLDEN.rglob("*") if path.is_file()}
    assert golden and all(found[path] == data for path, data in golden.items())
