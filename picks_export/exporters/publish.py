"""Publishing: decide per file what a run must do at the destination, then do it in a safe order.

A run compares each file it built with what is already published (one listing per folder) and plans one
action per file: new, changed, unchanged (skipped), restyle (headers only), refused (shrink guard) or superseded
(a newer run already published it). Files then go out in order, schemas and per-day files first, season files
next, the indexes, and the manifest last, so that a reader never finds an index entry or a season date whose day
file is missing, nor a manifest entry whose files are not all there. Each index and the manifest are built again
from a fresh listing just before they are written (by the caller, which drives the phases: `plan.carry_out`), and
written only if they did not change meanwhile: runs racing each other end with indexes of exactly the day files
present.
Nothing here imports a Google library: the sinks do the talking.
"""

from __future__ import annotations
from .common import and_more

import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import orjson

from .errors import ExportError, OutputError
from .server.page import page_content_type

PublishKind = Literal["day", "season", "index", "schema", "manifest", "types", "page", "status"]
KINDS: tuple[PublishKind, ...] = ("day", "season", "index", "schema", "manifest", "types", "page", "status")
CONTENT_TYPE = "application/json"
# Every file is JSON but the TypeScript declarations published beside the schemas.
CONTENT_TYPES: Mapping[PublishKind, str] = {"types": "application/typescript"}
DEFAULT_CACHE_CONTROL: Mapping[PublishKind, str] = {
    "day": "public, max-age=300",
    "season": "public, max-age=3600",
    "index": "public, max-age=300",
    "schema": "public, max-age=86400",
}
# Kinds without a cache option of their own follow another kind's: the manifest changes when an index does, and
# the TypeScript declarations when the schemas do.
# The reference page (--with-page) is as fresh as the manifest it reads.
SHARED_CACHE_CONTROL: Mapping[PublishKind, PublishKind] = {"manifest": "index", "types": "schema", "page": "index"}
# The status file says what state the data is in now: never served from a cache without asking.
STATUS_CACHE_CONTROL = "no-cache"
# A per-day file at least this many days old (against today in New York) and fully graded is final.
FINAL_DAY_AGE = 2
DEFAULT_CACHE_FINAL_DAY = "public, max-age=86400"


def content_type(kind: PublishKind, path: str = "") -> str:
    if kind == "page":  # the reference page's HTML, CSS and JavaScript
        return page_content_type(path) or "application/octet-stream"
    return CONTENT_TYPES.get(kind, CONTENT_TYPE)
# Custom metadata on every published object: what the next run compares with, without downloading it.
META_HASH = "content-sha256"
META_RUN = "published-by-run"
META_PICKS = "picks"
META_GRADED = "graded"
META_SEASON = "season"  # a season file's as_of, first and last date with picks: JSON [as_of, first, last]

# "delete" is only planned by a rollback, for a file the rolled-back run created.
Action = Literal["new", "changed", "unchanged", "restyle", "refused", "superseded", "delete"]
Status = Literal[
    "written", "patched", "deleted", "unchanged", "superseded", "refused", "failed", "not attempted", "planned"
]
# Beside the published prefix at the destination's root, never under it: each run's record and the bytes it
# replaced (`_runs/{run}.json`, `_runs/{run}/{path}`).
RUNS_FOLDER = "_runs"


def new_run_id() -> str:
    """Sortable by start time (nanoseconds), unique by a random suffix: later runs compare greater."""
    return f"{time.time_ns():020d}-{secrets.token_hex(4)}"


def content_hash(content: Any, data: bytes | None = None) -> str:
    """SHA-256 of the document without `generated_at`: a re-run over unchanged data gives the same hash.

    With `data` (the document's bytes, `orjson.dumps(content)`), the hashed bytes are `data` less its
    `"generated_at":...,` member, rather than a second serialization of the whole document."""
    if isinstance(content, dict):
        if data is not None:
            cut = _generated_at_span(content, data)
            if cut is not None:
                digest = hashlib.sha256(memoryview(data)[: cut[0]])
                digest.update(memoryview(data)[cut[1] :])
                return digest.hexdigest()
        content = {key: value for key, value in content.items() if key != "generated_at"}
    return hashlib.sha256(orjson.dumps(content)).hexdigest()


