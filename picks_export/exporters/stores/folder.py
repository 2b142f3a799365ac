"""A local folder standing for a bucket's root: `v1/picks/...` lands at `{folder}/v1/picks/...`."""

from __future__ import annotations

import builtins
import fcntl
import os
import re
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from ..common import atomic_write, pause_for_tests, resolved_inside, temporary_name
from ..errors import OutputError
from ..metadata import file_metadata, metadata_of, record_of, sound_record
from .base import RUNS_FOLDER, Delete, ObjectInfo, Outcome, Write, check_relative_path, in_range

# Beside the published files, never under a published folder and never named .json: the lock that orders runs
# and, per folder, what each file is (which run published it, its hash, picks and graded).
LOCK_FILE = ".picks-export.lock"
STATE_FOLDER = ".picks-export"
# `.NAME.PID.RANDOM.tmp`: a file staged beside its target by process PID (gone when PID is).
_TEMPORARY = re.compile(r"\..+\.(?P<pid>[0-9]+)\.[0-9a-f]+\.tmp")
# Threads staging a run's files in a folder.
WRITE_THREADS = 4
# What a folder store lists as published: the JSON documents, the season tables, the TypeScript declarations, the
# reference page.
PUBLISHED_SUFFIXES = (".json", ".parquet", ".ts", ".html", ".css", ".js")
# A write of the batch: its number, the write, where the file goes, and where it is staged.
_Staged = tuple[int, Write, Path, Path]
# How long a run waits for another run's lock at most between two attempts, in seconds.
LOCK_POLL = 0.5
# Seconds by which a process's start as /proc tells it (boot time in whole seconds) may be late.
START_SLACK = 2.0


