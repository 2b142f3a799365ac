"""Publishing and its transfer called directly, in this process: the decisions (`publish.decide`), the spool, the
policy, the report, the phases, and the transfer's preconditions, conflicts, kept copies, gzip and headers.

A folder store for what a folder does, and `MemoryStore` (a bucket in memory, with headers and generations, whose
next answers a test can script) for what only a bucket does or what a real server will not do on cue: a conflict, a
failed request, a lost answer. Quick on purpose: these are the tests a mutation run of `publish.py` and
`transfer.py` runs for every mutant (scripts/mutation.sh)."""

from __future__ import annotations

import builtins
import gzip
import hashlib
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from picks_export.exporters.errors import ExportError, OptionError, OutputError
from picks_export.exporters.metadata import ObjectInfo, encode_metadata
from picks_export.exporters.publish import (
    DEFAULT_CACHE_CONTROL,
    MAX_REBUILDS,
    Payload,
    Publisher,
    PublishFailed,
    PublishPolicy,
    PublishRefused,
    Report,
    Spool,
    SpoolError,
    Step,
    content_hash,
    decide,
    gave_up,
    in_phases,
    new_run_id,
)
from picks_export.exporters.stores import FolderStore
from picks_export.exporters.stores.base import Delete, Headers, Outcome, Write, in_range
from picks_export.exporters.transfer import MAX_CONFLICTS, Change, FileResult, saved_path

OLD_RUN = "00000000000000000001-aaaaaaaa"
RUN = "00000000000000000002-bbbbbbbb"
NEW_RUN = "00000000000000000003-cccccccc"
DAY_PATH = "v1/picks/2026-01-01.json"


def day(picks: int = 1, graded: bool = False, signal: str | None = None) -> dict:
    return {
        "date": "2026-01-01",
        "generated_at": "2026-01-01T00:00:00Z",
        "signal": signal,
        "groups": [
            {"id": "top", "picks": [{"player": f"P{n}", "result": "hit" if graded else None} for n in range(picks)]}
        ],
    }


def policy(run: str = RUN, **options) -> PublishPolicy:
    return PublishPolicy(run=run, retry_deadline=5, **options)


def listed(payload: Payload, run: str = OLD_RUN, **fields) -> ObjectInfo:
    """What a listing says of `payload` published by `run` with the default headers."""
    values = {
        "content_hash": payload.content_hash,
        "size": payload.size,
        "generation": 1,
        "cache_control": DEFAULT_CACHE_CONTROL.get(payload.kind),
        "content_type": "application/json",
        "content_encoding": "gzip",
        "run": run,
        "picks": payload.picks,
        "graded": payload.graded,
    }
    return ObjectInfo(payload.path, **{**values, **fields})


class MemoryStore:
    """A bucket in memory: headers, generations, preconditions; `script` holds the next answers to give instead."""

    has_headers = True

    def __init__(self, concurrent: bool = True) -> None:
        self.concurrent = concurrent
        self.objects: dict[str, tuple[bytes, Headers, dict[str, str], int]] = {}
        self.generation = 0
        self.script: list[Outcome] = []  # the next write or delete answers, whatever the request
        self.listing_fails = False
        self.deadline: float | None = None
        self.lock = threading.Lock()
        self.written: list[Write] = []
        self.calls: list[tuple[str, int, str]] = []  # (write or delete, how many, the calling thread's name)
        self.in_flight = self.most_in_flight = 0
        self.pause = 0.0  # seconds each write call takes, to see how many run at once

    def describe(self, path: str) -> str:
        return f"mem://{path}"

    def configure(self, retry_deadline: float) -> None:
        self.deadline = retry_deadline

    def put(self, path: str, data: bytes, metadata: dict[str, str], headers: Headers | None = None) -> None:
        self.generation += 1
        self.objects[path] = (data, headers or Headers(), metadata, self.generation)

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        if self.listing_fails:
            raise OutputError("listing failed")
        return {
            path: ObjectInfo(
                path,
                size=len(data),
                generation=generation,
                cache_control=headers.cache_control,
                content_type=headers.content_type,
                content_encoding=headers.content_encoding,
                metadata=metadata,
            )  # fmt: skip
            for path, (data, headers, metadata, generation) in sorted(self.objects.items())
            if (path == folder or (folder.endswith("/") and path.startswith(folder))) and in_range(path, start, end)
        }

    def read(self, path: str) -> bytes | None:
        found = self.objects.get(path)
        if found is None:
            return None
        return gzip.decompress(found[0]) if found[1].content_encoding == "gzip" else found[0]

    def _holds(self, path: str, expected: ObjectInfo | None) -> bool:
        found = self.objects.get(path)
        return found is None if expected is None else found is not None and found[3] == expected.generation

    def write(self, writes: Sequence[Write]) -> builtins.list[Outcome]:
        self.calls.append(("write", len(writes), threading.current_thread().name))
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.pause)
        with self.lock:
            self.in_flight -= 1
            self.written += writes
            return [self.script.pop(0) if self.script else self._write_one(each) for each in writes]

    def _write_one(self, write: Write) -> Outcome:
        if not self._holds(write.path, write.expected):
            return Outcome("conflict")
        saved = None
        if write.keep_as is not None and write.path in self.objects:
            self.objects[write.keep_as] = self.objects[write.path]
            saved = write.keep_as
        if write.body is None:
            data, _, metadata, _ = self.objects[write.path]
            self.put(write.path, data, metadata, write.headers)
        else:
            self.put(write.path, write.body(), dict(write.metadata), write.headers)
        return Outcome("done", self.list(write.path)[write.path], saved)

    def delete(self, deletes: Sequence[Delete]) -> builtins.list[Outcome]:
        self.calls.append(("delete", len(deletes), threading.current_thread().name))
        outcomes = []
        for each in deletes:
            if self.script:
                outcomes.append(self.script.pop(0))
            elif each.path not in self.objects:
                outcomes.append(Outcome("gone"))
            elif not self._holds(each.path, each.expected):
                outcomes.append(Outcome("conflict"))
            else:
                if each.keep_as:
                    self.objects[each.keep_as] = self.objects[each.path]
                del self.objects[each.path]
                outcomes.append(Outcome("done", saved=each.keep_as))
        return outcomes

    def read_version(self, path: str, generation: int | str) -> bytes | None:
        return None

    def write_private(self, path: str, data: bytes) -> None:
        self.put(path, data, {})

    def names(self, folder: str) -> builtins.list[str]:
        return []


