"""The BigQuery engine through the real client, against the bqemulator API emulator (tests/emulator.py).

The emulator runs the SQL on DuckDB, so these tests prove the client path (parameters, cap, labels, errors, types,
loading), not BigQuery's own SQL semantics: test_queries.py and the rules' tests keep those.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import time
import zoneinfo
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import published_bytes
from emulator import Emulator, Proxy, Request
from google.api_core import exceptions as api_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from test_golden import parquet_rows
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters import WarehouseError
from picks_export.exporters.engines import ENGINES, engine_for, engine_options, open_engine
from picks_export.exporters.engines.bigquery_engine import normalize, query_parameter
from picks_export.exporters.engines.bigquery_settings import BigQuerySettings, format_bytes, parse_bytes
from picks_export.exporters.engines.engine import PROJECT_PATTERN
from picks_export.exporters.scopes import read_span
from picks_export.exporters.tables import TABLES
from picks_export.exporters.warehouse import range_params, snapshot_queries

PROJECT = "picks-export-test"
WAREHOUSE = f"bigquery://{PROJECT}"
TODAY = "2025-11-05"
FIRST_GAME = "2025-10-21"  # the demo's first game day for this TODAY
GOLDEN = Path(__file__).parent / "golden" / "daily-2025-11-05"
HOSTILE = "x`; DROP TABLE y; --"
READS = ["columns", "models", "subsets", "problems", "signals", "schedule", "shown_picks"]
runner = CliRunner()


@pytest.fixture(scope="module")
def bq(tmp_path_factory):
    """The emulator, a recording proxy in front of it, and a client straight to the emulator for inspection."""
    emulator = Emulator(tmp_path_factory.mktemp("bqemulator"))
    emulator.start()
    proxy = Proxy(emulator.url)
    proxy.start()
    client = bigquery.Client(
        project=PROJECT, credentials=AnonymousCredentials(), client_options={"api_endpoint": emulator.url}
    )
    try:
        yield SimpleNamespace(proxy=proxy, client=client, url=emulator.url, storage=emulator.storage_endpoint)
    finally:
        client.close()
        proxy.stop()
        emulator.stop()


def invoke(bq: SimpleNamespace, *args: str | Path, **settings: str):
    """The command line against the emulator (through the proxy); `settings`: more PICKS_EXPORT_* variables, by
    their lowercase suffix."""
    env = {"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": TODAY}
    env |= {f"PICKS_EXPORT_{key.upper()}": value for key, value in settings.items()}
    env["PICKS_EXPORT_BIGQUERY_ENDPOINT"] = bq.proxy.url
    env["PICKS_EXPORT_BIGQUERY_STORAGE_ENDPOINT"] = bq.storage  # gRPC: past the proxy, straight to the emulator
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def load_demo(bq: SimpleNamespace, dataset: str) -> str:
    result = invoke(bq, "demo", "--warehouse", WAREHOUSE, "--dataset", dataset, "--today", TODAY, "--seed", "7")
    assert result.exit_code == 0, result.output
    assert f"wrote {WAREHOUSE}" in result.stdout
    return dataset


@pytest.fixture(scope="module")
def demo(bq) -> str:
    """The demo season (seed 7, up to TODAY) loaded into dataset `demo` through `picks-export demo`."""
    return load_demo(bq, "demo")


@pytest.fixture(scope="module")
def duckdb_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("duckdb") / "warehouse.duckdb"
    result = runner.invoke(app, ["demo", "--warehouse", str(path), "--today", TODAY, "--seed", "7"])
    assert result.exit_code == 0, result.output
    return path


def query_name(job: Request) -> str:
    return job.query["query"].splitlines()[0].removeprefix("-- name: ")


def parameters(job: Request) -> dict[str, tuple[str, Any]]:
    """name -> (type, value) of a job's parameters; an array's value is the tuple of its values."""
    found: dict[str, tuple[str, Any]] = {}
    for each in job.query.get("queryParameters", []):
        kind, value = each["parameterType"], each["parameterValue"]
        if kind["type"] == "ARRAY":
            values = tuple(item["value"] for item in value.get("arrayValues", []))
            found[each["name"]] = (f"ARRAY<{kind['arrayType']['type']}>", values)
        else:
            found[each["name"]] = (kind["type"], value["value"])
    return found


# --- the same files from both engines ---------------------------------------------------------------------------


def test_backfill_on_bigquery_gives_the_same_bytes_as_on_duckdb(bq, demo, duckdb_demo, tmp_path):
    args = ["backfill", "--start", FIRST_GAME, "--end", TODAY, "--today", TODAY]
    on_bigquery = invoke(bq, *args, "--warehouse", WAREHOUSE, "--dataset", demo, "--dest", tmp_path / "bigquery")
    on_duckdb = invoke(bq, *args, "--warehouse", duckdb_demo, "--dest", tmp_path / "duckdb")
    assert on_bigquery.exit_code == 0, on_bigquery.output
    assert on_duckdb.exit_code == 0, on_duckdb.output
    files, expected = published_bytes(tmp_path / "bigquery"), published_bytes(tmp_path / "duckdb")
    # a file per game day, the season file twice and its table, the index, the schemas and types, the manifest (not
    # the status file)
    assert len(expected) == 16 + 2 + 1 + 1 + 6 + 1
    assert sorted(files) == sorted(expected)
    for path, data in expected.items():
        assert files[path] == data, f"{path} differs between the engines"


def test_daily_on_bigquery_matches_the_golden_files(bq, demo, tmp_path):
    dest = tmp_path / "public"
    result = invoke(bq, "daily", "--date", TODAY, "--warehouse", WAREHOUSE, "--dataset", demo, "--dest", dest)
    assert result.exit_code == 0, result.output
    assert "; 7 warehouse queries in " in result.stdout
    documents = {path: data for path, data in published_bytes(dest).items() if not path.startswith("v1/schemas/")}
    # A season's table is golden as its rows (tests/test_golden.py).
    tables = {f"{path}.jsonl": parquet_rows(dest / path) for path in documents if path.endswith(".parquet")}
    documents = {path: data for path, data in documents.items() if not path.endswith(".parquet")} | tables
    assert documents == published_bytes(GOLDEN)  # the golden files hold the documents; schemas are shipped files


def test_both_engines_hand_over_the_same_python_types(bq, demo, duckdb_demo):
    on_bigquery = open_engine(WAREHOUSE, demo, {"command": "test", "bigquery_endpoint": bq.url})
    on_duckdb = open_engine(duckdb_demo)
    (champion,) = [row for row in on_duckdb.query("models", {}) if row["is_champion"] and row["enabled"]]
    span = read_span(dt.date(2025, 10, 21), dt.date(2025, 11, 5))
    for name, params in snapshot_queries(demo, [champion["system_id"]], *span):
        if name in ("columns", "problems"):  # type names differ by engine; a valid demo has no problem row
            list(on_bigquery.query(name, params))
            continue
        rows = list(on_bigquery.query(name, params))
        expected = list(on_duckdb.query(name, params))
        assert rows, name
        typed = [{key: (type(value), value) for key, value in row.items()} for row in rows]
        assert typed == [{key: (type(value), value) for key, value in row.items()} for row in expected], name
    assert on_bigquery.queries_run == 7
    on_bigquery.close()
    on_duckdb.close()


def test_demo_creates_the_contracts_tables_and_loads_every_row(bq, demo):
    from picks_export.exporters.demo import generate_demo

    rows = generate_demo(dt.date.fromisoformat(TODAY), 7)
    standard = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}
    for table, columns in TABLES.items():
        reference = f"{PROJECT}.{demo}.{table}"
        schema = bq.client.get_table(reference).schema
        assert [(field.name, standard.get(field.field_type, field.field_type)) for field in schema] == list(columns)
        assert sum(1 for _ in bq.client.list_rows(reference)) == len(rows[table]), table


def test_demo_partitions_the_dated_tables_by_game_date_and_clusters_by_system_id(bq, demo):
    """A query filtered on game_date then scans its range's partitions only, whatever the history."""
    for table, columns in TABLES.items():
        names = [column for column, _ in columns]
        layout = bq.client.get_table(f"{PROJECT}.{demo}.{table}")
        if "game_date" not in names:
            assert layout.time_partitioning is None and layout.clustering_fields is None, table
            continue
        assert (layout.time_partitioning.type_, layout.time_partitioning.field) == ("DAY", "game_date"), table
        assert layout.clustering_fields == (["system_id"] if "system_id" in names else None), table