def _file_mode() -> int:
    """0o666 less the process umask: what open() would give, unlike the 0o600 of a temporary file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class FolderStore:
    """A folder, following a bucket's rules so that an operator can preview a publish locally.

    Files are replaced while holding an `flock` on `{folder}/.picks-export.lock`, after checking again what each
    path holds (the bucket's precondition). A batch of files is staged beside the targets, then renamed into
    place, so a reader never sees half a file. What each file holds (its metadata) is recorded under
    `{folder}/.picks-export/meta/` with the file's inode, size and modification time; a file whose record does not
    match (written by an older version or by hand), or holds a value that fails its check, is read instead.

    A run waits for another run's lock at most `lock_timeout` seconds, saying which process holds it. A path
    that a symbolic link inside the folder leads out of it is refused, as `serve` refuses it.
    """

    has_headers = False
    concurrent = False

    def __init__(self, folder: str | Path, lock_timeout: float = 600.0) -> None:
        self.folder = Path(folder)
        self.lock_timeout = lock_timeout
        self._inside_folders: set[Path] = set()  # folders found inside the destination, each checked once
        self._mode = _file_mode()
        self._swept = False
        # What listings read from files without a matching record (path -> metadata, the stat it was read
        # under): recorded with the run's first change.
        self._read: dict[str, tuple[Mapping[str, str], os.stat_result]] = {}
        # Each folder's records as listings parsed them, with the stat of their file: parsed again when it changed.
        self._parsed: dict[str, tuple[list[int], dict[str, Any]]] = {}

    def describe(self, path: str) -> str:
        return str(self.folder / path)

    def configure(self, retry_deadline: float) -> None:
        pass  # a folder has no requests to retry

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        relative = check_relative_path(folder.rstrip("/"))
        root = self._inside(relative)
        found: dict[str, ObjectInfo] = {}
        # A folder, or one file at a fixed address (the manifest), listed like a bucket lists a prefix.
        if root.is_file():
            published = relative.endswith(PUBLISHED_SUFFIXES) and in_range(relative, start, end)
            files = [(relative, root.stat())] if published else []
        else:
            linked: builtins.list[str] = []
            files = sorted(_walk(root, relative, linked, start, end)) if root.is_dir() else []  # a bucket's order
            for path in linked:
                self._inside(path)
        records = _Records(self.folder, self._parsed)
        for path, stat in files:  # no hidden segment: check_relative_path refuses them, _walk skips them
            metadata, read_stat = records.metadata(path, stat)
            found[path] = ObjectInfo(path, size=stat.st_size, metadata=metadata)
            if read_stat is not None:
                self._read[path] = (metadata, read_stat)
        return found

    def _remember(self, records: _Records) -> None:
        """Record what listings read from files without a matching record, so the next run need not read them.

        Done with the run's first change, under the lock, never by a listing: a run that stops before it writes
        (bad input) leaves the folder as it found it."""
        for path, (metadata, stat) in self._read.items():
            try:
                if _stat_key((self.folder / path).stat()) == _stat_key(stat):  # not replaced since it was read
                    records.put(path, metadata, stat)
            except OSError:
                continue  # gone since it was listed: nothing to remember
        self._read.clear()

    def read(self, path: str) -> bytes | None:
        file = self._inside(path)
        return read_published(file) if file.is_file() else None

    def _inside(self, path: str) -> Path:
        """`{folder}/{path}`, refused when a symbolic link on the way leads out of the folder (`resolved_inside`)."""
        target = self.folder / (path if path == RUNS_FOLDER else check_relative_path(path))
        for each in (target.parent, target) if target.is_symlink() else (target.parent,):
            if each in self._inside_folders:
                continue
            if resolved_inside(self.folder, each.relative_to(self.folder)) is None:
                raise OutputError(f"refusing {target}: a symbolic link leads out of {self.folder}")
            if each is not target:
                self._inside_folders.add(each)
        return target

    def write(self, writes: Sequence[Write]) -> builtins.list[Outcome]:
        """Under the lock, check what each path holds now; stage and rename what still may be replaced."""
        outcomes: dict[int, Outcome] = {}
        targets: dict[int, Path] = {}
        for write in writes:  # a path of the wrong shape is a bug above: it stops the run
            check_relative_path(write.path)
        for number, write in enumerate(writes):
            try:
                targets[number] = self._inside(write.path)
            except OutputError as error:
                outcomes[number] = Outcome("failed", detail=str(error))
        try:
            with self._locked():
                records = _Records(self.folder)
                self._remember(records)
                todo: builtins.list[tuple[int, Write, Path]] = []
                for number, target in targets.items():
                    write = writes[number]
                    if not _holds(records, write.path, target, write.expected):
                        outcomes[number] = Outcome("conflict")
                    else:
                        todo.append((number, write, target))
                outcomes.update(self._replace(todo, records))
        except OSError as error:  # the lock or the records could not be had
            failed = Outcome("failed", detail=f"cannot write to {self.folder}: {_cause(error)}")
            outcomes = {number: outcomes.get(number, failed) for number in range(len(writes))}
        return [outcomes[number] for number in range(len(writes))]

    def _replace(self, todo: builtins.list[tuple[int, Write, Path]], records: _Records) -> dict[int, Outcome]:
        # Stage every file beside its target first; only when all are on disk is each renamed into place, so a
        # failure while staging leaves no new file behind.
        staged: builtins.list[_Staged] = []
        renamed: builtins.list[_Staged] = []
        outcomes: dict[int, Outcome] = {}
        try:
            for folder in sorted({target.parent for _, _, target in todo}):  # each folder once
                folder.mkdir(parents=True, exist_ok=True)
            # Every name is noted before its file exists: a signal cannot orphan one.
            staged = [(number, write, target, temporary_name(target)) for number, write, target in todo]
            self._stage_files(staged)
            pause_for_tests("staged")
            for each in staged:
                write, target = each[1], each[2]
                if write.keep_as is not None and write.expected is not None:
                    self._keep(write.keep_as, target)  # before it is replaced: the rollback's bytes
                os.replace(each[3], target)
                renamed.append(each)
        except OSError as error:
            detail = f"cannot write to {self.folder}: {_cause(error)}"
            outcomes = {number: Outcome("failed", detail=detail) for number, _, _ in todo}
        finally:  # also on KeyboardInterrupt or SystemExit: no staged file stays behind, what was renamed is recorded
            for _, _, _, temporary in staged[len(renamed) :]:
                temporary.unlink(missing_ok=True)
            sizes = self._record(renamed, records)
        for number, write, target, _ in renamed:
            saved = write.keep_as if write.expected is not None else None
            size = sizes[number] if number in sizes else target.stat().st_size
            outcomes[number] = Outcome("done", ObjectInfo(write.path, size=size), saved)
        return outcomes

    def _record(self, renamed: builtins.list[_Staged], records: _Records) -> dict[int, int]:
        """Record each renamed file's metadata under its stat; the size of each file recorded, by its number."""
        sizes: dict[int, int] = {}
        try:
            for number, write, target, _ in renamed:
                stat = target.stat()
                records.put(write.path, write.metadata, stat)
                sizes[number] = stat.st_size
            records.save()  # those and what listings read
        except OSError:
            pass  # the files are out; without their record they are read (and hashed) by the next run
        return sizes

    def _keep(self, copy: str, target: Path) -> None:
        """Copy the file at `target` to `copy` (under _runs/{run}/), whole or not at all."""
        atomic_write(self._inside(copy), target.read_bytes())

    def delete(self, deletes: Sequence[Delete]) -> builtins.list[Outcome]:
        """Under the lock, remove each file that still holds `expected`, its bytes kept first."""
        outcomes: builtins.list[Outcome] = []
        try:
            with self._locked():
                records = _Records(self.folder)
                self._remember(records)
                for each in deletes:
                    outcomes.append(self._delete_one(each, records))
                records.save()
        except OSError as error:
            detail = f"cannot delete from {self.folder}: {_cause(error)}"
            outcomes += [Outcome("failed", detail=detail)] * (len(deletes) - len(outcomes))
        return outcomes

    def _delete_one(self, delete: Delete, records: _Records) -> Outcome:
        try:
            target = self._inside(delete.path)
        except OutputError as error:
            return Outcome("failed", detail=str(error))
        if not target.is_file():
            return Outcome("gone")
        if delete.expected is None or not _holds(records, delete.path, target, delete.expected):
            return Outcome("conflict")
        if delete.keep_as is not None:
            self._keep(delete.keep_as, target)
        target.unlink()
        records.remove(delete.path)
        return Outcome("done", saved=delete.keep_as)

    def read_version(self, path: str, generation: int | str) -> bytes | None:
        return None  # a folder has no versions: replaced bytes are copied under _runs/

    def write_private(self, path: str, data: bytes) -> None:
        atomic_write(self._inside(path), data, mode=self._mode)

    def names(self, folder: str) -> builtins.list[str]:
        root = self._inside(RUNS_FOLDER if folder == f"{RUNS_FOLDER}/" else folder.rstrip("/"))
        return sorted(each.name for each in root.iterdir() if each.is_file()) if root.is_dir() else []

    def _stage_files(self, staged: builtins.list[_Staged]) -> None:
        """Write each file to its temporary name, from a few threads (the writes release the GIL); every thread
        has stopped when this returns or raises, so the caller's clean-up sees every file that was created."""

        def stage(each: _Staged) -> None:
            body = each[1].body
            with open(each[3], "xb") as out:
                out.write(body() if body is not None else b"")
                os.fchmod(out.fileno(), self._mode)

        if len(staged) < 2 * WRITE_THREADS:
            for each in staged:
                stage(each)
            return
        from concurrent.futures import ThreadPoolExecutor  # only for runs this large: a small one starts faster

        pool = ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="picks-export-write")
        try:
            for _ in pool.map(stage, staged):
                pass
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            _lock(descriptor, self.folder / LOCK_FILE, self.lock_timeout)
            if not self._swept:
                self._sweep()
                self._swept = True
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def _sweep(self) -> None:
        """Remove files staged by runs that died (kill -9) before renaming or removing them; under the lock."""
        for file in self.folder.rglob(".*.tmp"):
            match = _TEMPORARY.fullmatch(file.name)
            try:
                if match and not _staged_by(int(match["pid"]), file.stat().st_mtime):
                    file.unlink(missing_ok=True)
            except OSError:
                continue  # gone meanwhile