def publish_to(store, payload: Payload, run: str = OLD_RUN) -> ObjectInfo:
    """Publish `payload` as run `run` and return what the listing then says of it."""
    transfer = Publisher(store, policy(run)).transfer
    (result,) = transfer.apply(
        [decide(payload, transfer.listing(payload.path).get(payload.path), policy(run), store.has_headers)]
    )
    assert result.status == "written", result
    return transfer.listing(payload.path)[payload.path]


# The run id, the spool and the payloads.


def test_a_run_id_is_nanoseconds_then_random_hex_and_later_ids_compare_greater():
    first, second = new_run_id(), new_run_id()
    assert re.fullmatch(r"[0-9]{20}-[0-9a-f]{8}", first) and first < second and first[21:] != second[21:]


def test_the_spool_keeps_each_file_at_its_own_offset():
    spool = Spool()
    try:
        assert spool.put(b"abc") == 0 and spool.put(b"") == 3 and spool.put(b"defg") == 3 and spool.put(b"h") == 7
        assert spool.get(0, 3) == b"abc" and spool.get(3, 4) == b"defg" and spool.get(7, 1) == b"h"
    finally:
        spool.close()


def test_a_spool_that_reads_back_other_bytes_is_a_spool_error(monkeypatch):
    import picks_export.exporters.publish as publish

    spool = Spool()
    monkeypatch.setattr(publish.os, "pread", lambda fd, size, offset: b"x" * size)
    with pytest.raises(SpoolError, match="did not read back as written; nothing published"):
        spool.put(b"abc")
    monkeypatch.undo()
    assert spool.put(b"abc") == 0  # nothing of the failed file counts
    spool.close()


def test_a_spool_write_error_names_the_temporary_folder_and_its_cause(monkeypatch, tmp_path):
    import picks_export.exporters.publish as publish

    monkeypatch.setattr(publish.tempfile, "gettempdir", lambda: str(tmp_path))
    spool = Spool()
    monkeypatch.setattr(publish.os, "pwrite", lambda fd, data, offset: 0)
    with pytest.raises(SpoolError) as raised:
        spool.put(b"abc")
    assert str(raised.value) == (
        f"cannot spool a file in the temporary folder {tmp_path}: No space left on device"
        " (free some space or point TMPDIR elsewhere); nothing published"
    )
    spool.close()


@pytest.mark.parametrize("spooled", [False, True])
def test_a_day_payload_carries_its_summary_hash_size_and_bytes(spooled):
    spool = Spool() if spooled else None
    content = day(picks=2, graded=True)
    payload = Payload.of(DAY_PATH, "day", content, spool)
    data = orjson.dumps(content)
    assert (payload.path, payload.kind, payload.picks, payload.graded, payload.season) == (
        DAY_PATH,
        "day",
        2,
        True,
        None,
    )
    assert payload.content_hash == content_hash(content) and payload.size == len(data) and payload.data == data
    assert (payload.inline is None) == spooled and (payload.sha256 == hashlib.sha256(data).hexdigest()) == spooled
    if spool is not None:
        second = Payload.of("v1/picks/2026-01-02.json", "day", day(3), spool)
        assert second.offset == len(data) and second.data == orjson.dumps(day(3)) and payload.data == data
        spool.close()


def test_a_season_payload_carries_its_dates_and_other_kinds_no_summary():
    season = {"as_of": "2026-01-03", "groups": [{"dates": [{"date": "2026-01-02", "picks": 1}]}]}
    payload = Payload.of("v1/subsets/season.json", "season", season)
    assert payload.season == ("2026-01-03", "2026-01-02", "2026-01-02") and payload.picks is None
    index = Payload.of("v1/picks/index.json", "index", {"dates": []})
    assert (index.picks, index.graded, index.season) == (None, None, None)


@pytest.mark.parametrize("spooled", [False, True])
def test_a_raw_payload_is_hashed_as_its_file_is(spooled):
    spool = Spool() if spooled else None
    text = Payload.raw("v1/schemas/x.d.ts", "types", b"type X = 1;\n", spool)
    assert text.content_hash == hashlib.sha256(b"type X = 1;\n").hexdigest() and text.size == 12
    schema = Payload.raw("v1/schemas/a.schema.json", "schema", b'{ "a" : 1 }', spool)
    assert schema.content_hash == content_hash({"a": 1}) and schema.data == b'{ "a" : 1 }'
    assert (text.offset, schema.offset) == ((0, 12) if spooled else (0, 0))


def test_spooled_bytes_of_another_length_are_never_sent():
    spool = Spool()
    payload = Payload.of(DAY_PATH, "day", day(), spool)
    with pytest.raises(SpoolError, match=f"{DAY_PATH}: its spooled bytes no longer match"):
        replace(payload, size=payload.size - 1).data  # noqa: B018
    spool.close()


# The policy.


def test_the_default_policy():
    default = PublishPolicy()
    assert (default.gzip, default.allow_shrink, default.dry_run, default.workers, default.retry_deadline) == (
        True, False, False, 8, 120.0,
    )  # fmt: skip
    assert default.command == "" and re.fullmatch(r"[0-9]{20}-[0-9a-f]{8}", default.run)
    assert default.cache_final_day == "public, max-age=86400" and default.content_encoding == "gzip"
    assert default.cache_control["day"] == "public, max-age=300" and default.cache_control["status"] == "no-cache"
    assert PublishPolicy(gzip=False).content_encoding is None


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"workers": 0}, OptionError, "workers must be at least 1, not 0"),
        ({"retry_deadline": 0}, OptionError, "retry deadline must be positive, not 0"),
        ({"retry_deadline": -1.0}, OptionError, "retry deadline must be positive, not -1.0"),
        ({"cache_control": {"day": ""}}, ExportError, "cache control of day files '' is not a printable ASCII"),
        ({"cache_control": {"day": "max-age=é"}}, ExportError, "cache control of day files 'max-age=é'"),
        ({"cache_control": {"day": "a\nb"}}, ExportError, "cache control of day files " + repr("a\nb")),
        ({"cache_final_day": "x\tb"}, ExportError, "cache control of final day files " + repr("x\tb")),
    ],
)
def test_a_policy_refuses_bad_values(options, error, message):
    with pytest.raises(error) as raised:
        PublishPolicy(**options)
    assert str(raised.value).startswith(message)