def _generated_at_span(content: dict[str, Any], data: bytes) -> tuple[int, int] | None:
    """Where the top-level `"generated_at":"...",` member lies in `data`, checked against the members before it;
    None when it is absent, last or not a string (then the document is serialized again without it)."""
    keys = list(content)
    if "generated_at" not in content or keys[-1] == "generated_at" or not isinstance(content["generated_at"], str):
        return None
    position = keys.index("generated_at")
    head = orjson.dumps({key: content[key] for key in keys[:position]})[:-1] + (b"," if position else b"")
    member = b'"generated_at":' + orjson.dumps(content["generated_at"]) + b","
    if not data.startswith(member, len(head)) or not data.startswith(head):
        return None
    return len(head), len(head) + len(member)


def file_hash(path: str, data: bytes) -> str:
    """The hash a published file is compared by: its JSON content's (`content_hash`), or its bytes' for text."""
    return content_hash(orjson.loads(data)) if path.endswith(".json") else hashlib.sha256(data).hexdigest()


def day_summary(content: Any) -> tuple[int, bool]:
    """(picks shown, fully graded) of a per-day document: graded when it has picks and each has a result."""
    # Also reads files found at a day path that picks-export did not write: anything but our shape counts nothing.
    groups = content.get("groups") if isinstance(content, dict) else None
    results = [
        pick.get("result")
        for group in (groups if isinstance(groups, list) else [])
        if isinstance(group, dict) and isinstance(group.get("picks"), list)
        for pick in group["picks"]
        if isinstance(pick, dict)
    ]
    return len(results), bool(results) and all(result is not None for result in results)


SeasonSummary = tuple[str | None, str | None, str | None]


def season_summary(content: Any) -> SeasonSummary:
    """(as_of, first date with picks, last date with picks) of a season document; Nones for anything else."""
    if not isinstance(content, dict):
        return None, None, None
    as_of = content.get("as_of") if isinstance(content.get("as_of"), str) else None
    groups = content.get("groups")
    dates = {
        entry["date"]
        for group in (groups if isinstance(groups, list) else [])
        if isinstance(group, dict) and isinstance(group.get("dates"), list)
        for entry in group["dates"]
        if isinstance(entry, dict) and isinstance(entry.get("date"), str) and entry.get("picks")
    }
    return as_of, min(dates, default=None), max(dates, default=None)


def recorded_season_summary(value: Any) -> SeasonSummary | None:
    """A season summary as a record or an object's metadata keeps it (a list of three strings or nulls); None
    for anything else, and then the file is read for it."""
    if isinstance(value, list) and len(value) == 3 and all(item is None or isinstance(item, str) for item in value):
        return value[0], value[1], value[2]
    return None


def pause_for_tests(point: str) -> None:
    """Test-only: with PICKS_EXPORT_TEST_PAUSE=POINT:FILE a run creates FILE.waiting at POINT, then waits for FILE.

    Lets the tests race or interrupt real processes at a known moment ("building": the run's first file built,
    nothing published; "publish": planned, nothing sent; "staged": a folder's files staged beside their targets,
    not yet renamed). Unset in any real run."""
    hook = os.environ.get("PICKS_EXPORT_TEST_PAUSE", "")
    where, _, file = hook.partition(":")
    if where != point or not file:
        return
    with open(f"{file}.waiting", "w"):
        pass
    while not os.path.exists(file):
        time.sleep(0.02)


