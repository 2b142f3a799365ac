"""Run records and rollback: what each publishing run changed, and undoing it.

A run that changed anything writes `_runs/{run}.json` at the destination's root, beside the published prefix:
per file its path, the previous and the new content hash (and generation on a bucket), and where the previous
bytes are (`saved`: a copy under `_runs/{run}/`, made before the file was replaced; or, on a versioned bucket,
the object's previous generation). A rollback puts every file the run changed back as it was (deleting those it
created), refuses files a later run changed since unless forced, rebuilds the indexes and the manifest, and is a
recorded run itself, so it can be undone too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson

from .common import and_more, utc_timestamp
from .errors import ExportError, OutputError, literal
from .kinds import KIND, kind_of_path
from .manifest import manifest_path
from .plan import Plan, carry_out
from .publish import (
    REBUILT_KINDS,
    RUNS_FOLDER,
    FileResult,
    ObjectInfo,
    Payload,
    Publisher,
    PublishKind,
    PublishPolicy,
    Report,
    Step,
    day_summary,
    file_hash,
    season_summary,
)
from .site import Site, SiteFile, SiteModel, build, json_or_none, published_manifest, site_files
from .stores.base import Store, check_relative_path

RUN_ID = re.compile(r"[0-9]{20}-[0-9a-f]{8}")
RECORD_VERSION = 1


class RollbackRefused(ExportError):
    """Files the rolled-back run changed were changed again by a later run; nothing was published."""

    exit_code = 7  # a guard refused the run, like the shrink guard


def record_path(run: str) -> str:
    return f"{RUNS_FOLDER}/{check_run_id(run)}.json"


def check_run_id(run: str) -> str:
    if not RUN_ID.fullmatch(run):
        raise ExportError(
            f"{run!r} is not a run id (like 01764000000000000000-1a2b3c4d; `picks-export runs` lists them)"
        )
    return run


def started_at(run: str) -> str:
    return _iso(int(run[:20]) / 1e9)


def _iso(seconds: float) -> str:
    return utc_timestamp(seconds)


def write_record(sink: Store, policy: PublishPolicy, results: Sequence[FileResult]) -> None:
    """Write the run's record when it wrote or deleted anything (a dry run and a run that changed nothing: none)."""
    files = [_file_entry(result) for result in results if result.status in ("written", "deleted") and result.change]
    if policy.dry_run or not files:
        return
    record = {
        "version": RECORD_VERSION,
        "run": policy.run,
        "command": policy.command,
        "started_at": started_at(policy.run),
        "finished_at": _iso(time.time()),
        "complete": not any(result.status in ("failed", "refused", "not attempted") for result in results),
        "files": files,
    }
    try:
        sink.write_private(record_path(policy.run), orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as error:
        raise OutputError(
            f"files published, but the run record {record_path(policy.run)} could not be written: {error}"
        ) from None


def _file_entry(result: FileResult) -> dict[str, Any]:
    assert result.change is not None
    previous, change = result.change.previous, result.change
    action = "deleted" if result.status == "deleted" else "replaced" if previous is not None else "created"
    return {
        "path": result.path,
        "action": action,
        "previous": None
        if previous is None
        else {
            "sha256": previous.content_hash,
            "generation": previous.generation,
            "saved": change.saved,
        },
        "new": None
        if change.content_hash is None
        else {"sha256": change.content_hash, "generation": result.generation},
    }


def load_record(sink: Store, run: str) -> dict[str, Any]:
    path = record_path(run)
    data = sink.read(path)
    if data is None:
        raise ExportError(f"no run {run} at {sink.describe(path)} (`picks-export runs` lists the recorded runs)")
    try:
        record = orjson.loads(data)
    except orjson.JSONDecodeError:
        record = None
    if not _is_record(record, run):
        raise ExportError(f"{sink.describe(path)} is not a run record this version can read")
    return record


def _is_record(record: Any, run: str) -> bool:
    if not isinstance(record, dict) or record.get("run") != run or not isinstance(record.get("files"), list):
        return False
    for entry in record["files"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            return False
        for side in ("previous", "new"):
            if entry.get(side) is not None and not isinstance(entry.get(side), dict):
                return False
    return True


@dataclass(frozen=True)
class RunSummary:
    run: str
    started_at: str
    command: str
    files: int
    complete: bool


def list_runs(sink: Store, limit: int = 20) -> list[RunSummary]:
    """The newest `limit` recorded runs, newest first (run ids sort by start time)."""
    runs = sorted(
        (
            name[: -len(".json")]
            for name in sink.names(f"{RUNS_FOLDER}/")
            if name.endswith(".json") and RUN_ID.fullmatch(name[: -len(".json")])
        ),
        reverse=True,
    )
    found = []
    for run in runs[:limit]:
        try:
            record = load_record(sink, run)
        except ExportError:
            found.append(RunSummary(run, started_at(run), "(unreadable record)", 0, False))
            continue
        found.append(
            RunSummary(
                run,
                started_at(run),
                str(record.get("command") or ""),
                len(record["files"]),
                bool(record.get("complete", True)),
            )
        )
    return found


def _kind(path: str) -> PublishKind:
    """A recorded path's kind; a path of no known kind (a record edited by hand) is put back like a schema: as it
    was, with no index or manifest rebuilt for it."""
    return kind_of_path(path) or "schema"


_MODEL_PATH = re.compile(r"((?:[^/]+/)*?)(?:models/[^/]+/)?(?:picks|subsets)/")


def _listing_of(path: str) -> str:
    """What is listed to learn the state of `path`: the file itself when it lies at the prefix's root (the manifest),
    its folder otherwise."""
    return path if KIND[_kind(path)].listed_alone or "/" not in path else path.rpartition("/")[0] + "/"


def _still_written(entry: Mapping[str, Any], current: ObjectInfo | None, run: str) -> bool:
    """Whether `current` is what the recorded run left at the entry's path."""
    new = entry.get("new")
    if new is None:
        return current is None
    if current is None or current.content_hash != new.get("sha256") or current.run not in ("", run):
        return False
    return new.get("generation") is None or current.generation is None or current.generation == new.get("generation")


def rollback_marker(run: str, rollback_run: str) -> str:
    """Where a rollback of `run` says, before it changes anything, that it is one: its changes are then known as a
    rollback's of `run` (and not a later run's) even when it is killed before it writes its record."""
    return f"{RUNS_FOLDER}/{check_run_id(run)}/{ROLLED_BACK_BY}{check_run_id(rollback_run)}.json"


ROLLED_BACK_BY = "rolled-back-by-"


def _rollbacks_of(sink: Store, run: str) -> set[str]:
    """The runs that set out to roll back `run` (their markers)."""
    names = sink.names(f"{RUNS_FOLDER}/{run}/")
    found = {name[len(ROLLED_BACK_BY) : -len(".json")] for name in names if name.startswith(ROLLED_BACK_BY)}
    return {each for each in found if RUN_ID.fullmatch(each)}


def _mark(sink: Store, run: str, rollback_run: str) -> None:
    marker = rollback_marker(run, rollback_run)
    try:
        sink.write_private(marker, orjson.dumps({"run": run, "rollback": rollback_run}))
    except OSError as error:
        raise OutputError(f"cannot write {sink.describe(marker)}: {error.strerror or error}; nothing changed") from None


def _already_back(entry: Mapping[str, Any], current: ObjectInfo | None, own: set[str]) -> bool:
    """Whether the entry's path holds what this rollback puts back, left so by a rollback of the same run that
    stopped part-way (failed, or killed: `own`, its runs); a file the run created is gone (only a rollback deletes)."""
    previous = entry.get("previous")
    if previous is None:
        return current is None
    return current is not None and current.run in own and current.content_hash == previous.get("sha256")


def _restored(sink: Store, entry: Mapping[str, Any]) -> Payload:
    """The previous bytes of an entry's file, as a payload (its hash and picks from the bytes themselves), once
    they are checked against the hash the record keeps: a copy cut short, or a record whose `saved` names
    another file, is refused (OutputError) before anything is changed."""
    path, previous = entry["path"], entry["previous"]
    saved, generation = previous.get("saved"), previous.get("generation")
    data = (
        sink.read(saved)
        if isinstance(saved, str)
        else (sink.read_version(path, generation) if isinstance(generation, (int, str)) else None)
    )
    if data is None:
        where = saved or f"generation {generation}"
        raise OutputError(f"the previous bytes of {sink.describe(path)} are gone ({where}): nothing published")
    kind = _kind(path)
    content = json_or_none(data) if path.endswith(".json") else None
    picks, graded = day_summary(content) if kind == "day" and content is not None else (None, None)
    season = season_summary(content) if kind == "season" and content is not None else None
    try:
        digest: str | None = file_hash(path, data)
    except orjson.JSONDecodeError:  # a file that was not JSON goes back as it was
        digest = None
    # No hash recorded: the file was listed without one (written by hand, or JSON that did not parse).
    expected = previous.get("sha256")
    if expected is not None and digest != expected:
        where = saved or f"generation {generation}"
        raise OutputError(
            f"the saved copy of {sink.describe(path)} ({where}) does not hold what run's record says it replaced"
            " (its hash differs): nothing published"
        )
    digest = digest or hashlib.sha256(data).hexdigest()
    return Payload(path, kind, digest, len(data), picks, graded, season, inline=data)


def rollback(
    sink: Store,
    run: str,
    policy: PublishPolicy,
    *,
    force: bool = False,
    today: dt.date,
    generated_at: str,
) -> Report:
    """Put back every file `run` changed as it was before it, then rebuild the indexes and manifest it touched.

    `policy` is the rollback's own (its run id, its command for the record); the shrink guard does not apply:
    the files go back to what they were. Files a later run changed since are refused (RollbackRefused, nothing
    published) unless `force`. The previous bytes are all read, and checked against the hashes the record keeps,
    before anything is written (OutputError, nothing changed, when one is missing or differs).

    Resumable: before it changes anything a rollback leaves a marker (`rollback_marker`) naming itself as one of
    `run`; a file that a rollback of `run` already put back (or, created by the run, is gone) is done, so running
    a rollback that failed or was killed again finishes it, rather than refusing its changes as a later run's. The order keeps readers
    consistent: replaced files are put back first, then each index, the manifest and the status file are
    rewritten without the files the run created, and only then are those deleted (the site files first); so no
    index or manifest ever names a file that is gone. After the deletions the site files are built once more,
    and written only if another run listed a deleted file in between."""
    record = load_record(sink, run)
    publisher = Publisher(
        sink, replace(policy, allow_shrink=True, command=policy.command and f"rollback {run}"), write_record
    )
    entries = {entry["path"]: entry for entry in record["files"]}
    for path in entries:
        check_relative_path(path)  # a record is a file anyone could have edited: its paths stay in the destination
    current = publisher.listing(sorted({_listing_of(path) for path in entries}))
    own = _rollbacks_of(sink, run)
    changed = [
        path
        for path, entry in entries.items()
        if _kind(path) not in REBUILT_KINDS
        and not _still_written(entry, current.get(path), run)
        and not _already_back(entry, current.get(path), own)
    ]
    if changed and not force:
        more = and_more(len(changed))
        raise RollbackRefused.naming(
            f"refusing to roll back run {run}: a later run changed {literal(sink.describe(changed[0]))}{more};"
            " {force} puts them back anyway"
        )
    steps, restored = _put_back(publisher, entries, current, run, own)
    deleted = frozenset(step.payload.path for step in steps if step.action == "delete")
    rebuilt: list[SiteFile] = []
    for site in _sites(publisher, entries, restored, today, generated_at, deleted):
        for file in site_files(site):
            if file.path in deleted:
                continue  # the run created it: the prefix goes back to having none
            rebuilt.append(file)
            if file.path not in {step.payload.path for step in steps}:  # planned so that a dry run shows it
                listed = publisher.listing([file.listing])
                steps += publisher.plan([build(file, listed, publisher.published, utc_timestamp())], listed)
    if not policy.dry_run:
        _mark(sink, run, publisher.policy.run)
    return carry_out(publisher, Plan(tuple(steps), tuple(rebuilt)), publisher.published)


def _put_back(
    publisher: Publisher,
    entries: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, ObjectInfo],
    run: str,
    own: set[str],
) -> tuple[list[Step], dict[str, Payload]]:
    """The steps that put each recorded file back (or delete it), and the previous bytes read for them. A file
    built from what is published that a later run changed is left to be rebuilt."""
    steps: list[Step] = []
    restored: dict[str, Payload] = {}
    for path, entry in sorted(entries.items()):
        existing = current.get(path)
        if _kind(path) in REBUILT_KINDS and not _still_written(entry, existing, run):
            continue  # changed by a later run: rebuilt from what is published, not put back
        if _kind(path) not in REBUILT_KINDS and _already_back(entry, existing, own):
            continue  # put back already (by this rollback run earlier, stopped part-way)
        if entry.get("previous") is None:
            if existing is not None:
                steps.append(Step(Payload(path, _kind(path), "", 0, inline=b""), "delete", existing))
            continue
        restored[path] = _restored(publisher.sink, entry)
        steps += publisher.plan([restored[path]], current)
    return steps, restored


def _sites(
    publisher: Publisher,
    entries: Mapping[str, Any],
    restored: Mapping[str, Payload],
    today: dt.date,
    generated_at: str,
    deleted: frozenset[str] = frozenset(),
) -> list[Site]:
    """The site of each prefix the run touched: the models of its manifest (as put back) whose folders hold a file
    of the run, their other entries kept from that manifest; a rebuilt file whose content is what it was goes back
    byte for byte (its `generated_at` too)."""
    sink, policy = publisher.sink, publisher.policy
    prefixes = {match[1] for path in entries if (match := _MODEL_PATH.match(path))}
    prefixes |= {path[: -len("manifest.json")] for path in entries if _kind(path) == "manifest"}
    sites = []
    for prefix in sorted(prefixes):
        path = manifest_path(prefix)
        manifest = published_manifest(sink, prefix, restored[path].data if path in restored else None)
        manifest = manifest or published_manifest(sink, prefix)
        models = [model for entry in (manifest or {}).get("models", []) if (model := SiteModel.of_entry(prefix, entry))]
        touched = tuple(model for model in models if any(each.startswith(model.layout.folders()) for each in entries))
        site = Site(prefix, today, generated_at, touched, policy.run, policy.command, started_at(policy.run),
                    kept_manifest=manifest, keep=restored, leaving=deleted)  # fmt: skip
        sites.append(site)
    return sites