def test_a_policy_takes_the_least_values_it_may():
    assert PublishPolicy(workers=1, retry_deadline=0.001).workers == 1


def test_cache_control_and_encoding_of_each_file():
    given = policy(cache_control={"day": "d", "season": "s", "index": "i", "schema": "x"}, cache_final_day="f")
    final = replace(Payload.of(DAY_PATH, "day", day()), final=True)
    assert given.cache_control_for(final) == "f" and given.cache_control_for(replace(final, final=False)) == "d"
    season = replace(Payload.of("v1/subsets/season.json", "season", {}), final=True)
    assert given.cache_control_for(season) == "s"  # only a day file is ever final
    parquet = Payload.raw("v1/subsets/seasons/2025-26.parquet", "parquet", b"PAR1")
    assert given.content_encoding_for(parquet) is None and given.content_encoding_for(final) == "gzip"
    assert policy(gzip=False).content_encoding_for(final) is None


# decide: what to do with one file.


def test_decide_new_unchanged_patched_and_changed():
    payload = Payload.of(DAY_PATH, "day", day())
    assert decide(payload, None, policy(), True) == Step(payload, "new", None)
    same = listed(payload)
    assert decide(payload, same, policy(), True) == Step(payload, "unchanged", same)
    for headers in ({"cache_control": "public, max-age=1"}, {"content_type": "text/plain"}):
        assert decide(payload, replace(same, **headers), policy(), True).action == "patched"
        assert decide(payload, replace(same, **headers), policy(), False).action == "unchanged"  # a folder
    plain = replace(same, content_encoding=None)  # the same content, not gzipped: sent again
    assert decide(payload, plain, policy(), True) == Step(payload, "changed", plain)
    assert decide(payload, plain, policy(), False).action == "unchanged"
    assert decide(payload, plain, policy(gzip=False), True).action == "unchanged"
    other = replace(same, content_hash="0" * 64)
    assert decide(payload, other, policy(), True) == Step(payload, "changed", other, "")


def test_decide_leaves_a_newer_runs_file_but_never_an_index_built_from_a_fresh_listing():
    payload = Payload.of(DAY_PATH, "day", day(signal="x"))
    newer = listed(Payload.of(DAY_PATH, "day", day()), run=NEW_RUN)
    assert decide(payload, newer, policy(), True) == Step(
        payload, "superseded", newer, f"a newer run ({NEW_RUN}) published it"
    )
    assert decide(payload, replace(newer, run=RUN), policy(), True).action == "changed"  # its own: not newer
    for path, kind in [
        ("v1/picks/index.json", "index"),
        ("v1/manifest.json", "manifest"),
        ("v1/status.json", "status"),
    ]:
        rebuilt = Payload.of(path, kind, {"a": 1})
        assert decide(rebuilt, listed(rebuilt, run=NEW_RUN, content_hash="0" * 64), policy(), True).action == "changed"
    season = Payload.of("v1/subsets/season.json", "season", {"a": 1})
    assert decide(season, listed(season, run=NEW_RUN, content_hash="0" * 64), policy(), True).action == "superseded"


def test_the_shrink_guard_refuses_emptying_a_day_of_picks_even_one():
    empty = Payload.of(DAY_PATH, "day", day(picks=0))
    one = listed(Payload.of(DAY_PATH, "day", day(picks=1)))
    assert decide(empty, one, policy(), True) == Step(
        empty, "refused", one, "it has 1 picks published and would have none (--allow-shrink replaces it)"
    )
    assert decide(empty, one, policy(allow_shrink=True), True).action == "changed"
    assert decide(empty, replace(one, picks=None), policy(), True).action == "changed"  # nothing known of it
    assert decide(empty, replace(one, picks=0), policy(), True).action == "changed"
    fewer = Payload.of(DAY_PATH, "day", day(picks=1))
    assert decide(fewer, listed(Payload.of(DAY_PATH, "day", day(picks=5))), policy(), True).action == "changed"
    season = Payload.of("v1/subsets/season.json", "season", {"groups": []})
    assert decide(season, replace(listed(season), picks=3, content_hash="0" * 64), policy(), True).action == "changed"


# The report.


def test_the_report_counts_stops_and_describes_its_files():
    results = [
        FileResult("a", "written", 10),
        FileResult("b", "written", 5),
        FileResult("c", "unchanged", 0, "x"),
        FileResult("d", "not attempted", 7, "why"),
    ]
    report = Report(results, describe=lambda path: f"dest/{path}")
    assert (report.count("written"), report.count("failed"), report.bytes_sent) == (2, 0, 15)
    assert not report.stopped and [each.path for each in report.failed] == ["d"]
    for status in ("failed", "refused"):
        assert Report([*results, FileResult("e", status)]).stopped
    assert [each.path for each in Report([FileResult("e", "failed"), FileResult("f", "refused")]).failed] == ["e", "f"]
    assert report.as_json() == {
        "dry_run": False,
        "destination": "dest/",
        "counts": {"written": 2, "unchanged": 1, "not attempted": 1},
        "files": {
            "written": [{"path": "a", "bytes": 10}, {"path": "b", "bytes": 5}],
            "unchanged": [{"path": "c", "bytes": 0, "detail": "x"}],
            "not attempted": [{"path": "d", "bytes": 7, "detail": "why"}],
        },
        "bytes_sent": 15,
    }