class Spool:
    """A run's serialized files on disk until they are published, so memory stays flat however many there are."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="picks-export-")
        self._end = 0

    def put(self, data: bytes) -> int:
        offset = self._end
        os.pwrite(self._file.fileno(), data, offset)
        self._end += len(data)
        return offset

    def get(self, offset: int, size: int) -> bytes:
        return os.pread(self._file.fileno(), size, offset)  # positional reads: safe from several upload threads

    def close(self) -> None:
        self._file.close()


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

    @classmethod
    def of(cls, path: str, kind: PublishKind, content: Any, spool: Spool | None = None) -> Payload:
        picks, graded = day_summary(content) if kind == "day" else (None, None)
        season = season_summary(content) if kind == "season" else None
        data = orjson.dumps(content)
        if spool is None:
            return cls(path, kind, content_hash(content, data), len(data), picks, graded, season, inline=data)
        return cls(path, kind, content_hash(content, data), len(data), picks, graded, season, spool=spool,
                   offset=spool.put(data))  # fmt: skip

    @classmethod
    def raw(cls, path: str, kind: PublishKind, data: bytes) -> Payload:
        """A file published as it is (the JSON Schemas keep their layout; other text is hashed as bytes)."""
        return cls(path, kind, file_hash(path, data), len(data), inline=data)

    @property
    def data(self) -> bytes:
        if self.inline is not None:
            return self.inline
        assert self.spool is not None
        return self.spool.get(self.offset, self.size)


@dataclass(frozen=True)
class ObjectInfo:
    """What the destination holds at a path, as one listing reports it."""

    path: str
    content_hash: str | None
    size: int = 0
    generation: int | None = None
    metageneration: int | None = None
    cache_control: str | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    run: str = ""
    picks: int | None = None
    graded: bool | None = None
    season: SeasonSummary | None = None  # a season file's, when its record or metadata carries it


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
    command: str = ""  # what started the run, for its record (`daily --date 2026-02-07`)
    cache_final_day: str = DEFAULT_CACHE_FINAL_DAY  # per-day files that are final (Payload.final)

    def __post_init__(self) -> None:
        cache_control = dict(self.cache_control)
        cache_control.setdefault("status", STATUS_CACHE_CONTROL)
        for kind, like in SHARED_CACHE_CONTROL.items():
            if like in cache_control:
                cache_control.setdefault(kind, cache_control[like])
        object.__setattr__(self, "cache_control", cache_control)
        if self.workers < 1:
            raise ExportError(f"--workers must be at least 1, not {self.workers}")
        if self.retry_deadline <= 0:
            raise ExportError(f"--retry-deadline must be positive, not {self.retry_deadline}")
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


@dataclass(frozen=True)
class Step:
    """The plan for one file."""

    payload: Payload
    action: Action
    existing: ObjectInfo | None
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """What one write or deletion replaced, for the run record: the previous state and where its bytes are kept
    (`saved`: a copy under `_runs/{run}/`; None when the bucket keeps the previous generation, or nothing was
    there), and the new content's hash (None: deleted)."""

    previous: ObjectInfo | None
    saved: str | None
    content_hash: str | None


@dataclass(frozen=True)
class FileResult:
    path: str
    status: Status
    size: int = 0
    detail: str = ""
    generation: int | None = None
    change: Change | None = None  # on "written" and "deleted"


def saved_path(run: str, path: str) -> str:
    """Where a run keeps the bytes it replaced at `path`."""
    return f"{RUNS_FOLDER}/{run}/{path}"