# --- what every job carries ------------------------------------------------------------------------------------


def test_every_job_binds_its_values_and_carries_the_cap_and_the_labels(bq, demo, tmp_path):
    bq.proxy.requests.clear()
    result = invoke(
        bq,
        "daily",
        "--date",
        TODAY,
        "--warehouse",
        WAREHOUSE,
        "--dataset",
        demo,
        "--dest",
        tmp_path,
        "--maximum-bytes-billed",
        "2GiB",
    )
    assert result.exit_code == 0, result.output
    jobs = bq.proxy.job_inserts()
    assert [query_name(job) for job in jobs] == READS
    first, last = read_span(dt.date(2025, 11, 4), dt.date(2025, 11, 5))
    for job in jobs:
        configuration = job.body["configuration"]
        assert configuration["query"]["maximumBytesBilled"] == str(2 * 1024**3)
        assert configuration["labels"] == {"app": "picks-export", "command": "daily"}
        assert configuration["query"]["useLegacySql"] is False
        assert not configuration.get("dryRun")
        statement = job.query["query"]
        assert f"`{PROJECT}.{demo}." in statement
        # every value arrives as a parameter, none is spelled into the SQL (the dataset, also an identifier, aside)
        for key, (_, value) in parameters(job).items():
            if key != "dataset":
                assert all(each not in statement for each in (value if isinstance(value, tuple) else (value,)))
    by_name = {query_name(job): parameters(job) for job in jobs}
    assert by_name["models"] == by_name["subsets"] == {}
    assert by_name["columns"] == {"dataset": ("STRING", demo)}
    for name in ("shown_picks", "signals", "problems"):
        assert by_name[name]["first_date"] == ("DATE", first.isoformat())
        assert by_name[name]["last_date"] == ("DATE", last.isoformat())
        assert by_name[name]["system_ids"][0] == "ARRAY<STRING>" and by_name[name]["system_ids"][1][0]