def test_a_dry_runs_report_says_what_each_file_would_do():
    planned = [
        FileResult("a", "planned", 3, "new"),
        FileResult("b", "planned", 4, "a newer run"),
        FileResult("c", "failed"),
    ]
    report = Report(planned, True, {"a": "new", "b": "superseded"})
    assert [report.status_of(each) for each in planned] == ["new", "superseded", "failed"]
    assert report.as_json()["files"] == {
        "new": [{"path": "a", "bytes": 3}],
        "superseded": [{"path": "b", "bytes": 4, "detail": "a newer run"}],
        "failed": [{"path": "c", "bytes": 0}],
    }
    assert report.as_json()["dry_run"] is True and Report(planned).status_of(planned[0]) == "planned"


# The phases and the publisher.


def test_steps_go_in_phases_and_deletions_last_the_site_files_first():
    kinds = [("v1/manifest.json", "manifest"), ("v1/picks/index.json", "index"), ("v1/subsets/season.json", "season"),
             (DAY_PATH, "day"), ("v1/picks/2026-01-02.json", "day"), ("v1/status.json", "status")]  # fmt: skip
    steps = [Step(Payload.of(path, kind, {}), "new", None) for path, kind in kinds]
    assert [[step.payload.path for step in phase] for phase in in_phases(steps)] == [
        [DAY_PATH, "v1/picks/2026-01-02.json"], ["v1/subsets/season.json"], ["v1/picks/index.json"],
        ["v1/manifest.json", "v1/status.json"],
    ]  # fmt: skip
    deletes = [replace(step, action="delete") for step in steps]
    phases = in_phases([steps[0], *deletes[2:5], deletes[1]])
    assert len(phases) == 5 and [step.payload.path for step in phases[3]] == ["v1/manifest.json"]
    assert [step.payload.path for step in phases[4]] == [
        "v1/picks/index.json", "v1/subsets/season.json", DAY_PATH, "v1/picks/2026-01-02.json",
    ]  # fmt: skip


def test_the_publisher_lists_each_folder_once_and_plans_each_file(tmp_path):
    store = MemoryStore()
    for path in ("v1/picks/a.json", "v1/picks/b.json", "v2/c.json"):
        store.put(path, b"{}", encode_metadata("0" * 64, OLD_RUN))
    publisher = Publisher(store, policy())
    assert store.deadline == 5
    published = publisher.listing(["v1/picks/", "v2/", "v1/picks/"])
    assert list(published) == ["v1/picks/a.json", "v1/picks/b.json", "v2/c.json"]
    assert published["v2/c.json"].run == OLD_RUN and published["v2/c.json"].content_hash == "0" * 64
    payloads = [Payload.of("v2/c.json", "day", day()), Payload.of("v2/d.json", "day", day())]
    assert [step.action for step in publisher.plan(payloads, published)] == ["changed", "new"]
    assert publisher.published.list("v2/") == publisher.transfer.listing("v2/")
    assert publisher.published.read("v2/c.json") == b"{}" and publisher.published.read("v9.json") is None


def test_begin_orders_the_plan_by_phase_and_tells_each_action_first():
    store = MemoryStore()
    publisher = Publisher(store, policy())
    steps = [
        Step(Payload.of("v1/picks/index.json", "index", {}), "new", None),
        Step(Payload.of(DAY_PATH, "day", day()), "unchanged", None),
    ]
    heard = []
    ordered, report = publisher.begin(steps, heard.append)
    assert [step.payload.kind for step in ordered] == ["day", "index"] and report.results == []
    assert heard == [{DAY_PATH: "unchanged", "v1/picks/index.json": "new"}] and report.actions == heard[0]
    assert report.describe("x") == "mem://x" and report.dry_run is False


def test_a_dry_run_plans_every_file_and_sends_nothing():
    store = MemoryStore()
    publisher = Publisher(store, policy(dry_run=True))
    payload = Payload.of(DAY_PATH, "day", day())
    steps, report = publisher.begin([Step(payload, "new", None), Step(payload, "changed", None, "why")])
    assert report.dry_run and report.results == [
        FileResult(DAY_PATH, "planned", payload.size, "new"),
        FileResult(DAY_PATH, "planned", payload.size, "why"),
    ]
    assert store.written == []


def test_a_refused_file_refuses_the_run_naming_it_and_how_many_more():
    store = MemoryStore()
    publisher = Publisher(store, policy())
    payload = Payload.of(DAY_PATH, "day", day())
    steps = [
        Step(payload, "new", None),
        Step(payload, "refused", None, "it shrank"),
        Step(payload, "refused", None, "x"),
    ]
    with pytest.raises(PublishRefused) as raised:
        publisher.begin(steps)
    assert raised.value.exit_code == 7
    assert str(raised.value) == f"refusing to publish anything: mem://{DAY_PATH}: it shrank (and 1 more)"
    assert raised.value.report.results == [
        FileResult(DAY_PATH, "not attempted", payload.size, "planned: new"),
        FileResult(DAY_PATH, "refused", payload.size, "it shrank"),
        FileResult(DAY_PATH, "refused", payload.size, "x"),
    ]
    dry = Publisher(store, policy(dry_run=True))
    _, report = dry.begin(steps[:2])  # a dry run reports the refusal without raising
    assert [each.status for each in report.results] == ["not attempted", "refused"]


def test_send_writes_deletes_and_skips_each_phase_in_its_planned_order():
    store = MemoryStore(concurrent=False)
    old = Payload.of("v1/picks/2026-01-03.json", "day", day())
    store.put(old.path, b"{}", encode_metadata(old.content_hash, OLD_RUN))
    publisher = Publisher(store, policy())
    new, same = Payload.of(DAY_PATH, "day", day()), Payload.of("v1/picks/2026-01-02.json", "day", day())
    rebuilt = FileResult("v1/picks/2026-01-04.json", "written", 1, "rebuilt")
    phase = [Step(new, "new", None), Step(same, "unchanged", listed(same, generation=9)),
             Step(Payload.of(rebuilt.path, "day", day()), "new", None),
             Step(old, "delete", store.list(old.path)[old.path])]  # fmt: skip
    report = Report([])
    publisher.send(phase, report, {rebuilt.path: rebuilt})
    assert [(each.path, each.status) for each in report.results] == [
        (DAY_PATH, "written"), (same.path, "unchanged"), (rebuilt.path, "written"), (old.path, "deleted"),
    ]  # fmt: skip
    assert report.results[1].generation == 9 and report.results[2] is rebuilt
    assert [write.path for write in store.written] == [DAY_PATH] and old.path not in store.objects
    publisher.send([Step(new, "patched", None)], Report([FileResult("x", "failed")]), {})
    report = Report([FileResult("x", "refused")])
    publisher.send([Step(new, "new", None), Step(same, "changed", None)], report, {})
    assert report.results[1:] == [
        FileResult(DAY_PATH, "not attempted", 0, "an earlier file failed"),
        FileResult(same.path, "not attempted", 0, "an earlier file failed"),
    ]
    assert len(store.written) == 1  # nothing sent after a failure


