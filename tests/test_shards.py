"""Sharded runs (`--shard I/N`, by default a Cloud Run job's task): N tasks racing into one bucket publish the very
files one run publishes; each (model, season) unit goes to exactly one task; bad shards are exit 1."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import published_bytes
from fakegcs import client_for

from picks_export.cli.settings import Settings, parse_shard, task_shard
from picks_export.exporters import demo
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.errors import ExportError
from picks_export.exporters.scopes import seasons_between, shard_spans

TOOL = Path(sys.executable).with_name("picks-export")
TODAY = demo.SCALED_TODAY
EPOCH = "1782864000"
START, END = "2024-08-01", "2026-07-31"  # two seasons: with three models, six units
# A status entry's fields that name the task that wrote it last (its run, its time, its own units' warnings).
TASK_FIELDS = ("checked_by_run", "checked_at", "warnings")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shards") / "warehouse.duckdb"
    return write_warehouse(path, demo.generate_scaled(2, 3, 9, late_rate=0.5))


def command(warehouse: Path, dest: str, *extra: str) -> list[str]:
    return [str(TOOL), "backfill", "--start", START, "--end", END, "--all-models", "--warehouse", str(warehouse),
            "--dest", dest, "--today", TODAY.isoformat(), "-q", *extra]  # fmt: skip


def environment(url: str | None = None, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PICKS_EXPORT_", "CLOUD_RUN_"))}
    env.update({"SOURCE_DATE_EPOCH": EPOCH, **extra})
    if url is not None:
        env["STORAGE_EMULATOR_HOST"] = url
    return env


def bucket_files(url: str, bucket: str) -> dict[str, bytes]:
    """Every published file of the bucket (not the run records), its bytes as a reader gets them."""
    client = client_for(url)
    files = {}
    for blob in client.list_blobs(bucket):
        if blob.name.startswith("_runs/"):
            continue
        data = blob.download_as_bytes(raw_download=True)
        files[blob.name] = gzip.decompress(data) if blob.content_encoding == "gzip" else data
    return files


def status_models(data: bytes) -> list[dict[str, Any]]:
    return [{k: v for k, v in each.items() if k not in TASK_FIELDS} for each in orjson.loads(data)["models"]]


def test_n_tasks_racing_into_a_bucket_publish_what_one_run_publishes(gcs: Any, warehouse: Path) -> None:
    client = client_for(gcs.url)
    for name in ("one-run", "four-tasks"):
        client.create_bucket(name)
    single = subprocess.run(command(warehouse, "gs://one-run"), env=environment(gcs.url), capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert single.returncode == 0, single.stderr
    # Four tasks at once: three named by --shard, one by the Cloud Run job's variables (its index counts from 0).
    tasks = [
        subprocess.Popen(
            command(warehouse, "gs://four-tasks", "--shard", f"{index}/4"),
            env=environment(gcs.url),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (1, 2, 4)
    ]
    cloud_run = environment(gcs.url, CLOUD_RUN_TASK_INDEX="2", CLOUD_RUN_TASK_COUNT="4")
    tasks.append(subprocess.Popen(command(warehouse, "gs://four-tasks"), env=cloud_run,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))  # fmt: skip
    for task in tasks:
        _, stderr = task.communicate(timeout=300)
        assert task.returncode == 0, stderr
    one, four = bucket_files(gcs.url, "one-run"), bucket_files(gcs.url, "four-tasks")
    assert len(one) > 700 and sorted(one) == sorted(four)
    differing = [path for path in one if one[path] != four[path] and not path.endswith("v1/status.json")]
    assert not differing, differing[:5]
    assert status_models(one["v1/status.json"]) == status_models(four["v1/status.json"])
    # Every task left a run record of its own.
    assert len([blob for blob in client.list_blobs("four-tasks", prefix="_runs/") if blob.name.count("/") == 1]) == 4


def test_shards_into_a_folder_publish_the_same_bytes_and_a_whole_run_over_them_changes_nothing(
    warehouse: Path, tmp_path: Path
) -> None:
    whole = subprocess.run(command(warehouse, str(tmp_path / "whole")), env=environment(), capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    assert whole.returncode == 0, whole.stderr
    sharded = tmp_path / "sharded"
    idle = "0 files: 0 written, 0 patched, 0 unchanged, 0 left to a newer run; 0 bytes sent to"
    summaries = []
    for index in range(1, 8):  # more tasks than units: one of them has none
        done = subprocess.run(command(warehouse, str(sharded), "--shard", f"{index}/7"), env=environment(),
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
        summaries.append(done.stdout)
    assert [f"{idle} {sharded};" in each for each in summaries].count(True) == 1, summaries  # said of its folder
    assert published_bytes(sharded) == published_bytes(tmp_path / "whole")
    again = subprocess.run(command(warehouse, str(sharded)), env=environment(), capture_output=True, text=True,
                           timeout=300)  # fmt: skip
    assert again.returncode == 0 and ": 1 written" in again.stdout, again.stdout  # the status file only


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 6, 7, 13])
def test_each_unit_goes_to_one_task_and_each_model_reads_one_span(count: int) -> None:
    first, last = dt.date(2022, 9, 1), dt.date(2026, 7, 31)  # four seasons, the first one in part
    models = ["champ", "m2", "m3"]
    seasons = seasons_between(first, last)
    taken: list[tuple[str, str]] = []
    sizes = []
    for index in range(1, count + 1):
        spans = shard_spans((index, count), models, first, last)
        units = [(model, season) for model, (start, end) in spans.items() for season in seasons_between(start, end)]
        sizes.append(len(units))
        taken += units
        for start, end in spans.values():
            assert first <= start <= end <= last
    assert sorted(taken) == sorted((model, season) for model in models for season in seasons)
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("text", ["0/2", "3/2", "a/b", "1/0", "2", "", "-1/2", "1/2/3"])
def test_a_bad_shard_is_exit_1_naming_it(warehouse: Path, tmp_path: Path, text: str) -> None:
    with pytest.raises(ExportError, match="is not a shard I/N"):
        parse_shard(text, "--shard")
    done = subprocess.run(command(warehouse, str(tmp_path / "out"), "--shard", text), env=environment(),
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: --shard ") and "is not a shard I/N" in done.stderr, done.stderr
    assert not (tmp_path / "out" / "v1").exists()


@pytest.mark.parametrize(
    ("index", "count"), [("x", "2"), ("2", "2"), ("0", ""), ("", "3"), ("1", "zero"), ("-1", "2"), ("0", "0")]
)
def test_a_garbage_cloud_run_task_is_exit_1(warehouse: Path, tmp_path: Path, index: str, count: str) -> None:
    env = {"CLOUD_RUN_TASK_INDEX": index, "CLOUD_RUN_TASK_COUNT": count}
    with pytest.raises(ExportError, match="CLOUD_RUN_TASK"):
        task_shard(env)
    done = subprocess.run(command(warehouse, str(tmp_path / "out")), env=environment(**env), capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 1 and done.stderr.startswith("Error: CLOUD_RUN_TASK_INDEX"), done.stderr


def test_the_shard_comes_from_the_option_then_the_task_and_one_task_is_a_whole_run() -> None:
    assert Settings.read({}).shard(None) is None
    task = Settings.read({"CLOUD_RUN_TASK_INDEX": "0", "CLOUD_RUN_TASK_COUNT": "3"})
    assert task.shard(None) == (1, 3) and task.shard("3/4") == (3, 4)
    assert Settings.read({"CLOUD_RUN_TASK_INDEX": "0", "CLOUD_RUN_TASK_COUNT": "1"}).shard(None) is None
    assert task.shard("1/1") is None


def test_a_daily_shards_by_model(warehouse: Path, tmp_path: Path) -> None:
    def daily(dest: Path, *extra: str) -> None:
        args = [str(TOOL), "daily", "--date", "2026-03-10", "--all-models", "--warehouse", str(warehouse),
                "--dest", str(dest), "--today", "2026-03-10", "-q", *extra]  # fmt: skip
        done = subprocess.run(args, env=environment(), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr

    daily(tmp_path / "whole")
    for index in (3, 1, 2):  # three models, three tasks: one model each
        daily(tmp_path / "sharded", "--shard", f"{index}/3")
    assert published_bytes(tmp_path / "sharded") == published_bytes(tmp_path / "whole")
