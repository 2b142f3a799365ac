"""The SQL templates: one per file with a header, identifiers checked, values bound, a constant query count."""

from __future__ import annotations

import datetime as dt
import os
import re

import orjson
import pytest
import sqlglot
from sqlglot import exp

from picks_export.exporters import ExportError
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, transpile
from picks_export.exporters.engines.engine import check_identifier, query_names, render
from picks_export.exporters.tables import TABLES

READ_QUERIES = ["columns", "models", "subsets", "problems", "shown_picks", "signals", "schedule"]


def test_every_template_has_a_name_and_a_comment_on_top():
    assert set(READ_QUERIES) | {"create_tables", "session"} == set(query_names())
    for name in query_names():
        lines = render(name, dataset="nba_predictions", tables=TABLES).splitlines()
        assert lines[0] == f"-- name: {name}"
        assert lines[1].startswith("-- ") and len(lines[1]) > 20


@pytest.mark.parametrize("name", READ_QUERIES)
def test_values_are_parameters_not_literals(name):
    statement = sqlglot.parse_one(render(name, dataset="nba_predictions"), read="bigquery")
    literals = sorted(node.this for node in statement.find_all(exp.Literal))
    # the only constants: the contract's status names, table and column names of the problems found, 0 (box-score
    # rows for a pick without one, the floor of points and minutes) and the problems query's row limit
    if name == "shown_picks":
        assert literals == ["0", "postponed"]
    elif name == "schedule":  # counts: 1 per game of a status, else 0
        assert set(literals) == {"0", "1", "final", "postponed"}
    elif name == "problems":
        statuses = ["final", "in_progress", "postponed", "scheduled"]
        assert set(literals) == {
            *statuses,
            "0",
            "10",
            "games",
            "subset_picks",
            "player_game_summary",
            "daily_signals",
            "game_date",
            "system_id",
            "version_id",
            "computed_at",
            "player_lookup",
            "status",
            "tipoff_at",
            "points",
            "minutes",
        }
    else:
        assert literals == []
    if name == "columns":
        assert {node.name for node in statement.find_all(exp.Parameter)} == {"dataset"}
    if name in ("shown_picks", "signals", "problems"):
        parameters = {node.name for node in statement.find_all(exp.Parameter)}
        assert parameters == {"system_ids", "first_date", "last_date"}


# Date functions whose transpile to DuckDB is wrong (DAYOFWEEK counts Sunday 0 vs 1; DATE_TRUNC/DATE_SUB on dates
# come back as TIMESTAMP). The calendar lives in Python (rules.py) and the SQL only compares dates.
TRAPS = (exp.Extract, exp.DateTrunc, exp.TimestampTrunc, exp.DateSub, exp.DateAdd, exp.DateDiff, exp.DayOfWeek)


@pytest.mark.parametrize("name", READ_QUERIES)
def test_queries_use_no_date_function_with_a_known_transpile_trap(name):
    statement = sqlglot.parse_one(render(name, dataset="nba_predictions"), read="bigquery")
    assert not list(statement.find_all(*TRAPS))


def test_comparisons_of_dates_and_timestamps_behave_on_duckdb(tmp_path):
    """The only date operations the SQL uses: BETWEEN on DATE and < on TIMESTAMP, at their edges."""
    from conftest import WarehouseRows, at

    from picks_export.exporters.engines.duckdb_engine import write_warehouse

    rows = WarehouseRows()
    first, last = dt.date(2026, 1, 10), dt.date(2026, 1, 12)
    for day in (first - dt.timedelta(days=1), first, last, last + dt.timedelta(days=1)):
        rows.pick(day, "P")
        rows.signal(day, "neutral")
    engine = DuckDBEngine(write_warehouse(tmp_path / "w.duckdb", rows.rows()))
    params = {"system_ids": ["sys-a"], "first_date": first, "last_date": last}
    assert [row["game_date"] for row in engine.query("signals", params)] == [first, last]
    picks = list(engine.query("shown_picks", params))
    assert [row["game_date"] for row in picks] == [first, last]
    assert all(type(row["game_date"]) is dt.date for row in picks)
    assert at(first, "12:00") < at(first, "12:01")