def test_a_phase_with_nothing_to_send_sends_nothing():
    store = MemoryStore()
    publisher = Publisher(store, policy())
    payload = Payload.of(DAY_PATH, "day", day())
    report = Report([])
    publisher.send([Step(payload, "superseded", listed(payload, run=NEW_RUN), "newer")], report, {})
    assert report.results == [FileResult(DAY_PATH, "superseded", payload.size, "newer", 1)] and store.written == []


def test_put_rebuilt_writes_a_changed_file_skips_an_unchanged_one_and_forces_when_asked():
    store = MemoryStore()
    publisher = Publisher(store, policy())
    index = Payload.of("v1/picks/index.json", "index", {"dates": ["2026-01-01"]})
    assert publisher.put_rebuilt(index, None, force=False, retried=False).status == "written"
    existing = publisher.transfer.listing(index.path)[index.path]
    assert publisher.put_rebuilt(index, existing, force=False, retried=False) == FileResult(
        index.path, "unchanged", existing.size, "", existing.generation
    )
    forced = publisher.put_rebuilt(index, existing, force=True, retried=False)
    assert forced.status == "written" and forced.generation != existing.generation
    assert publisher.put_rebuilt(index, existing, force=True, retried=False) is None  # changed since: list again
    restyled = replace(store.list(index.path)[index.path])
    store.put(
        index.path,
        store.objects[index.path][0],
        store.objects[index.path][2],
        Headers("old", "application/json", "gzip"),
    )
    current = publisher.transfer.listing(index.path)[index.path]
    assert restyled.generation != current.generation
    assert publisher.put_rebuilt(index, current, force=False, retried=False).status == "patched"
    current = publisher.transfer.listing(index.path)[index.path]
    assert (
        publisher.put_rebuilt(index, current, force=True, retried=False).status == "written"
    )  # a headers-only update forced


def test_put_rebuilt_counts_its_own_write_whose_answer_was_lost_as_written():
    store = MemoryStore()
    publisher = Publisher(store, policy())
    index = Payload.of("v1/picks/index.json", "index", {"dates": []})
    publisher.put_rebuilt(index, None, force=False, retried=False)
    mine = publisher.transfer.listing(index.path)[index.path]
    assert publisher.put_rebuilt(index, mine, force=True, retried=True) == FileResult(
        index.path, "written", mine.size, "", mine.generation
    )
    assert publisher.put_rebuilt(index, mine, force=True, retried=False).status == "written"  # not retried: sent
    other = Payload.of(index.path, "index", {"dates": ["x"]})
    mine = publisher.transfer.listing(index.path)[index.path]
    assert publisher.put_rebuilt(other, mine, force=False, retried=True).generation != mine.generation  # other bytes
    theirs = Publisher(store, policy(NEW_RUN))
    current = theirs.transfer.listing(index.path)[index.path]
    assert theirs.put_rebuilt(other, current, force=False, retried=True).status == "unchanged"  # not its own write


def test_end_records_the_run_and_fails_naming_the_first_file_not_published():
    store = MemoryStore()
    recorded = []
    publisher = Publisher(store, policy(), lambda sink, used, results: recorded.append((sink, used.run, list(results))))
    report = Report([FileResult("a", "written", 1)])
    assert publisher.end(report, 1) is report and recorded == [(store, RUN, report.results)]
    failed = Report(
        [FileResult("a", "written"), FileResult("b", "failed", 0, "boom"), FileResult("c", "not attempted")]
    )
    with pytest.raises(PublishFailed) as raised:
        publisher.end(failed, 5)
    assert str(raised.value) == "2 of 5 files not published; first: mem://b: failed: boom"
    assert raised.value.report is failed and raised.value.exit_code != 7 and len(recorded) == 2
    publisher.abort(report)
    assert len(recorded) == 3
    Publisher(store, policy()).end(report, 1)  # no record kept: nothing to call


def test_a_record_that_cannot_be_written_fails_a_run_but_not_one_that_failed_already():
    def refuse(*_):
        raise OutputError("cannot write the record")

    publisher = Publisher(MemoryStore(), policy(), refuse)
    with pytest.raises(OutputError, match="cannot write the record"):
        publisher.end(Report([FileResult("a", "written")]), 1)
    with pytest.raises(PublishFailed):
        publisher.end(Report([FileResult("a", "failed")]), 1)
    publisher.abort(Report([]))


def test_a_rebuilt_file_that_kept_changing_gives_up_saying_so():
    assert gave_up("v1/picks/index.json") == FileResult(
        "v1/picks/index.json",
        "failed",
        0,
        f"what it is built from kept changing under other runs ({MAX_REBUILDS} listings)",
    )


# The transfer: preconditions, conflicts, kept copies, headers.


def test_saved_copies_go_under_the_runs_folder():
    assert saved_path(RUN, DAY_PATH) == f"_runs/{RUN}/{DAY_PATH}"


