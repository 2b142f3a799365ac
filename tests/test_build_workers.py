"""Building in parallel: a backfill over several models built by worker processes publishes the very bytes one
process publishes, makes 6 + workers queries, and stops on a bad row with the same one-line error; the manifest
knows each season file from its record or metadata without reading it."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import orjson
import pytest
from conftest import published_bytes, wait_for_workers

from picks_export.cli.settings import build_workers
from picks_export.exporters import demo
from picks_export.exporters import workers as worker_pool
from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
from picks_export.exporters.errors import ExportError
from picks_export.exporters.exporter import Exporter
from picks_export.exporters.options import ExportOptions
from picks_export.exporters.publish import content_hash, season_summary
from picks_export.exporters.stores import FolderStore

TOOL = Path(sys.executable).with_name("picks-export")
TODAY = demo.SCALED_TODAY
EPOCH = "1782864000"


@pytest.fixture(scope="module")
def three_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo season with a third enabled model (and one more group), every day with a late version."""
    path = tmp_path_factory.mktemp("workers") / "warehouse.duckdb"
    return write_warehouse(path, demo.generate_scaled(1, 3, 9, late_rate=1.0))


def backfill(warehouse: Path, dest: Path, workers: int | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    env["SOURCE_DATE_EPOCH"] = EPOCH
    if workers is not None:
        env["PICKS_EXPORT_BUILD_WORKERS"] = str(workers)
    args = [str(TOOL), "backfill", "--start", "2025-08-01", "--end", "2026-07-31", "--all-models",
            "--warehouse", str(warehouse), "--dest", str(dest), "--today", TODAY.isoformat()]  # fmt: skip
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)


def queries(done: subprocess.CompletedProcess[str]) -> int:
    (found,) = re.findall(r"(\d+) warehouse queries", done.stdout + done.stderr)
    return int(found)


def test_one_worker_and_many_publish_the_same_bytes(three_models: Path, tmp_path: Path) -> None:
    results = {}
    for workers in (1, 2, 3, 8):
        done = backfill(three_models, tmp_path / f"w{workers}", workers)
        assert done.returncode == 0, done.stderr
        results[workers] = (published_bytes(tmp_path / f"w{workers}"), queries(done))
    files, _ = results[1]
    assert len([path for path in files if "/seasons/" in path]) >= 3 and len(files) > 500
    for workers, (published, count) in results.items():
        assert published == files, f"{workers} workers published other bytes"
        # six queries in one process; each further worker runs its own shown_picks query (at most one per model)
        assert count == 6 + min(workers, 3), (workers, count)