def test_query_parameters_are_typed_scalars_or_arrays():
    assert query_parameter("d", dt.date(2025, 11, 5)).type_ == "DATE"
    assert query_parameter("t", dt.datetime(2025, 11, 5, tzinfo=dt.UTC)).type_ == "TIMESTAMP"
    assert query_parameter("b", True).type_ == "BOOL"
    assert query_parameter("n", 3).type_ == "INT64"
    assert query_parameter("f", 1.5).type_ == "FLOAT64"
    assert query_parameter("s", "x").type_ == "STRING"
    array = query_parameter("ids", ["a", "b"])
    assert isinstance(array, bigquery.ArrayQueryParameter) and array.array_type == "STRING"
    with pytest.raises(TypeError):
        query_parameter("mixed", ["a", 1])
    with pytest.raises(TypeError):
        query_parameter("null", None)


# --- names and settings refused before any request -------------------------------------------------------------


@pytest.mark.parametrize("command", [["daily"], ["estimate", "daily"], ["demo"]])
@pytest.mark.parametrize(
    ("warehouse", "dataset", "refused"),
    [
        (f"bigquery://{HOSTILE}", "nba_predictions", "project"),
        (WAREHOUSE, HOSTILE, "dataset"),
        ("bigquery://my_project", "nba_predictions", "project"),
        ("bigquery://Picks-Export", "nba_predictions", "project"),
        (f"bigquery://{PROJECT}.evil", "nba_predictions", "project"),
    ],
)
def test_hostile_names_are_refused_before_any_request(bq, tmp_path, command, warehouse, dataset, refused):
    bq.proxy.requests.clear()
    dest = ["--dest", tmp_path] if command == ["daily"] else []
    result = invoke(bq, *command, "--warehouse", warehouse, "--dataset", dataset, *dest)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {refused} name ") and "is not allowed" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert bq.proxy.requests == []


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        (PROJECT, True),
        ("abcdef", True),
        ("a" * 30, True),
        ("example.com:my-project", True),
        ("abcde", False),
        ("a" * 31, False),
        ("abcdef-", False),
        ("1abcdef", False),
        ("my_project", False),
        ("Picks-export", False),
        ("example:my-project", False),
        (HOSTILE, False),
        ("", False),
    ],
)
def test_project_ids_follow_bigquerys_rules(name, allowed):
    assert bool(PROJECT_PATTERN.fullmatch(name)) is allowed


def test_a_cap_below_bigquerys_minimum_bill_is_refused_before_any_request(bq, demo, tmp_path):
    bq.proxy.requests.clear()
    args = ["daily", "--warehouse", WAREHOUSE, "--dataset", demo, "--dest", tmp_path]
    result = invoke(bq, *args, "--maximum-bytes-billed", "5MiB")
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        "Error: --maximum-bytes-billed 5 MiB (5,242,880 bytes) is below BigQuery's minimum bill of 10 MiB"
        " (10,485,760 bytes) per query, so every query would be refused: use 10MiB or more"
    )
    malformed = invoke(bq, *args, "--maximum-bytes-billed", "lots")
    assert malformed.exit_code == 2
    assert "not a byte count" in malformed.output
    assert bq.proxy.requests == []


def test_byte_counts_read_and_print_in_binary_units():
    assert parse_bytes("1GiB") == parse_bytes("1gib") == 1024**3
    assert parse_bytes("500MiB") == 500 * 1024**2
    assert parse_bytes("10485760") == 10 * 1024**2
    for text in ("", "1.5GiB", "1GB", "-1", "lots"):
        with pytest.raises(ValueError):
            parse_bytes(text)
    assert format_bytes(1024**3) == "1 GiB (1,073,741,824 bytes)"
    assert format_bytes(12_345) == "12,345 bytes"