def test_a_bucket_gets_gzip_its_headers_and_metadata_and_the_replaced_version_is_kept():
    store = MemoryStore()
    first = Payload.of(DAY_PATH, "day", day(picks=2, graded=True))
    info = publish_to(store, first)
    assert (info.content_hash, info.run, info.picks, info.graded) == (first.content_hash, OLD_RUN, 2, True)
    data, headers, metadata, _ = store.objects[DAY_PATH]
    assert (
        gzip.decompress(data) == first.data
        and data[4:8] == b"\0\0\0\0"
        and data == gzip.compress(first.data, 9, mtime=0)
    )
    assert headers == Headers("public, max-age=300", "application/json", "gzip")
    assert metadata == encode_metadata(first.content_hash, OLD_RUN, 2, True)
    second = Payload.of(DAY_PATH, "day", day(picks=3))
    transfer = Publisher(store, policy()).transfer
    (result,) = transfer.apply([decide(second, info, policy(), True)])
    assert result == FileResult(DAY_PATH, "written", len(store.objects[DAY_PATH][0]), "", store.objects[DAY_PATH][3],
                                Change(info, f"_runs/{RUN}/{DAY_PATH}", second.content_hash))  # fmt: skip
    assert (
        store.read(f"_runs/{RUN}/{DAY_PATH}") == first.data and store.written[-1].keep_as == f"_runs/{RUN}/{DAY_PATH}"
    )


def test_without_gzip_a_bucket_gets_the_bytes_as_they_are():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    transfer = Publisher(store, policy(gzip=False)).transfer
    transfer.apply([Step(payload, "new", None)])
    assert store.objects[DAY_PATH][0] == payload.data and store.objects[DAY_PATH][1].content_encoding is None
    assert store.written[0].keep_as is None  # nothing was there to keep


def test_a_folder_gets_no_headers_and_the_status_file_keeps_no_copy(tmp_path):
    store = MemoryStore()
    store.has_headers = False
    status = Payload.of("v1/status.json", "status", {"a": 1})
    transfer = Publisher(store, policy()).transfer
    transfer.apply([Step(status, "new", None)])
    assert store.written[0].headers == Headers() and store.objects[status.path][0] == status.data
    existing = transfer.listing(status.path)[status.path]
    (result,) = transfer.apply([Step(Payload.of(status.path, "status", {"a": 2}), "changed", existing)])
    assert result.status == "written" and result.change is None and store.written[-1].keep_as is None
    folder = FolderStore(tmp_path)
    publish_to(folder, Payload.of(DAY_PATH, "day", day()))
    assert orjson.loads(folder.read(DAY_PATH)) == day()


def test_a_patch_changes_the_headers_only():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, payload)
    transfer = Publisher(store, policy(cache_control={**DEFAULT_CACHE_CONTROL, "day": "public, max-age=9"})).transfer
    step = decide(payload, info, transfer.rules.policy, True)
    assert step.action == "patched"
    (result,) = transfer.apply([step])
    assert result == FileResult(DAY_PATH, "patched", info.size, "cache policy", info.generation)
    write = store.written[-1]
    assert write.body is None and write.expected == info and write.keep_as is None
    assert write.headers.cache_control == "public, max-age=9" and store.read(DAY_PATH) == payload.data


def test_a_failed_write_is_a_failed_result_with_its_detail():
    store = MemoryStore()
    store.script = [Outcome("failed", detail="HTTP 500")]
    (result,) = Publisher(store, policy()).transfer.apply([Step(Payload.of(DAY_PATH, "day", day()), "new", None)])
    assert result == FileResult(DAY_PATH, "failed", 0, "HTTP 500")


def five_days() -> list[Step]:
    return [Step(Payload.of(f"v1/picks/2026-01-0{n}.json", "day", day(n)), "new", None) for n in range(1, 6)]


def test_a_bucket_gets_one_file_a_call_from_at_most_workers_upload_threads_in_the_steps_order():
    store = MemoryStore(concurrent=True)
    store.pause = 0.1
    steps = five_days()
    results = Publisher(store, policy(workers=3)).transfer.apply(steps)
    assert [each.path for each in results] == [step.payload.path for step in steps]
    assert all(each.status == "written" for each in results)
    assert [(call, count) for call, count, _ in store.calls] == [("write", 1)] * 5
    assert all(thread.startswith("upload_") for _, _, thread in store.calls) and store.most_in_flight <= 3


def test_a_folder_gets_one_batch_and_a_single_file_is_sent_from_the_callers_thread():
    store = MemoryStore(concurrent=False)
    Publisher(store, policy(workers=3)).transfer.apply(five_days())
    assert store.calls == [("write", 5, threading.current_thread().name)]
    for count in (1, 2):
        bucket = MemoryStore(concurrent=True)
        Publisher(bucket, policy(workers=3)).transfer.apply(five_days()[:count])
        assert [(call, size) for call, size, _ in bucket.calls] == [("write", 1)] * count
        assert all((thread == threading.current_thread().name) == (count == 1) for _, _, thread in bucket.calls)


def test_a_store_that_answers_for_fewer_files_than_it_was_given_is_a_bug_found_at_once():
    store = MemoryStore(concurrent=False)
    store.write = lambda writes: []  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="zip"):
        Publisher(store, policy()).transfer.apply(five_days())
    store.delete = lambda deletes: []  # type: ignore[method-assign]
    with pytest.raises(ValueError, match="zip"):
        Publisher(store, policy()).transfer.delete([replace(step, action="delete") for step in five_days()])


def test_a_conflict_is_decided_again_against_what_the_path_holds_now():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day(signal="mine"))
    planned = Step(payload, "new", None)  # planned against an empty bucket
    older = publish_to(store, Payload.of(DAY_PATH, "day", day()), run=OLD_RUN)  # then an older run wrote it
    (result,) = Publisher(store, policy()).transfer.apply([planned])
    assert result.status == "written" and result.change == Change(
        older, f"_runs/{RUN}/{DAY_PATH}", payload.content_hash
    )
    assert [write.expected for write in store.written[-2:]] == [None, older]


def test_a_conflict_with_the_same_content_a_newer_run_or_the_shrink_guard_settles_the_file():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    same = publish_to(store, payload)
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "new", None)])
    assert result == FileResult(
        DAY_PATH, "unchanged", same.size, "another run published the same content meanwhile", same.generation
    )
    publish_to(store, Payload.of(DAY_PATH, "day", day(picks=2)), run=NEW_RUN)
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "new", None)])
    assert result == FileResult(
        DAY_PATH, "superseded", 0, f"changed by another run: a newer run ({NEW_RUN}) published it"
    )
    publish_to(store, Payload.of(DAY_PATH, "day", day(picks=2)), run=OLD_RUN)
    (result,) = Publisher(store, policy()).transfer.apply(
        [Step(Payload.of(DAY_PATH, "day", day(picks=0)), "new", None)]
    )
    assert result.status == "refused" and result.detail.startswith("changed by another run: it has 2 picks published")


