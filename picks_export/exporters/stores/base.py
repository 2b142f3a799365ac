"""What a store is: a folder or a bucket holding bytes at paths like `v1/picks/2026-02-07.json`, each with HTTP
headers and custom metadata, written and deleted under a precondition.

A store knows nothing of documents, runs or plans: the publisher (`transfer`) decides what to write, encodes the
metadata and reads it back, re-decides after a conflict and keeps the rollback's bookkeeping.
"""

from __future__ import annotations

import builtins
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from ..errors import OutputError
from ..metadata import ObjectInfo

# Beside the published prefix at the destination's root, never under it: each run's record and the bytes it
# replaced (`_runs/{run}.json`, `_runs/{run}/{path}`).
RUNS_FOLDER = "_runs"
# Every published path is relative, of plain segments: nothing from the data can climb out of the destination.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# How many times a download that arrives damaged (cut short, failing its checksum or its gzip) is tried in all.
DOWNLOAD_ATTEMPTS = 3
T = TypeVar("T")


def download_whole(
    download: Callable[[], T],
    damaged: tuple[type[BaseException], ...],
    where: str,
    describe_error: Callable[[BaseException], str],
) -> T:
    """`download()`, tried again while what arrives is damaged (one of `damaged`): a body cut short or failing its
    checksum or its gzip is a fault of the way, not of the object. After DOWNLOAD_ATTEMPTS, an OutputError naming
    the object `where`."""
    for attempt in range(1, DOWNLOAD_ATTEMPTS + 1):
        try:
            return download()
        except damaged as error:
            if attempt == DOWNLOAD_ATTEMPTS:
                raise OutputError(
                    f"cannot read {where}: it arrived damaged {DOWNLOAD_ATTEMPTS} times ({describe_error(error)})"
                ) from None
            time.sleep(0.1 * attempt)
    raise AssertionError("unreachable")


def in_range(path: str, start: str | None, end: str | None) -> bool:
    """Whether `path` lies in the listing range [start, end) (None: unbounded)."""
    return (start is None or path >= start) and (end is None or path < end)


def check_relative_path(path: str) -> str:
    if path.startswith(f"{RUNS_FOLDER}/"):  # run records and the bytes runs replaced, beside the published prefix
        check_relative_path(path.removeprefix(f"{RUNS_FOLDER}/"))
        return path
    segments = path.split("/")
    if not all(_SEGMENT.fullmatch(segment) and ".." not in segment for segment in segments):
        raise OutputError(f"refusing to write to {path!r}: not a plain relative path")
    return path


@dataclass(frozen=True)
class StoreSettings:
    """What opening a store may need besides its URL; each store takes what concerns it."""

    project: str | None = None  # a GCS bucket's Google Cloud project
    endpoint_url: str | None = None  # an S3-compatible server other than AWS (R2, MinIO)
    # Seconds a run waits for a folder's lock held by another run before it gives up (OutputError).
    lock_timeout: float = 600.0


@dataclass(frozen=True)
class Headers:
    cache_control: str | None = None
    content_type: str | None = None
    content_encoding: str | None = None


@dataclass(frozen=True)
class Write:
    """Write `body()` at `path` only if the path still holds `expected` (None: only if nothing is there).

    `body` None: change the headers only (bytes and metadata stay). `keep_as`: keep the version replaced, as a
    copy at that path unless the store keeps replaced versions itself."""

    path: str
    body: Callable[[], bytes] | None
    headers: Headers
    metadata: Mapping[str, str]
    expected: ObjectInfo | None
    keep_as: str | None = None


@dataclass(frozen=True)
class Delete:
    """Delete `path` only if it still holds `expected`, keeping its bytes like `Write.keep_as`."""

    path: str
    expected: ObjectInfo | None
    keep_as: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a store did with one write or deletion: `done` (with the new version, for a write), `conflict` (the
    path no longer held what was expected: nothing written), `gone` (nothing to delete) or `failed`."""

    state: Literal["done", "conflict", "gone", "failed"]
    info: ObjectInfo | None = None
    saved: str | None = None  # where the replaced version's bytes were copied (None: none, or a kept version)
    detail: str = ""


class Store(Protocol):
    """A destination: a folder or a bucket."""

    # Whether objects carry HTTP headers (cache control, content type and encoding) worth comparing.
    has_headers: bool
    # Whether writes are sent one file a call from several threads (a bucket), or as one batch (a folder, which
    # stages a batch and renames it under one lock).
    concurrent: bool

    def describe(self, path: str) -> str:
        """Where `path` ends up, for messages."""

    def configure(self, retry_deadline: float) -> None:
        """How long to keep retrying a transiently failing request, before the first one."""

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        """What is published under `folder` (ending in `/`; or one path), in one listing; with `start` and `end`,
        only the paths `start <= path < end` (a range of the folder, as a bucket lists from an offset to another:
        what lies outside it is not fetched)."""

    def read(self, path: str) -> bytes | None:
        """The bytes at `path` (decompressed), or None; a published file or a private one (a run record)."""

    def write(self, writes: Sequence[Write]) -> builtins.list[Outcome]:
        """Carry out each write under its precondition; an outcome per write, never an exception per file."""

    def delete(self, deletes: Sequence[Delete]) -> builtins.list[Outcome]:
        """Delete each path under its precondition, keeping its bytes; an outcome per deletion."""

    def read_version(self, path: str, generation: int | str) -> bytes | None:
        """The bytes of a kept earlier version of `path` (a versioned bucket), or None when it is gone."""

    def write_private(self, path: str, data: bytes) -> None:
        """Write a file that is not published (a run record), replacing it whole."""

    def names(self, folder: str) -> builtins.list[str]:
        """The names of the files directly in `folder` (ending in `/`), outside the published prefix."""