# --- estimate ----------------------------------------------------------------------------------------------------


def test_estimate_dry_runs_the_queries_of_the_command_and_prints_their_bytes(bq, demo, tmp_path):
    range_args = ["--start", FIRST_GAME, "--end", TODAY, "--warehouse", WAREHOUSE, "--dataset", demo]
    bq.proxy.requests.clear()
    result = invoke(bq, "estimate", "backfill", *range_args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    counts = []
    for name, line in zip([*READS, "total"], lines):
        match = re.fullmatch(rf"{name} +([\d,]+) bytes", line)
        assert match, line
        counts.append(int(match[1].replace(",", "")))
    assert sum(counts[:-1]) == counts[-1]
    assert "7 queries of `backfill`" in lines[8] and "none run" in lines[8] and "1 GiB" in lines[8]
    assert len(lines) == 9  # the demo's dated tables are partitioned: no note
    # dry runs only: no job was created, no result fetched (besides them, only the dated tables' layouts were read)
    dry_runs = bq.proxy.job_inserts()
    layouts = [request for request in bq.proxy.requests if not request.is_job_insert]
    assert all(request.method == "GET" and f"/datasets/{demo}/tables/" in request.path for request in layouts)
    assert len(layouts) == 4
    assert [job.body["configuration"]["dryRun"] for job in dry_runs] == [True] * 7

    # ... of the very queries the command runs, with the same dates, cap and labels
    bq.proxy.requests.clear()
    ran = invoke(bq, "backfill", *range_args, "--dest", tmp_path)
    assert ran.exit_code == 0, ran.output

    def shape(job: Request) -> tuple[Any, ...]:
        configuration = job.body["configuration"]
        dates = {key: value for key, value in parameters(job).items() if key != "system_ids"}
        return job.query["query"], dates, configuration["labels"], job.query["maximumBytesBilled"]

    assert [shape(job) for job in dry_runs] == [shape(job) for job in bq.proxy.job_inserts()]


def test_estimate_names_the_dated_tables_not_partitioned_by_game_date(bq):
    """Without partitions every query scans a table's whole history: a daily's bytes grow with it."""
    dataset = bigquery.Dataset(f"{PROJECT}.flat")
    bq.client.create_dataset(dataset, exists_ok=True)
    for table, columns in TABLES.items():
        schema = [bigquery.SchemaField(column, type_) for column, type_ in columns]
        layout = bigquery.Table(f"{PROJECT}.flat.{table}", schema=schema)
        if table == "games":  # partitioned, but by another column
            layout.time_partitioning = bigquery.TimePartitioning(field="tipoff_at")
        bq.client.create_table(layout, exists_ok=True)
    result = invoke(bq, "estimate", "daily", "--date", TODAY, "--warehouse", WAREHOUSE, "--dataset", "flat")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.stdout.splitlines() if line.startswith("note: ")]
    named = [re.match(r"note: table (\w+) is not partitioned by game_date: every run scans its whole history", note)
             for note in notes]  # fmt: skip
    assert [match[1] for match in named if match] == ["subset_picks", "player_game_summary", "daily_signals", "games"]


def test_a_dailys_estimate_bounds_every_dated_query_to_its_season(bq, demo):
    """On partitioned tables the bytes a dry run counts are those of the partitions in the bound range: one season
    (and the week reaching back before its Aug 1), whatever the history. The emulator counts no bytes (its dry runs
    say 0), so this checks the bounds the dry runs carry, and the partitioning test the layout."""
    bq.proxy.requests.clear()
    result = invoke(bq, "estimate", "daily", "--date", "2027-01-10", "--warehouse", WAREHOUSE, "--dataset", demo)
    assert result.exit_code == 0, result.output
    dated = {query_name(job): parameters(job) for job in bq.proxy.job_inserts() if "first_date" in parameters(job)}
    assert set(dated) == {"problems", "signals", "schedule", "shown_picks"}
    for name, bound in dated.items():
        first, last = (dt.date.fromisoformat(bound[key][1]) for key in ("first_date", "last_date"))
        assert (first, last) == (dt.date(2026, 7, 27), dt.date(2027, 7, 31)), name  # from the Monday before Aug 1


def test_estimate_needs_a_bigquery_warehouse(bq, tmp_path):
    result = invoke(bq, "estimate", "daily", "--warehouse", tmp_path / "warehouse.duckdb")
    assert result.exit_code == 1
    assert result.output.startswith("Error: estimate needs a BigQuery warehouse")