def test_a_conflict_with_our_own_landed_write_counts_as_written():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, payload, run=RUN)  # our write landed, its answer was lost: the retry conflicts
    store.script = [Outcome("conflict", saved="kept-here")]
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "new", None)])
    assert result == FileResult(
        DAY_PATH, "written", info.size, "", info.generation, Change(None, "kept-here", payload.content_hash)
    )
    status = Payload.of("v1/status.json", "status", {"a": 1})
    publish_to(store, status, run=RUN)
    store.script = [Outcome("conflict")]
    (result,) = Publisher(store, policy()).transfer.apply([Step(status, "new", None)])
    assert result.status == "written" and result.change is None  # the status file is never recorded


def test_a_conflict_whose_listing_fails_is_a_failed_file():
    store = MemoryStore()
    store.script = [Outcome("conflict")]
    store.listing_fails = True
    (result,) = Publisher(store, policy()).transfer.apply([Step(Payload.of(DAY_PATH, "day", day()), "new", None)])
    assert result == FileResult(DAY_PATH, "failed", 0, "changed by another run, then: listing failed")


def test_a_file_that_keeps_changing_fails_after_the_last_try():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    store.script = [Outcome("conflict")] * MAX_CONFLICTS
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "new", None)])
    assert result == FileResult(DAY_PATH, "failed", 0, f"kept changing under {MAX_CONFLICTS} other runs' uploads")
    assert len(store.written) == MAX_CONFLICTS
    store.script = [Outcome("conflict")] * (MAX_CONFLICTS - 1)
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "new", None)])
    assert result.status == "written"


def test_put_answers_none_on_a_conflict_and_the_result_otherwise():
    store = MemoryStore()
    transfer = Publisher(store, policy()).transfer
    payload = Payload.of(DAY_PATH, "day", day())
    assert transfer.put(Step(payload, "new", None)).status == "written"
    assert transfer.put(Step(payload, "new", None)) is None


def test_deletes_keep_the_bytes_and_settle_gone_failed_and_conflicting_paths():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, payload)
    transfer = Publisher(store, policy()).transfer
    (result,) = transfer.delete([Step(payload, "delete", info)])
    assert result == FileResult(DAY_PATH, "deleted", 0, "", None, Change(info, f"_runs/{RUN}/{DAY_PATH}", None))
    assert store.read(f"_runs/{RUN}/{DAY_PATH}") == payload.data and DAY_PATH not in store.objects
    assert transfer.delete([Step(payload, "delete", info)]) == [FileResult(DAY_PATH, "unchanged", 0, "already gone")]
    store.script = [Outcome("failed", detail="HTTP 503")]
    assert transfer.delete([Step(payload, "delete", info)]) == [FileResult(DAY_PATH, "failed", 0, "HTTP 503")]
    publish_to(store, payload)
    (result,) = transfer.delete([Step(payload, "delete", info)])  # another version than the one listed
    assert result == FileResult(DAY_PATH, "refused", 0, "changed by another run since it was listed")


def test_a_delete_whose_answer_was_lost_is_done_and_recorded_with_its_copy_if_kept():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, payload)
    transfer = Publisher(store, policy()).transfer
    del store.objects[DAY_PATH]
    store.script = [Outcome("conflict")]
    assert transfer.delete([Step(payload, "delete", info)]) == [
        FileResult(DAY_PATH, "deleted", 0, "", None, Change(info, None, None))
    ]
    store.put(f"_runs/{RUN}/{DAY_PATH}", b"{}", {})
    store.script = [Outcome("conflict")]
    (result,) = transfer.delete([Step(payload, "delete", info)])
    assert result.change == Change(info, f"_runs/{RUN}/{DAY_PATH}", None)
    store.script = [Outcome("conflict")]
    store.listing_fails = True
    assert transfer.delete([Step(payload, "delete", info)]) == [
        FileResult(DAY_PATH, "failed", 0, "changed by another run, then: listing failed")
    ]


def test_the_folder_keeps_a_replaced_file_under_the_runs_folder(tmp_path):
    store = FolderStore(tmp_path)
    first = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, first)
    transfer = Publisher(store, policy()).transfer
    (result,) = transfer.apply([decide(Payload.of(DAY_PATH, "day", day(picks=2)), info, policy(), False)])
    assert result.change.saved == f"_runs/{RUN}/{DAY_PATH}" and orjson.loads(store.read(result.change.saved)) == day()
    assert Path(tmp_path / DAY_PATH).read_bytes() == Payload.of(DAY_PATH, "day", day(picks=2)).data


# What the first mutation runs of publish.py and transfer.py found untested.


def test_short_spool_writes_at_any_offset_are_completed_in_order(monkeypatch):
    import picks_export.exporters.publish as publish

    real, calls = publish.os.pwrite, []

    def three_at_most(fd, data, offset):
        calls.append(offset)
        assert len(calls) < 20, "the spool keeps writing the same bytes"
        return real(fd, bytes(data)[:3], offset)

    spool = Spool()
    monkeypatch.setattr(publish.os, "pwrite", three_at_most)
    assert spool.put(b"abcdefgh") == 0 and spool.put(b"ijklmno") == 8
    assert spool.get(0, 15) == b"abcdefghijklmno" and calls == [0, 3, 6, 8, 11, 14]
    spool.close()


def test_spooled_and_raw_payloads_keep_every_field():
    spool = Spool()
    season = {"as_of": "2026-01-03", "groups": [{"dates": [{"date": "2026-01-02", "picks": 1}]}]}
    spooled = Payload.of("v1/subsets/season.json", "season", season, spool)
    assert spooled.season == ("2026-01-03", "2026-01-02", "2026-01-02") and spooled.kind == "season"
    for each in (
        Payload.raw("v1/schemas/x.d.ts", "types", b"x", spool),
        Payload.raw("v1/schemas/x.d.ts", "types", b"x"),
    ):
        assert (each.path, each.kind, each.size, each.data) == ("v1/schemas/x.d.ts", "types", 1, b"x")
    spool.close()


