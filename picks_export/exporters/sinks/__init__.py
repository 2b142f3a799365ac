"""Where documents go: a local folder here; a Google Cloud Storage bucket in `gcs_sink`."""

from __future__ import annotations
from ..common import atomic_write, temporary_name

import fcntl
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ..errors import ExportError, OutputError
from ..layout import kind_of_path, normalize_prefix
from ..publish import (
    RUNS_FOLDER,
    Change,
    FileResult,
    ObjectInfo,
    PublishPolicy,
    Sink,
    Status,
    Step,
    content_hash,
    day_summary,
    decide,
    file_hash,
    pause_for_tests,
    saved_path,
    UNRECORDED_KINDS,
    recorded_season_summary,
    season_summary,
)

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
    if not dest.strip():
        raise ExportError("--dest is empty: give a folder or gs://BUCKET[/PREFIX]")  # not the working folder unasked
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
    if path.startswith(f"{RUNS_FOLDER}/"):  # run records and the bytes runs replaced, beside the published prefix
        check_relative_path(path.removeprefix(f"{RUNS_FOLDER}/"))
        return path
    segments = path.split("/")
    if not all(_SEGMENT.fullmatch(segment) and ".." not in segment for segment in segments):
        raise OutputError(f"refusing to write to {path!r}: not a plain relative path")
    return path


# Beside the published files, never under a published folder and never named .json: the lock that orders runs
# and, per folder, what each file is (which run published it, its hash, picks and graded).
LOCK_FILE = ".picks-export.lock"
STATE_FOLDER = ".picks-export"
# `.NAME.PID.RANDOM.tmp`: a file staged beside its target by process PID (gone when PID is).
_TEMPORARY = re.compile(r"\..+\.(?P<pid>[0-9]+)\.[0-9a-f]+\.tmp")


# Threads staging a run's files in a folder.
WRITE_THREADS = 4

# What a folder sink lists as published: the JSON documents, the TypeScript declarations, the reference page.
PUBLISHED_SUFFIXES = (".json", ".ts", ".html", ".css", ".js")


