"""What an operator sees when a destination is wrong or misbehaves: a malformed `--dest`, a file where the
folder goes, a lock held by a stuck run, a symbolic link out of the destination, an unreadable file, a download
cut short. Each is one clean error (its exit code and a line naming what is wrong), never a traceback and never a
silent success."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from conftest import WarehouseRows

from picks_export.exporters import OutputError
from picks_export.exporters.engines.duckdb_engine import write_warehouse
from picks_export.exporters.errors import OptionError
from picks_export.exporters.publish import Payload, Publisher, PublishPolicy, Step
from picks_export.exporters.stores import FolderStore, StoreSettings, open_store
from picks_export.exporters.stores.folder import LOCK_FILE

DAY = {
    "date": "2026-01-01",
    "generated_at": "2026-01-01T00:00:00Z",
    "model": "A",
    "signal": None,
    "groups": [{"id": "top", "name": "Top", "record": None, "picks": [{"player": "P", "result": None}]}],
}


def write_day(store, path: str = "v1/picks/2026-01-01.json") -> list:
    """A run's write of one day file through the publisher's transfer."""
    return Publisher(store, PublishPolicy(retry_deadline=5)).transfer.apply(
        [Step(Payload.of(path, "day", DAY), "new", None)]
    )


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`picks-export ARGS` as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "picks_export", *args], capture_output=True, text=True, cwd=cwd, timeout=120
    )


def assert_one_error(ran: subprocess.CompletedProcess[str], code: int, message: str) -> None:
    assert ran.returncode == code, ran.stdout + ran.stderr
    assert ran.stderr.startswith("Error: ") and message in ran.stderr, ran.stderr
    assert ran.stderr.count("\n") == 1 and "Traceback" not in ran.stderr + ran.stdout


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    rows = WarehouseRows()
    rows.game(dt.date(2026, 2, 6))
    rows.graded_pick(dt.date(2026, 2, 6), "Player One", "hit")
    return write_warehouse(tmp_path / "warehouse.duckdb", rows.rows())


# A --dest that is neither a folder nor a bucket URL of a known scheme.

MALFORMED = ["gs:/picks-site", "gs:picks-site", "gs//picks-site", "s3:/picks-site", "s3//picks-site", "ftp:picks"]


@pytest.mark.parametrize("dest", MALFORMED)
def test_a_malformed_bucket_url_is_refused_and_no_folder_is_made(dest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OptionError) as refused:
        open_store(dest)
    assert refused.value.with_names(lambda concept: f"--{concept}") == (
        f"--dest {dest!r} is a malformed bucket URL: give a folder or gs://BUCKET[/PREFIX], s3://BUCKET[/PREFIX] "
        f"(a folder so named: ./{dest})"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dest", ["s4://picks-site", "gcs://picks-site", "file:///tmp/x"])
def test_an_unknown_scheme_is_refused(dest):
    with pytest.raises(OptionError, match=r"dest '.+': unsupported scheme '.+'; give a folder or gs://BUCKET"):
        open_store(dest)


def test_a_folder_whose_name_looks_like_a_url_is_written_as_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = open_store("./gs:picks-site")
    assert isinstance(store, FolderStore) and write_day(store)[0].status == "written"
    assert (tmp_path / "gs:picks-site/v1/picks/2026-01-01.json").is_file()


def test_a_dest_that_is_a_file_or_under_one_is_refused_when_opened(tmp_path):
    file = tmp_path / "public"
    file.write_text("not a folder")
    with pytest.raises(OptionError, match=r"dest '.*public' is not a folder: give a folder"):
        open_store(str(file))
    with pytest.raises(OptionError, match=r"dest '.*public/site' lies under '.*public', which is not a folder"):
        open_store(str(file / "site"))
    assert file.read_text() == "not a folder"
    assert isinstance(open_store(str(tmp_path / "new" / "site")), FolderStore)  # missing: made by the first write
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("dest", "message"),
    [
        ("gs:/picks-site", "--dest 'gs:/picks-site' is a malformed bucket URL"),
        ("s4://picks-site", "--dest 's4://picks-site': unsupported scheme 's4'"),
        ("public.json", "--dest 'public.json' is not a folder"),
    ],
)
def test_the_command_line_refuses_a_bad_dest_with_exit_1_even_on_a_dry_run(dest, message, warehouse, tmp_path):
    (tmp_path / "public.json").write_text("{}")
    for dry_run in ([], ["--dry-run"]):
        ran = cli(
            "daily", "--warehouse", str(warehouse), "--dest", dest, "--today", "2026-02-07", *dry_run, cwd=tmp_path
        )
        assert_one_error(ran, 1, message)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["public.json", "warehouse.duckdb"]


# The folder's lock: a run waits for another, says for whom, and gives up.

HOLDER = """
import fcntl, os, sys, time
descriptor = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o666)
fcntl.flock(descriptor, fcntl.LOCK_EX)
os.ftruncate(descriptor, 0)
os.pwrite(descriptor, f"{os.getpid()} picks-export daily\\n".encode(), 0)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_lock(folder: Path, seconds: float) -> subprocess.Popen[str]:
    """Another run holding the folder's lock for `seconds`, as a run notes itself in the lock file."""
    folder.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder / LOCK_FILE), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def test_a_run_waits_for_the_lock_naming_its_holder_then_writes(tmp_path, caplog):
    holder = hold_lock(tmp_path, 1.0)
    try:
        with caplog.at_level(logging.WARNING):
            started = time.monotonic()
            (result,) = write_day(FolderStore(tmp_path, lock_timeout=30))
        assert result.status == "written" and time.monotonic() - started > 0.5
        (message,) = [record.getMessage() for record in caplog.records]
        assert message == (
            f"waiting for the lock {tmp_path / LOCK_FILE}, held by pid {holder.pid} (picks-export daily) (up to 30 s)"
        )
    finally:
        holder.wait()
    # the lock file now names this process, for whoever waits for it next
    assert (tmp_path / LOCK_FILE).read_text().split()[0] == str(os.getpid())


