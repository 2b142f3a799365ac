"""The status file, the `status` command and the final days' cache policy on fake-gcs-server."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from pathlib import Path

import duckdb
import orjson
import pytest
from fakegcs import client_for
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters.validation import problems

TODAY = "2025-11-05"
runner = CliRunner()


def invoke(url: str, *args: str, today: str = TODAY):
    env = {"STORAGE_EMULATOR_HOST": url, "PICKS_EXPORT_TODAY": today}
    return runner.invoke(app, list(args), env=env)


@pytest.fixture
def warehouse(tmp_path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    assert runner.invoke(app, ["demo", "--warehouse", str(path), "--today", TODAY]).exit_code == 0
    return path


def blob_json(blob) -> dict:
    data = blob.download_as_bytes(raw_download=True)
    return orjson.loads(gzip.decompress(data) if blob.content_encoding == "gzip" else data)


def test_status_file_is_published_last_without_cache_and_read_back_by_status(gcs, bucket, warehouse):
    result = invoke(
        gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}/site", "--all-models", "-v"
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.rstrip().splitlines()[-2].startswith(f"written       gs://{bucket}/site/v1/status.json")
    blob = client_for(gcs.url).bucket(bucket).get_blob("site/v1/status.json")
    assert blob.cache_control == "no-cache" and blob.content_type == "application/json"
    status = blob_json(blob)
    assert problems("status", status, "status.json") == []
    assert status["run"]["command"].startswith("daily --date ") and [entry["code"] for entry in status["models"]] == [
        "926A",
        "phoenix",
    ]
    assert status["models"][1]["index"] == "v1/models/phoenix/picks/index.json"
    assert status["models"][0]["latest_date"] == TODAY
    shown = invoke(gcs.url, "status", "--dest", f"gs://{bucket}/site", "--json")
    assert shown.exit_code == 0, shown.output
    assert orjson.loads(shown.stdout) == status
    verdict = invoke(gcs.url, "status", "--dest", f"gs://{bucket}/site")
    assert verdict.exit_code == 0 and verdict.stdout.startswith("ok: last run ")

    def waiting(entry: dict) -> str:
        count = len(entry["waiting_for_grading"])
        return {0: "no date", 1: "1 date"}.get(count, f"{count} dates") + " waiting for grading"

    assert verdict.stdout.splitlines()[1:3] == [
        f"model {entry['code']}: graded through {entry['latest_graded_date']}; {waiting(entry)}"
        for entry in status["models"]
    ]
    time.sleep(2)  # the run is now older than --max-age 1s
    late = invoke(gcs.url, "status", "--dest", f"gs://{bucket}/site", "--max-age", "1s")
    assert late.exit_code == 9 and "the last successful run finished" in late.stderr


def test_status_of_a_bucket_without_a_status_file_is_exit_9(gcs, bucket):
    result = invoke(gcs.url, "status", "--dest", f"gs://{bucket}")
    assert result.exit_code == 9
    assert f"Error: gs://{bucket}/v1/status.json does not exist" in result.stderr


def test_final_days_get_the_long_cache_and_a_regraded_day_gets_the_short_one_again(gcs, bucket, warehouse):
    args = [
        "backfill",
        "--start",
        "2025-10-01",
        "--end",
        TODAY,
        "--warehouse",
        str(warehouse),
        "--dest",
        f"gs://{bucket}",
    ]
    assert (first := invoke(gcs.url, *args)).exit_code == 0, first.output
    today = dt.date.fromisoformat(TODAY)
    days = {blob.name: blob for blob in client_for(gcs.url).list_blobs(bucket, prefix="v1/picks/20")}
    finals = set()
    for name, blob in days.items():
        day = dt.date.fromisoformat(Path(name).stem)
        final = blob.metadata["graded"] == "true" and day <= today - dt.timedelta(days=2)
        assert blob.cache_control == ("public, max-age=86400" if final else "public, max-age=300"), name
        finals |= {day} if final else set()
    assert finals and len(finals) < len(days)  # both kinds are there; yesterday and today are never final
    season = client_for(gcs.url).bucket(bucket).get_blob("v1/subsets/season.json")
    assert season.cache_control == "public, max-age=3600"
    # A regrade: the box scores of a final day are withdrawn; its new file is not final any more.
    regraded = max(finals)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("DELETE FROM nba_predictions.player_game_summary WHERE game_date = ?", [regraded])
    assert (second := invoke(gcs.url, *args)).exit_code == 0, second.output
    assert f"Warning: model 926A: {regraded}: " in second.stderr and "not graded: no box score yet" in second.stderr
    blob = client_for(gcs.url).bucket(bucket).get_blob(f"v1/picks/{regraded}.json")
    assert blob.cache_control == "public, max-age=300" and blob.metadata["graded"] == "false"
    # --cache-final-day changes the policy of final days only: their headers are patched in place.
    third = invoke(gcs.url, *args, "--cache-final-day", "public, max-age=604800")
    assert third.exit_code == 0, third.output
    assert f"{len(finals) - 1} patched" in third.stdout
    after = {blob.name: blob.cache_control for blob in client_for(gcs.url).list_blobs(bucket, prefix="v1/picks/20")}
    assert {name for name, value in after.items() if value == "public, max-age=604800"} == {
        f"v1/picks/{day}.json" for day in finals - {regraded}
    }
