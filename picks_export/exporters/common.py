"""Small helpers every layer shares: the one way to write a file atomically, to stamp a UTC time, and to say
"(and N more)" after the first of several findings. Imports nothing of the project's."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from pathlib import Path

UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def utc_timestamp(moment: dt.datetime | float | None = None) -> str:
    """ISO-8601 UTC to the second (`2026-02-07T11:00:00Z`) of `moment` (a datetime or seconds since the epoch),
    or of now."""
    if moment is None:
        moment = dt.datetime.now(dt.UTC)
    elif not isinstance(moment, dt.datetime):
        moment = dt.datetime.fromtimestamp(moment, dt.UTC)
    return moment.astimezone(dt.UTC).strftime(UTC_FORMAT)


def parse_utc_timestamp(text: str) -> dt.datetime:
    """The moment a `utc_timestamp` names (ValueError for anything else)."""
    return dt.datetime.strptime(text, UTC_FORMAT).replace(tzinfo=dt.UTC)


def and_more(count: int, noun: str = "", plural: str | None = None) -> str:
    """The suffix after the first of `count` findings: "" for one, " (and 2 more)" for three; with a noun,
    " (and 1 more bad row)" / " (and 2 more bad rows)"."""
    more = count - 1
    if more < 1:
        return ""
    word = "" if not noun else f" {noun if more == 1 else plural or noun + 's'}"
    return f" (and {more} more{word})"


def unusable_path(path: Path) -> str | None:
    """Why `path` cannot even be looked up (a name too long, a folder on the way that cannot be searched), or None
    (it exists, or plainly does not): `Path.exists` and `is_dir` raise for these rather than answer."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        return error.strerror or str(error)
    return None


def temporary_name(target: Path) -> Path:
    """`.NAME.PID.RANDOM.tmp` beside `target`: its name tells which process staged it, and no other process's
    file can have it."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def atomic_write(target: Path, data: bytes, *, mode: int | None = None, make_parents: bool = True) -> None:
    """Replace `target` with `data` whole or not at all: written beside it under a temporary name, then renamed.
    `mode`: the file's permission bits (default: the process's umask). Raises OSError; leaves no temporary file."""
    if make_parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = temporary_name(target)
    try:
        with open(temporary, "xb") as out:
            out.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def resolved_inside(root: Path, relative: str | Path) -> Path | None:
    """`root / relative` with every symbolic link on the way followed, or None when that leads outside `root` (as
    it resolves) or cannot be resolved (a link loop). A missing tail resolves as written. The one rule, for a
    run's writes and reads as for `serve`: a link inside the destination never leads a file out of it."""
    try:
        real = (root / relative).resolve()
        return real if real.is_relative_to(root.resolve()) else None
    except (OSError, RuntimeError):  # a link loop, a name too long
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