def test_a_run_gives_up_on_a_stuck_lock_with_one_error_and_writes_nothing(tmp_path):
    holder = hold_lock(tmp_path, 60)
    try:
        started = time.monotonic()
        with pytest.raises(OutputError) as gave_up:
            write_day(open_store(str(tmp_path), StoreSettings(lock_timeout=0.5)))
        assert 0.5 <= time.monotonic() - started < 10
    finally:
        holder.kill()
        holder.wait()
    assert str(gave_up.value) == (
        f"gave up after 0.5 s waiting for the lock {tmp_path / LOCK_FILE}, held by pid {holder.pid} "
        "(picks-export daily): end that run if it is stuck, or try again later"
    )
    assert gave_up.value.exit_code == 6 and not (tmp_path / "v1").exists()


def test_the_lock_waits_ten_minutes_by_default():
    assert StoreSettings().lock_timeout == 600 and FolderStore("x").lock_timeout == 600


# Symbolic links inside the destination never lead a run out of it (the rule `serve` follows).


def test_a_linked_folder_that_leads_out_is_refused_for_writes_reads_and_listings(tmp_path):
    dest, outside = tmp_path / "public", tmp_path / "elsewhere"
    (dest / "v1").mkdir(parents=True)
    outside.mkdir()
    (outside / "2026-01-01.json").write_bytes(orjson.dumps(DAY))
    (dest / "v1" / "picks").symlink_to(outside)
    store = FolderStore(dest)
    (result,) = write_day(store)
    assert result.status == "failed"
    assert result.detail == f"refusing {dest}/v1/picks/2026-01-01.json: a symbolic link leads out of {dest}"
    with pytest.raises(OutputError, match=r"refusing .*/v1/picks: a symbolic link leads out of"):
        store.list("v1/picks/")
    with pytest.raises(OutputError, match="a symbolic link leads out of"):
        store.read("v1/picks/2026-01-01.json")
    assert sorted(path.name for path in outside.iterdir()) == ["2026-01-01.json"]
    assert orjson.loads((outside / "2026-01-01.json").read_bytes()) == DAY


