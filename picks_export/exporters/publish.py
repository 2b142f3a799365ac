"""Publishing: decide per file what a run must do at the destination, then do it in a safe order.

A run compares each file it built with what is already published (one listing per folder) and plans one
action per file: new, changed, unchanged (skipped), patched (headers only), refused (shrink guard) or superseded
(a newer run already published it). Files then go out in order, schemas and per-day files first, season files
next, the indexes, and the manifest last, so that a reader never finds an index entry or a season date whose day
file is missing, nor a manifest entry whose files are not all there. Each index and the manifest are built again
from a fresh listing just before they are written (by the caller, which drives the phases: `plan.carry_out`), and
written only if they did not change meanwhile: runs racing each other end with indexes of exactly the day files
present.
Nothing here imports a store's client library: the stores do the talking, through `transfer`.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .common import and_more, pause_for_tests
from .digest import (
    SeasonSummary,
    Serialized,
    content_hash,
    day_summary,
    file_hash,
    recorded_season_summary,
    season_summary,
)
from .errors import ExportError, OptionError, OutputError
from .kinds import (
    FILE_KINDS,
    FINAL_DAY_CACHE_CONTROL,
    JSON_CONTENT_TYPE,
    KIND,
    PublishKind,
    cache_controls,
    content_type,
    default_cache_controls,
    phases,
)
from .metadata import META_GRADED, META_HASH, META_PICKS, META_RUN, META_SEASON, ObjectInfo
from .stores.base import RUNS_FOLDER, Headers, Store
from .transfer import (
    Change,
    FileResult,
    Status,
    Transfer,
    saved_path,
)

# Names other modules import from here.
__all__ = [
    "META_GRADED",
    "META_HASH",
    "META_PICKS",
    "META_RUN",
    "META_SEASON",
    "RUNS_FOLDER",
    "Change",
    "FileResult",
    "ObjectInfo",
    "SeasonSummary",
    "Status",
    "Store",
    "content_hash",
    "day_summary",
    "file_hash",
    "pause_for_tests",
    "recorded_season_summary",
    "saved_path",
    "season_summary",
]

# What a kind of file is lives in the table of kinds (kinds.py); these names are views of it.
KINDS: tuple[PublishKind, ...] = tuple(kind.name for kind in FILE_KINDS)
CONTENT_TYPE = JSON_CONTENT_TYPE
CONTENT_TYPES: Mapping[PublishKind, str] = {
    kind.name: kind.content_type
    for kind in FILE_KINDS
    if kind.content_type is not None and kind.content_type != JSON_CONTENT_TYPE
}
DEFAULT_CACHE_CONTROL: Mapping[PublishKind, str] = default_cache_controls()
SHARED_CACHE_CONTROL: Mapping[PublishKind, PublishKind] = {
    kind.name: kind.cache_like for kind in FILE_KINDS if kind.cache_like is not None
}
STATUS_CACHE_CONTROL: str = KIND["status"].cache_control or ""
# A per-day file at least this many days old (against today in New York) and fully graded is final.
FINAL_DAY_AGE = 2
DEFAULT_CACHE_FINAL_DAY = FINAL_DAY_CACHE_CONTROL


# "delete" is only planned by a rollback, for a file the rolled-back run created.
Action = Literal["new", "changed", "unchanged", "patched", "refused", "superseded", "delete"]


def new_run_id() -> str:
    """Sortable by start time (nanoseconds), unique by a random suffix: later runs compare greater."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


class SpoolError(OutputError):
    """A file could not be spooled whole (a full or failing temporary folder), or its bytes changed in the spool
    before they were sent: nothing of them is published."""