def _lock(descriptor: int, file: Path, timeout: float) -> None:
    """Take the lock of `file` (open as `descriptor`), waiting at most `timeout` seconds for the run that holds it,
    then note this process as its holder for whoever waits next."""
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(descriptor)
        import logging  # only when a run waits: a run that does not pays nothing for it

        logging.getLogger(__name__).warning("waiting for the lock %s, held by %s (up to %g s)", file, holder, timeout)
        deadline = time.monotonic() + timeout
        pause = 0.01
        while True:
            time.sleep(min(pause, max(deadline - time.monotonic(), 0)))
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"gave up after {timeout:g} s waiting for the lock {file}, held by {_holder(descriptor)}: "
                        "end that run if it is stuck, or try again later"
                    ) from None
                pause = min(pause * 2, LOCK_POLL)
    try:
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()} {_command()}\n".encode(), 0)
    except OSError:
        pass  # a lock file of another user's: it still locks, it only names no holder


def _command() -> str:
    """The program and its subcommand (never its options: they could hold what should not be shown)."""
    program = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("python")
    program = program.parent if program.name == "__main__.py" else program  # python -m picks_export
    words = [program.name.replace("_", "-"), *(word for word in sys.argv[1:2] if word.isidentifier())]
    return " ".join(words)


def _holder(descriptor: int) -> str:
    """Who holds the lock, as the holder noted it: "pid 123 (picks-export daily)", or "another process"."""
    try:
        pid, _, command = os.pread(descriptor, 200, 0).decode(errors="replace").strip().partition(" ")
    except OSError:
        return "another process"
    return f"pid {pid} ({command or 'unknown command'})" if pid.isdigit() else "another process"


def read_published(file: Path) -> bytes:
    """The bytes of a published file, or an OutputError naming it (a file made unreadable)."""
    try:
        return file.read_bytes()
    except OSError as error:
        raise OutputError(f"cannot read {file}: {error.strerror or error}") from None


