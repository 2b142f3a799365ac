"""The publishing commands with `--dest gs://...` through Typer's CliRunner, against fake-gcs-server."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fakegcs import FaultProxy, client_for
from typer.testing import CliRunner

from picks_export.cli import app

TODAY = "2025-11-05"
runner = CliRunner()


def invoke(url: str, *args: str, env: dict[str, str] | None = None):
    base = {"SOURCE_DATE_EPOCH": "1770478200", "STORAGE_EMULATOR_HOST": url, "PICKS_EXPORT_TODAY": TODAY}
    return runner.invoke(app, list(args), env={**base, **(env or {})})


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    assert runner.invoke(app, ["demo", "--warehouse", str(path), "--today", TODAY]).exit_code == 0
    return path


def test_backfill_publishes_the_demo_season_and_a_second_run_uploads_nothing(gcs, bucket, warehouse):
    args = [
        "backfill",
        "--start",
        "2025-10-01",
        "--end",
        TODAY,
        "--warehouse",
        str(warehouse),
        "--dest",
        f"gs://{bucket}/site",
    ]
    first = invoke(gcs.url, *args, "-v")
    assert first.exit_code == 0, first.output
    blobs = {blob.name: blob for blob in client_for(gcs.url).list_blobs(bucket, prefix="site/v1/")}  # not _runs/
    days = [name for name in blobs if name.startswith("site/v1/picks/20")]
    assert len(days) == 16 and "site/v1/picks/index.json" in blobs and "site/v1/subsets/season.json" in blobs
    assert f"written       gs://{bucket}/site/v1/picks/{TODAY}.json" in first.stdout
    assert f"{len(blobs)} files: {len(blobs)} written" in first.stdout
    assert all(blob.content_encoding == "gzip" for name, blob in blobs.items() if not name.endswith(".parquet"))
    assert blobs["site/v1/subsets/seasons/2025-26.parquet"].content_encoding is None  # compressed already
    second = invoke(gcs.url, *args)
    assert second.exit_code == 0, second.output
    # Only the status file (a heartbeat naming the run) is written again.
    assert second.stdout.splitlines() == [  # the plan and the summary; no file listed one by one without -v
        f"plan: {len(blobs)} files: 0 new, 1 changed, 0 patched, {len(blobs) - 1} unchanged, 0 refused",
        second.stdout.splitlines()[1],
    ]
    assert second.stdout.splitlines()[1].startswith(
        f"{len(blobs)} files: 1 written, 0 patched, {len(blobs) - 1} unchanged"
    )
    assert {
        blob.name: blob.generation
        for blob in client_for(gcs.url).list_blobs(bucket, prefix="site/v1/")
        if blob.name != "site/v1/status.json"
    } == {name: blob.generation for name, blob in blobs.items() if name != "site/v1/status.json"}
    assert [blob.name for blob in client_for(gcs.url).list_blobs(bucket, prefix="site/_runs/")] == [
        name
        for name in (
            f"site/_runs/{line.split()[0]}.json"
            for line in invoke(gcs.url, "runs", "--dest", f"gs://{bucket}/site").stdout.splitlines()
        )
    ]  # the first run's record only: the second changed no content (the status file is not recorded)


def test_daily_dry_run_lists_every_file_and_publishes_nothing(gcs, bucket, warehouse):
    result = invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}", "--dry-run", "-v")
    assert result.exit_code == 0, result.output
    assert f"new        gs://{bucket}/v1/picks/{TODAY}.json  " in result.stdout
    assert (
        "dry run, nothing published: 28 files (28 new, 0 changed, 0 patched, 0 unchanged, 0 refused)" in result.stdout
    )
    short = invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}", "--dry-run")
    assert (
        short.exit_code == 0 and short.stdout.count("\n") == 1 and short.stdout.startswith("dry run, nothing published")
    )
    assert list(client_for(gcs.url).list_blobs(bucket)) == []


def test_cache_options_and_no_gzip(gcs, bucket, warehouse):
    result = invoke(
        gcs.url,
        "daily",
        "--warehouse",
        str(warehouse),
        "--dest",
        f"gs://{bucket}",
        "--no-gzip",
        "--cache-day",
        "public, max-age=60",
        env={"PICKS_EXPORT_CACHE_SEASON": "no-cache"},
    )
    assert result.exit_code == 0, result.output
    blobs = {blob.name: blob for blob in client_for(gcs.url).list_blobs(bucket)}
    assert blobs[f"v1/picks/{TODAY}.json"].cache_control == "public, max-age=60"
    assert blobs["v1/subsets/season.json"].cache_control == "no-cache"
    assert blobs["v1/picks/index.json"].cache_control == "public, max-age=300"
    assert all(blob.content_encoding is None for blob in blobs.values())
    bad = invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}", "--cache-day", "x\ny")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: cache control of day files")


def test_an_unreachable_server_fails_with_a_report_and_one_error_line(gcs, bucket, warehouse):
    proxy = FaultProxy(gcs.port)
    # the listings (the index, subsets/, picks/, the schemas, and models/ for other models' folders: a new bucket
    # has no manifest), a few uploads, then none
    proxy.cut_after = 5 + 4
    try:
        result = invoke(
            proxy.url,
            "daily",
            "--warehouse",
            str(warehouse),
            "--dest",
            f"gs://{bucket}",
            "--retry-deadline",
            "1",
            "--workers",
            "1",
        )
    finally:
        proxy.close()
    assert result.exit_code == 6, result.output
    assert "written       gs://" in result.stdout and "failed        gs://" in result.stdout
    assert "not attempted gs://" in result.stdout
    # one error line, after the progress lines a log gets every ten seconds of a run that long
    *progress, error = result.stderr.splitlines()
    assert error.startswith("Error: ") and "not published" in error
    assert all(line.startswith(("building: ", "publishing: ")) for line in progress)
    assert "Traceback" not in result.output


def test_missing_bucket_is_a_clear_error(gcs, warehouse):
    result = invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", "gs://no-such-bucket")
    assert result.exit_code == 6 and "bucket gs://no-such-bucket does not exist (nothing published)" in result.stderr


def test_shrink_guard_exit_code_and_message(gcs, bucket, warehouse, tmp_path):
    assert invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}").exit_code == 0
    # The next season's empty warehouse has no picks for the published date at all.
    empty = tmp_path / "empty.duckdb"
    assert runner.invoke(app, ["demo", "--warehouse", str(empty), "--today", "2025-09-01"]).exit_code == 0
    result = invoke(gcs.url, "daily", "--warehouse", str(empty), "--dest", f"gs://{bucket}", "--model", "926A")
    assert result.exit_code == 7, result.output
    assert f"refused       gs://{bucket}/v1/picks/{TODAY}.json" in result.stdout
    assert "would have none (--allow-shrink replaces it)" in result.stderr


def test_bucket_cors_and_show(gcs, bucket, warehouse):
    proxy = FaultProxy(gcs.port)
    try:
        result = invoke(
            proxy.url,
            "bucket",
            "cors",
            "--dest",
            f"gs://{bucket}",
            "--origin",
            "https://picks.example.com",
            "--origin",
            "http://localhost:5173",
            "--max-age",
            "600",
        )
    finally:
        proxy.close()
    assert result.exit_code == 0, result.output
    expected = [
        {
            "origin": ["https://picks.example.com", "http://localhost:5173"],
            "method": ["GET", "HEAD"],
            "responseHeader": ["Content-Type", "Cache-Control"],
            "maxAgeSeconds": 600,
        }
    ]
    assert orjson.loads(result.stdout.split(": ", 1)[1]) == expected
    (patch,) = [exchange for exchange in proxy.log if exchange.method == "PATCH"]
    assert orjson.loads(patch.request_body)["cors"] == expected  # what reached the server (which ignores CORS)
    assert invoke(gcs.url, "daily", "--warehouse", str(warehouse), "--dest", f"gs://{bucket}").exit_code == 0
    shown = invoke(gcs.url, "bucket", "show", "--dest", f"gs://{bucket}")
    blobs = list(client_for(gcs.url).list_blobs(bucket))
    assert shown.exit_code == 0, shown.output
    assert f"objects under gs://{bucket}: {len(blobs)}, {sum(blob.size for blob in blobs):,} bytes" in shown.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--origin", "https://example.com/path"], "origin 'https://example.com/path' is not like"),
        (["--origin", "https://example.com", "--dest", "public"], "is not a bucket"),
    ],
)
def test_bucket_cors_refuses_bad_input_before_any_request(gcs, args, message):
    result = invoke("http://127.0.0.1:9", "bucket", "cors", "--dest", "gs://some-bucket", *args)
    assert result.exit_code == 1 and message in result.stderr
