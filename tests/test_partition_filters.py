"""Every query over a dated table filters on `game_date`, so that on tables partitioned by it (as `demo` creates
them on BigQuery) a run scans the partitions of its range, not the history: a daily costs one season.

BigQuery prunes partitions by a filter on the partitioning column alone, standing as one of the WHERE clause's
top-level conjuncts; the check reads each template's SQL with sqlglot and asks exactly that of every SELECT reading
a dated table (a table of the contract with a `game_date` column).
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from picks_export.exporters.engines.engine import query_names, render
from picks_export.exporters.tables import TABLES

DATED = frozenset(table for table, columns in TABLES.items() if any(column == "game_date" for column, _ in columns))
NOT_QUERIES = {"create_tables", "session"}  # DDL of the DuckDB demo; DuckDB's session setting


def _conjuncts(where: exp.Expression | None) -> list[exp.Expression]:
    if where is None:
        return []
    condition = where.this if isinstance(where, exp.Where) else where
    return [each.unnest() for each in condition.flatten()] if isinstance(condition, exp.And) else [condition.unnest()]


def _bounds_the_dates(conjunct: exp.Expression, alias: str, only_table: bool) -> bool:
    """A filter on the table's `game_date` alone, bounding it by the run's parameters (NULL may be let in too)."""
    columns = list(conjunct.find_all(exp.Column))
    on_game_date = all(
        column.name == "game_date" and (column.table == alias or (not column.table and only_table))
        for column in columns
    )
    bounded = any(
        isinstance(between.args["low"], exp.Parameter | exp.Placeholder)
        and isinstance(between.args["high"], exp.Parameter | exp.Placeholder)
        for between in conjunct.find_all(exp.Between)
    )
    return bool(columns) and on_game_date and bounded


def unfiltered_reads(sql: str) -> list[str]:
    """The dated tables some SELECT of `sql` reads without a partition filter on `game_date`."""
    missing = []
    for select in sqlglot.parse_one(sql, dialect="bigquery").find_all(exp.Select):
        sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
        tables = [source.this for source in sources if source is not None and isinstance(source.this, exp.Table)]
        for table in tables:
            if table.name not in DATED:
                continue
            conjuncts = _conjuncts(select.args.get("where"))
            if not any(_bounds_the_dates(each, table.alias_or_name, len(tables) == 1) for each in conjuncts):
                missing.append(table.name)
    return missing


QUERIES = [name for name in query_names() if name not in NOT_QUERIES]


def test_the_check_reads_every_query_and_knows_the_dated_tables():
    assert DATED == {"subset_picks", "player_game_summary", "daily_signals", "games"}
    assert {"shown_picks", "problems", "signals", "schedule", "models", "subsets", "columns"} <= set(QUERIES)


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_over_a_dated_table_filters_on_game_date(name):
    assert unfiltered_reads(render(name, project="my-project", dataset="nba_predictions")) == []


def test_the_dated_tables_are_read_by_the_queries_the_check_covers():
    """Not vacuous: the queries that read picks, box scores, signals and the schedule are checked table by table."""
    read = {
        table.name
        for name in QUERIES
        for table in sqlglot.parse_one(render(name, project="p-roject", dataset="d"), dialect="bigquery").find_all(
            exp.Table
        )
    }
    assert read >= DATED


@pytest.mark.parametrize(
    "where",
    [
        "",  # no filter at all
        "WHERE system_id = @system_id",  # a filter, not on the partitioning column
        "WHERE game_date IS NULL OR (game_date BETWEEN @first_date AND @last_date AND points < 0)",  # not top-level
        "WHERE DATE_ADD(game_date, INTERVAL 1 DAY) > @first_date",  # an expression, no range of partitions
        "WHERE game_date BETWEEN @first_date AND @last_date OR points < 0",  # another column in the same conjunct
    ],
)
def test_a_read_of_a_dated_table_without_a_partition_filter_is_found(where):
    sql = f"SELECT points FROM `p-roject.d.player_game_summary` {where}"
    assert unfiltered_reads(sql) == ["player_game_summary"]
    joined = f"SELECT p.points FROM `p-roject.d.player_game_summary` AS p JOIN `p-roject.d.models` AS m ON TRUE {where}"
    assert unfiltered_reads(joined) == ["player_game_summary"]


@pytest.mark.parametrize(
    "where",
    [
        "WHERE game_date BETWEEN @first_date AND @last_date",
        "WHERE (game_date IS NULL OR game_date BETWEEN @first_date AND @last_date) AND (game_date IS NULL OR points < 0)",
        "WHERE points < 0 AND game_date BETWEEN @first_date AND @last_date",
    ],
)
def test_a_partition_filter_among_the_top_level_conjuncts_passes(where):
    assert unfiltered_reads(f"SELECT points FROM `p-roject.d.player_game_summary` {where}") == []