def test_a_run_over_published_files_from_workers_changes_nothing(three_models: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    assert backfill(three_models, dest, 2).returncode == 0
    before = published_bytes(dest)
    again = backfill(three_models, dest, 1)
    assert again.returncode == 0 and published_bytes(dest) == before
    assert ": 1 written" in again.stdout, again.stdout  # the status file only: a heartbeat naming the run


def test_a_bad_row_of_a_later_model_stops_every_worker_count_alike(three_models: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "bad.duckdb"
    shutil.copy(three_models, warehouse)
    # Bad directions in the second model (m3, after the champion) and the third (phoenix): a run in one process
    # stops at m3's; with two workers, phoenix's worker (the champion's too) fails as well and m3's error wins.
    with duckdb.connect(str(warehouse)) as con:
        for system_id, day in (("sys-m3", "2026-01-15"), ("sys-phoenix-v1", "2025-12-01")):
            con.execute("UPDATE nba_predictions.subset_picks SET direction = 'SIDEWAYS'"
                        " WHERE system_id = ? AND game_date = CAST(? AS DATE)", [system_id, day])  # fmt: skip
    outcomes = set()
    for workers in (1, 2, 3):
        dest = tmp_path / f"w{workers}"
        done = backfill(warehouse, dest, workers)
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("Error: table subset_picks, date 2026-01-15, row (system_id='sys-m3'")
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert not dest.exists() or published_bytes(dest) == {}
        outcomes.add(done.stderr)
    assert len(outcomes) == 1  # the same message whatever the number of workers


def test_the_library_takes_its_build_workers_from_its_options_not_the_environment(
    three_models: Path, tmp_path: Path, monkeypatch
) -> None:
    """ExportOptions.build_workers sets the workers (None: the cores this process may use); the library reads no
    PICKS_EXPORT_BUILD_WORKERS (a value it could not read would fail the run) nor SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("PICKS_EXPORT_BUILD_WORKERS", "not a number")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert ExportOptions().generated_at != "1970-01-01T00:00:00Z"
    published = {}
    for count in (1, 2, None):
        options = ExportOptions(today=TODAY, generated_at="2026-07-01T00:00:00Z", build_workers=count)
        engine = DuckDBEngine(three_models)
        outcome = Exporter(engine, FolderStore(tmp_path / str(count)), options).backfill(
            dt.date(2025, 8, 1), dt.date(2026, 7, 31), all_models=True
        )
        # six queries in one process; each further worker runs its own shown_picks query
        assert outcome.queries == 6 + min(count or worker_pool.available_cores(), 3), (count, outcome.queries)
        published[count] = published_bytes(tmp_path / str(count))
    assert len(published[1]) > 500 and published[2] == published[1] == published[None]


def test_build_workers_setting() -> None:
    assert build_workers({"PICKS_EXPORT_BUILD_WORKERS": "3"}) == 3
    assert build_workers({}) >= 1
    for bad in ("0", "-1", "two", "1.5"):
        with pytest.raises(ExportError, match="PICKS_EXPORT_BUILD_WORKERS"):
            build_workers({"PICKS_EXPORT_BUILD_WORKERS": bad})


class CountingSink(FolderStore):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.reads: list[str] = []

    def read(self, path: str) -> bytes | None:
        self.reads.append(path)
        return super().read(path)


def test_the_manifest_reads_no_season_file_it_has_a_record_of(three_models: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    assert backfill(three_models, dest, None).returncode == 0
    manifest = (dest / "v1" / "manifest.json").read_bytes()
    options = ExportOptions(today=TODAY, generated_at="2026-07-01T00:00:00Z")

    sink = CountingSink(dest)
    Exporter(DuckDBEngine(three_models), sink, options).daily(dt.date(2026, 3, 3), all_models=True)
    assert [path for path in sink.reads if "/seasons/" in path] == []
    # the records carry each season file's summary, the same the manifest would read from the file
    for meta in (dest / ".picks-export" / "meta").rglob("files.meta"):
        for name, record in orjson.loads(meta.read_bytes()).items():
            if "seasons" in meta.parts and name.endswith(".parquet"):
                assert "season" not in record  # a season's table: only its hash
            elif "seasons" in meta.parts and name[0].isdigit():
                folder = meta.parent.relative_to(dest / ".picks-export" / "meta")
                content = orjson.loads((dest / folder / name).read_bytes())
                assert tuple(record["season"]) == season_summary(content)

    # A season file without a record (an older version wrote it) is read once, and the manifest is unchanged.
    shutil.rmtree(dest / ".picks-export" / "meta")
    sink = CountingSink(dest)
    Exporter(DuckDBEngine(three_models), sink, options).daily(dt.date(2026, 3, 3), all_models=True)
    assert orjson.loads((dest / "v1" / "manifest.json").read_bytes())["models"] == orjson.loads(manifest)["models"]


def test_the_hash_from_the_serialized_bytes_is_the_hash_of_the_content(three_models: Path, tmp_path: Path) -> None:
    dest = tmp_path / "public"
    assert backfill(three_models, dest, 1).returncode == 0
    checked = 0
    for path, data in published_bytes(dest).items():
        if path.endswith(".json") and "/schemas/" not in path:
            content = orjson.loads(data)
            assert content_hash(content, orjson.dumps(content)) == content_hash(content), path
            checked += 1
    assert checked > 500
    odd = {"date": 'a"generated_at":"x",', "generated_at": "2026-01-01T00:00:00Z", "groups": []}
    assert content_hash(odd, orjson.dumps(odd)) == content_hash(odd)
    last = {"model": "m", "generated_at": "2026-01-01T00:00:00Z"}
    assert content_hash(last, orjson.dumps(last)) == content_hash(last)
    # bytes that are not the content's serialization are not trusted
    assert content_hash(odd, b"{}") == content_hash(odd)


def test_a_signal_while_workers_build_leaves_nothing_behind(three_models: Path, tmp_path: Path) -> None:
    """SIGTERM to the run while its workers build: one Error line, exit 143, no worker left running, no scratch
    folder left in the temporary folder, nothing published."""
    scratch, dest = tmp_path / "tmp", tmp_path / "public"
    scratch.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PICKS_EXPORT_")}
    hold = tmp_path / "never"  # the workers stop once their first file is built, until the signal comes
    env.update(
        {
            "SOURCE_DATE_EPOCH": EPOCH,
            "PICKS_EXPORT_BUILD_WORKERS": "2",
            "TMPDIR": str(scratch),
            "PICKS_EXPORT_TEST_PAUSE": f"building:{hold}",
        }
    )
    args = [str(TOOL), "backfill", "--start", "2025-08-01", "--end", "2026-07-31", "--all-models",
            "--warehouse", str(three_models), "--dest", str(dest), "--today", TODAY.isoformat()]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    wait_for_workers(process, hold, scratch)
    workers = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent_of(int(pid)) == process.pid]
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    lines = stderr.decode().splitlines()
    assert process.returncode == 143 and lines[-1] == "Error: interrupted", stderr.decode()
    assert sum(line.startswith("Error:") for line in lines) == 1 and b"Traceback" not in stderr
    assert list(scratch.glob("picks-export-worker-*")) == []
    assert not dest.exists() or published_bytes(dest) == {}
    assert workers and not any(Path(f"/proc/{pid}").exists() and _parent_of(pid) == process.pid for pid in workers)


def _parent_of(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_on_a_bucket_the_manifest_reads_no_season_object(gcs, tmp_path: Path) -> None:
    """Season objects carry their summary in their metadata: a daily run over a bucket holding the history
    downloads no season object to write the manifest (only the manifest itself, whose other entries it keeps)."""
    from fakegcs import client_for
    from google.cloud import storage

    from picks_export.exporters.publish import META_SEASON
    from picks_export.exporters.stores.gcs import GCSStore

    name = "picks-season-summaries"
    client_for(gcs.url).create_bucket(name)
    today = dt.date(2025, 11, 5)
    warehouse = write_warehouse(tmp_path / "w.duckdb", demo.generate_demo(today, 7))
    options = ExportOptions(today=today, generated_at="2026-01-01T00:00:00Z")

    class Counting(GCSStore):
        reads: list[str] = []

        def read(self, path: str) -> bytes | None:
            self.reads.append(path)
            return super().read(path)

    Exporter(DuckDBEngine(warehouse), GCSStore(name, client=client_for(gcs.url)), options).backfill(
        dt.date(2025, 10, 21), today, all_models=True
    )
    listed: list[storage.Blob] = [blob for blob in client_for(gcs.url).list_blobs(name) if "/seasons/" in blob.name]
    seasons = [blob for blob in listed if blob.name.endswith(".json")]
    assert len(seasons) == 2  # the champion's and the other model's 2025-26
    assert len(listed) == 4 and all(META_SEASON not in blob.metadata for blob in listed if blob not in seasons)
    for blob in seasons:
        content = orjson.loads(blob.download_as_bytes())
        assert tuple(orjson.loads(blob.metadata[META_SEASON])) == season_summary(content)

    sink = Counting(name, client=client_for(gcs.url))
    Exporter(DuckDBEngine(warehouse), sink, options).daily(today, all_models=True)
    # The files it updates and the indexes it wrote (the days of the manifest and status): no season or day object.
    assert sink.reads and set(sink.reads) == {
        "v1/manifest.json",
        "v1/status.json",
        "v1/picks/index.json",
        "v1/models/phoenix/picks/index.json",
    }


def test_progress_while_workers_build_counts_up_to_the_files_built(
    three_models: Path, tmp_path: Path, monkeypatch
) -> None:
    """The parent shows the workers' progress while it waits: files built so far against an expected total, ending
    on the exact count (not one report at the end)."""
    monkeypatch.setattr(worker_pool, "PROGRESS_EVERY", 0.005)  # many looks while the workers build
    seen: list[tuple[int, int | None]] = []
    options = ExportOptions(today=TODAY, generated_at="2026-07-01T00:00:00Z", build_workers=2)
    exporter = Exporter(DuckDBEngine(three_models), FolderStore(tmp_path / "public"), options)
    outcome = exporter.backfill(
        dt.date(2025, 8, 1), dt.date(2026, 7, 31), lambda built, total: seen.append((built, total)), all_models=True
    )
    files = sum(1 for result in outcome.report.results if "/picks/20" in result.path or "/subsets/" in result.path)
    assert seen[-1] == (files, files)
    during = [(built, total) for built, total in seen[:-1] if total]
    assert len(during) >= 2 and any(0 < built < files for built, _ in during)  # reported while the workers build
    assert [built for built, _ in seen] == sorted(built for built, _ in seen)  # it only counts up
    assert all(total >= files * 0.5 for _, total in during)  # an estimate of the same size from the first model on
