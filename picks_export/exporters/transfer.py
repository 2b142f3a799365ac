"""Carrying out a run's steps over any store: the publishing semantics the stores leave to the publisher.

Each new, changed or patched file is written under its precondition (nothing there, or still the version the
run listed). A file another run changed meanwhile is listed again and decided again (`publish.decide`, handed
in by the publisher): written after all, left as it is (the same content, a newer run's, the shrink guard), or,
when the new version is this run's own (a retried request whose answer was lost), counted as written. The version
a write or a deletion replaces is kept first (a copy under `_runs/{run}/`, or the bucket's previous version) and
named in the file's `Change` for the run record. Custom metadata (the hash, the run, a day's picks, a season's
dates) is encoded here and decoded from every listing, so every store speaks of it the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from .digest import SeasonSummary
from .errors import OutputError
from .metadata import (
    ObjectInfo,
    decoded,
    encode_metadata,
)
from .stores.base import RUNS_FOLDER, Delete, Headers, Outcome, Store, Write

# How often one file is decided again after another run changed it in between.
MAX_CONFLICTS = 5

Status = Literal[
    "written", "patched", "deleted", "unchanged", "superseded", "refused", "failed", "not attempted", "planned"
]


def saved_path(run: str, path: str) -> str:
    """Where a run keeps the bytes it replaced at `path`."""
    return f"{RUNS_FOLDER}/{run}/{path}"


@dataclass(frozen=True)
class Change:
    """What one write or deletion replaced, for the run record: the previous state and where its bytes are kept
    (`saved`: a copy under `_runs/{run}/`; None when the bucket keeps the previous version, or nothing was
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
    generation: int | str | None = None
    change: Change | None = None  # on "written" and "deleted"


class Publishable(Protocol):
    """What the transfer reads of a file to publish (`publish.Payload`)."""

    @property
    def path(self) -> str: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def picks(self) -> int | None: ...
    @property
    def graded(self) -> bool | None: ...
    @property
    def season(self) -> SeasonSummary | None: ...
    @property
    def data(self) -> bytes: ...


P = TypeVar("P", bound=Publishable)
P_co = TypeVar("P_co", bound=Publishable, covariant=True)


class Planned(Protocol[P_co]):
    """One file's step (`publish.Step`)."""

    @property
    def payload(self) -> P_co: ...
    @property
    def action(self) -> str: ...
    @property
    def existing(self) -> ObjectInfo | None: ...
    @property
    def reason(self) -> str: ...


class Rules(Protocol[P]):
    """The publisher's decisions the transfer asks for: what to do with a file given what a path holds, its
    headers, and whether the run record keeps what it replaces."""

    run: str
    workers: int

    def decide(self, payload: P, existing: ObjectInfo | None) -> Planned[P]: ...
    def headers(self, payload: P) -> Headers: ...
    def recorded(self, payload: P) -> bool: ...


class Transfer(Generic[P]):
    """Carries out steps over one store, by one run's rules."""

    def __init__(self, store: Store, rules: Rules[P], retry_deadline: float) -> None:
        self.store = store
        self.rules = rules
        self.on_sent: Callable[[str, int], None] | None = None  # hears each file's path and bytes as they go
        store.configure(retry_deadline)

    def listing(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        """What is published under `folder` (or at one path; with `start` and `end`, the paths of that range only),
        with what each object's metadata says."""
        listed = self.store.list(folder) if start is None and end is None else self.store.list(folder, start, end)
        return {path: decoded(info) for path, info in listed.items()}

    def apply(self, steps: Sequence[Planned[P]]) -> list[FileResult]:
        """Carry out new / changed / patched steps; a result per step, never an exception per file."""
        if not self.store.concurrent or len(steps) <= 1:
            return self._carry_out(steps)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(min(self.rules.workers, len(steps)), thread_name_prefix="upload") as pool:
            return list(pool.map(lambda step: self._carry_out([step])[0], steps))

    def put(self, step: Planned[P]) -> FileResult | None:
        """Carry out one step only if its path still holds `step.existing`; None when another run changed it."""
        (outcome,) = self.store.write([self._write(step)])
        return None if outcome.state == "conflict" else self._result(step, outcome)

    def delete(self, steps: Sequence[Planned[P]]) -> list[FileResult]:
        """Remove each step's path if it still holds `step.existing` (refused otherwise), keeping its bytes."""
        deletes = [
            Delete(step.payload.path, step.existing, saved_path(self.rules.run, step.payload.path)) for step in steps
        ]
        outcomes = self.store.delete(deletes)
        return [self._deleted(step, outcome) for step, outcome in zip(steps, outcomes, strict=True)]

    def _carry_out(self, steps: Sequence[Planned[P]]) -> list[FileResult]:
        """Write the steps as one batch; decide each conflicting file again and write the batch of those again."""
        results: dict[int, FileResult] = {}
        pending = list(enumerate(steps))
        for _ in range(MAX_CONFLICTS):
            if not pending:
                break
            outcomes = self.store.write([self._write(step) for _, step in pending])
            again = []
            for (number, step), outcome in zip(pending, outcomes, strict=True):
                settled = self._result(step, outcome) if outcome.state != "conflict" else self._again(step, outcome)
                if isinstance(settled, FileResult):
                    results[number] = settled
                else:
                    again.append((number, settled))
            pending = again
        for number, step in pending:
            results[number] = FileResult(
                step.payload.path, "failed", 0, f"kept changing under {MAX_CONFLICTS} other runs' uploads"
            )
        return [results[number] for number in range(len(steps))]

    def _again(self, step: Planned[P], outcome: Outcome) -> FileResult | Planned[P]:
        """After a conflict: what the path holds now decides, or settles, the file."""
        path = step.payload.path
        try:
            current = self.listing(path).get(path)
        except OutputError as error:
            return FileResult(path, "failed", 0, f"changed by another run, then: {error}")
        if current is not None and current.run == self.rules.run:
            # A retried request of ours had already landed before its response was lost.
            change = (
                Change(step.existing, outcome.saved, current.content_hash)
                if self.rules.recorded(step.payload)
                else None
            )
            return FileResult(path, "written", current.size, "", current.generation, change)
        step = self.rules.decide(step.payload, current)
        if step.action == "unchanged":
            generation = current.generation if current else None
            size = current.size if current else 0
            return FileResult(path, "unchanged", size, "another run published the same content meanwhile", generation)
        if step.action in ("superseded", "refused"):
            status: Status = "superseded" if step.action == "superseded" else "refused"
            return FileResult(path, status, 0, f"changed by another run: {step.reason}")
        return step

    def _write(self, step: Planned[P]) -> Write:
        payload = step.payload
        headers = self.rules.headers(payload)
        keep = step.existing is not None and self.rules.recorded(payload)
        keep_as = saved_path(self.rules.run, payload.path) if keep else None
        metadata = encode_metadata(payload.content_hash, self.rules.run, payload.picks, payload.graded, payload.season)
        if step.action == "patched":
            return Write(payload.path, None, headers, metadata, step.existing)
        body: Callable[[], bytes] = lambda: payload.data  # noqa: E731  read when sent: the spool keeps memory flat
        if self.store.has_headers and headers.content_encoding == "gzip":
            import gzip  # only for a bucket: a run to a folder does not load it

            body = lambda: gzip.compress(payload.data, compresslevel=9, mtime=0)  # noqa: E731  the same bytes each time
        elif not self.store.has_headers:
            headers = Headers()
        return Write(payload.path, self._reported(payload.path, body), headers, metadata, step.existing, keep_as)

    def _reported(self, path: str, body: Callable[[], bytes]) -> Callable[[], bytes]:
        """`body`, telling `on_sent` of the bytes when the store reads them to send them (progress)."""
        on_sent = self.on_sent
        if on_sent is None:
            return body

        def sent() -> bytes:
            data = body()
            on_sent(path, len(data))
            return data

        return sent

    def _result(self, step: Planned[P], outcome: Outcome) -> FileResult:
        path = step.payload.path
        if outcome.state == "failed":
            return FileResult(path, "failed", 0, outcome.detail)
        if step.action == "patched":
            if self.on_sent is not None:
                self.on_sent(path, 0)
            generation, size = (step.existing.generation, step.existing.size) if step.existing else (None, 0)
            return FileResult(path, "patched", size, "cache policy", generation)
        assert outcome.info is not None
        recorded = self.rules.recorded(step.payload)
        change = Change(step.existing, outcome.saved, step.payload.content_hash) if recorded else None
        return FileResult(path, "written", outcome.info.size, "", outcome.info.generation, change)

    def _deleted(self, step: Planned[P], outcome: Outcome) -> FileResult:
        path = step.payload.path
        if outcome.state == "gone":
            return FileResult(path, "unchanged", 0, "already gone")
        if outcome.state == "conflict":
            return self._deleted_after_conflict(step)
        if outcome.state == "failed":
            return FileResult(path, "failed", 0, outcome.detail)
        return FileResult(path, "deleted", 0, "", None, Change(step.existing, outcome.saved, None))

    def _deleted_after_conflict(self, step: Planned[P]) -> FileResult:
        """A delete refused by its precondition: gone now means our own delete landed before its answer was lost
        (a retried request finds nothing): done, and recorded with the copy it kept, if that is there."""
        path = step.payload.path
        try:
            gone = path not in self.listing(path)
            keep_as = saved_path(self.rules.run, path)
            saved = keep_as if gone and keep_as in self.store.list(keep_as) else None
        except OutputError as error:
            return FileResult(path, "failed", 0, f"changed by another run, then: {error}")
        if not gone:
            return FileResult(path, "refused", 0, "changed by another run since it was listed")
        return FileResult(path, "deleted", 0, "", None, Change(step.existing, saved, None))
