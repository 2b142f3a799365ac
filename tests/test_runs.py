"""Run records and rollback, through the CLI: on folders and on buckets of each store (with and without versioning)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import orjson
import pytest
from conftest import published_bytes
from fakegcs import FaultProxy, client_for
from stores import BUCKETS, Destination
from typer.testing import CliRunner

from picks_export.cli import app

TODAY = "2026-02-07"
runner = CliRunner()
_names = itertools.count()
ENV = {"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": TODAY}


def invoke(*args: str, env: dict[str, str] | None = None):
    return runner.invoke(app, list(args), env={**ENV, **(env or {})})


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path]:
    """The demo warehouse, and a bad one: other predictions (another seed), so picks change and some days shrink."""
    folder = tmp_path_factory.mktemp("warehouses")
    good, bad = folder / "good.duckdb", folder / "bad.duckdb"
    assert invoke("demo", "--warehouse", str(good), "--today", TODAY).exit_code == 0
    assert invoke("demo", "--warehouse", str(bad), "--today", TODAY, "--seed", "8").exit_code == 0
    return good, bad


def publish(warehouse: Path, dest: str, env: dict[str, str] | None = None) -> None:
    result = invoke(
        "backfill",
        "--start",
        "2026-02-01",
        "--end",
        TODAY,
        "--warehouse",
        str(warehouse),
        "--dest",
        dest,
        "--allow-shrink",
        env=env,
    )
    assert result.exit_code == 0, result.output


def run_ids(dest: str, env: dict[str, str] | None = None) -> list[str]:
    result = invoke("runs", "--dest", dest, env=env)
    assert result.exit_code == 0, result.output
    return [line.split()[0] for line in result.stdout.splitlines() if line[:1].isdigit()]


def test_folder_publish_bad_change_rollback_and_its_rollback_are_byte_for_byte(tmp_path, warehouses):
    good, bad = warehouses
    dest = tmp_path / "public"
    publish(good, str(dest))
    first = published_bytes(dest)
    publish(bad, str(dest))
    broken = published_bytes(dest)
    assert broken != first
    bad_run, good_run = run_ids(str(dest))
    record = orjson.loads((dest / "_runs" / f"{bad_run}.json").read_bytes())
    assert record["command"] == f"backfill --start 2026-02-01 --end {TODAY}" and record["complete"] is True
    replaced = {entry["path"]: entry for entry in record["files"]}
    assert "v1/manifest.json" in replaced and "v1/picks/index.json" in replaced
    day = replaced[f"v1/picks/{TODAY}.json"]
    assert day["action"] == "replaced" and day["previous"]["saved"] == f"_runs/{bad_run}/v1/picks/{TODAY}.json"
    assert (dest / day["previous"]["saved"]).read_bytes() == first[f"v1/picks/{TODAY}.json"]  # saved before replaced
    assert day["new"]["sha256"] != day["previous"]["sha256"]

    undone = invoke("rollback", bad_run, "--dest", str(dest))
    assert undone.exit_code == 0, undone.output
    assert published_bytes(dest) == first
    assert invoke("validate", str(dest)).exit_code == 0  # _runs/ holds no published file

    rollback_run = run_ids(str(dest))[0]
    assert rollback_run > bad_run
    status = orjson.loads((dest / "v1/status.json").read_bytes())  # rebuilt by the rollback, not put back
    assert status["run"]["id"] == rollback_run and status["run"]["command"] == f"rollback {bad_run}"
    index = orjson.loads(first["v1/picks/index.json"])
    assert status["models"][0]["latest_date"] == max(entry["date"] for entry in index["dates"] if entry["picks"])
    redone = invoke("rollback", rollback_run, "--dest", str(dest))
    assert redone.exit_code == 0, redone.output
    assert published_bytes(dest) == broken
    listed = invoke("runs", "--dest", str(dest)).stdout.splitlines()
    assert [line.split()[0] for line in listed] == sorted(run_ids(str(dest)), reverse=True)  # newest first
    assert listed[0].endswith(f"rollback {rollback_run}") and listed[-1].endswith(
        f"backfill --start 2026-02-01 --end {TODAY}"
    )


def test_rollback_of_a_first_run_deletes_what_it_created(tmp_path, warehouses):
    dest = tmp_path / "public"
    publish(warehouses[0], str(dest))
    (run,) = run_ids(str(dest))
    created = len(published_bytes(dest, with_status=True))
    result = invoke("rollback", run, "--dest", str(dest), "-v")
    assert result.exit_code == 0, result.output
    assert published_bytes(dest) == {}
    summary = result.stdout.splitlines()[-1]
    # every file the run created is deleted but the status file, written again to name the rollback
    assert summary.startswith(f"rolled back run {run}: 1 file restored, {created - 1} deleted, 0 unchanged;")
    assert f"this rollback is run {run_ids(str(dest))[0]} (" in summary
    assert f"deleted       {dest}/v1/manifest.json" in result.stdout
    again = invoke("rollback", run_ids(str(dest))[0], "--dest", str(dest))  # the deletion undone
    assert again.exit_code == 0, again.output
    assert published_bytes(dest) and invoke("validate", str(dest)).exit_code == 0


def test_a_later_change_is_refused_unless_forced(tmp_path, warehouses):
    good, bad = warehouses
    dest = tmp_path / "public"
    publish(good, str(dest))
    first = published_bytes(dest)
    publish(bad, str(dest))
    bad_run = run_ids(str(dest))[0]
    publish(good, str(dest))  # a later run puts the good files back, by the warehouse
    later = published_bytes(dest)
    refused = invoke("rollback", bad_run, "--dest", str(dest))
    assert refused.exit_code == 7
    assert refused.stderr.count("\n") == 1 and refused.stderr.startswith("Error: refusing to roll back run")
    assert published_bytes(dest) == later  # nothing published
    forced = invoke("rollback", bad_run, "--dest", str(dest), "--force")
    assert forced.exit_code == 0, forced.output
    assert published_bytes(dest) == first


@pytest.mark.parametrize("run_id", ["../x", "..", "01795592193757307132-b3b56e7c/../../etc", "", "abc"])
def test_a_run_id_that_is_not_one_is_refused_in_one_line(tmp_path, run_id):
    result = invoke("rollback", run_id, "--dest", str(tmp_path))
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_an_unknown_or_damaged_record_is_one_error_line(tmp_path, warehouses):
    dest = tmp_path / "public"
    publish(warehouses[0], str(dest))
    missing = invoke("rollback", "01795592193757307132-b3b56e7c", "--dest", str(dest))
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: no run 01795592193757307132-b3b56e7c")
    (run,) = run_ids(str(dest))
    record = dest / "_runs" / f"{run}.json"
    data = json.loads(record.read_bytes())
    data["files"][0]["path"] = "../../outside.json"
    record.write_text(json.dumps(data))
    hostile = invoke("rollback", run, "--dest", str(dest))
    assert hostile.exit_code == 6 and "not a plain relative path" in hostile.stderr
    record.write_text("[not a record")
    damaged = invoke("rollback", run, "--dest", str(dest))
    assert damaged.exit_code == 1 and "is not a run record" in damaged.stderr
    assert not (tmp_path / "outside.json").exists()


def test_a_run_that_changes_nothing_writes_no_record_and_a_dry_run_neither(tmp_path, warehouses):
    dest = tmp_path / "public"
    publish(warehouses[0], str(dest))
    publish(warehouses[0], str(dest))
    (run,) = run_ids(str(dest))
    result = invoke("rollback", run, "--dest", str(dest), "--dry-run")
    assert result.exit_code == 0 and f"delete     {dest}/v1/manifest.json" in result.stdout
    assert run_ids(str(dest)) == [run] and published_bytes(dest)


# On fake-gcs-server and moto's S3 server. Both keep a replaced version when the bucket has versioning (the test
# below reads one back), and nothing without. fake-gcs-server does not keep a bucket's lifecycle rules, and
# ignores a delete's generation precondition (measured): the lifecycle rule is checked on the request the server
# receives.


def bucket_bytes(dest: Destination) -> dict[str, bytes]:
    """Every published object under the prefix, decompressed (not the run records under _runs/)."""
    return {path: each.data for path, each in dest.published().items()
            if path != "v1/status.json"}  # names the run that wrote it: checked on its own  # fmt: skip


@pytest.mark.parametrize("kind", BUCKETS)
@pytest.mark.parametrize("versioned", [True, False])
def test_bucket_publish_bad_change_rollback_and_its_rollback(destination, warehouses, versioned, kind):
    good, bad = warehouses
    bucket = destination(kind, versioned=versioned, prefix="site")
    dest, env = bucket.dest, bucket.env()
    publish(good, dest, env)
    first = bucket_bytes(bucket)
    publish(bad, dest, env)
    broken = bucket_bytes(bucket)
    assert broken != first
    bad_run = run_ids(dest, env)[0]
    record = json.loads(bucket.objects()[f"_runs/{bad_run}.json"].data)
    day = next(entry for entry in record["files"] if entry["path"] == f"v1/picks/{TODAY}.json")
    saved = list(bucket.objects(f"_runs/{bad_run}/"))
    if versioned:  # the previous version is where the bytes are: no copy
        assert day["previous"]["saved"] is None and saved == []
        assert (
            bucket.read_version(f"v1/picks/{TODAY}.json", day["previous"]["generation"])
            == first[f"v1/picks/{TODAY}.json"]
        )
    else:
        assert day["previous"]["saved"] == f"_runs/{bad_run}/v1/picks/{TODAY}.json"
        assert f"_runs/{bad_run}/v1/picks/{TODAY}.json" in saved
    undone = invoke("rollback", bad_run, "--dest", dest, env=env)
    assert undone.exit_code == 0, undone.output
    assert bucket_bytes(bucket) == first
    redone = invoke("rollback", run_ids(dest, env)[0], "--dest", dest, env=env)
    assert redone.exit_code == 0, redone.output
    assert bucket_bytes(bucket) == broken
    publish(good, dest, env)
    refused = invoke("rollback", bad_run, "--dest", dest, env=env)
    assert refused.exit_code == 7 and refused.stderr.startswith("Error: refusing to roll back run")


@pytest.mark.parametrize("kind", BUCKETS)
def test_bucket_rollback_of_a_first_run_deletes_its_objects(destination, warehouses, kind):
    bucket = destination(kind)
    dest, env = bucket.dest, bucket.env()
    publish(warehouses[0], dest, env)
    first = bucket_bytes(bucket)
    (run,) = run_ids(dest, env)
    assert invoke("rollback", run, "--dest", dest, env=env).exit_code == 0
    assert bucket_bytes(bucket) == {}
    assert invoke("rollback", run_ids(dest, env)[0], "--dest", dest, env=env).exit_code == 0
    assert bucket_bytes(bucket) == first


def test_bucket_setup_sets_cors_versioning_and_the_noncurrent_lifecycle_rule(gcs):
    bucket = f"runs-{next(_names)}"
    client_for(gcs.url).create_bucket(bucket)
    proxy = FaultProxy(gcs.port)
    try:
        result = invoke(
            "bucket",
            "setup",
            "--dest",
            f"gs://{bucket}",
            "--origin",
            "https://picks.example.com",
            "--noncurrent-days",
            "12",
            env={"STORAGE_EMULATOR_HOST": proxy.url},
        )
    finally:
        proxy.close()
    assert result.exit_code == 0, result.output
    rule = {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": 12}}
    assert f"lifecycle of gs://{bucket}: {json.dumps([rule], separators=(',', ':'))}" in result.stdout
    assert f"versioning of gs://{bucket}: on" in result.stdout
    stored = client_for(gcs.url).get_bucket(bucket)
    assert stored.versioning_enabled is True  # read back from the server
    (patch,) = [each for each in proxy.log if each.method == "PATCH"]
    sent = json.loads(patch.request_body)  # the server does not keep lifecycle rules: what it was sent
    assert sent["lifecycle"] == {"rule": [rule]} and sent["versioning"] == {"enabled": True}
    assert sent["cors"][0]["origin"] == ["https://picks.example.com"]
    bad = invoke(
        "bucket",
        "setup",
        "--dest",
        f"gs://{bucket}",
        "--origin",
        "https://x.example",
        "--noncurrent-days",
        "0",
        env={"STORAGE_EMULATOR_HOST": gcs.url},
    )
    assert bad.exit_code == 2
