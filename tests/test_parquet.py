"""Each season as a Parquet table beside its JSON file: its rows are the season file's picks, its bytes the same on
every run, DuckDB reads it as it is, a bucket serves it with its own Content-Type and the season file's caching,
and the manifest's season entries name it."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pyarrow.parquet as pq
import pytest

from picks_export.exporters import parquet
from picks_export.exporters.demo import generate_demo
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.errors import InvalidDocumentError
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.kinds import cache_controls, content_type, default_cache_controls, kind_of_path
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore

TODAY = dt.date(2025, 11, 5)
SEASON = "v1/subsets/seasons/2025-26"
PARQUET_TYPE = "application/vnd.apache.parquet"
COLUMNS = ["model", "season", "subset_id", "subset", "date", "signal", "player", "team", "opponent", "prediction",
           "line", "direction", "actual", "result"]  # fmt: skip


def demo_warehouse(folder: Path) -> str:
    return str(write_warehouse(folder / "warehouse.duckdb", generate_demo(TODAY, 7)))


def options(generated_at: str = "2025-11-05T15:30:00Z") -> ExportOptions:
    return ExportOptions(today=TODAY, generated_at=generated_at)


def expected_rows(season: dict[str, Any]) -> list[dict[str, Any]]:
    """The season file's picks as the contract orders them, by position: date, the group's place, the pick's."""
    keyed = [
        ((entry["date"], place, number), {"model": season["model"], "season": season["season"],
         "subset_id": group["id"], "subset": group["name"], "date": dt.date.fromisoformat(entry["date"]),
         "signal": entry["signal"], **pick})
        for place, group in enumerate(season["groups"])
        for entry in group["dates"]
        for number, pick in enumerate(entry["picks"])
    ]  # fmt: skip
    return [row for _, row in sorted(keyed, key=lambda each: each[0])]


def test_the_rows_are_the_season_file_s_picks_in_date_subset_and_pick_order(tmp_path):
    dest = tmp_path / "public"
    Exporter(DuckDBEngine(demo_warehouse(tmp_path)), FolderStore(dest), options()).daily(TODAY)
    season = orjson.loads((dest / f"{SEASON}.json").read_bytes())
    table = pq.read_table(dest / f"{SEASON}.parquet")
    assert table.schema.names == COLUMNS
    assert [str(field.type) for field in table.schema] == [
        "string", "string", "string", "string", "date32[day]", "string", "string", "string", "string", "double",
        "double", "string", "int64", "string"]  # fmt: skip
    assert [field.name for field in table.schema if field.nullable] == ["signal", "actual", "result"]
    rows = table.to_pylist()
    assert rows == expected_rows(season)
    assert len(rows) > 100 and {row["result"] for row in rows} >= {"hit", "miss", None}
    assert any(row["actual"] is None for row in rows) and any(row["actual"] is not None for row in rows)
    # The current season's fixed address has no table of its own: the dated file's is the same.
    assert (dest / "v1/subsets/season.json").is_file() and not (dest / "v1/subsets/season.parquet").exists()
    entry = orjson.loads((dest / "v1/manifest.json").read_bytes())["models"][0]["seasons"][0]
    assert entry["path"] == f"{SEASON}.json" and entry["parquet"] == f"{SEASON}.parquet"


def test_duckdb_reads_the_file_as_it_is(tmp_path):
    import duckdb

    dest = tmp_path / "public"
    Exporter(DuckDBEngine(demo_warehouse(tmp_path)), FolderStore(dest), options()).daily(TODAY)
    season = orjson.loads((dest / f"{SEASON}.json").read_bytes())
    path = str(dest / f"{SEASON}.parquet")
    types = duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall()
    assert [(name, kind) for name, kind, *_ in types] == list(zip(COLUMNS, [
        "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DATE", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "DOUBLE",
        "DOUBLE", "VARCHAR", "BIGINT", "VARCHAR"], strict=True))  # fmt: skip
    found = duckdb.sql(f"SELECT subset_id, count(*) FROM '{path}' GROUP BY subset_id ORDER BY subset_id").fetchall()
    picks = {group["id"]: sum(len(entry["picks"]) for entry in group["dates"]) for group in season["groups"]}
    assert found == sorted((key, count) for key, count in picks.items() if count)
    hits = duckdb.sql(f"SELECT count(*) FROM '{path}' WHERE result = 'hit' AND date <= DATE '2025-11-04'").fetchone()
    assert hits == (sum(row["result"] == "hit" for row in expected_rows(season)),)


EXPORT = """
import datetime as dt, sys
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.stores import FolderStore
options = ExportOptions(today=dt.date(2025, 11, 5), generated_at=sys.argv[3])
Exporter(DuckDBEngine(sys.argv[1]), FolderStore(sys.argv[2]), options).daily(dt.date(2025, 11, 5))
"""


