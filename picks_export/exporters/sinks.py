"""Where documents go. A run hands a sink every file at once, so that a failed run publishes nothing."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .errors import OutputError

# Every published path is relative, of plain segments: nothing from the data can climb out of the destination.
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


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


class Sink(Protocol):
    def describe(self, path: str) -> str:
        """Where `path` ends up, for messages."""

    def publish(self, files: Sequence[tuple[str, bytes]]) -> None:
        """Write every file or, on failure, leave the destination as it was."""


class FolderSink:
    """A local folder standing for the bucket's root: `v1/picks/...` lands at `{folder}/v1/picks/...`."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._mode = _file_mode()

    def describe(self, path: str) -> str:
        return str(self.folder / path)

    def publish(self, files: Sequence[tuple[str, bytes]]) -> None:
        # Stage every file beside its target first; only when all are on disk is each renamed into place,
        # so a reader never sees half a file and a failed run leaves no new file behind.
        staged: list[tuple[str, Path]] = []
        try:
            for path, data in files:
                target = self.folder / check_relative_path(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
                staged.append((temporary, target))
                with os.fdopen(handle, "wb") as out:
                    out.write(data)
                os.chmod(temporary, self._mode)
            for temporary, target in staged:
                os.replace(temporary, target)
        except OSError as error:
            for temporary, _ in staged:
                Path(temporary).unlink(missing_ok=True)
            raise OutputError(f"cannot write to {self.folder}: {error.strerror or error}") from None