def test_a_page_file_is_compared_and_sent_with_the_content_type_of_its_name():
    store = MemoryStore()
    page = Payload.raw("v1/page/page.css", "page", b"body {}")
    info = publish_to(store, page)
    assert store.objects[page.path][1].content_type == "text/css; charset=utf-8"
    assert info.content_type == "text/css; charset=utf-8" and decide(page, info, policy(), True).action == "unchanged"


def test_a_dry_runs_report_names_only_planned_files_by_their_action():
    report = Report(
        [FileResult("a", "written", 1), FileResult("b", "planned", 1)], actions={"a": "new", "b": "changed"}
    )
    assert [report.status_of(each) for each in report.results] == ["written", "changed"]


def test_a_bucket_run_compares_headers_when_it_plans_and_after_a_conflict():
    store = MemoryStore()
    payload = Payload.of(DAY_PATH, "day", day())
    info = publish_to(store, payload)
    restyled = policy(cache_control={**DEFAULT_CACHE_CONTROL, "day": "public, max-age=9"})
    publisher = Publisher(store, restyled)
    assert [step.action for step in publisher.plan([payload], {DAY_PATH: info})] == ["patched"]
    (result,) = publisher.transfer.apply([Step(payload, "new", None)])  # planned new: conflicts, then same bytes
    assert result.status == "patched" and store.objects[DAY_PATH][1].cache_control == "public, max-age=9"


def test_deletions_come_after_every_phase_and_nowhere_else():
    steps = [
        Step(Payload.of(path, kind, {}), "delete", None)
        for path, kind in [(DAY_PATH, "day"), ("v1/picks/index.json", "index")]
    ]
    assert in_phases(steps) == [[], [], [], [], [steps[1], steps[0]]]


def test_begin_pauses_where_the_tests_race_runs_before_anything_is_sent(monkeypatch):
    import picks_export.exporters.publish as publish

    points: list[str] = []
    monkeypatch.setattr(publish, "pause_for_tests", points.append)
    Publisher(MemoryStore(), policy()).begin([Step(Payload.of(DAY_PATH, "day", day()), "new", None)])
    assert points == ["publish"]
    Publisher(MemoryStore(), policy(dry_run=True)).begin([])
    assert points == ["publish"]  # a dry run sends nothing: no pause


def test_send_carries_out_changed_and_restyled_files_and_calls_no_store_for_nothing():
    store = MemoryStore(concurrent=False)
    changed, restyled = Payload.of(DAY_PATH, "day", day()), Payload.of("v1/picks/2026-01-02.json", "day", day())
    old = publish_to(store, Payload.of(DAY_PATH, "day", day(picks=2)))
    kept = publish_to(store, restyled)
    store.calls.clear()
    publisher = Publisher(store, policy(cache_control={**DEFAULT_CACHE_CONTROL, "day": "public, max-age=9"}))
    report = Report([])
    publisher.send([Step(changed, "changed", old), Step(restyled, "patched", kept)], report, {})
    assert [(each.path, each.status) for each in report.results] == [(DAY_PATH, "written"), (restyled.path, "patched")]
    store.calls.clear()
    publisher.send([Step(changed, "unchanged", None)], report, {})
    assert store.calls == [] and report.results[-1] == FileResult(DAY_PATH, "unchanged", 0, "", None)


def test_put_rebuilt_rewrites_whole_a_file_of_other_headers_when_forced():
    store = MemoryStore()
    index = Payload.of("v1/picks/index.json", "index", {"dates": []})
    info = publish_to(store, index)
    store.put(
        index.path,
        store.objects[index.path][0],
        store.objects[index.path][2],
        Headers("old", "application/json", "gzip"),
    )
    publisher = Publisher(store, policy())
    current = publisher.transfer.listing(index.path)[index.path]
    assert decide(index, current, policy(), True).action == "patched" and info.generation != current.generation
    assert publisher.put_rebuilt(index, current, force=True, retried=False).status == "written"
    assert store.written[-1].body is not None and store.objects[index.path][1].cache_control == "public, max-age=300"


def test_our_own_landed_write_found_after_a_conflict_is_recorded_with_what_it_replaced():
    store = MemoryStore()
    before = publish_to(store, Payload.of(DAY_PATH, "day", day(picks=2)))
    payload = Payload.of(DAY_PATH, "day", day())
    publish_to(store, payload, run=RUN)  # our write landed; its answer was lost and the retry conflicts
    store.script = [Outcome("conflict", saved="kept")]
    (result,) = Publisher(store, policy()).transfer.apply([Step(payload, "changed", before)])
    assert result.status == "written" and result.change == Change(before, "kept", payload.content_hash)


def test_a_season_file_carries_its_dates_in_its_metadata():
    store = MemoryStore()
    season = {"as_of": "2026-01-03", "groups": [{"dates": [{"date": "2026-01-02", "picks": 1}]}]}
    info = publish_to(store, Payload.of("v1/subsets/season.json", "season", season))
    assert info.season == ("2026-01-03", "2026-01-02", "2026-01-02")


def test_the_transfer_tells_each_file_sent_with_its_bytes_on_the_wire_and_a_patch_as_none():
    store = MemoryStore(concurrent=False)
    payload = Payload.of(DAY_PATH, "day", day())
    transfer = Publisher(store, policy()).transfer
    heard: list[tuple[str, int]] = []
    transfer.on_sent = lambda path, size: heard.append((path, size))
    (result,) = transfer.apply([Step(payload, "new", None)])
    assert result.status == "written" and heard == [(DAY_PATH, len(store.objects[DAY_PATH][0]))]
    info = transfer.listing(DAY_PATH)[DAY_PATH]
    patcher = Publisher(store, policy(cache_control={**DEFAULT_CACHE_CONTROL, "day": "public, max-age=9"})).transfer
    patcher.on_sent = transfer.on_sent
    (result,) = patcher.apply([decide(payload, info, patcher.rules.policy, True)])
    assert result.status == "patched" and heard[1:] == [(DAY_PATH, 0)]
