"""Verify, never trust: spooled bytes, saved copies, and rollbacks that stop part-way and are run again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from conftest import published_bytes
from fakegcs import FaultProxy
from typer.testing import CliRunner

from picks_export.cli import app
from picks_export.exporters import publish as publish_module
from picks_export.exporters.publish import Payload, Spool, SpoolError
from picks_export.exporters.stores import FolderStore
from picks_export.exporters.stores.base import Outcome
from picks_export.exporters.transfer import Transfer

runner = CliRunner()
TODAY = "2026-02-07"
ENV = {"SOURCE_DATE_EPOCH": "1770478200", "PICKS_EXPORT_TODAY": TODAY}


def invoke(*args: str):
    return runner.invoke(app, list(args), env=ENV)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path]:
    """The demo warehouse, and one with other predictions (another seed): picks change, days shrink."""
    folder = tmp_path_factory.mktemp("warehouses")
    good, bad = folder / "good.duckdb", folder / "bad.duckdb"
    assert invoke("demo", "--warehouse", str(good), "--today", TODAY).exit_code == 0
    assert invoke("demo", "--warehouse", str(bad), "--today", TODAY, "--seed", "8").exit_code == 0
    return good, bad


def backfill(warehouse: Path, dest: Path):
    return invoke("backfill", "--start", "2026-02-01", "--end", TODAY, "--warehouse", str(warehouse),
                  "--dest", str(dest), "--allow-shrink")  # fmt: skip


def newest_run(dest: Path) -> str:
    return sorted(path.stem for path in (dest / "_runs").glob("*.json"))[-1]


# -- the spool ----------------------------------------------------------------------------------------------------


def test_a_spool_write_that_writes_nothing_is_a_clean_error_before_anything_is_published(
    tmp_path, warehouses, monkeypatch
):
    monkeypatch.setattr(publish_module.os, "pwrite", lambda fd, data, offset: 0)
    dest = tmp_path / "public"
    result = backfill(warehouses[0], dest)
    assert result.exit_code == 6, result.output
    assert "Error: cannot spool a file in the temporary folder" in result.output
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert not (dest / "v1").exists()


def test_a_full_spool_is_a_clean_error(tmp_path, warehouses, monkeypatch):
    def full(fd: int, data: bytes, offset: int) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publish_module.os, "pwrite", full)
    result = backfill(warehouses[0], tmp_path / "public")
    assert result.exit_code == 6 and "No space left on device" in result.output
    assert not (tmp_path / "public" / "v1").exists()


def test_short_spool_writes_are_completed(monkeypatch):
    real = os.pwrite
    monkeypatch.setattr(publish_module.os, "pwrite", lambda fd, data, offset: real(fd, bytes(data[:3]), offset))
    spool = Spool()
    payload = Payload.of("v1/picks/2026-02-07.json", "day", {"date": "2026-02-07", "groups": []}, spool)
    assert orjson.loads(payload.data) == {"date": "2026-02-07", "groups": []}
    spool.close()


def test_spooled_bytes_that_changed_are_never_sent():
    spool = Spool()
    payload = Payload.of("v1/picks/2026-02-07.json", "day", {"date": "2026-02-07", "groups": []}, spool)
    os.pwrite(spool._file.fileno(), b"X", payload.offset + 2)  # the temporary file damaged under the run
    with pytest.raises(SpoolError, match="no longer match the document's hash"):
        _ = payload.data
    spool.close()


# -- rollback: saved copies checked before anything changes ---------------------------------------------------------


@pytest.fixture
def changed_site(tmp_path, warehouses) -> tuple[Path, str, dict[str, bytes], dict[str, object]]:
    """A site published from the good warehouse, then changed by a run from the other one (returned: the folder,
    that run's id, its bytes after the change, its record)."""
    dest = tmp_path / "public"
    assert backfill(warehouses[0], dest).exit_code == 0
    assert backfill(warehouses[1], dest).exit_code == 0
    run = newest_run(dest)
    return dest, run, published_bytes(dest), orjson.loads((dest / "_runs" / f"{run}.json").read_bytes())


def test_a_truncated_saved_copy_is_refused_and_nothing_changes(changed_site):
    dest, run, before, record = changed_site
    saved = dest / f"_runs/{run}/v1/picks/{TODAY}.json"
    saved.write_bytes(saved.read_bytes()[:100])
    result = invoke("rollback", run, "--dest", str(dest))
    assert result.exit_code == 6, result.output
    assert "does not hold what run's record says it replaced" in result.output
    assert published_bytes(dest) == before


def test_a_record_whose_saved_copy_names_another_file_is_refused(changed_site):
    dest, run, before, record = changed_site
    entries = {entry["path"]: entry for entry in record["files"]}
    other = entries["v1/picks/2026-02-06.json"]["previous"]["saved"]
    entries[f"v1/picks/{TODAY}.json"]["previous"]["saved"] = other
    (dest / "_runs" / f"{run}.json").write_bytes(orjson.dumps(record))
    result = invoke("rollback", run, "--dest", str(dest))
    assert result.exit_code == 6 and "does not hold what run's record says it replaced" in result.output
    assert published_bytes(dest) == before


# -- rollback: resumable, readers consistent ------------------------------------------------------------------------


def index_lists_only_present_files(dest: Path) -> None:
    for index in (dest / "v1").rglob("index.json"):
        listed = orjson.loads(index.read_bytes())["dates"]
        for entry in listed:
            assert (index.parent / f"{entry['date']}.json").is_file(), f"{index} lists {entry['date']}, gone"


def test_a_rollback_interrupted_before_its_deletes_leaves_consistent_indexes_and_finishes_when_run_again(
    tmp_path, warehouses, monkeypatch
):
    dest = tmp_path / "public"
    assert invoke("backfill", "--start", "2026-02-01", "--end", "2026-02-04", "--warehouse", str(warehouses[0]),
                  "--dest", str(dest)).exit_code == 0  # fmt: skip
    first = published_bytes(dest)
    assert backfill(warehouses[0], dest).exit_code == 0  # creates 02-05 .. 02-07
    run = newest_run(dest)

    def killed(self, steps):
        index_lists_only_present_files(dest)  # the indexes were rewritten without the files about to go
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Transfer, "delete", killed)
        interrupted = invoke("rollback", run, "--dest", str(dest))
    assert interrupted.exit_code == 130, interrupted.output
    index_lists_only_present_files(dest)
    assert (dest / f"v1/picks/{TODAY}.json").is_file()  # not deleted yet
    again = invoke("rollback", run, "--dest", str(dest))
    assert again.exit_code == 0, again.output
    index_lists_only_present_files(dest)
    after = published_bytes(dest)
    assert {path for path in after if "/picks/2" in path} == {path for path in first if "/picks/2" in path}
    for path, data in first.items():
        if "/picks/2" in path or "/subsets/" in path:
            assert after[path] == data, path


