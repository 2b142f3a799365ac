"""The stores: one conformance suite over every store (a folder, fake-gcs-server, moto's S3 server), then the
folder's own guarantees: whole files or none, readable like any other file, never outside the destination."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
from stores import BUCKETS, STORES

from picks_export.exporters import ExportError, OutputError
from picks_export.exporters.publish import META_HASH, META_RUN, Payload, Publisher, PublishPolicy, Step, content_hash
from picks_export.exporters.stores import FolderStore, open_store
from picks_export.exporters.stores.base import Headers, Write
from picks_export.exporters.stores.gcs import parse_gcs_url
from picks_export.exporters.stores.s3 import parse_s3_url
from picks_export.exporters.transfer import Transfer
from picks_export.exporters.validation import validate_paths

DAY = {
    "date": "2026-01-01",
    "generated_at": "2026-01-01T00:00:00Z",
    "model": "A",
    "signal": None,
    "groups": [{"id": "top", "name": "Top", "record": None, "picks": [{"player": "P", "result": None}]}],
}


def steps(*files: tuple[str, object]) -> list[Step]:
    return [Step(Payload.of(path, "day", content), "new", None) for path, content in files]


def transfer(store, policy: PublishPolicy | None = None) -> Transfer:
    """What a run's publisher carries its steps out with."""
    return Publisher(store, policy or PublishPolicy(retry_deadline=5)).transfer


class FolderSink:
    """The folder's own tests' shorthand: a folder store and a run's transfer over it."""

    def __init__(self, folder: Path) -> None:
        self.store = FolderStore(folder)

    def apply(self, planned: list[Step], policy: PublishPolicy) -> list:
        return transfer(self.store, policy).apply(planned)

    def put(self, step: Step, policy: PublishPolicy):
        return transfer(self.store, policy).put(step)

    def list(self, folder: str) -> dict:
        return transfer(self.store).listing(folder)

    def read(self, path: str) -> bytes | None:
        return self.store.read(path)


# The conformance suite: every store.


@pytest.mark.parametrize("kind", STORES)
def test_a_written_file_lists_with_its_hash_run_and_summary_and_reads_back(kind, destination):
    store = destination(kind).store()
    policy = PublishPolicy(retry_deadline=5)
    (result,) = transfer(store, policy).apply(steps(("v1/picks/2026-01-01.json", DAY)))
    assert result.status == "written" and result.change is not None and result.change.previous is None
    listed = transfer(store).listing("v1/picks/")
    info = listed["v1/picks/2026-01-01.json"]
    assert info.content_hash == content_hash({**DAY, "generated_at": "2030-01-01T00:00:00Z"})
    assert (info.picks, info.graded, info.run) == (1, False, policy.run)
    assert orjson.loads(store.read("v1/picks/2026-01-01.json")) == DAY and store.read("v1/none.json") is None
    assert transfer(store).listing("v9/") == {}
    if store.has_headers:  # gzip on the wire, the headers of its kind
        assert (info.content_encoding, info.content_type, info.cache_control) == (
            "gzip",
            "application/json",
            "public, max-age=300",
        )


@pytest.mark.parametrize("kind", STORES)
def test_an_older_run_never_replaces_a_newer_runs_file_and_put_refuses_a_changed_path(kind, destination):
    store = destination(kind).store()
    older, newer = PublishPolicy(retry_deadline=5), PublishPolicy(retry_deadline=5)
    path = "v1/picks/2026-01-01.json"
    planned = steps((path, DAY))  # the older run planned against an empty destination
    assert [result.status for result in transfer(store, newer).apply(steps((path, {**DAY, "signal": "newer"})))] == [
        "written"
    ]
    (result,) = transfer(store, older).apply(planned)
    assert result.status == "superseded" and "a newer run" in result.detail
    assert orjson.loads(store.read(path))["signal"] == "newer"
    assert transfer(store).listing("v1/picks/")[path].run == newer.run
    assert transfer(store, PublishPolicy()).put(planned[0]) is None  # the index's write: no longer what was listed