class Spool:
    """A run's serialized files on disk until they are published, so memory stays flat however many there are.

    Trusts nothing it has not checked: every write is read back before the run goes on (a short write or a full
    disk is a SpoolError while the run is still staging, before anything is published), and every read is hashed
    again against the bytes' SHA-256 taken when they were serialized (`Payload.data`)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="picks-export-")
        self._end = 0

    def put(self, data: bytes) -> int:
        offset = self._end
        try:
            done = 0
            while done < len(data):  # a short write is legal: write the rest, and a write of nothing is a full disk
                written = os.pwrite(self._file.fileno(), memoryview(data)[done:], offset + done)
                if written <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                done += written
            whole = os.pread(self._file.fileno(), len(data), offset) == data
        except OSError as error:
            raise SpoolError(
                f"cannot spool a file in the temporary folder {self._folder()}: {error.strerror or error}"
                " (free some space or point TMPDIR elsewhere); nothing published"
            ) from None
        if not whole:
            raise SpoolError(f"a file spooled in {self._folder()} did not read back as written; nothing published")
        self._end += len(data)
        return offset

    def get(self, offset: int, size: int) -> bytes:
        return os.pread(self._file.fileno(), size, offset)  # positional reads: safe from several upload threads

    def close(self) -> None:
        self._file.close()

    @staticmethod
    def _folder() -> str:
        return tempfile.gettempdir()


@dataclass(frozen=True)
class Payload:
    """One file of a run, serialized, with what the comparison and the index need to know about it."""

    path: str
    kind: PublishKind
    content_hash: str
    size: int
    picks: int | None = None  # per-day files only
    graded: bool | None = None
    season: SeasonSummary | None = None  # season files only: what the manifest says of them
    final: bool = False  # a per-day file that does not change again in normal operation (FINAL_DAY_AGE)
    inline: bytes | None = None  # the bytes, unless they wait in a spool
    spool: Spool | None = None
    offset: int = 0
    sha256: str | None = None  # of the spooled bytes, taken when they were serialized: checked on every read
    # Neither `inline` nor `spool`: a stand-in for a published file found current, planned by its hash, never sent.

    @classmethod
    def of(cls, path: str, kind: PublishKind, content: Any, spool: Spool | None = None) -> Payload:
        return cls.of_serialized(path, kind, Serialized.of(kind, content), spool=spool)

    @classmethod
    def of_serialized(
        cls, path: str, kind: PublishKind, made: Serialized, *, final: bool = False, spool: Spool | None = None
    ) -> Payload:
        """The payload of a serialized document: its bytes kept in memory, or put in `spool` (hashed as they go)."""
        data = made.data
        if spool is None:
            return cls(path, kind, made.content_hash, len(data), made.picks, made.graded, made.season, final,
                       inline=data)  # fmt: skip
        return cls(path, kind, made.content_hash, len(data), made.picks, made.graded, made.season, final,
                   spool=spool, offset=spool.put(data), sha256=hashlib.sha256(data).hexdigest())  # fmt: skip

    @classmethod
    def raw(cls, path: str, kind: PublishKind, data: bytes, spool: Spool | None = None) -> Payload:
        """A file published as it is (the JSON Schemas keep their layout; other files are hashed as bytes), kept
        in memory or in `spool`."""
        if spool is None:
            return cls(path, kind, file_hash(path, data), len(data), inline=data)
        return cls(path, kind, file_hash(path, data), len(data), spool=spool, offset=spool.put(data),
                   sha256=hashlib.sha256(data).hexdigest())  # fmt: skip

    def spooled(self, spool: Spool) -> Payload:
        """This payload with its bytes moved from memory into `spool` (read back and checked there)."""
        data = self.data
        return replace(self, inline=None, spool=spool, offset=spool.put(data), sha256=hashlib.sha256(data).hexdigest())

    def stand_in(self) -> Payload:
        """This payload without its bytes: for a published file found current, planned by its hash, never sent."""
        return replace(self, inline=None, spool=None, offset=0, sha256=None)

    @property
    def data(self) -> bytes:
        """The bytes to send; spooled ones are hashed again just before they go (SpoolError if they changed)."""
        if self.inline is not None:
            return self.inline
        if self.spool is None or self.sha256 is None:  # a stand-in of a published file found current (staging)
            raise SpoolError(f"{self.path}: changed by another run since it was listed, and not built by this one;"
                             " run again")  # fmt: skip
        data = self.spool.get(self.offset, self.size)
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise SpoolError(f"{self.path}: its spooled bytes no longer match the document's hash; not published")
        return data


@dataclass(frozen=True)
class PublishPolicy:
    """How a run publishes; every field has a command-line option."""

    gzip: bool = True
    cache_control: Mapping[PublishKind, str] = field(default_factory=lambda: dict(DEFAULT_CACHE_CONTROL))
    allow_shrink: bool = False
    dry_run: bool = False
    workers: int = 8
    retry_deadline: float = 120.0  # seconds to keep retrying a transient failure of one request
    run: str = field(default_factory=new_run_id)
    # The command line's command that started the run (`daily`), spelt out by the run for its record and the status
    # file (`daily --date 2026-02-07`); empty when the library is called directly: then they name none.
    command: str = ""
    cache_final_day: str = DEFAULT_CACHE_FINAL_DAY  # per-day files that are final (Payload.final)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache_control", cache_controls(self.cache_control))
        if self.workers < 1:
            raise OptionError(f"{{workers}} must be at least 1, not {self.workers}")
        if self.retry_deadline <= 0:
            raise OptionError(f"{{retry_deadline}} must be positive, not {self.retry_deadline}")
        for kind, value in [*self.cache_control.items(), ("final day", self.cache_final_day)]:
            if not value or not value.isascii() or not value.isprintable():
                raise ExportError(f"cache control of {kind} files {value!r} is not a printable ASCII header value")

    def cache_control_for(self, payload: Payload) -> str:
        """The Cache-Control of one file: its kind's, or the final days' for a per-day file that is final."""
        if payload.kind == "day" and payload.final:
            return self.cache_final_day
        return self.cache_control[payload.kind]

    @property
    def content_encoding(self) -> str | None:
        return "gzip" if self.gzip else None

    def content_encoding_for(self, payload: Payload) -> str | None:
        """The Content-Encoding of one file: none for a kind whose bytes are compressed already."""
        return None if KIND[payload.kind].compressed else self.content_encoding


@dataclass(frozen=True)
class Step:
    """The plan for one file."""

    payload: Payload
    action: Action
    existing: ObjectInfo | None
    reason: str = ""


def decide(payload: Payload, existing: ObjectInfo | None, policy: PublishPolicy, has_headers: bool) -> Step:
    """What to do with `payload` given what is published at its path (also used again after a conflict)."""
    if existing is None:
        return Step(payload, "new", None)
    same_bytes_form = not has_headers or existing.content_encoding == policy.content_encoding_for(payload)
    if existing.content_hash == payload.content_hash and same_bytes_form:
        headers_ok = not has_headers or (
            existing.cache_control == policy.cache_control_for(payload)
            and existing.content_type == content_type(payload.kind, payload.path)
        )
        return Step(payload, "unchanged" if headers_ok else "patched", existing)
    # An index or the manifest is built from the listing just taken: the freshest listing wins, whichever run took it.
    if existing.run > policy.run and payload.kind not in REBUILT_KINDS:
        return Step(payload, "superseded", existing, f"a newer run ({existing.run}) published it")
    if payload.kind == "day" and (existing.picks or 0) > 0 and payload.picks == 0 and not policy.allow_shrink:
        return Step(
            payload,
            "refused",
            existing,
            f"it has {existing.picks} picks published and would have none (--allow-shrink replaces it)",
        )
    return Step(payload, "changed", existing)


@dataclass
class Report:
    """What a run did (or, on a dry run, would do) with each file."""

    results: list[FileResult]
    dry_run: bool = False
    actions: dict[str, Action] = field(default_factory=dict)  # path -> planned action
    describe: Callable[[str], str] = str  # where a path ends up, for messages

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def stopped(self) -> bool:
        """A file failed or was refused: the later phases are not attempted."""
        return any(result.status in ("failed", "refused") for result in self.results)

    @property
    def failed(self) -> list[FileResult]:
        return [result for result in self.results if result.status in ("failed", "refused", "not attempted")]

    @property
    def bytes_sent(self) -> int:
        return sum(result.size for result in self.results if result.status == "written")

    def status_of(self, result: FileResult) -> str:
        """What happened to a file; on a dry run, what would have (its planned action rather than "planned")."""
        return self.actions.get(result.path, result.status) if result.status == "planned" else result.status

    def as_json(self) -> dict[str, Any]:
        """The files by status (each with its path, size and any detail), for `--json` and run records."""
        files: dict[str, list[dict[str, Any]]] = {}
        for result in self.results:
            entry: dict[str, Any] = {"path": result.path, "bytes": result.size}
            if result.detail and result.detail != self.actions.get(result.path):
                entry["detail"] = result.detail
            files.setdefault(self.status_of(result), []).append(entry)
        return {
            "dry_run": self.dry_run,
            "destination": self.describe(""),
            "counts": {status: len(entries) for status, entries in files.items()},
            "files": files,
            "bytes_sent": self.bytes_sent,
        }


class PublishFailed(OutputError):
    """Some files could not be published; `report` tells which were, which were skipped and which failed."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