class Sink(Protocol):
    """A destination: a folder or a bucket, holding files at paths like `v1/picks/2026-02-07.json`."""

    # Whether objects carry HTTP headers (cache control, content type and encoding) worth comparing.
    has_headers: bool

    def describe(self, path: str) -> str:
        """Where `path` ends up, for messages."""

    def configure(self, policy: PublishPolicy) -> None:
        """Take the run's settings (retry deadline) before the first request."""

    def list(self, folder: str) -> dict[str, ObjectInfo]:
        """What is published under `folder` (ending in `/`), in one listing."""

    def read(self, path: str) -> bytes | None:
        """The published JSON at `path` (decompressed), or None; for objects whose metadata says too little."""

    def apply(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        """Carry out new / changed / restyle steps; a result per step, never an exception per file.

        A file changed by another run since it was listed is decided again (`decide`) before it is replaced."""

    def put(self, step: Step, policy: PublishPolicy) -> FileResult | None:
        """Carry out one step only if its path still holds `step.existing`; None when another run changed it."""

    def delete(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        """Remove each step's path if it still holds `step.existing` (refused otherwise), keeping its bytes."""

    def read_version(self, path: str, generation: int) -> bytes | None:
        """The bytes of an earlier generation of `path` (a versioned bucket), or None when it is gone."""

    def write_private(self, path: str, data: bytes) -> None:
        """Write a file that is not published (a run record), replacing it whole."""

    def names(self, folder: str) -> list[str]:
        """The names of the files directly in `folder` (ending in `/`), outside the published prefix."""


def decide(payload: Payload, existing: ObjectInfo | None, policy: PublishPolicy, has_headers: bool) -> Step:
    """What to do with `payload` given what is published at its path (also used again after a conflict)."""
    if existing is None:
        return Step(payload, "new", None)
    same_bytes_form = not has_headers or existing.content_encoding == policy.content_encoding
    if existing.content_hash == payload.content_hash and same_bytes_form:
        headers_ok = not has_headers or (
            existing.cache_control == policy.cache_control_for(payload)
            and existing.content_type == content_type(payload.kind, payload.path)
        )
        return Step(payload, "unchanged" if headers_ok else "restyle", existing)
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


PHASES: tuple[tuple[PublishKind, ...], ...] = (
    ("schema", "types", "day"), ("season",), ("index",), ("manifest", "page", "status")
)
_PHASE_OF = {kind: number for number, kinds in enumerate(PHASES) for kind in kinds}
# How often an index or the manifest is listed, built and written again after another run changed it in between.
MAX_REBUILDS = 8
REBUILT_KINDS: tuple[PublishKind, ...] = ("index", "manifest", "status")
# Not in a run's record (so never rolled back, and no copy of the bytes it replaces is kept): the status file is a
# heartbeat every run rewrites, and a rollback rebuilds it.
UNRECORDED_KINDS: tuple[PublishKind, ...] = ("status",)


# Keeps a run's record of what it changed, given the sink, the run's policy and what happened to each file.
RecordRun = Callable[["Sink", "PublishPolicy", Sequence["FileResult"]], None]


def in_phases(steps: Sequence[Step]) -> list[list[Step]]:
    """The steps of each phase (PHASES), in publishing order, each phase's steps in their planned order."""
    return [[step for step in steps if step.payload.kind in kinds] for kinds in PHASES]


class Publisher:
    """Plans one run's files and publishes them through a sink, phase by phase as its caller drives it.

    The caller (`plan.carry_out`) takes the plan through `begin`, `send` for each phase, and `end`; the files that
    are built from what is published (the indexes, the manifest, the status file) it builds itself from a fresh
    listing and offers with `put_rebuilt`. The publisher calls nothing above it."""

    def __init__(self, sink: Sink, policy: PublishPolicy, record: RecordRun | None = None) -> None:
        self.sink = sink
        self.policy = policy
        self.record = record  # keeps the run's record (runs.write_record); none: the run is not recorded
        sink.configure(policy)

    def listing(self, folders: Sequence[str]) -> dict[str, ObjectInfo]:
        published: dict[str, ObjectInfo] = {}
        for folder in sorted(set(folders)):
            published.update(self.sink.list(folder))
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
            report.results += [FileResult(step.payload.path, "not attempted", 0, "an earlier file failed") for step in phase]
            return
        todo = [step for step in phase if step.action in ("new", "changed", "restyle") and step.payload.path not in rebuilt]
        done = {result.path: result for result in self.sink.apply(todo, self.policy)} if todo else {}
        gone = [step for step in phase if step.action == "delete" and step.payload.path not in rebuilt]
        done.update({result.path: result for result in self.sink.delete(gone, self.policy)} if gone else {})
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
        if step.action in ("unchanged", "restyle") and force:
            step = Step(payload, "changed", existing, "rewritten after this run's files it is built from")
        elif step.action == "unchanged":
            return _skipped(step)
        return self.sink.put(step, self.policy)

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
    return FileResult(path, "failed", 0, f"what it is built from kept changing under other runs ({MAX_REBUILDS} listings)")


def _planned(step: Step, refused_run: bool) -> FileResult:
    detail = step.reason or step.action
    if refused_run and step.action != "refused":
        return FileResult(step.payload.path, "not attempted", step.payload.size, f"planned: {detail}")
    status: Status = "refused" if step.action == "refused" else "planned"
    return FileResult(step.payload.path, status, step.payload.size, detail)


def _skipped(step: Step) -> FileResult:
    generation = step.existing.generation if step.existing else None
    status: Status = "superseded" if step.action == "superseded" else "unchanged"
    return FileResult(step.payload.path, status, 0, step.reason, generation)