# --- failures end the run before anything is published -----------------------------------------------------------


def test_a_missing_table_ends_the_run_with_exit_5_and_publishes_nothing(bq, tmp_path):
    dataset = load_demo(bq, "broken")
    bq.client.delete_table(f"{PROJECT}.{dataset}.daily_signals")
    dest = tmp_path / "public"
    result = invoke(bq, "daily", "--date", TODAY, "--warehouse", WAREHOUSE, "--dataset", dataset, "--dest", dest)
    assert result.exit_code == 5, result.output
    # the emulator answers INFORMATION_SCHEMA.COLUMNS, so the metadata read finds it before any data query
    assert (
        result.output
        == f"Error: dataset {dataset} breaks the contract's column types: table daily_signals is missing\n"
    )
    assert not dest.exists() or published_bytes(dest) == {}


def test_a_column_type_outside_the_contract_is_refused_on_bigquery_too(bq, tmp_path):
    dataset = load_demo(bq, "retyped")
    reference = f"{PROJECT}.{dataset}.subset_definitions"
    bq.client.delete_table(reference)
    schema = [
        bigquery.SchemaField(name, "STRING" if name == "is_active" else kind)
        for name, kind in TABLES["subset_definitions"]
    ]
    bq.client.create_table(bigquery.Table(reference, schema=schema))
    bq.proxy.requests.clear()
    dest = tmp_path / "public"
    result = invoke(bq, "daily", "--date", TODAY, "--warehouse", WAREHOUSE, "--dataset", dataset, "--dest", dest)
    assert result.exit_code == 5, result.output
    assert result.output == (
        f"Error: dataset {dataset} breaks the contract's column types: column subset_definitions.is_active has type"
        " STRING, expected BOOL\n"
    )
    assert [query_name(job) for job in bq.proxy.job_inserts()] == ["columns"]  # no data query ran
    assert not dest.exists()


def test_a_bad_row_of_the_range_is_refused_on_bigquery_too(bq, tmp_path):
    dataset = load_demo(bq, "badgame")
    reference = f"{PROJECT}.{dataset}.games"
    row = {
        "game_date": TODAY,
        "game_id": "g-null",
        "home_team": "LAL",
        "away_team": "BOS",
        "tipoff_at": None,
        "status": "scheduled",
    }
    assert bq.client.insert_rows_json(reference, [row]) == []
    dest = tmp_path / "public"
    result = invoke(bq, "daily", "--date", TODAY, "--warehouse", WAREHOUSE, "--dataset", dataset, "--dest", dest)
    assert result.exit_code == 3, result.output
    assert result.output.startswith(
        f"Error: table games, date {TODAY}, row (game_id='g-null', status='scheduled'): tipoff_at is NULL"
    )
    assert not dest.exists()


def cap_refusal(request: Request) -> tuple[int, dict[str, Any]] | None:
    """BigQuery's answer to a query over maximum_bytes_billed, which the emulator does not enforce."""
    if not (request.is_job_insert and request.query["query"].startswith("-- name: shown_picks")):
        return None
    message = "Query exceeded limit for bytes billed: 10485760. 20971520 or higher required."
    error = {"message": message, "domain": "global", "reason": "bytesBilledLimitExceeded"}
    return 400, {"error": {"code": 400, "message": message, "errors": [error], "status": "INVALID_ARGUMENT"}}


def test_a_query_over_the_cap_ends_the_run_naming_the_query_the_cap_and_the_option(bq, demo, tmp_path):
    dest = tmp_path / "public"
    bq.proxy.fault = cap_refusal
    try:
        result = invoke(
            bq,
            "daily",
            "--date",
            TODAY,
            "--warehouse",
            WAREHOUSE,
            "--dataset",
            demo,
            "--dest",
            dest,
            "--maximum-bytes-billed",
            "10MiB",
        )
    finally:
        bq.proxy.fault = None
    assert result.exit_code == 5, result.output
    message = result.output.strip()
    assert message.startswith("Error: query shown_picks was refused: it would bill more than the cap of 10 MiB")
    assert "20971520 or higher required" in message
    assert "--maximum-bytes-billed" in message and "PICKS_EXPORT_MAXIMUM_BYTES_BILLED" in message
    assert not dest.exists()


