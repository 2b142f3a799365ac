"""The problems query under repetition: DuckDB 1.5.5 failed it now and then with an internal error ("Attempted to
access index 0 within vector of size 0", a race in its parallel window execution over a one-row input) and then
refused every later query of the process. One problem row, the query run many times on one connection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from picks_export.exporters import demo
from picks_export.exporters.engines.duckdb_engine import transpile, write_warehouse
from picks_export.exporters.engines.engine import DEFAULT_DATASET

RUNS = 3000  # 1.5.5 failed within the first 130 to 1,100 runs on a 2-core machine


def test_problems_query_with_one_problem_row_never_fails(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    write_warehouse(path, demo.generate_demo(dt.date(2025, 11, 1), 7))
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "UPDATE nba_predictions.subset_picks SET player_lookup = NULL"
            " WHERE rowid = (SELECT min(rowid) FROM nba_predictions.subset_picks)"
        )
        system_ids = [row[0] for row in connection.execute("SELECT system_id FROM nba_predictions.models").fetchall()]
    (statement,) = transpile("problems", DEFAULT_DATASET, None)
    params = {"first_date": dt.date(2025, 8, 1), "last_date": dt.date(2026, 7, 31), "system_ids": system_ids}
    with duckdb.connect(str(path), read_only=True) as connection:
        for _ in range(RUNS):
            rows = connection.execute(statement, params).fetchall()
            assert len(rows) == 1 and rows[0][-1] == 1  # the one row, and its count of every problem row
