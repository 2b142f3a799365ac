"""Where documents go: a local folder here; a Google Cloud Storage bucket in `gcs_sink`."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from .errors import ExportError, OutputError
from .layout import kind_of_path, normalize_prefix
from .publish import FileResult, ObjectInfo, PublishPolicy, Sink, Step, content_hash, day_summary, file_hash

if TYPE_CHECKING:
    from .gcs_sink import GCSSink

# Every published path is relative, of plain segments: nothing from the data can climb out of the destination.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


# Bucket names (GCS naming rules): 3-63 characters of lowercase letters, digits, '-', '_' and '.', starting and
# ending with a letter or digit; dotted names may have up to 222 characters.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")


def parse_gcs_url(dest: str) -> tuple[str, str]:
    """`gs://BUCKET[/PREFIX]` -> (bucket, prefix ending in `/` or empty), refusing names GCS would refuse."""
    bucket, _, prefix = dest.removeprefix("gs://").partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket or ("." not in bucket and len(bucket) > 63):
        raise ExportError(f"{dest!r} does not name a bucket: use gs://BUCKET or gs://BUCKET/PREFIX")
    return bucket, normalize_prefix(prefix)


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|\*")


def check_origin(origin: str) -> str:
    """A CORS origin: scheme and host (and port), nothing else; or `*` for any."""
    if not _ORIGIN.fullmatch(origin):
        raise ExportError(f"origin {origin!r} is not like https://example.com (scheme and host, no path)")
    return origin


def open_sink(dest: str, project: str | None = None) -> Sink:
    """A folder path, or `gs://BUCKET[/PREFIX]` for a bucket (the Google client is imported only then)."""
    if dest.startswith("gs://"):
        return open_bucket(dest, project)
    if "://" in dest:
        raise ExportError(f"unsupported destination {dest!r}: give a folder or gs://BUCKET[/PREFIX]")
    return FolderSink(dest)


def open_bucket(dest: str, project: str | None = None) -> GCSSink:
    if not dest.startswith("gs://"):
        raise ExportError(f"{dest!r} is not a bucket: give --dest gs://BUCKET")
    from .gcs_sink import GCSSink

    bucket, prefix = parse_gcs_url(dest)
    return GCSSink(bucket, prefix, project=project)


def _file_mode() -> int:
    """0o666 less the process umask: what open() would give, unlike the 0o600 of a temporary file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_relative_path(path: str) -> str:
    segments = path.split("/")
    if not all(_SEGMENT.fullmatch(segment) and ".." not in segment for segment in segments):
        raise OutputError(f"refusing to write to {path!r}: not a plain relative path")
    return path


class FolderSink:
    """A local folder standing for the bucket's root: `v1/picks/...` lands at `{folder}/v1/picks/...`.

    It follows the bucket's rules (skip unchanged, the shrink guard, the publishing order), so an operator can
    preview a publish locally. What is published is read from the files themselves: no manifest to fall out
    of step with them.
    """

    has_headers = False

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._mode = _file_mode()

    def describe(self, path: str) -> str:
        return str(self.folder / path)

    def configure(self, policy: PublishPolicy) -> None:
        pass  # a folder has no requests to retry

    def list(self, folder: str) -> dict[str, ObjectInfo]:
        root = self.folder / check_relative_path(folder.rstrip("/"))
        found: dict[str, ObjectInfo] = {}
        if root.is_file():  # one file at a fixed address (the manifest), listed like a bucket lists a prefix
            return {folder: _file_info(folder, root.read_bytes())}
        if not root.is_dir():
            return found
        for file in sorted(root.rglob("*")):
            if file.name.startswith(".") or file.suffix not in (".json", ".ts", ".html", ".css", ".js") or not file.is_file():
                continue
            path = file.relative_to(self.folder).as_posix()
            found[path] = _file_info(path, file.read_bytes())
        return found

    def read(self, path: str) -> bytes | None:
        file = self.folder / check_relative_path(path)
        return file.read_bytes() if file.is_file() else None

    def apply(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        # Stage every file of the phase beside its target first; only when all are on disk is each renamed
        # into place, so a reader never sees half a file and a failed phase leaves no new file behind.
        staged: list[tuple[str, Path]] = []
        try:
            for step in steps:
                target = self.folder / check_relative_path(step.payload.path)
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
                staged.append((temporary, target))
                with os.fdopen(handle, "wb") as out:
                    out.write(step.payload.data)
                os.chmod(temporary, self._mode)
            for temporary, target in staged:
                os.replace(temporary, target)
        except OSError as error:
            for temporary, _ in staged:
                Path(temporary).unlink(missing_ok=True)
            detail = f"cannot write to {self.folder}: {error.strerror or error}"
            return [FileResult(step.payload.path, "failed", 0, detail) for step in steps]
        return [FileResult(step.payload.path, "written", step.payload.size) for step in steps]


def _file_info(path: str, data: bytes) -> ObjectInfo:
    if not path.endswith(".json"):
        return ObjectInfo(path, file_hash(path, data), len(data))  # the TypeScript declarations
    try:
        content = orjson.loads(data)
    except orjson.JSONDecodeError:
        return ObjectInfo(path, None, len(data))  # not ours or damaged: any new version replaces it
    picks, graded = day_summary(content) if kind_of_path(path) == "day" else (None, None)
    return ObjectInfo(path, content_hash(content), len(data), picks=picks, graded=graded)