def test_the_embedded_columns_probe_reads_what_the_catalog_lists(tmp_path):
    """The DuckDB engine reads each contract table's columns by name (a quick probe) instead of listing the catalog:
    the same rows, odd but accepted types and views included; a missing table falls back to the listing."""
    import duckdb
    from conftest import WarehouseRows

    from picks_export.exporters.engines.duckdb_engine import write_warehouse
    from picks_export.exporters.warehouse import columns_params

    path = write_warehouse(tmp_path / "w.duckdb", WarehouseRows().rows())
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE nba_predictions.subset_picks ALTER line TYPE DECIMAL(10, 2)")
        con.execute("ALTER TABLE nba_predictions.player_game_summary ALTER points TYPE SMALLINT")
        con.execute("ALTER TABLE nba_predictions.games RENAME TO games_table")
        con.execute("CREATE VIEW nba_predictions.games AS SELECT * FROM nba_predictions.games_table")
        con.execute("CREATE TABLE nba_predictions.extra (x INTEGER)")
    engine = DuckDBEngine(path)
    params = columns_params(engine.dataset)
    listed = [row for row in engine._run("columns", params).fetchall() if row[0] in TABLES]
    probed = list(engine.query_tuples("columns", params)[1])
    assert probed == listed and len(listed) == sum(len(columns) for columns in TABLES.values())
    assert ("subset_picks", "line", "DECIMAL(10,2)") in probed and ("games", "status", "VARCHAR") in probed
    assert engine.queries_run == 1
    engine.close()
    with duckdb.connect(str(path)) as con:
        con.execute("DROP VIEW nba_predictions.games")
    engine = DuckDBEngine(path)
    names = {row["table_name"] for row in engine.query("columns", params)}
    assert "games" not in names and set(TABLES) - {"games"} | {"games_table", "extra"} <= names
    assert engine.queries_run == 1
    engine.close()


@pytest.mark.parametrize("hostile", ["x`; DROP TABLE y; --", "a.b", "nba predictions", "", "1abc", "a-b", "é"])
def test_hostile_dataset_names_are_refused_before_any_sql(tmp_path, hostile):
    with pytest.raises(ExportError, match="not allowed"):
        check_identifier("dataset", hostile)
    with pytest.raises(ExportError, match="not allowed"):
        DuckDBEngine(tmp_path / "missing.duckdb", hostile)


def test_jinja_refuses_an_undefined_identifier():
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        render("models")


def test_transpiled_sql_is_cached():
    transpile.cache_clear()
    transpile("shown_picks", "nba_predictions")
    transpile("shown_picks", "nba_predictions")
    assert transpile.cache_info().hits == 1 and transpile.cache_info().misses == 1


def test_transpiled_sql_is_kept_on_disk_for_later_runs(tmp_path, monkeypatch):
    import subprocess
    import sys

    from picks_export.exporters.engines.duckdb_engine import _sql_cache_file

    folder = tmp_path / "picks-export" / "sql"
    transpile.cache_clear()
    expected = transpile("models", "nba_predictions", folder)
    cached = _sql_cache_file("models", "nba_predictions", folder)
    assert cached is not None and cached.parent == folder
    assert tuple(orjson.loads(cached.read_bytes())) == expected
    # a later process reads the file and never imports sqlglot
    code = (
        "import sys; from pathlib import Path; from picks_export.exporters.engines.duckdb_engine import transpile;"
        " print(transpile('models', 'nba_predictions', Path(sys.argv[1])) == tuple(sys.argv[2:]),"
        " 'sqlglot' in sys.modules, 'jinja2' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder), *expected], capture_output=True, text=True, env=os.environ, check=True
    )
    assert done.stdout.split() == ["True", "False", "False"]
    # a damaged cache file is transpiled again and rewritten
    cached.write_bytes(b"{not json")
    transpile.cache_clear()
    assert transpile("models", "nba_predictions", folder) == expected
    assert tuple(orjson.loads(cached.read_bytes())) == expected
    # the key holds sqlglot's version, the template and its identifiers: another dataset is another file
    assert _sql_cache_file("models", "other", folder) != cached


def test_transpile_uses_duckdb_parameters_and_quoted_names():
    (statement,) = transpile("signals", "nba_predictions")
    assert '"nba_predictions"."daily_signals"' in statement
    assert re.search(r"\$system_ids\b", statement) and "@" not in statement