def test_the_same_picks_give_the_same_bytes_in_any_process_and_a_second_run_leaves_it_unchanged(tmp_path):
    warehouse = demo_warehouse(tmp_path)
    tables = []
    for number, (seed, generated_at) in enumerate([("1", "2025-11-05T15:30:00Z"), ("4242", "2025-11-06T09:00:00Z")]):
        dest = tmp_path / f"public-{number}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", EXPORT, warehouse, str(dest), generated_at], env=env, check=True)
        tables.append((dest / f"{SEASON}.parquet").read_bytes())
    assert tables[0] == tables[1]
    # Built in this process too, from the season file's content: the same bytes again.
    season = orjson.loads((tmp_path / "public-0" / f"{SEASON}.json").read_bytes())
    assert parquet.table_bytes(season) == tables[0]
    again = Exporter(DuckDBEngine(warehouse), FolderStore(tmp_path / "public-0"), options("2025-11-07T10:00:00Z"))
    report = again.daily(TODAY).report.as_json()["files"]
    assert f"{SEASON}.parquet" in [entry["path"] for entry in report["unchanged"]]
    assert (tmp_path / "public-0" / f"{SEASON}.parquet").read_bytes() == tables[0]


def test_a_model_under_models_code_gets_its_own_table(run, rows):
    day = dt.date(2026, 2, 6)
    rows.pick(day, "Player One", system="sys-a")
    rows.pick(day, "Player Two", system="sys-b", subset="second")
    rows.pick(day, "Player Three", system="sys-b", subset="top", rank=2)
    rows.pick(day, "Player Four", system="sys-b", subset="top", rank=1)
    runner = run(rows)
    runner.exporter().daily(day, all_models=True)
    folder = "v1/models/B/subsets/seasons/2025-26"
    table = pq.read_table(runner.dest / f"{folder}.parquet").to_pylist()
    assert [(row["model"], row["subset_id"], row["player"]) for row in table] == [
        ("B", "top", "Player Four"), ("B", "top", "Player Three"), ("B", "second", "Player Two")]  # fmt: skip
    assert table == expected_rows(runner.read(f"{folder}.json"))
    entries = {model["code"]: model["seasons"] for model in runner.read("v1/manifest.json")["models"]}
    assert [entry.get("parquet") for entry in entries["B"]] == [f"{folder}.parquet"]
    assert [entry.get("parquet") for entry in entries["A"]] == [f"{SEASON}.parquet"]


@pytest.mark.parametrize("kind", ["gcs"])
def test_a_bucket_serves_it_as_parquet_cached_like_the_season_file(kind, destination, tmp_path):
    place = destination(kind)
    warehouse = demo_warehouse(tmp_path)
    Exporter(DuckDBEngine(warehouse), place.store(), options()).daily(TODAY)
    published = place.published()
    table, season = published[f"{SEASON}.parquet"], published[f"{SEASON}.json"]
    assert table.content_type == PARQUET_TYPE and table.cache_control == season.cache_control == "public, max-age=3600"
    assert pq.read_table(io.BytesIO(table.data)).to_pylist() == expected_rows(orjson.loads(season.data))
    # Compressed already: published as it is (a reader's range requests need its bytes), the JSON gzipped.
    assert (table.content_encoding, season.content_encoding) == (None, "gzip")
    # A second run finds it unchanged by the hash the bucket keeps beside it, and its headers right.
    report = Exporter(DuckDBEngine(warehouse), place.store(), options("2025-11-06T09:00:00Z")).daily(TODAY)
    unchanged = [entry["path"] for entry in report.report.as_json()["files"]["unchanged"]]
    assert f"{SEASON}.parquet" in unchanged
    assert place.published()[f"{SEASON}.parquet"].version == table.version


def test_the_kind_is_a_row_of_the_table_of_kinds():
    assert kind_of_path(f"{SEASON}.parquet") == "parquet"
    assert kind_of_path("v1/models/B/subsets/seasons/2025-26.parquet") == "parquet"
    assert kind_of_path("v1/subsets/season.parquet") is None and kind_of_path("v1/picks/2025-11-05.parquet") is None
    assert content_type("parquet", f"{SEASON}.parquet") == PARQUET_TYPE
    given = {**default_cache_controls(), "season": "public, max-age=60"}
    assert cache_controls(given)["parquet"] == "public, max-age=60"
    assert parquet.parquet_path(f"{SEASON}.json") == f"{SEASON}.parquet"
    assert parquet.parquet_path("v1/subsets/season.json") is None


def test_a_table_that_does_not_read_back_as_the_season_s_picks_is_refused(tmp_path):
    season = {"model": "A", "season": "2025-26", "groups": [{"id": "top", "name": "Top", "dates": [
        {"date": "2025-11-04", "signal": None, "picks": [{"player": "P", "team": "LAL", "opponent": "BOS",
         "prediction": 22.0, "line": 20.5, "direction": "OVER", "actual": None, "result": None}]}]}]}  # fmt: skip
    data = parquet.table_bytes(season)
    parquet.check_table("t.parquet", data, season)
    more = {**season, "groups": [{**season["groups"][0], "dates": season["groups"][0]["dates"] * 2}]}
    with pytest.raises(InvalidDocumentError, match="t.parquet reads back as 1 rows"):
        parquet.check_table("t.parquet", data, more)


def test_the_command_line_loads_pyarrow_only_for_a_run_that_builds_season_files(tmp_path):
    code = """
import sys
from typer.testing import CliRunner
from picks_export.cli import app
assert CliRunner().invoke(app, ["daily", "--help"]).exit_code == 0
print(sorted(name for name in sys.modules if name.split(".")[0] == "pyarrow"))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
