"""Property: whatever one mutation does to a valid warehouse (a NULL, another type, an extreme number, a duplicated
row), the CLI ends with a documented exit code, one `Error:` line and no traceback, and publishes nothing unless
it succeeds."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import duckdb
from conftest import WarehouseRows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.tables import TABLES

SETTINGS = settings(
    max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DAY = dt.date(2026, 1, 14)
DOCUMENTED = {0, 1, 3, 4, 5}
OTHER_TYPES = ["VARCHAR", "DOUBLE", "INTEGER", "DECIMAL(30, 10)", "DECIMAL(6, 1)", "TIMESTAMP", "FLOAT", "BOOLEAN"]
NUMBERS = ["1e308", "-1e308", "nan", "inf", "-inf", "-1", "1000.5", "0"]


def valid_rows() -> WarehouseRows:
    rows = WarehouseRows()
    yesterday = DAY - dt.timedelta(days=1)
    for day in (yesterday, DAY):
        rows.game(day)
        rows.signal(day, "neutral")
    rows.graded_pick(yesterday, "Hit Guy", "hit")
    rows.graded_pick(yesterday, "Dnp Guy", "dnp", subset="second")
    rows.pick(DAY, "Today One", rank=1)
    rows.pick(DAY, "Today Two", rank=2, direction="UNDER", version="v1")
    rows.pick(DAY, "Late", version="v2", computed="23:30")
    return rows


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def mutations():
    table = st.sampled_from(sorted(TABLES))
    column = lambda t: st.sampled_from([name for name, _ in TABLES[t]])  # noqa: E731
    row = st.integers(min_value=0, max_value=4)
    null = table.flatmap(lambda t: st.tuples(st.just("null"), st.just(t), column(t), row))
    retype = table.flatmap(lambda t: st.tuples(st.just("retype"), st.just(t), column(t), st.sampled_from(OTHER_TYPES)))
    numeric = st.sampled_from(["subset_picks.predicted_points", "subset_picks.line", "player_game_summary.minutes"])
    number = st.tuples(st.just("number"), numeric, st.sampled_from(NUMBERS), row)
    duplicate = st.tuples(st.just("duplicate"), table, st.just(""), row)
    return st.one_of(null, retype, number, duplicate)


def apply(con: duckdb.DuckDBPyConnection, mutation: tuple) -> None:
    kind, target, detail, extra = mutation
    if kind == "number":
        target, column = target.split(".")
        detail, extra = column, (detail, extra)
    table = f"nba_predictions.{target}"
    if kind == "null":
        con.execute(f"UPDATE {table} SET {detail} = NULL WHERE rowid = ?", [extra])
    elif kind == "retype":
        con.execute(f"ALTER TABLE {table} ALTER {detail} TYPE {extra} USING TRY_CAST({detail} AS {extra})")
    elif kind == "number":
        value, rowid = extra
        con.execute(f"UPDATE {table} SET {detail} = CAST(? AS DOUBLE) WHERE rowid = ?", [value, rowid])
    else:
        con.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE rowid = ?", [extra])


@SETTINGS
@given(mutation=mutations())
def test_a_mutated_warehouse_fails_cleanly_or_publishes(tmp_path, mutation):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    env = {"SOURCE_DATE_EPOCH": "1770478200"}
    args = ["daily", "--date", str(DAY), "--dest", str(folder / "public")]
    good = write_warehouse(folder / "good.duckdb", valid_rows().rows())
    assert CliRunner().invoke(app, [*args, "--warehouse", str(good)], env=env).exit_code == 0
    before = folder_bytes(folder / "public")
    bad = folder / "bad.duckdb"
    shutil.copyfile(good, bad)
    with duckdb.connect(str(bad)) as con:
        con.execute("SET TimeZone = 'UTC'")
        apply(con, mutation)
    result = CliRunner().invoke(app, [*args, "--warehouse", str(bad)], env={"SOURCE_DATE_EPOCH": "1770478201"})
    assert result.exception is None or isinstance(result.exception, SystemExit), (mutation, result.exception)
    assert result.exit_code in DOCUMENTED, (mutation, result.output)
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert result.stderr.strip().splitlines()[-1].startswith("Error:"), (mutation, result.stderr)
        assert folder_bytes(folder / "public") == before, mutation