class PublishRefused(PublishFailed):
    """A guard refused the run before anything was sent."""

    exit_code = 7


PHASES: tuple[tuple[PublishKind, ...], ...] = phases()
_PHASE_OF = {kind.name: kind.phase for kind in FILE_KINDS}
# How often an index or the manifest is listed, built and written again after another run changed it in between.
MAX_REBUILDS = 8
REBUILT_KINDS: tuple[PublishKind, ...] = tuple(kind.name for kind in FILE_KINDS if kind.rebuilt)
# Not in a run's record (so never rolled back, and no copy of the bytes it replaces is kept).
UNRECORDED_KINDS: tuple[PublishKind, ...] = tuple(kind.name for kind in FILE_KINDS if not kind.recorded)


class _Rules:
    """A run's decisions, as the transfer asks for them."""

    def __init__(self, policy: PublishPolicy, has_headers: bool) -> None:
        self.policy = policy
        self.has_headers = has_headers
        self.run = policy.run
        self.workers = policy.workers

    def decide(self, payload: Payload, existing: ObjectInfo | None) -> Step:
        return decide(payload, existing, self.policy, self.has_headers)

    def headers(self, payload: Payload) -> Headers:
        policy = self.policy
        encoding = policy.content_encoding_for(payload)
        return Headers(policy.cache_control_for(payload), content_type(payload.kind, payload.path), encoding)

    def recorded(self, payload: Payload) -> bool:
        return payload.kind not in UNRECORDED_KINDS