@pytest.mark.parametrize("kind", STORES)
def test_a_replaced_file_is_kept_and_a_deletion_is_guarded_by_what_was_listed(kind, destination):
    dest = destination(kind, versioned=kind == "s3")
    store = dest.store()
    path = "v1/picks/2026-01-01.json"
    transfer(store).apply(steps((path, DAY)))
    listed = transfer(store).listing(path)[path]
    second = PublishPolicy(retry_deadline=5)
    (replaced,) = transfer(store, second).apply(
        [Step(Payload.of(path, "day", {**DAY, "signal": "x"}), "changed", listed)]
    )
    assert replaced.status == "written" and replaced.change.previous == listed
    if replaced.change.saved is not None:  # a copy under _runs/{run}/
        assert (
            replaced.change.saved == f"_runs/{second.run}/{path}"
            and orjson.loads(store.read(replaced.change.saved)) == DAY
        )
    else:  # the bucket keeps the previous version
        assert orjson.loads(store.read_version(path, listed.generation)) == DAY
    stale = Step(Payload(path, "day", "", 0, inline=b""), "delete", listed)  # listed before the replacement
    assert [(result.status, result.detail) for result in transfer(store).delete([stale])] == [
        ("refused", "changed by another run since it was listed")
    ]
    assert orjson.loads(store.read(path))["signal"] == "x"
    current = Step(stale.payload, "delete", transfer(store).listing(path)[path])
    third = PublishPolicy(retry_deadline=5)
    (deleted,) = transfer(store, third).delete([current])
    assert deleted.status == "deleted" and store.read(path) is None and transfer(store).listing(path) == {}
    assert deleted.change is not None and deleted.change.content_hash is None
    kept = (
        store.read(deleted.change.saved)
        if deleted.change.saved
        else store.read_version(path, current.existing.generation)
    )
    assert orjson.loads(kept)["signal"] == "x"


@pytest.mark.parametrize("kind", STORES)
def test_a_write_whose_answer_was_lost_is_recognised_by_its_run(kind, destination):
    """The request landed but its answer was lost: the retry meets its own run's file and counts it written."""
    store = destination(kind).store()
    policy = PublishPolicy(retry_deadline=5)
    (step,) = steps(("v1/picks/2026-01-01.json", DAY))
    landed = Write(step.payload.path, lambda: orjson.dumps(DAY), Headers(content_type="application/json"),
                   {META_HASH: step.payload.content_hash, META_RUN: policy.run}, None)  # fmt: skip
    assert [outcome.state for outcome in store.write([landed])] == ["done"]
    (result,) = transfer(store, policy).apply([step])
    assert (
        result.status == "written"
        and result.change is not None
        and result.change.content_hash == step.payload.content_hash
    )


@pytest.mark.parametrize("kind", BUCKETS)
def test_a_new_cache_policy_changes_the_headers_only(kind, destination):
    store = destination(kind).store()
    path = "v1/picks/2026-01-01.json"
    transfer(store).apply(steps((path, DAY)))
    listed = transfer(store).listing(path)[path]
    policy = PublishPolicy(retry_deadline=5, cache_control={"day": "public, max-age=60"})
    planned = Publisher(store, policy).plan([Payload.of(path, "day", DAY)], {path: listed})
    assert [step.action for step in planned] == ["patched"]
    assert [result.status for result in transfer(store, policy).apply(planned)] == ["patched"]
    after = transfer(store).listing(path)[path]
    assert after.cache_control == "public, max-age=60" and after.content_encoding == "gzip"
    assert (after.content_hash, after.run) == (listed.content_hash, listed.run) and orjson.loads(
        store.read(path)
    ) == DAY


# The folder's own guarantees.