class FolderSink:
    """A local folder standing for the bucket's root: `v1/picks/...` lands at `{folder}/v1/picks/...`.

    It follows the bucket's rules (skip unchanged, the shrink guard, the publishing order, runs ordered by their
    start), so an operator can preview a publish locally. Files are replaced while holding an `flock` on
    `{folder}/.picks-export.lock`, after checking again what each path holds (the bucket's generation
    precondition). What each file holds is recorded under `{folder}/.picks-export/meta/` with the file's inode,
    size and modification time; a file whose record does not match (written by an older version or by hand) is
    read instead.
    """

    has_headers = False

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._mode = _file_mode()
        self._dry_run = False
        self._swept = False
        self._run = ""
        # What listings read from files without a matching record (path -> what it holds, the stat it was read
        # under): recorded with the run's first change.
        self._read: dict[str, tuple[ObjectInfo, os.stat_result]] = {}

    def describe(self, path: str) -> str:
        return str(self.folder / path)

    def configure(self, policy: PublishPolicy) -> None:
        self._dry_run = policy.dry_run  # a folder has no requests to retry; a dry run writes no record either
        self._run = policy.run  # replaced bytes are kept under _runs/{run}/ for a rollback

    def list(self, folder: str) -> dict[str, ObjectInfo]:
        relative = check_relative_path(folder.rstrip("/"))
        root = self.folder / relative
        found: dict[str, ObjectInfo] = {}
        # A folder, or one file at a fixed address (the manifest), listed like a bucket lists a prefix.
        if root.is_file():
            files = [(relative, root.stat())] if relative.endswith(PUBLISHED_SUFFIXES) else []
        else:
            files = sorted(_walk(root, relative)) if root.is_dir() else []  # in a bucket listing's order
        records = _Records(self.folder)
        for path, stat in files:  # no hidden segment: check_relative_path refuses them, _walk skips them
            found[path], read_stat = records.info(path, None, stat)
            if read_stat is not None and not self._dry_run:
                self._read[path] = (found[path], read_stat)
        return found

    def _remember(self, records: _Records) -> None:
        """Record what listings read from files without a matching record, so the next run need not read them.

        Done with the run's first change, under the lock, never by a listing: a run that stops before it writes
        (bad input) leaves the folder as it found it."""
        for path, (info, stat) in self._read.items():
            try:
                if _stat_key((self.folder / path).stat()) == _stat_key(stat):  # not replaced since it was read
                    records.put(path, info, stat)
            except OSError:
                continue  # gone since it was listed: nothing to remember
        self._read.clear()

    def read(self, path: str) -> bytes | None:
        file = self.folder / check_relative_path(path)
        return file.read_bytes() if file.is_file() else None

    def apply(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        return [result for result in self._replace(steps, policy, strict=False) if result is not None]

    def put(self, step: Step, policy: PublishPolicy) -> FileResult | None:
        (result,) = self._replace([step], policy, strict=True)
        return result

    def _replace(self, steps: Sequence[Step], policy: PublishPolicy, *, strict: bool) -> list[FileResult | None]:
        """Under the lock, check what each path holds now; replace what still may be (None: changed, strict)."""
        targets = [self.folder / check_relative_path(step.payload.path) for step in steps]
        results: dict[int, FileResult | None] = {}
        try:
            with self._locked():
                records = _Records(self.folder)
                self._remember(records)
                todo: list[tuple[int, Step, Path]] = []
                for number, (step, target) in enumerate(zip(steps, targets)):
                    current, _ = records.info(step.payload.path, target) if target.is_file() else (None, None)
                    if _state(current) != _state(step.existing):
                        if strict:
                            results[number] = None
                            continue
                        step = decide(step.payload, current, policy, has_headers=False)
                        if step.action in ("unchanged", "superseded", "refused"):
                            results[number] = _changed_meanwhile(step)
                            continue
                    todo.append((number, step, target))
                results.update(self._write(todo, policy, records))
        except OSError as error:  # the lock or the records could not be had
            detail = f"cannot write to {self.folder}: {error.strerror or error}"
            for number, step in enumerate(steps):
                results.setdefault(number, FileResult(step.payload.path, "failed", 0, detail))
        return [results[number] for number in range(len(steps))]

    def _write(self, todo: list[tuple[int, Step, Path]], policy: PublishPolicy, records: _Records) -> dict[int, FileResult]:
        # Stage every file beside its target first; only when all are on disk is each renamed into place, so a
        # reader never sees half a file and a failure while staging leaves no new file behind.
        staged: list[tuple[int, Step, Path, Path]] = []
        renamed: list[tuple[int, Step, Path, Path]] = []
        results: dict[int, FileResult] = {}
        try:
            for folder in sorted({target.parent for _, _, target in todo}):  # each folder once
                folder.mkdir(parents=True, exist_ok=True)
            # Every name is noted before its file exists: a signal cannot orphan one.
            staged = [(number, step, target, temporary_name(target)) for number, step, target in todo]
            self._stage_files(staged)
            pause_for_tests("staged")
            for each in staged:
                if each[1].existing is not None and each[1].payload.kind not in UNRECORDED_KINDS:
                    self._save(each[1].payload.path, each[2])  # before it is replaced: the rollback's bytes
                os.replace(each[3], each[2])
                renamed.append(each)
        except OSError as error:
            detail = f"cannot write to {self.folder}: {error.strerror or error}"
            results = {number: FileResult(step.payload.path, "failed", 0, detail) for number, step, _ in todo}
        finally:  # also on KeyboardInterrupt or SystemExit: no staged file stays behind, what was renamed is recorded
            for _, _, _, temporary in staged[len(renamed):]:
                temporary.unlink(missing_ok=True)
            try:
                for _, step, target, _ in renamed:
                    records.put(step.payload.path, _published_info(step, policy), target.stat())
                records.save()  # those and what listings read
            except OSError:
                pass  # the files are out; without their record they are read (and hashed) by the next run
        for number, step, _, _ in renamed:
            saved = saved_path(self._run, step.payload.path) if step.existing is not None else None
            unrecorded = step.payload.kind in UNRECORDED_KINDS
            change = None if unrecorded else Change(step.existing, saved, step.payload.content_hash)
            results[number] = FileResult(step.payload.path, "written", step.payload.size, change=change)
        return results

    def _save(self, path: str, target: Path) -> None:
        """Copy the file at `target` (published at `path`) to `_runs/{run}/{path}`, whole or not at all."""
        atomic_write(self.folder / saved_path(self._run, path), target.read_bytes())

    def delete(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        """Under the lock, remove each file that still holds `step.existing`, its bytes kept under _runs/{run}/."""
        results: list[FileResult] = []
        try:
            with self._locked():
                records = _Records(self.folder)
                self._remember(records)
                for step in steps:
                    path = step.payload.path
                    target = self.folder / check_relative_path(path)
                    current, _ = records.info(path, target) if target.is_file() else (None, None)
                    if current is None:
                        results.append(FileResult(path, "unchanged", 0, "already gone"))
                        continue
                    if _state(current) != _state(step.existing):
                        results.append(FileResult(path, "refused", 0, "changed by another run since it was listed"))
                        continue
                    self._save(path, target)
                    target.unlink()
                    records.remove(path)
                    results.append(FileResult(path, "deleted", 0, change=Change(current, saved_path(self._run, path), None)))
                records.save()
        except OSError as error:
            detail = f"cannot delete from {self.folder}: {error.strerror or error}"
            done = {result.path for result in results}
            results += [FileResult(step.payload.path, "failed", 0, detail) for step in steps if step.payload.path not in done]
        return results

    def read_version(self, path: str, generation: int) -> bytes | None:
        return None  # a folder has no generations: replaced bytes are copied under _runs/

    def write_private(self, path: str, data: bytes) -> None:
        atomic_write(self.folder / check_relative_path(path), data, mode=self._mode)

    def names(self, folder: str) -> list[str]:
        root = self.folder / (RUNS_FOLDER if folder == f"{RUNS_FOLDER}/" else check_relative_path(folder.rstrip("/")))
        return sorted(each.name for each in root.iterdir() if each.is_file()) if root.is_dir() else []

    def _stage_files(self, staged: list[tuple[int, Step, Path, Path]]) -> None:
        """Write each file to its temporary name, from a few threads (the writes release the GIL); every thread
        has stopped when this returns or raises, so the caller's clean-up sees every file that was created."""

        def stage(each: tuple[int, Step, Path, Path]) -> None:
            with open(each[3], "xb") as out:
                out.write(each[1].payload.data)
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
            fcntl.flock(descriptor, fcntl.LOCK_EX)
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
            if match and not _alive(int(match["pid"])):
                file.unlink(missing_ok=True)


class _Records:
    """What each published file of a folder holds, as recorded when it was written: one file per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._loaded: dict[str, dict[str, Any]] = {}
        self._changed: set[str] = set()

    def _file(self, folder: str) -> Path:
        return self.root / STATE_FOLDER / "meta" / folder / "files.meta"

    def _folder(self, folder: str) -> dict[str, Any]:
        if folder not in self._loaded:
            try:
                loaded = orjson.loads(self._file(folder).read_bytes())
            except (OSError, orjson.JSONDecodeError):
                loaded = {}  # none yet (a folder of an older version), or damaged: the files are read instead
            self._loaded[folder] = loaded if isinstance(loaded, dict) else {}
        return self._loaded[folder]

    def info(
        self, path: str, file: Path | None, stat: os.stat_result | None = None
    ) -> tuple[ObjectInfo, os.stat_result | None]:
        """What the file at `path` holds (`file`: its path when the caller has it, `stat` its stat); with the stat
        it was read under when no record matched it."""
        folder, _, name = path.rpartition("/")
        if stat is None:
            stat = (file or self.root / path).stat()
        record = self._folder(folder).get(name)
        if isinstance(record, dict) and record.get("stat") == _stat_key(stat):
            return ObjectInfo(path, record.get("sha256"), stat.st_size, run=record.get("run") or "",
                              picks=record.get("picks"), graded=record.get("graded"),
                              season=recorded_season_summary(record.get("season"))), None
        return _file_info(path, (file or self.root / path).read_bytes()), stat

    def put(self, path: str, info: ObjectInfo, stat: os.stat_result) -> None:
        folder, _, name = path.rpartition("/")
        record = {"run": info.run, "sha256": info.content_hash, "picks": info.picks, "graded": info.graded,
                  "stat": _stat_key(stat)}  # fmt: skip
        if info.season is not None:
            record["season"] = list(info.season)
        self._folder(folder)[name] = record
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


def _walk(root: Path, relative: str) -> Iterator[tuple[str, os.stat_result]]:
    """(path, stat) of each published file under `root` (a file or a link to one, named with a published suffix,
    not hidden), in no particular order: one scan and one stat per file. Like `Path.rglob`, it does not follow
    links to folders; hidden folders (the records) hold nothing published."""
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
                yield from _walk(Path(entry.path), path)
            elif entry.name.endswith(PUBLISHED_SUFFIXES) and entry.is_file():
                yield path, entry.stat()
        except OSError:
            continue  # gone while listing


def _stat_key(stat: os.stat_result) -> list[int]:
    """Changes whenever the file is replaced or rewritten: a new inode, size or modification time."""
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _state(info: ObjectInfo | None) -> tuple[str | None, str] | None:
    return None if info is None else (info.content_hash, info.run)


def _published_info(step: Step, policy: PublishPolicy) -> ObjectInfo:
    payload = step.payload
    return ObjectInfo(payload.path, payload.content_hash, payload.size, run=policy.run, picks=payload.picks,
                      graded=payload.graded, season=payload.season)


def _changed_meanwhile(step: Step) -> FileResult:
    if step.action == "unchanged":
        return FileResult(step.payload.path, "unchanged", 0, "another run published the same content meanwhile")
    status: Status = "superseded" if step.action == "superseded" else "refused"
    return FileResult(step.payload.path, status, 0, f"changed by another run: {step.reason}")




def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's live process
    return True


def _file_info(path: str, data: bytes) -> ObjectInfo:
    if not path.endswith(".json"):
        return ObjectInfo(path, file_hash(path, data), len(data))  # the TypeScript declarations
    try:
        content = orjson.loads(data)
    except orjson.JSONDecodeError:
        return ObjectInfo(path, None, len(data))  # not ours or damaged: any new version replaces it
    kind = kind_of_path(path)
    picks, graded = day_summary(content) if kind == "day" else (None, None)
    season = season_summary(content) if kind == "season" else None
    return ObjectInfo(path, content_hash(content), len(data), picks=picks, graded=graded, season=season)