def test_a_linked_file_that_leads_out_is_refused_and_a_link_inside_is_followed(tmp_path):
    dest = tmp_path / "public"
    secret = tmp_path / "secret.json"
    secret.write_text('{"key": "value"}')
    (dest / "v1" / "picks").mkdir(parents=True)
    (dest / "v1" / "picks" / "2026-01-02.json").symlink_to(secret)
    with pytest.raises(OutputError, match=r"refusing .*/v1/picks/2026-01-02.json: a symbolic link leads out of"):
        FolderStore(dest).list("v1/")
    (dest / "v1" / "picks" / "2026-01-02.json").unlink()
    (dest / "v1" / "archive").mkdir()
    (dest / "v1" / "archive" / "day.json").write_bytes(orjson.dumps(DAY))
    (dest / "v1" / "picks" / "2026-01-02.json").symlink_to(dest / "v1" / "archive" / "day.json")
    listed = FolderStore(dest).list("v1/picks/")
    assert list(listed) == ["v1/picks/2026-01-02.json"]


def test_serve_and_the_store_share_one_rule(tmp_path):
    from picks_export.exporters.server.serve import published_file

    dest = tmp_path / "public"
    (dest / "v1").mkdir(parents=True)
    (tmp_path / "out.json").write_text("{}")
    (dest / "v1" / "out.json").symlink_to(tmp_path / "out.json")
    assert published_file(dest.resolve(), "/v1/out.json") is None
    with pytest.raises(OutputError, match="a symbolic link leads out of"):
        FolderStore(dest).read("v1/out.json")


# An unreadable published file.


def test_an_unreadable_file_is_an_output_error_naming_it(tmp_path, monkeypatch):
    dest = tmp_path / "public"
    (dest / "v1" / "picks").mkdir(parents=True)
    file = dest / "v1" / "picks" / "2026-01-01.json"
    file.write_bytes(orjson.dumps(DAY))  # no record: the listing reads it
    file.chmod(0)
    if os.geteuid() == 0:  # root reads any file: the refusal it would get otherwise
        read_bytes = Path.read_bytes

        def refused(path: Path) -> bytes:
            if path == file:
                raise PermissionError(13, "Permission denied", str(path))
            return read_bytes(path)

        monkeypatch.setattr(Path, "read_bytes", refused)
    try:
        with pytest.raises(OutputError, match=rf"^cannot read {file}: Permission denied$"):
            FolderStore(dest).list("v1/picks/")
        with pytest.raises(OutputError, match=rf"^cannot read {file}: Permission denied$"):
            FolderStore(dest).read("v1/picks/2026-01-01.json")
    finally:
        file.chmod(0o644)


# A download that arrives damaged: tried again, then one error naming the object.


@pytest.fixture
def damaging(destination):
    """A bucket of `kind` holding one day file, and its store reached through a proxy that damages downloads."""
    from fakegcs import FaultProxy, client_for
    from stores import S3_ENV

    proxies = []

    def make(kind: str):
        place = destination(kind)
        write_day(place.store())  # then read through the proxy, retrying for 2 s at most
        proxy = FaultProxy(place.server.port)
        proxies.append(proxy)
        if kind == "gcs":
            from picks_export.exporters.stores.gcs import GCSStore

            store = GCSStore(place.bucket, client=client_for(proxy.url))
        else:
            os.environ.update(S3_ENV)
            store = open_store(place.dest, StoreSettings(endpoint_url=proxy.url))
        store.configure(2)
        return store, proxy

    yield make
    for proxy in proxies:
        proxy.close()


