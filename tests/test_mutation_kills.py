"""Tests that kill mutants a mutation run of the library (scripts/mutation.sh) found alive: each asserts something a
plausible wrong implementation gets wrong. The folder store's deletions, private files and lock holder, the stores'
download retries and the destination's messages; called in this process, so that a mutation run sees them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import orjson
import pytest

from picks_export.exporters.errors import OptionError, OutputError
from picks_export.exporters.publish import Payload, Publisher, PublishPolicy, Step
from picks_export.exporters.stores import FolderStore, open_store
from picks_export.exporters.stores import base as store_base
from picks_export.exporters.stores import folder as folder_module
from picks_export.exporters.stores.base import Delete, Outcome

DAY_PATH = "v1/picks/2026-01-01.json"
DAY = {"date": "2026-01-01", "generated_at": "2026-01-01T00:00:00Z", "groups": [{"picks": [{"result": None}]}]}


def published(folder: Path, path: str = DAY_PATH, content: dict = DAY) -> tuple[FolderStore, object]:
    """A folder with one file written by a run, and what a listing then says of it."""
    store = FolderStore(folder)
    transfer = Publisher(store, PublishPolicy(retry_deadline=5)).transfer
    (result,) = transfer.apply([Step(Payload.of(path, "day", content), "new", None)])
    assert result.status == "written"
    return store, transfer.listing(path)[path]


def records(folder: Path, under: str = "v1/picks") -> dict:
    return orjson.loads((folder / ".picks-export" / "meta" / under / "files.meta").read_bytes())


# The folder store's deletions.


def test_a_folder_deletion_keeps_the_bytes_forgets_the_record_and_a_second_one_finds_it_gone(tmp_path):
    store, info = published(tmp_path)
    assert "2026-01-01.json" in records(tmp_path)
    keep = "_runs/r/v1/picks/2026-01-01.json"
    assert store.delete([Delete(DAY_PATH, info, keep)]) == [Outcome("done", saved=keep)]
    assert not (tmp_path / DAY_PATH).exists() and orjson.loads((tmp_path / keep).read_bytes()) == DAY
    assert "2026-01-01.json" not in records(tmp_path)  # saved under the lock with the deletion
    assert FolderStore(tmp_path).list("v1/picks/") == {}
    assert store.delete([Delete(DAY_PATH, info, keep)]) == [Outcome("gone")]


def test_a_folder_deletion_without_a_copy_and_several_at_once(tmp_path):
    store, first = published(tmp_path)
    _, second = published(tmp_path, "v1/picks/2026-01-02.json", {**DAY, "date": "2026-01-02"})
    outcomes = store.delete([Delete(DAY_PATH, first), Delete("v1/picks/2026-01-02.json", second)])
    assert outcomes == [Outcome("done"), Outcome("done")] and not (tmp_path / "_runs").exists()
    assert records(tmp_path) == {}


def test_a_folder_deletion_of_a_file_not_as_listed_is_a_conflict_and_leaves_it(tmp_path):
    store, info = published(tmp_path)
    assert store.delete([Delete(DAY_PATH, None, "_runs/r/x.json")]) == [Outcome("conflict")]
    other = FolderStore(tmp_path)
    published(tmp_path, DAY_PATH, {**DAY, "signal": "changed"})
    assert other.delete([Delete(DAY_PATH, info, "_runs/r/x.json")]) == [Outcome("conflict")]
    assert orjson.loads((tmp_path / DAY_PATH).read_bytes())["signal"] == "changed"
    assert not (tmp_path / "_runs/r/x.json").exists() and "2026-01-01.json" in records(tmp_path)


def test_a_folder_deletion_through_a_link_out_fails_that_file_only(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    store, info = published(tmp_path / "dest")
    (tmp_path / "dest" / "v1" / "out").symlink_to(outside)
    first, second = store.delete([Delete("v1/out/x.json", info), Delete(DAY_PATH, info)])
    assert first.state == "failed" and "a symbolic link leads out of" in first.detail and second.state == "done"


def test_a_folder_deletion_that_cannot_take_the_lock_fails_every_file_naming_the_folder(tmp_path, monkeypatch):
    store, info = published(tmp_path)

    def no_lock(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(folder_module, "_lock", no_lock)
    failed = Outcome("failed", detail=f"cannot delete from {tmp_path}: Permission denied")
    assert store.delete([Delete(DAY_PATH, info), Delete("v1/picks/x.json", info)]) == [failed, failed]
    assert (tmp_path / DAY_PATH).exists()


# The folder store's other duties.


def test_a_folder_describes_paths_lists_names_and_writes_private_files_readable_like_the_others(tmp_path):
    store = FolderStore(tmp_path)
    assert store.describe("v1/a.json") == str(tmp_path / "v1/a.json")
    assert store.names("_runs/") == [] and store.read_version(DAY_PATH, 1) is None
    store.write_private("_runs/b.json", b"{}")
    store.write_private("_runs/a.json", b"[]")
    (tmp_path / "_runs" / "sub").mkdir()
    assert store.names("_runs/") == ["a.json", "b.json"] and (tmp_path / "_runs/a.json").read_bytes() == b"[]"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "_runs/a.json").stat().st_mode) == 0o666 & ~umask
    store.write_private("_runs/a.json", b"[1]")
    assert (tmp_path / "_runs/a.json").read_bytes() == b"[1]"


@pytest.mark.parametrize(
    ("noted", "holder"),
    [
        (b"123 picks-export daily\n", "pid 123 (picks-export daily)"),
        (b"123\n", "pid 123 (unknown command)"),
        (b"", "another process"),
        (b"x12 picks-export\n", "another process"),
        (b"7 picks-\xff\n", "pid 7 (picks-\ufffd)"),  # not UTF-8: replaced, never an error
        (b"1 " + b"x" * 250, "pid 1 (" + "x" * 198 + ")"),  # the first 200 bytes only
    ],
)
def test_the_lock_holder_is_named_as_it_noted_itself(tmp_path, noted, holder):
    file = tmp_path / "lock"
    file.write_bytes(noted)
    descriptor = os.open(file, os.O_RDONLY)
    try:
        assert folder_module._holder(descriptor) == holder
    finally:
        os.close(descriptor)
    assert folder_module._holder(-1) == "another process"  # unreadable


def test_a_process_is_alive_until_it_has_ended(monkeypatch):
    assert folder_module._alive(os.getpid())
    ended = os.fork()
    if ended == 0:
        os._exit(0)
    os.waitpid(ended, 0)
    assert not folder_module._alive(ended)

    def not_ours(pid, signal):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(folder_module.os, "kill", not_ours)
    assert folder_module._alive(1)


# What every store shares.


def test_a_damaged_download_is_tried_three_times_pausing_longer_each_time(monkeypatch):
    pauses: list[float] = []
    monkeypatch.setattr(store_base.time, "sleep", pauses.append)
    answers = iter([ValueError("cut"), ValueError("cut"), b"whole"])

    def download() -> bytes:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert store_base.download_whole(download, (ValueError,), "gs://b/x", str) == b"whole" and pauses == [0.1, 0.2]
    pauses.clear()

    def damaged() -> bytes:
        raise ValueError("short body")

    with pytest.raises(OutputError) as raised:
        store_base.download_whole(damaged, (ValueError,), "gs://b/x", lambda error: f"<{error}>")
    assert str(raised.value) == "cannot read gs://b/x: it arrived damaged 3 times (<short body>)" and pauses == [
        0.1,
        0.2,
    ]
    with pytest.raises(KeyError):  # anything but damage is not retried
        store_base.download_whole(lambda: {}["x"], (ValueError,), "gs://b/x", str)


@pytest.mark.parametrize("dest", ["gs:/a{b}", "gs:{x}y"])
def test_a_malformed_url_with_braces_is_quoted_as_given(dest):
    with pytest.raises(OptionError) as raised:
        open_store(dest)
    assert f"dest {dest!r} is a malformed bucket URL" in str(raised.value) and f"./{dest})" in str(raised.value)


def test_a_folder_listing_names_each_published_file_with_its_size_and_nothing_else(tmp_path):
    store, _ = published(tmp_path)
    picks = tmp_path / "v1" / "picks"
    for name in (".hidden.json", "notes.txt", "a.json.tmp"):
        (picks / name).write_text("{}")
    (tmp_path / "v1" / "alias").symlink_to(picks)  # a link to a folder inside: not walked, like rglob
    for name in ("2026-01-02.json", "2026-01-03.json", "2026-01-04.json"):
        (picks / name).write_text("{}")
    listed = FolderStore(tmp_path).list("v1/")
    assert sorted(listed) == [f"v1/picks/2026-01-0{n}.json" for n in range(1, 5)]
    info = listed[DAY_PATH]
    assert (info.path, info.size) == (DAY_PATH, (tmp_path / DAY_PATH).stat().st_size)
    assert FolderStore(tmp_path).list("v1/picks/notes.txt") == {} and FolderStore(tmp_path).list("v2/") == {}
    assert list(FolderStore(tmp_path).list(DAY_PATH)) == [DAY_PATH]
    assert store.names("v1/picks/") == [".hidden.json", "2026-01-01.json", "2026-01-02.json", "2026-01-03.json", "2026-01-04.json",
                                         "a.json.tmp", "notes.txt"]  # fmt: skip


def test_a_file_written_by_hand_is_deleted_like_any_other(tmp_path):
    published(tmp_path)
    (tmp_path / "v1/picks/2026-01-05.json").write_bytes(orjson.dumps(DAY))
    store = FolderStore(tmp_path)
    info = FolderStore(tmp_path).list("v1/picks/2026-01-05.json")["v1/picks/2026-01-05.json"]  # from its bytes
    assert store.delete([Delete("v1/picks/2026-01-05.json", info)]) == [Outcome("done")]
    assert "2026-01-05.json" not in records(tmp_path) and "2026-01-01.json" in records(tmp_path)


def test_deletions_done_before_the_records_could_be_saved_are_reported_done(tmp_path, monkeypatch):
    store, first = published(tmp_path)
    _, second = published(tmp_path, "v1/picks/2026-01-02.json", {**DAY, "date": "2026-01-02"})

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folder_module._Records, "save", full)
    assert store.delete([Delete(DAY_PATH, first), Delete("v1/picks/2026-01-02.json", second)]) == [Outcome("done")] * 2


@pytest.mark.parametrize("count", [7, 8, 12])
def test_a_batch_of_eight_files_or_more_is_staged_by_four_threads(tmp_path, count):
    import threading
    import time

    from picks_export.exporters.stores.base import Headers, Write

    threads: list[str] = []

    def body(number: int):
        def made() -> bytes:
            threads.append(threading.current_thread().name)
            time.sleep(0.02)
            return orjson.dumps({"n": number})

        return made

    writes = [Write(f"v1/picks/2026-01-{n + 10}.json", body(n), Headers(), {}, None) for n in range(count)]
    assert [each.state for each in FolderStore(tmp_path).write(writes)] == ["done"] * count
    assert [orjson.loads((tmp_path / each.path).read_bytes()) for each in writes] == [{"n": n} for n in range(count)]
    if count < 8:
        assert set(threads) == {threading.current_thread().name}
    else:
        assert all(name.startswith("picks-export-write_") for name in threads) and 1 < len(set(threads)) <= 4


def test_files_a_listing_read_are_recorded_with_the_next_change_unless_replaced_or_gone(tmp_path):
    store, _ = published(tmp_path)
    for day in ("02", "03", "04"):
        (tmp_path / f"v1/picks/2026-01-{day}.json").write_bytes(orjson.dumps({**DAY, "date": f"2026-01-{day}"}))
    assert len(store.list("v1/picks/")) == 4  # three read from their bytes
    (tmp_path / "v1/picks/2026-01-02.json").unlink()  # gone since
    (tmp_path / "v1/picks/2026-01-03.json").write_bytes(orjson.dumps(DAY) + b" ")  # replaced since
    published(tmp_path, "v1/picks/2026-01-09.json")
    store.write_private("_runs/x.json", b"{}")  # a private file is no change of the published ones
    assert sorted(records(tmp_path)) == ["2026-01-01.json", "2026-01-09.json"]
    transfer = Publisher(store, PublishPolicy(retry_deadline=5)).transfer
    (result,) = transfer.apply([Step(Payload.of("v1/picks/2026-01-08.json", "day", DAY), "new", None)])
    assert result.status == "written" and sorted(records(tmp_path)) == [
        "2026-01-01.json", "2026-01-04.json", "2026-01-08.json", "2026-01-09.json",
    ]  # fmt: skip


def test_records_that_are_not_a_mapping_are_ignored_and_the_files_read(tmp_path):
    published(tmp_path)
    (tmp_path / ".picks-export/meta/v1/picks/files.meta").write_bytes(b"[1, 2]")
    info = FolderStore(tmp_path).list("v1/picks/")[DAY_PATH]
    assert info.metadata["content-sha256"] == Payload.of(DAY_PATH, "day", DAY).content_hash


def test_a_folder_write_answers_each_files_path_size_and_copy_and_names_the_cause_of_a_failure(tmp_path, monkeypatch):
    from picks_export.exporters.stores.base import Headers, Write

    store = FolderStore(tmp_path)
    (done,) = store.write([Write(DAY_PATH, lambda: b"[1]", Headers(), {}, None, keep_as="_runs/r/x.json")])
    assert done == Outcome("done", done.info, None) and (done.info.path, done.info.size) == (DAY_PATH, 3)

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(folder_module.os, "replace", full)
    (failed,) = store.write([Write("v1/picks/2026-01-02.json", lambda: b"[]", Headers(), {}, None)])
    assert failed == Outcome("failed", detail=f"cannot write to {tmp_path}: No space left on device")
    assert [path.name for path in (tmp_path / "v1/picks").iterdir()] == ["2026-01-01.json"]  # no staged file left


def test_a_run_waits_for_a_held_lock_pausing_longer_each_time_then_gives_up_naming_the_holder(
    tmp_path, monkeypatch, caplog
):
    import fcntl
    import logging

    from picks_export.exporters.stores.base import Headers, Write

    clock, pauses = [100.0], []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        clock[0] += seconds

    monkeypatch.setattr(folder_module.time, "sleep", sleep)
    monkeypatch.setattr(folder_module.time, "monotonic", lambda: clock[0])
    tmp_path.joinpath(".picks-export.lock").write_bytes(b"4321 picks-export daily\n")
    holder = os.open(tmp_path / ".picks-export.lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # another open file: the store's flock waits for it, as for another process
    try:
        store = FolderStore(tmp_path, lock_timeout=2.0)
        with caplog.at_level(logging.WARNING), pytest.raises(OutputError) as raised:
            store.write([Write(DAY_PATH, lambda: b"[]", Headers(), {}, None)])
    finally:
        os.close(holder)
    assert pauses == pytest.approx([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5, 0.37])
    assert str(raised.value) == (
        f"gave up after 2 s waiting for the lock {tmp_path / '.picks-export.lock'}, held by pid 4321 (picks-export "
        "daily): end that run if it is stuck, or try again later"
    )
    (record,) = [each for each in caplog.records if "waiting for the lock" in each.getMessage()]
    assert record.name == "picks_export.exporters.stores.folder"
    assert record.getMessage().endswith("held by pid 4321 (picks-export daily) (up to 2 s)")
    store.write([Write(DAY_PATH, lambda: b"[]", Headers(), {}, None)])  # free now: it notes itself as the holder
    noted = (tmp_path / ".picks-export.lock").read_text()
    assert noted.startswith(f"{os.getpid()} ") and noted.endswith("\n") and noted.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/usr/bin/picks-export", "daily", "--dest", "x"], "picks-export daily"),
        (["/usr/lib/python3/picks_export/__main__.py", "rollback", "run"], "picks-export rollback"),
        (["picks_export", "--dest"], "picks-export"),  # options are never shown
        (["picks-export", "daily-x"], "picks-export"),
        ([], "python"),
        ([""], "python"),
    ],
)
def test_the_lock_holder_notes_its_program_and_subcommand_only(monkeypatch, argv, command):
    monkeypatch.setattr(folder_module.sys, "argv", argv)
    assert folder_module._command() == command


# The rules' record book: ranges that do not start at the book's first pick.


def test_the_over_under_split_of_a_later_range_leaves_out_the_picks_before_it():
    import datetime as dt

    from picks_export.exporters.rules import Record, RecordBook

    day = dt.date(2025, 3, 1)
    book = RecordBook(
        [(day, "miss", "OVER"), (day, "push", "OVER"), (day, "push", "UNDER"), (day, "miss", "UNDER"),
         (day + dt.timedelta(days=1), "hit", "OVER"), (day + dt.timedelta(days=1), "push", "UNDER")]
    )  # fmt: skip
    assert book.split(4, 6) == (Record(1, 0, 0), Record(0, 0, 1)) and book.split(2, 2) == (Record(), Record())
    assert book.split(1, 4) == (Record(0, 0, 1), Record(0, 1, 1))


def test_a_season_files_summary_counts_its_own_day_and_the_last_graded_date_is_the_latest():
    import datetime as dt

    from picks_export.exporters.rules import Record, RecordBook

    first, second = dt.date(2025, 11, 3), dt.date(2025, 11, 4)
    book = RecordBook([(first, "hit", "OVER"), (second, "miss", "UNDER"), (second, "hit", "UNDER")])
    records, _ = book.summary(second, True)
    assert records == book.records(second, True) and records["season"] == Record(2, 1, 0)
    assert book.summary(second, False)[0]["season"] == Record(1, 0, 0)
    assert book.last_graded_date(first, second) == second and book.last_graded_date(first, first) == first
    assert book.last_graded_date(dt.date(2025, 11, 5), dt.date(2025, 11, 9)) is None
    one_each = RecordBook([(first, "hit", "OVER"), (second, "push", "OVER")])
    assert one_each.last_graded_date(second, second) == second  # the date before it is out of the range


def test_a_folder_write_that_cannot_take_the_lock_fails_every_file_naming_the_folder(tmp_path, monkeypatch):
    from picks_export.exporters.stores.base import Headers, Write

    def no_lock(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(folder_module, "_lock", no_lock)
    writes = [Write(f"v1/picks/2026-01-0{n}.json", lambda: b"[]", Headers(), {}, None) for n in (1, 2)]
    failed = Outcome("failed", detail=f"cannot write to {tmp_path}: Permission denied")
    assert FolderStore(tmp_path).write(writes) == [failed, failed] and not (tmp_path / "v1").exists()


def test_every_path_is_checked_and_a_link_out_is_refused_beside_a_folder_already_checked(tmp_path):
    store, _ = published(tmp_path / "dest")
    with pytest.raises(OutputError, match="not a plain relative path"):
        store.read("v1/../../x.json")
    (tmp_path / "secret.json").write_text("{}")
    assert store.read(DAY_PATH) is not None  # its folder is checked once, then remembered
    (tmp_path / "dest" / "v1/picks/2026-01-02.json").symlink_to(tmp_path / "secret.json")
    with pytest.raises(OutputError, match="a symbolic link leads out of"):
        store.read("v1/picks/2026-01-02.json")


def test_a_file_replaced_by_a_link_out_after_it_was_read_is_refused(tmp_path):
    store, _ = published(tmp_path / "dest")
    assert store.read(DAY_PATH) is not None
    (tmp_path / "secret.json").write_text("{}")
    (tmp_path / "dest" / DAY_PATH).unlink()
    (tmp_path / "dest" / DAY_PATH).symlink_to(tmp_path / "secret.json")
    with pytest.raises(OutputError, match="a symbolic link leads out of"):
        store.read(DAY_PATH)


def test_a_link_inside_that_is_turned_to_lead_out_is_refused_on_the_next_read(tmp_path):
    store, _ = published(tmp_path / "dest")
    picks = tmp_path / "dest" / "v1" / "picks"
    (picks / "2026-01-02.json").symlink_to(picks / "2026-01-01.json")
    assert store.read("v1/picks/2026-01-02.json") is not None  # a link that stays inside is followed
    (tmp_path / "secret.json").write_text("{}")
    (picks / "2026-01-02.json").unlink()
    (picks / "2026-01-02.json").symlink_to(tmp_path / "secret.json")
    with pytest.raises(OutputError, match="a symbolic link leads out of"):
        store.read("v1/picks/2026-01-02.json")


def test_a_write_that_cannot_take_the_lock_keeps_the_refusal_of_a_path_leading_out(tmp_path, monkeypatch):
    from picks_export.exporters.stores.base import Headers, Write

    store, _ = published(tmp_path / "dest")
    (tmp_path / "dest" / "v1" / "out").symlink_to(tmp_path)

    def no_lock(*_):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(folder_module, "_lock", no_lock)
    writes = [
        Write("v1/out/a.json", lambda: b"[]", Headers(), {}, None),
        Write(DAY_PATH, lambda: b"[]", Headers(), {}, None),
    ]
    out, day = store.write(writes)
    assert "a symbolic link leads out of" in out.detail and day.detail.endswith("Permission denied")


def test_paths_with_two_dots_in_a_name_and_odd_destinations_are_refused_with_their_message():
    with pytest.raises(OutputError, match="not a plain relative path"):
        store_base.check_relative_path("v1/picks/a..json")
    with pytest.raises(OptionError, match="dest is empty"):
        open_store(" ")
    with pytest.raises(OptionError, match="unsupported scheme 'gs4'"):
        open_store("gs4://bucket/a://b")