def test_a_delete_whose_answer_was_lost_but_which_landed_counts_as_done_and_is_recorded(
    tmp_path, warehouses, monkeypatch
):
    dest = tmp_path / "public"
    assert invoke("backfill", "--start", "2026-02-01", "--end", "2026-02-04", "--warehouse", str(warehouses[0]),
                  "--dest", str(dest)).exit_code == 0  # fmt: skip
    assert backfill(warehouses[0], dest).exit_code == 0
    run = newest_run(dest)
    real = FolderStore.delete

    def answer_lost(self, deletes):
        real(self, deletes)  # the deletes land ...
        return [Outcome("conflict") for _ in deletes]  # ... their answers say otherwise

    monkeypatch.setattr(FolderStore, "delete", answer_lost)
    result = invoke("rollback", run, "--dest", str(dest))
    assert result.exit_code == 0, result.output
    index_lists_only_present_files(dest)
    record = orjson.loads((dest / "_runs" / f"{newest_run(dest)}.json").read_bytes())
    deleted = {entry["path"] for entry in record["files"] if entry["action"] == "deleted"}
    assert f"v1/picks/{TODAY}.json" in deleted
    saved = {entry["path"]: entry["previous"]["saved"] for entry in record["files"] if entry["action"] == "deleted"}
    assert (dest / saved[f"v1/picks/{TODAY}.json"]).is_file()