def _holds(records: _Records, path: str, target: Path, expected: ObjectInfo | None) -> bool:
    """Whether the file at `target` is still what was listed (`expected`; None: no file)."""
    if not target.is_file():
        return expected is None
    metadata, _ = records.metadata(path, target.stat())
    return expected is not None and dict(metadata) == dict(expected.metadata)


class _Records:
    """What each published file of a folder holds, as recorded when it was written: one file per folder."""

    def __init__(self, root: Path, parsed: dict[str, tuple[list[int], dict[str, Any]]] | None = None) -> None:
        self.root = root
        self._loaded: dict[str, dict[str, Any]] = {}
        self._changed: set[str] = set()
        # Read only (a listing's): records parsed before, reused while their file's stat is unchanged.
        self._parsed = parsed

    def _file(self, folder: str) -> Path:
        return self.root / STATE_FOLDER / "meta" / folder / "files.meta"

    def _folder(self, folder: str) -> dict[str, Any]:
        if folder not in self._loaded:
            self._loaded[folder] = self._parse(folder) if self._parsed is None else self._reuse(folder, self._parsed)
        return self._loaded[folder]

    def _parse(self, folder: str) -> dict[str, Any]:
        try:
            loaded = orjson.loads(self._file(folder).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            loaded = {}  # none yet (a folder of an older version), or damaged: the files are read instead
        return loaded if isinstance(loaded, dict) else {}

    def _reuse(self, folder: str, parsed: dict[str, tuple[list[int], dict[str, Any]]]) -> dict[str, Any]:
        """The records of `folder` as parsed before when their file is the same (inode, size, time), else parsed."""
        try:
            key = _stat_key(self._file(folder).stat())
        except OSError:
            return {}
        if folder in parsed and parsed[folder][0] == key:
            return parsed[folder][1]
        loaded = self._parse(folder)
        parsed[folder] = (key, loaded)
        return loaded

    def metadata(self, path: str, stat: os.stat_result) -> tuple[Mapping[str, str], os.stat_result | None]:
        """The metadata of the file at `path` (whose stat is `stat`); with the stat it was read under when no
        record matched it (then it was read from the file's bytes)."""
        folder, _, name = path.rpartition("/")
        record = self._folder(folder).get(name)
        if isinstance(record, dict) and record.get("stat") == _stat_key(stat) and sound_record(record):
            return metadata_of(record), None
        return file_metadata(path, read_published(self.root / path)), stat

    def put(self, path: str, metadata: Mapping[str, str], stat: os.stat_result) -> None:
        folder, _, name = path.rpartition("/")
        self._folder(folder)[name] = {**record_of(metadata), "stat": _stat_key(stat)}
        self._changed.add(folder)

    def remove(self, path: str) -> None:
        folder, _, name = path.rpartition("/")
        self._folder(folder).pop(name, None)
        self._changed.add(folder)

    def save(self) -> None:
        """Write the changed records (under the lock), each replaced whole."""
        for folder in sorted(self._changed):
            atomic_write(self._file(folder), orjson.dumps(self._loaded[folder]))
        self._changed.clear()


def _walk(
    root: Path, relative: str, linked: builtins.list[str], start: str | None = None, end: str | None = None
) -> Iterator[tuple[str, os.stat_result]]:
    """(path, stat) of each published file under `root` (a file or a link to one, named with a published suffix,
    not hidden) whose path lies in [start, end), in no particular order: one scan, and one stat per file in the
    range; the links among them noted in `linked`.
    Like `Path.rglob`, it does not follow links to folders; hidden folders (the records) hold nothing published."""
    try:
        with os.scandir(root) as entries:
            found = list(entries)
    except OSError:
        return
    for entry in found:
        if entry.name.startswith("."):
            continue
        path = f"{relative}/{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), path, linked, start, end)
            elif entry.name.endswith(PUBLISHED_SUFFIXES) and in_range(path, start, end) and entry.is_file():
                if entry.is_symlink():
                    linked.append(path)
                yield path, entry.stat()
        except OSError:
            continue  # gone while listing


def _cause(error: OSError) -> str:
    """What went wrong, with the path it went wrong on when the system names it (a folder on the way that is a
    file, the lock that is a folder: not the file being written)."""
    return f"{error.strerror}: {error.filename}" if error.strerror and error.filename else error.strerror or str(error)


def _stat_key(stat: os.stat_result) -> list[int]:
    """Changes whenever the file is replaced or rewritten: a new inode, size or modification time."""
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _staged_by(pid: int, staged_at: float) -> bool:
    """Whether the live process `pid` can have staged a file last written at `staged_at`: not when it started
    after that (its number used again: in a container every run may be pid 1, this one included)."""
    if not _alive(pid):
        return False
    started = _started_at(pid)
    return started is None or started <= staged_at + START_SLACK


def _started_at(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch, to about a second), or None where /proc cannot say."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[19])
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        return int(boot.split()[1]) + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True