def still_running(request: Request) -> tuple[int, dict[str, Any]] | None:
    """BigQuery's answers about a query that keeps running (the emulator finishes every query at once)."""
    path = request.path.split("?")[0]
    if request.is_job_insert:
        job = {**request.body, "status": {"state": "RUNNING"}}
        return 200, {"kind": "bigquery#job", "id": request.body["jobReference"]["jobId"], **job}
    if "/queries/" in path:
        job_id = path.rsplit("/", 1)[1]
        reference = {"projectId": PROJECT, "jobId": job_id, "location": "US"}
        return 200, {"kind": "bigquery#getQueryResultsResponse", "jobReference": reference, "jobComplete": False}
    if "/jobs/" in path:
        job_id = path.split("/jobs/")[1].split("/")[0]
        reference = {"projectId": PROJECT, "jobId": job_id, "location": "US"}
        state = "DONE" if path.endswith("/cancel") else "RUNNING"
        job = {"kind": "bigquery#job", "jobReference": reference, "status": {"state": state}}
        return 200, {"kind": "bigquery#jobCancelResponse", "job": job} if state == "DONE" else job
    return None


def test_a_query_that_does_not_finish_in_time_is_cancelled_and_ends_the_run(bq, demo):
    engine = open_engine(WAREHOUSE, demo, {"command": "test", "bigquery_endpoint": bq.proxy.url, "timeout": 1.0})
    bq.proxy.requests.clear()
    bq.proxy.fault = still_running
    try:
        started = time.monotonic()
        with pytest.raises(WarehouseError, match=r"^query models did not finish within 1 s .*; it was cancelled$"):
            engine.query("models", {})
        assert time.monotonic() - started < 10
    finally:
        bq.proxy.fault = None
        engine.close()
    assert bq.proxy.requests[-1].method == "POST" and bq.proxy.requests[-1].path.split("?")[0].endswith("/cancel")


# --- types -------------------------------------------------------------------------------------------------------


def test_results_are_normalized_to_the_duckdb_engines_types():
    schema = [
        bigquery.SchemaField("month", "DATETIME"),  # the emulator's type for DATE_TRUNC of a DATE
        bigquery.SchemaField("at", "DATETIME"),
        bigquery.SchemaField("tipoff", "TIMESTAMP"),
        bigquery.SchemaField("share", "NUMERIC"),
        bigquery.SchemaField("n", "INTEGER"),
    ]
    utc = zoneinfo.ZoneInfo("UTC")  # what to_arrow hands back
    rows = [
        {
            "month": dt.datetime(2025, 11, 1),
            "at": dt.datetime(2025, 11, 1, 12, 30),
            "tipoff": dt.datetime(2025, 11, 5, 23, 0, tzinfo=utc),
            "share": decimal.Decimal("0.25"),
            "n": 3,
        },
        {"month": None, "at": None, "tipoff": None, "share": None, "n": None},
    ]
    first, empty = normalize(rows, schema)
    assert type(first["month"]) is dt.date and first["month"] == dt.date(2025, 11, 1)
    assert first["at"] == dt.datetime(2025, 11, 1, 12, 30)
    assert first["tipoff"].tzinfo is dt.UTC and first["tipoff"] == dt.datetime(2025, 11, 5, 23, 0, tzinfo=utc)
    assert type(first["share"]) is float and first["share"] == 0.25
    assert first["n"] == 3
    assert set(empty.values()) == {None}


def test_demo_refuses_to_replace_tables_holding_rows_unless_forced(bq):
    from picks_export.exporters.tables import DEMO_MARKER

    dataset = "real_data"
    bq.client.create_dataset(f"{PROJECT}.{dataset}", exists_ok=True)
    reference = f"{PROJECT}.{dataset}.models"
    schema = [bigquery.SchemaField(column, type_) for column, type_ in TABLES["models"]]
    bq.client.create_table(bigquery.Table(reference, schema=schema))
    row = {"system_id": "prod-v9", "code": "prod", "name": "Production", "is_champion": True, "enabled": True}
    assert not bq.client.insert_rows_json(reference, [row])
    refused = invoke(bq, "demo", "--warehouse", WAREHOUSE, "--dataset", dataset, "--today", TODAY)
    assert refused.exit_code == 1, refused.output
    assert refused.output.strip() == (
        f"Error: table models of dataset {dataset} in BigQuery project {PROJECT} at {bq.proxy.url} holds rows and"
        " the dataset is not a previous demo: pass --force to replace its tables"
    )
    assert [dict(each) for each in bq.client.list_rows(reference)] == [row]  # untouched
    assert DEMO_MARKER not in {table.table_id for table in bq.client.list_tables(f"{PROJECT}.{dataset}")}
    forced = invoke(bq, "demo", "--warehouse", WAREHOUSE, "--dataset", dataset, "--today", TODAY, "--force")
    assert forced.exit_code == 0, forced.output
    assert DEMO_MARKER in {table.table_id for table in bq.client.list_tables(f"{PROJECT}.{dataset}")}
    assert load_demo(bq, dataset) == dataset  # a previous demo is replaced without --force