@pytest.mark.parametrize("damage", ["short", "flip"])
@pytest.mark.parametrize("kind", ["gcs", "s3"])
def test_a_damaged_download_is_tried_again(kind, damage, damaging):
    store, proxy = damaging(kind)
    proxy.damage, proxy.damage_left = damage, 2
    assert orjson.loads(store.read("v1/picks/2026-01-01.json")) == DAY
    assert proxy.damage_left == 0  # both damaged answers were received, and neither was taken for the file


@pytest.mark.parametrize("damage", ["short", "flip"])
@pytest.mark.parametrize("kind", ["gcs", "s3"])
def test_a_download_damaged_every_time_is_an_output_error_naming_the_object(kind, damage, damaging):
    store, proxy = damaging(kind)
    proxy.damage, proxy.damage_left = damage, 1000
    with pytest.raises(OutputError) as refused:
        store.read("v1/picks/2026-01-01.json")
    assert refused.value.exit_code == 6
    message = str(refused.value)
    assert message.startswith(f"cannot read {store.describe('v1/picks/2026-01-01.json')}")
    if (kind, damage) == ("gcs", "short"):  # the client itself retries a body cut short, for the retry deadline
        assert " (nothing published): gave up retrying: ChunkedEncodingError: " in message
    else:
        assert ": it arrived damaged 3 times (" in message
    assert "\n" not in message and proxy.injected >= 3


def test_a_gzip_that_does_not_decompress_is_damage_too(damaging, monkeypatch):
    """An S3 body whose gzip is broken although no checksum said so (a server that sends none: the proxy cannot
    make this fault, moto checksums every body): a mock of the decompression. GCS bodies are decompressed by
    urllib3, where a broken gzip is the ContentDecodingError of a flipped byte (above)."""
    import gzip
    import zlib

    store, _ = damaging("s3")
    broken = iter([zlib.error("invalid block type"), gzip.BadGzipFile("Not a gzipped file")])

    def decompress(data: bytes) -> bytes:
        raise next(broken, EOFError("Compressed file ended before the end-of-stream marker was reached"))

    monkeypatch.setattr(gzip, "decompress", decompress)
    with pytest.raises(OutputError, match=r"it arrived damaged 3 times \(EOFError: Compressed file ended"):
        store.read("v1/picks/2026-01-01.json")


def test_the_command_line_shows_whom_a_run_waits_for(warehouse, tmp_path):
    """Two real runs: the first stops with its files staged, under the lock; the second waits, naming it."""
    dest, marker = tmp_path / "public", tmp_path / "go"
    args = [sys.executable, "-m", "picks_export", "daily", "--warehouse", str(warehouse), "--dest", str(dest)]
    first = subprocess.Popen(
        [*args, "--today", "2026-02-07"], env={**os.environ, "PICKS_EXPORT_TEST_PAUSE": f"staged:{marker}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not Path(f"{marker}.waiting").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = subprocess.Popen(
            [*args, "--today", "2026-02-08"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        assert second.stderr is not None
        line = second.stderr.readline()
        marker.touch()
        assert first.wait(timeout=60) == 0 and second.wait(timeout=60) == 0
    finally:
        marker.touch()
        first.wait(timeout=60)
    assert (
        line == f"waiting for the lock {dest / LOCK_FILE}, held by pid {first.pid} (picks-export daily) (up to 600 s)\n"
    )


def test_the_command_line_gives_up_on_a_stuck_lock_after_lock_timeout(warehouse, tmp_path):
    """`--lock-timeout` reaches the folder's lock: one `Error:` line naming the holder, exit 6, nothing written."""
    dest = tmp_path / "public"
    dest.mkdir()
    holder = hold_lock(dest, 60)
    try:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "picks_export", "daily", "--warehouse", str(warehouse), "--dest", str(dest),
             "--today", "2026-02-07", "--lock-timeout", "0.5"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 6, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"Error: gave up after 0.5 s waiting for the lock {dest / LOCK_FILE}, held by pid {holder.pid} "
        "(picks-export daily): end that run if it is stuck, or try again later"
    )
    assert not (dest / "v1").exists()