def test_writes_every_file_readable_by_others(tmp_path):
    results = FolderSink(tmp_path).apply(
        steps(("v1/picks/2026-01-01.json", {}), ("v1/subsets/season.json", [])), PublishPolicy()
    )
    assert [result.status for result in results] == ["written", "written"]
    written = tmp_path / "v1/picks/2026-01-01.json"
    assert written.read_bytes() == b"{}" and (tmp_path / "v1/subsets/season.json").read_bytes() == b"[]"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(written.stat().st_mode) == 0o666 & ~umask
    assert not [path for path in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("path", ["../escape.json", "/etc/passwd", "v1/../../x.json", "v1//x.json", "v1/.hidden.json"])
def test_refuses_paths_that_are_not_plain(tmp_path, path):
    with pytest.raises(OutputError, match="plain relative path"):
        FolderSink(tmp_path / "dest").apply(steps((path, {})), PublishPolicy())
    assert not (tmp_path / "escape.json").exists()


def test_a_failure_midway_leaves_no_new_file(tmp_path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "blocked").write_text("a file where a folder is needed")
    results = FolderSink(tmp_path).apply(steps(("v1/picks/a.json", {}), ("v1/blocked/b.json", {})), PublishPolicy())
    assert {result.status for result in results} == {"failed"}
    assert "cannot write" in results[0].detail
    assert [path.name for path in (tmp_path / "v1").rglob("*") if path.is_file()] == ["blocked"]


def test_listing_reads_hash_and_day_summary_from_the_files(tmp_path):
    sink = FolderSink(tmp_path)
    sink.apply(steps(("v1/picks/2026-01-01.json", DAY)), PublishPolicy())
    (tmp_path / "v1/picks/2026-01-02.json").write_bytes(b"{broken")
    (tmp_path / "v1/picks/.2026-01-03.json.x.tmp").write_bytes(b"{}")  # a staging leftover is not published
    listed = sink.list("v1/picks/")
    assert sorted(listed) == ["v1/picks/2026-01-01.json", "v1/picks/2026-01-02.json"]
    info = listed["v1/picks/2026-01-01.json"]
    # the hash leaves out generated_at: the same document generated later compares equal
    assert info.content_hash == content_hash({**DAY, "generated_at": "2030-01-01T00:00:00Z"})
    assert (info.picks, info.graded) == (1, False)
    assert listed["v1/picks/2026-01-02.json"].content_hash is None
    assert sink.list("v9/") == {}
    assert orjson.loads(sink.read("v1/picks/2026-01-01.json")) == DAY and sink.read("v1/none.json") is None


@pytest.mark.parametrize(
    ("dest", "expected"),
    [
        ("gs://picks-site", ("picks-site", "")),
        ("gs://picks-site/", ("picks-site", "")),
        ("gs://picks.example.com/staging/", ("picks.example.com", "staging/")),
        ("gs://a_b-c/x/y", ("a_b-c", "x/y/")),
    ],
)
def test_bucket_urls(dest, expected):
    assert parse_gcs_url(dest) == expected


@pytest.mark.parametrize(
    ("dest", "expected"),
    [("s3://picks-site", ("picks-site", "")), ("s3://picks.example.com/staging/", ("picks.example.com", "staging/"))],
)
def test_s3_bucket_urls(dest, expected):
    assert parse_s3_url(dest) == expected


@pytest.mark.parametrize(
    "dest",
    [
        "gs://",
        "gs://UPPER",
        "gs://ab",
        "gs://-bucket",
        "gs://a..b",
        "gs://b/../x",
        "gs://" + "x" * 64,
        "s3://",
        "s3://UPPER",
        "s3://a_b",
        "s3://b/../x",
        "s3://" + "x" * 64,
        "ftp://bucket",
    ],
)
def test_bad_destinations_are_refused_before_any_request(dest):
    with pytest.raises(ExportError, match="bucket|prefix|unsupported"):
        open_store(dest)


def test_a_rename_failing_midway_reports_what_was_replaced_and_leaves_no_staged_file(tmp_path):
    (tmp_path / "v1/picks/2026-01-02.json").mkdir(parents=True)  # a non-empty folder where a file goes:
    (tmp_path / "v1/picks/2026-01-02.json/x").write_text("x")  # renaming onto it fails
    files = [(f"v1/picks/2026-01-0{day}.json", {**DAY, "date": f"2026-01-0{day}"}) for day in (1, 2, 3)]
    results = FolderSink(tmp_path).apply(steps(*files), PublishPolicy())
    assert [result.status for result in results] == ["written", "failed", "failed"]
    assert "cannot write" in results[1].detail
    assert orjson.loads((tmp_path / "v1/picks/2026-01-01.json").read_bytes())["date"] == "2026-01-01"
    assert not (tmp_path / "v1/picks/2026-01-03.json").exists()
    assert not list(tmp_path.rglob("*.tmp"))
    # what was written is recorded: the next listing knows it without reading it
    (tmp_path / "v1/picks/2026-01-02.json/x").unlink()
    (tmp_path / "v1/picks/2026-01-02.json").rmdir()
    assert FolderSink(tmp_path).list("v1/picks/")["v1/picks/2026-01-01.json"].run != ""


def test_an_interrupt_while_files_are_staged_removes_them(tmp_path, monkeypatch):
    """A real SIGINT (KeyboardInterrupt) while the phase's files wait beside their targets."""
    marker = tmp_path / "never"
    monkeypatch.setenv("PICKS_EXPORT_TEST_PAUSE", f"staged:{marker}")
    dest = tmp_path / "dest"

    def interrupt() -> None:
        while not Path(f"{marker}.waiting").exists():
            time.sleep(0.01)
        assert len(list(dest.rglob("*.tmp"))) == 2
        os.kill(os.getpid(), signal.SIGINT)

    thread = threading.Thread(target=interrupt)
    thread.start()
    with pytest.raises(KeyboardInterrupt):
        FolderSink(dest).apply(
            steps(("v1/picks/2026-01-01.json", DAY), ("v1/subsets/season.json", [])), PublishPolicy()
        )
    thread.join()
    assert not list(dest.rglob("*.tmp")) and not list(dest.rglob("*.json"))


def test_a_folder_of_an_older_version_is_read_and_a_file_changed_by_hand_is_read_again(tmp_path):
    path = tmp_path / "v1/picks/2026-01-01.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(orjson.dumps(DAY))  # no records: as an older version left it
    listed = FolderSink(tmp_path).list("v1/picks/")["v1/picks/2026-01-01.json"]
    assert (listed.content_hash, listed.picks, listed.graded, listed.run) == (content_hash(DAY), 1, False, "")
    emptied = Payload.of("v1/picks/2026-01-01.json", "day", {**DAY, "groups": []})
    policy = PublishPolicy(allow_shrink=True)
    assert FolderSink(tmp_path).apply([Step(emptied, "changed", listed)], policy)[0].status == "written"
    recorded = FolderSink(tmp_path).list("v1/picks/")["v1/picks/2026-01-01.json"]
    assert (recorded.picks, recorded.run) == (0, policy.run)
    path.write_bytes(orjson.dumps(DAY) + b" ")  # by hand: the record no longer matches the file
    relisted = FolderSink(tmp_path).list("v1/picks/")["v1/picks/2026-01-01.json"]
    assert (relisted.content_hash, relisted.picks, relisted.run) == (content_hash(DAY), 1, "")


def test_only_staged_files_of_dead_processes_are_swept_and_validate_ignores_dot_files(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folder = tmp_path / "v1/picks"
    folder.mkdir(parents=True)
    debris = folder / f".2026-01-01.json.{dead.pid}.1234abcd.tmp"
    live = folder / f".2026-01-02.json.{os.getpid()}.1234abcd.tmp"
    debris.write_bytes(b"{")
    live.write_bytes(b"{")
    (tmp_path / ".hidden/v1/picks").mkdir(parents=True)
    (tmp_path / ".hidden/v1/picks/2026-01-01.json").write_bytes(b"{broken")
    FolderSink(tmp_path).apply(steps(("v1/picks/2026-01-03.json", DAY)), PublishPolicy())
    assert not debris.exists() and live.exists()
    assert sorted(FolderSink(tmp_path).list("v1/")) == ["v1/picks/2026-01-03.json"]
    checked, problems = validate_paths([tmp_path])  # the hand-made DAY is no full document: only it is checked
    assert checked == 1 and {problem.source for problem in problems} == {str(tmp_path / "v1/picks/2026-01-03.json")}


# Values from records and metadata are checked: a figure that fails its check is read from the file instead.

# (what a folder's record says, what a bucket's metadata says) of a day file that holds 2 graded picks
FALSE_FIGURES = {
    "no picks yet graded": ({"picks": 0, "graded": True}, {"picks": "0", "graded": "true"}),
    "a float beyond any count": ({"picks": 1e30, "graded": True}, {"picks": "1e30", "graded": "true"}),
    "a count beyond the maximum": ({"picks": 10**12, "graded": True}, {"picks": "1000000000000", "graded": "true"}),
    "a negative count": ({"picks": -3, "graded": True}, {"picks": "-3", "graded": "true"}),
    "a boolean for a count": ({"picks": True, "graded": True}, {"picks": "+2", "graded": "true"}),
    "graded not a boolean": ({"picks": 2, "graded": "yes"}, {"picks": "2", "graded": "yes"}),
}


def falsify(destination, path: str, record: dict, metadata: dict) -> None:
    """Make what the store says of `path` false without touching its bytes (a folder's record keeps its stat)."""
    if destination.kind == "folder":
        folder, _, name = path.rpartition("/")
        records = Path(destination.dest) / ".picks-export/meta" / folder / "files.meta"
        kept = orjson.loads(records.read_bytes())
        kept[name].update(record)
        records.write_bytes(orjson.dumps(kept))
        return
    if destination.kind == "gcs":
        from fakegcs import client_for

        blob = client_for(destination.server.url).bucket(destination.bucket).get_blob(path)
        blob.metadata = {**blob.metadata, **metadata}
        blob.patch()
        return
    client = destination.server.client()
    got = client.head_object(Bucket=destination.bucket, Key=path)
    client.copy_object(
        Bucket=destination.bucket, Key=path, CopySource={"Bucket": destination.bucket, "Key": path},
        Metadata={**got["Metadata"], **metadata}, MetadataDirective="REPLACE", ContentType=got["ContentType"],
        CacheControl=got.get("CacheControl", ""), ContentEncoding=got.get("ContentEncoding", ""),
    )  # fmt: skip


@pytest.mark.parametrize("case", list(FALSE_FIGURES))
@pytest.mark.parametrize("kind", STORES)
def test_the_index_never_carries_a_figure_its_file_does_not_hold(kind, case, destination, rows, tmp_path):
    import datetime as dt

    from conftest import GENERATED_AT

    from picks_export.exporters.engines.duckdb_engine import DuckDBEngine, write_warehouse
    from picks_export.exporters.exporter import Exporter
    from picks_export.exporters.options import ExportOptions

    first, second, third = dt.date(2026, 2, 3), dt.date(2026, 2, 4), dt.date(2026, 2, 5)
    for day in (first, second):
        rows.game(day)
        rows.graded_pick(day, "Player One", "hit")
        rows.graded_pick(day, "Player Two", "miss", subset="second")
    place = destination(kind)
    options = ExportOptions(generated_at=GENERATED_AT, today=dt.date(2026, 2, 7))

    def daily(day: dt.date) -> None:
        warehouse = write_warehouse(tmp_path / f"warehouse-{day}.duckdb", rows.rows())
        Exporter(DuckDBEngine(warehouse), place.store(), options).daily(day)

    daily(first)
    daily(second)
    falsify(place, f"v1/picks/{first}.json", *FALSE_FIGURES[case])
    rows.game(third)
    rows.pick(third, "Player Three")
    daily(third)  # a new date: the index is built again from the listing
    index = orjson.loads(place.published()["v1/picks/index.json"].data)
    assert [entry["date"] for entry in index["dates"]] == [str(third), str(second), str(first)]
    assert index["dates"][2] == {"date": str(first), "picks": 2, "graded": True}


def test_a_hash_run_or_season_that_fails_its_check_is_unknown():
    from picks_export.exporters.metadata import ObjectInfo, decoded, sound_record

    good = {
        "content-sha256": "a" * 64,
        "published-by-run": "01234567890123456789-0123abcd",
        "season": '["2026-02-01","2025-10-21","2026-02-01"]',
    }
    info = decoded(ObjectInfo("v1/subsets/season.json", metadata=good))
    assert (info.content_hash, info.run, info.season) == (
        "a" * 64,
        good["published-by-run"],
        ("2026-02-01", "2025-10-21", "2026-02-01"),
    )
    for key, value in [
        ("content-sha256", "A" * 64), ("content-sha256", "a" * 63), ("published-by-run", "../x"),
        ("season", '["2026-02-30",null,null]'), ("season", '[null,"2026-02-01","2025-10-21"]'),
        ("season", '[null,"2026-02-01",null]'), ("season", '["20260201",null,null]'),
    ]:  # fmt: skip
        bad = decoded(ObjectInfo("v1/subsets/season.json", metadata={**good, key: value}))
        assert (bad.content_hash, bad.run, bad.season) != (info.content_hash, info.run, info.season), (key, value)
    record = {"run": good["published-by-run"], "sha256": "a" * 64, "picks": 3, "graded": False}
    assert sound_record(record) and sound_record({**record, "run": "", "picks": None, "graded": None})
    for change in ({"sha256": "x"}, {"run": "r1"}, {"picks": 3.0}, {"graded": None}, {"season": ["x", None, None]}):
        assert not sound_record({**record, **change}), change