def test_on_a_bucket_deletes_whose_answers_are_lost_count_as_done_and_the_rollback_ends_clean(destination, warehouses):
    bucket = destination("gcs", prefix="site")
    dest, env = bucket.dest, bucket.env()
    assert runner.invoke(app, ["backfill", "--start", "2026-02-01", "--end", "2026-02-04", "--warehouse",
                               str(warehouses[0]), "--dest", dest], env={**ENV, **env}).exit_code == 0  # fmt: skip
    first = {path: each.data for path, each in bucket.published().items() if path != "v1/status.json"}
    assert runner.invoke(app, ["backfill", "--start", "2026-02-01", "--end", TODAY, "--warehouse", str(warehouses[0]),
                               "--dest", dest], env={**ENV, **env}).exit_code == 0  # fmt: skip
    run = sorted(name for name in bucket.objects("_runs/") if name.count("/") == 1)[-1].split("/")[1][: -len(".json")]
    proxy = FaultProxy(bucket.server.port)
    proxy.lose_answers = {"DELETE"}
    try:
        result = runner.invoke(
            app,
            ["rollback", run, "--dest", dest, "--retry-deadline", "20"],
            env={**ENV, "STORAGE_EMULATOR_HOST": proxy.url},
        )
    finally:
        proxy.close()
    assert result.exit_code == 0, result.output
    assert any(each.method == "DELETE" for each in proxy.log)
    after = {path: each.data for path, each in bucket.published().items() if path != "v1/status.json"}
    assert after == first
    rollback_run = sorted(name for name in bucket.objects("_runs/") if name.count("/") == 1)[-1]
    record = orjson.loads(bucket.objects()[rollback_run].data)
    deleted = {entry["path"] for entry in record["files"] if entry["action"] == "deleted"}
    assert f"v1/picks/{TODAY}.json" in deleted and "v1/picks/2026-02-05.json" in deleted


KILLED_AT_THE_DELETES = """
import os, signal, sys
from picks_export.exporters.transfer import Transfer
def killed(self, steps):
    os.kill(os.getpid(), signal.SIGKILL)
Transfer.delete = killed
from picks_export.cli import main
sys.argv = ["picks-export", *sys.argv[1:]]
main()
"""


def test_a_rollback_killed_with_sigkill_before_its_deletes_finishes_when_run_again(tmp_path, warehouses):
    dest = tmp_path / "public"
    assert invoke("backfill", "--start", "2026-02-01", "--end", "2026-02-04", "--warehouse", str(warehouses[0]),
                  "--dest", str(dest)).exit_code == 0  # fmt: skip
    first = published_bytes(dest)
    assert backfill(warehouses[1], dest).exit_code == 0  # replaces 02-01 .. 02-04, creates 02-05 .. 02-07
    run = newest_run(dest)
    env = {**os.environ, **ENV}
    killed = subprocess.run([sys.executable, "-c", KILLED_AT_THE_DELETES, "rollback", run, "--dest", str(dest)],
                            env=env, capture_output=True)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    index_lists_only_present_files(dest)
    assert newest_run(dest) == run  # killed before its record
    assert published_bytes(dest)["v1/picks/2026-02-01.json"] == first["v1/picks/2026-02-01.json"]  # put back
    again = invoke("rollback", run, "--dest", str(dest))
    assert again.exit_code == 0, again.output
    index_lists_only_present_files(dest)
    after = published_bytes(dest)
    assert {path for path in after if "/picks/2" in path} == {path for path in first if "/picks/2" in path}
    for path, data in first.items():
        if "/picks/2" in path or "/subsets/" in path:
            assert after[path] == data, path
    assert invoke("validate", str(dest)).exit_code == 0


@pytest.mark.parametrize("damage", ["truncated", "empty", "invalid", "missing"])
def test_a_manifest_and_status_file_that_cannot_be_read_are_rebuilt_with_every_model_of_the_prefix(
    tmp_path, warehouses, damage
):
    dest = tmp_path / "public"
    assert invoke("backfill", "--start", "2026-02-01", "--end", TODAY, "--warehouse", str(warehouses[0]),
                  "--dest", str(dest), "--all-models").exit_code == 0  # fmt: skip
    manifest = orjson.loads((dest / "v1/manifest.json").read_bytes())
    codes = sorted(entry["code"] for entry in manifest["models"])
    assert len(codes) == 2
    for name in ("manifest.json", "status.json"):
        target = dest / "v1" / name
        if damage == "truncated":
            target.write_bytes(target.read_bytes()[:50])
        elif damage == "empty":
            target.write_bytes(b"")
        elif damage == "missing":  # deleted by hand or by a lifecycle rule
            target.unlink()
        else:
            target.write_bytes(b'{"models": "not a list"}')
    result = invoke("daily", "--date", TODAY, "--warehouse", str(warehouses[0]), "--dest", str(dest))
    assert result.exit_code == 0, result.output
    rebuilt = orjson.loads((dest / "v1/manifest.json").read_bytes())
    assert sorted(entry["code"] for entry in rebuilt["models"]) == codes
    other = next(entry for entry in manifest["models"] if not entry["default"])
    again = next(entry for entry in rebuilt["models"] if entry["code"] == other["code"])
    assert {key: value for key, value in again.items() if key != "name"} == {
        key: value for key, value in other.items() if key != "name"
    }
    status = orjson.loads((dest / "v1/status.json").read_bytes())
    assert sorted(entry["code"] for entry in status["models"]) == codes
    assert invoke("validate", str(dest)).exit_code == 0