# --- the registry of engines ----------------------------------------------------------------------------------


def test_the_registry_chooses_the_engine_by_scheme_and_builds_its_settings_from_its_declared_options(tmp_path):
    bigquery, duckdb = engine_for("bigquery://my-project"), engine_for(tmp_path / "w.duckdb")
    assert (bigquery.name, duckdb.name) == ("BigQuery", "DuckDB")
    assert engine_for("nothing-registered://x") is duckdb  # a path, as before: the DuckDB file's own error says more
    assert bigquery.capabilities.dry_run and bigquery.capabilities.forked_workers
    assert duckdb.capabilities.forked_workers and not duckdb.capabilities.dry_run
    assert {spec.name for spec in ENGINES} == {"BigQuery", "DuckDB"}
    values = {"location": "EU", "bigquery_endpoint": "http://127.0.0.1:9", "maximum_bytes_billed": 20 * 1024**2,
              "command": "daily", "sql_cache": tmp_path, "storage_endpoint": "127.0.0.1:10"}  # fmt: skip
    assert bigquery.settings_of(values) == BigQuerySettings(
        "daily", "EU", "http://127.0.0.1:9", 20 * 1024**2, storage_endpoint="127.0.0.1:10"
    )
    assert duckdb.settings_of(values).sql_cache == tmp_path  # each engine takes its own, ignores the others'
    # the command line makes its engine options from these declarations: demo only those of loading tables
    assert [option.name for option in engine_options()] == ["location", "bigquery_endpoint", "maximum_bytes_billed"]
    assert [option.name for option in engine_options(loads=True)] == ["location", "bigquery_endpoint"]
    result = CliRunner().invoke(app, ["demo", "--help"])
    assert "--location" in result.stdout and "--maximum-bytes-billed" not in result.stdout


# --- results through the Storage Read API, and build workers -----------------------------------------------------

LONG_TODAY = "2025-12-20"  # two months of games: a backfill long enough for build workers
MODELS = ("sys-926a-v3", "sys-phoenix-v1")  # the demo's enabled models, the champion first


@pytest.fixture(scope="module")
def long_demo(bq) -> str:
    result = invoke(bq, "demo", "--warehouse", WAREHOUSE, "--dataset", "long", "--today", LONG_TODAY, "--seed", "7")
    assert result.exit_code == 0, result.output
    return "long"


def shown_picks(engine: Any) -> tuple[list[str], list[tuple[Any, ...]]]:
    params = range_params(list(MODELS), *read_span(dt.date(2025, 10, 21), dt.date(2025, 11, 5)))
    columns, rows = engine.query_tuples("shown_picks", params)
    return columns, list(rows)


def test_the_shown_picks_come_through_the_storage_read_api_as_the_rest_pages_and_duckdb_give_them(
    bq, demo, duckdb_demo
):
    settings = {"command": "test", "bigquery_endpoint": bq.url}
    storage = open_engine(WAREHOUSE, demo, {**settings, "storage_endpoint": bq.storage})
    rest = open_engine(WAREHOUSE, demo, settings)  # another endpoint without a Storage Read API endpoint
    on_duckdb = open_engine(duckdb_demo)
    try:
        columns, rows = shown_picks(storage)
        assert (storage.storage_reads, rest.storage_reads) == (1, 0)
        assert len(rows) > 500

        def typed(found: list[tuple[Any, ...]]) -> list[list[tuple[type, Any]]]:
            return [[(type(value), value) for value in row] for row in found]

        for other in (rest, on_duckdb):
            other_columns, other_rows = shown_picks(other)
            assert other_columns == columns and typed(other_rows) == typed(rows)
        assert rest.storage_reads == 0
        # the plan's small queries stay on the REST pages
        assert list(storage.query("models", {})) and storage.storage_reads == 1
    finally:
        for engine in (storage, rest, on_duckdb):
            engine.close()