class PublishedView:
    """The destination as the site files read it (`site.Published`): listings with their metadata decoded, and
    a file's bytes."""

    def __init__(self, transfer: Transfer[Payload], store: Store) -> None:
        self._transfer = transfer
        self._store = store

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        return self._transfer.listing(folder, start, end)

    def read(self, path: str) -> bytes | None:
        return self._store.read(path)


# Keeps a run's record of what it changed, given the sink, the run's policy and what happened to each file.
RecordRun = Callable[["Store", "PublishPolicy", Sequence["FileResult"]], None]


def in_phases(steps: Sequence[Step]) -> list[list[Step]]:
    """The steps of each phase (PHASES), in publishing order, each phase's steps in their planned order; then the
    deletions (a rollback's), the site files' first, so that no index or manifest ever names a file that is gone:
    they have been rewritten without it before it goes."""
    phases = [[step for step in steps if step.payload.kind in kinds and step.action != "delete"] for kinds in PHASES]
    deletes = [step for step in steps if step.action == "delete"]
    deletes.sort(key=lambda step: -_PHASE_OF[step.payload.kind])  # stable: each phase's in its planned order
    return [*phases, deletes] if deletes else phases


class Publisher:
    """Plans one run's files and publishes them through a sink, phase by phase as its caller drives it.

    The caller (`plan.carry_out`) takes the plan through `begin`, `send` for each phase, and `end`; the files that
    are built from what is published (the indexes, the manifest, the status file) it builds itself from a fresh
    listing and offers with `put_rebuilt`. The publisher calls nothing above it."""

    def __init__(self, sink: Store, policy: PublishPolicy, record: RecordRun | None = None) -> None:
        self.sink = sink
        self.policy = policy
        self.record = record  # keeps the run's record (runs.write_record); none: the run is not recorded
        self.transfer = Transfer(sink, _Rules(policy, sink.has_headers), policy.retry_deadline)
        self.published = PublishedView(self.transfer, sink)  # what the site files are built from

    def listing(self, folders: Sequence[str]) -> dict[str, ObjectInfo]:
        published: dict[str, ObjectInfo] = {}
        for folder in sorted(set(folders)):
            published.update(self.transfer.listing(folder))
        return published

    def plan(self, payloads: Sequence[Payload], published: Mapping[str, ObjectInfo]) -> list[Step]:
        return [decide(each, published.get(each.path), self.policy, self.sink.has_headers) for each in payloads]

    def begin(
        self, steps: Sequence[Step], on_plan: Callable[[Mapping[str, Action]], None] | None = None
    ) -> tuple[list[Step], Report]:
        """The plan in publishing order and its report; `on_plan` hears each path's action before anything is sent.

        A dry run's report is complete (each file as planned); a plan with a refused file raises PublishRefused."""
        steps = sorted(steps, key=lambda step: _PHASE_OF[step.payload.kind])  # stable: keeps each phase's order
        actions = {step.payload.path: step.action for step in steps}
        report = Report([], self.policy.dry_run, actions, self.sink.describe)
        if on_plan is not None:
            on_plan(actions)
        refused = [step for step in steps if step.action == "refused"]
        if self.policy.dry_run or refused:
            report.results = [_planned(step, refused_run=bool(refused)) for step in steps]
            if refused and not self.policy.dry_run:
                first = refused[0]
                more = and_more(len(refused))
                raise PublishRefused(
                    f"refusing to publish anything: {self.sink.describe(first.payload.path)}: {first.reason}{more}",
                    report,
                )
            return steps, report
        pause_for_tests("publish")
        return steps, report

    def send(self, phase: Sequence[Step], report: Report, rebuilt: Mapping[str, FileResult]) -> None:
        """Carry out one phase's planned writes and deletes; a path of `rebuilt` has been written already (its
        result given). After a failure in an earlier phase nothing is attempted."""
        if report.stopped:
            report.results += [
                FileResult(step.payload.path, "not attempted", 0, "an earlier file failed") for step in phase
            ]
            return
        todo = [
            step for step in phase if step.action in ("new", "changed", "patched") and step.payload.path not in rebuilt
        ]
        done = {result.path: result for result in self.transfer.apply(todo)} if todo else {}
        gone = [step for step in phase if step.action == "delete" and step.payload.path not in rebuilt]
        done.update({result.path: result for result in self.transfer.delete(gone)} if gone else {})
        done.update(rebuilt)
        for step in phase:
            report.results.append(done.get(step.payload.path) or _skipped(step))

    def put_rebuilt(
        self, payload: Payload, existing: ObjectInfo | None, *, force: bool, retried: bool
    ) -> FileResult | None:
        """Write a file built from a listing just taken (`existing`: what the listing holds at its path) unless it
        changed since; None when it did (then list, build and offer it again, up to MAX_REBUILDS times).

        `force`: this run wrote files the rebuilt one depends on, so it is written even when its content is the
        same. Its new generation makes a racing run that listed before those files landed fail its precondition
        and list again, rather than put back a file built from the older listing."""
        if retried and existing and existing.run == self.policy.run and existing.content_hash == payload.content_hash:
            # Our write had landed before its answer was lost (a retried request): it is the file.
            return FileResult(payload.path, "written", existing.size, "", existing.generation)
        step = decide(payload, existing, self.policy, self.sink.has_headers)
        if step.action in ("unchanged", "patched") and force:
            step = Step(payload, "changed", existing, "rewritten after this run's files it is built from")
        elif step.action == "unchanged":
            return _skipped(step)
        return self.transfer.put(step)

    def end(self, report: Report, planned: int) -> Report:
        """Write the run's record; raise PublishFailed when some files could not be published."""
        self._record(report, quiet=bool(report.failed))
        if report.failed:
            failed = report.failed
            raise PublishFailed(
                f"{len(failed)} of {planned} files not published; first: "
                f"{self.sink.describe(failed[0].path)}: {failed[0].status}: {failed[0].detail}",
                report,
            )
        return report

    def abort(self, report: Report) -> None:
        """An interruption: record what was written so far (quietly), before the caller goes on unwinding."""
        self._record(report, quiet=True)

    def _record(self, report: Report, *, quiet: bool) -> None:
        """Write the run record (`_runs/{run}.json`) when the run changed anything; a failed run's quietly."""
        if self.record is None:
            return
        try:
            self.record(self.sink, self.policy, report.results)
        except ExportError:
            if not quiet:
                raise


def gave_up(path: str) -> FileResult:
    """A rebuilt file that could not be written: what it is built from changed under other runs every time."""
    return FileResult(
        path, "failed", 0, f"what it is built from kept changing under other runs ({MAX_REBUILDS} listings)"
    )


def _planned(step: Step, refused_run: bool) -> FileResult:
    detail = step.reason or step.action
    if refused_run and step.action != "refused":
        return FileResult(step.payload.path, "not attempted", step.payload.size, f"planned: {detail}")
    status: Status = "refused" if step.action == "refused" else "planned"
    return FileResult(step.payload.path, status, step.payload.size, detail)


def _skipped(step: Step) -> FileResult:
    generation, size = (step.existing.generation, step.existing.size) if step.existing else (None, 0)
    status: Status = "superseded" if step.action == "superseded" else "unchanged"
    return FileResult(step.payload.path, status, size, step.reason, generation)