def test_the_shown_picks_as_arrow_batches_give_the_tuples_values_on_each_path(bq, demo, duckdb_demo):
    """`query_batches` (the long runs' read) from the Storage Read API, the REST pages and DuckDB: each column's
    Python values, types included, are the tuples' values; and the snapshots read either way are the same."""
    from picks_export.exporters import warehouse

    settings = {"command": "test", "bigquery_endpoint": bq.url}
    engines = [open_engine(WAREHOUSE, demo, {**settings, "storage_endpoint": bq.storage}),
               open_engine(WAREHOUSE, demo, settings), open_engine(duckdb_demo)]  # fmt: skip
    params = range_params(list(MODELS), *read_span(dt.date(2025, 10, 21), dt.date(2025, 11, 5)))
    try:
        columns, expected = shown_picks(engines[0])
        for engine in engines:
            batches = list(engine.query_batches("shown_picks", params))
            values = [[value for batch in batches for value in batch.column(name).to_pylist()] for name in columns]
            rows = list(zip(*values, strict=True))
            assert [[(type(v), v) for v in row] for row in rows] == [[(type(v), v) for v in row] for row in expected]
        assert (engines[0].storage_reads, engines[1].storage_reads) == (2, 0)
        first, last = dt.date(2025, 8, 1), dt.date(2025, 11, 5)
        plan = warehouse.read_plan(engines[0], None, first, last, all_models=True)
        read = [[repr(each) for model in warehouse.read_shown_picks(engine, plan, plan.models, arrow=arrow)
                 for each in model] for engine, arrow in ((engines[0], True), (engines[1], True), (engines[0], False))]  # fmt: skip
        assert read[0] and read[0] == read[1] == read[2]
    finally:
        for engine in engines:
            engine.close()


class RefusingReadClient:
    """A Storage Read API client whose sessions are refused with `error`."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.sessions = 0

    def create_read_session(self, **request: Any) -> Any:
        self.sessions += 1
        raise self.error


@pytest.mark.parametrize(
    ("error", "for_the_run"),
    [
        (api_exceptions.PermissionDenied("bigquery.readsessions.create denied"), True),  # no Read Session User role
        (api_exceptions.NotFound("that result cannot be read"), False),  # a result table it cannot read
    ],
)
def test_a_refused_read_session_falls_back_to_the_rest_pages(bq, demo, error, for_the_run):
    engine = open_engine(
        WAREHOUSE, demo, {"command": "test", "bigquery_endpoint": bq.url, "storage_endpoint": bq.storage}
    )
    refusing = RefusingReadClient(error)
    engine._reader._client = refusing
    try:
        expected = shown_picks(engine)
        assert shown_picks(engine) == expected and len(expected[1]) > 500
        # a missing permission holds for the run: asked once; a result it cannot read: asked again for the next
        assert refusing.sessions == (1 if for_the_run else 2)
        assert (engine._reader.refused is not None) == for_the_run
        assert engine.storage_reads == 0
    finally:
        engine._reader._client = None
        engine.close()


def test_released_clients_open_again_for_the_next_query(bq, demo):
    """Before the fork the run releases the engine; a build worker opens clients of its own."""
    engine = open_engine(
        WAREHOUSE, demo, {"command": "test", "bigquery_endpoint": bq.url, "storage_endpoint": bq.storage}
    )
    expected = shown_picks(engine)
    engine.release()
    assert shown_picks(engine) == expected
    engine.for_worker("unused")
    assert shown_picks(engine) == expected and list(engine.query("models", {}))
    engine.close()


def test_build_workers_on_bigquery_each_query_their_models_and_publish_the_same_bytes(bq, long_demo, tmp_path):
    """One query per worker (its share of the models, in the plan's order), the same files as one process."""
    args = ["backfill", "--all-models", "--start", FIRST_GAME, "--end", LONG_TODAY, "--today", LONG_TODAY]
    args += ["--warehouse", WAREHOUSE, "--dataset", long_demo]
    published, queried = {}, {}
    for workers in (1, 2):
        before = len(bq.proxy.job_inserts())
        result = invoke(bq, *args, "--dest", tmp_path / str(workers), build_workers=str(workers))
        assert result.exit_code == 0, result.output
        jobs = [job for job in bq.proxy.job_inserts()[before:] if query_name(job) == "shown_picks"]
        queried[workers] = sorted(parameters(job)["system_ids"][1] for job in jobs)
        published[workers] = published_bytes(tmp_path / str(workers))
    assert queried == {1: [MODELS], 2: [MODELS[:1], MODELS[1:]]}
    assert len(published[1]) > 2 * 50  # each model's day files of two months, their seasons, indexes...
    assert published[2] == published[1]


def test_without_the_storage_package_results_come_as_rest_pages(bq, demo, monkeypatch):
    from picks_export.exporters.engines import bigquery_read

    real = bigquery_read.importlib.util.find_spec
    monkeypatch.setattr(
        bigquery_read.importlib.util,
        "find_spec",
        lambda name, *args: None if name.startswith("google.cloud.bigquery_storage") else real(name, *args),
    )
    engine = open_engine(
        WAREHOUSE, demo, {"command": "test", "bigquery_endpoint": bq.url, "storage_endpoint": bq.storage}
    )
    try:
        assert engine._reader.refused == "google-cloud-bigquery-storage is not installed"
        assert len(shown_picks(engine)[1]) > 500 and engine.storage_reads == 0
    finally:
        engine.close()
