"""The plan of a run: what it will do with each file, decided once against what is published, then carried out.

A publishing run hands over the files it wants (each model's per-day and season files, validated and spooled,
with the listing of the model's folders taken once; the schemas and the page with theirs). `plan_run` decides
each file's step once and derives from the same steps what each model's index will list, the manifest and the
status file: one `Plan` value that the dry run shows, the shrink guard refuses on and `carry_out` publishes. A
rollback builds its own plan (files put back, files deleted) and publishes it the same way.

Who calls whom: the run drives the phases. `carry_out` takes the plan through the publisher phase by phase;
each site file of a phase (an index, the manifest, the status file) it builds here from a fresh listing
(`site.build`, a pure function of the listing and the plan's data) and offers to the publisher, which writes it
only if it did not change meanwhile, up to MAX_REBUILDS times. The publisher calls nothing above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .common import utc_timestamp
from .manifest import manifest_path
from .publish import MAX_REBUILDS, Action, FileResult, ObjectInfo, Payload, Publisher, Report, Step, gave_up, in_phases
from .site import (
    Days,
    KnownIndex,
    Listing,
    Published,
    ReadOnce,
    Site,
    SiteFile,
    SiteModel,
    build,
    index_payload,
    manifest_entry,
    manifest_payload,
    planned_days,
    planned_seasons,
    previous_document,
    recovered_previous,
    site_files,
    status_entry,
    status_payload,
)
from .status import status_path


@dataclass(frozen=True)
class Plan:
    """Every file of a run with its step, in planned order, and the site files among them that are built again
    from a fresh listing when they are written."""

    steps: tuple[Step, ...]
    rebuilt: tuple[SiteFile, ...] = ()


def plan_run(
    publisher: Publisher,
    published: Published,
    site: Site,
    listings: Mapping[str, Mapping[str, ObjectInfo]],
    shared: Sequence[tuple[str, Sequence[Payload]]],
) -> Plan:
    """The plan of a publishing run: `shared` files (each group with the folder listed for it: the schemas, the
    page), each of the site's models' files (`built`, against `listings`: its folders' listing by model code) and
    its index, then the manifest and the status file as they will be."""
    steps: list[Step] = []
    for folder, payloads in shared:
        steps += publisher.plan(payloads, publisher.listing([folder]))
    # Each model's steps, and the days its index lists once they are out: planned once, used by all three files.
    planned: list[tuple[SiteModel, list[Step], Days]] = []
    indexes: dict[str, tuple[Days, Payload]] = {}  # each index as planned: written as it is when nothing changed
    for model in site.models:
        listing = listings[model.code]
        model_steps = publisher.plan(model.built, listing)
        days = planned_days(published, model.layout, listing, model_steps)
        planned.append((model, model_steps, days))
        indexes[model.code] = (days, index_payload(site, model, days))
        steps += model_steps + publisher.plan([indexes[model.code][1]], listing)
    path = manifest_path(site.prefix)
    listed = publisher.listing([path])
    entries = [
        manifest_entry(site, model, days, planned_seasons(published, model.layout, listings[model.code], model_steps))
        for model, model_steps, days in planned
    ]
    now = utc_timestamp()
    previous = previous_document(published, "manifest", path, listed)
    previous = previous or recovered_previous(published, site, "manifest", now)
    steps += publisher.plan([manifest_payload(site, entries, previous)], listed)
    path = status_path(site.prefix)
    listed = publisher.listing([path])
    entries = [status_entry(site, model, days, now) for model, _, days in planned]
    previous = previous_document(published, "status", path, listed)
    previous = previous or recovered_previous(published, site, "status", now)
    steps += publisher.plan([status_payload(site, entries, now, previous)], listed)
    # Each index is built first from the listing it was planned against plus the run's own writes.
    files = [
        file._replace(planned=listings[file.model.code], prebuilt=indexes[file.model.code])
        if file.model is not None
        else file
        for file in site_files(site)
    ]
    return Plan(tuple(steps), tuple(files))


def carry_out(
    publisher: Publisher,
    plan: Plan,
    published: Published,
    on_plan: Callable[[Mapping[str, Action]], None] | None = None,
) -> Report:
    """Publish `plan` phase by phase (a phase with a failure stops the later ones); `on_plan` hears each path's
    action before anything is sent. A dry run ends with the plan's report."""
    steps, report = publisher.begin(plan.steps, on_plan)
    if report.dry_run:
        return report
    try:
        for phase in in_phases(steps):
            rebuilt = {} if report.stopped else _rebuild_phase(publisher, plan, phase, report, published)
            publisher.send(phase, report, rebuilt)
        if not report.stopped and any(step.action == "delete" for step in steps):
            _rebuild_after_deletes(publisher, plan, report, published)
    except BaseException:  # an interruption: record what was written so far, then go on unwinding
        publisher.abort(report)
        raise
    return publisher.end(report, len(steps))


def _rebuild_phase(
    publisher: Publisher, plan: Plan, phase: Sequence[Step], report: Report, published: Published
) -> dict[str, FileResult]:
    """Each site file of the phase, in the phase's order, built and written unless it changed meanwhile; forced
    when this run wrote a file under a folder it is built from.

    An index is built from its planning listing and this run's writes (no second listing of its folder), the
    other site files from a fresh listing of their path. Every listing the phase's files are written under is
    taken before any file they are built from is read, so the files read (the indexes, for the manifest and the
    status file) are read once for all of them: a file changed after its listing fails that file's precondition,
    and then it is listed, read and built again."""
    files = {file.path: file for file in plan.rebuilt}
    written = [result.path for result in report.results if result.status == "written"]
    todo = [files[step.payload.path] for step in phase if step.payload.path in files]
    listed = {file.path: _first_listing(publisher, file, plan, report) for file in todo}
    once = ReadOnce(published, _known_indexes(plan, report))
    rebuilt = {}
    for file in todo:
        force = any(path.startswith(file.depends_on) for path in written)
        rebuilt[file.path] = rebuild(publisher, file, published, force=force, first=(listed[file.path], once))
    return rebuilt


def _known_indexes(plan: Plan, report: Report) -> dict[str, KnownIndex]:
    """Each index the run left as it planned it (written, or found current), with the object it expects at its
    path and the days it lists: the manifest and the status file take them without reading the index again while
    a listing shows that object (`ReadOnce`)."""
    results = {result.path: result for result in report.results}
    known: dict[str, KnownIndex] = {}
    for file in plan.rebuilt:
        result = results.get(file.path)
        if file.prebuilt is None or file.planned is None or result is None:
            continue
        days, payload = file.prebuilt
        expected: ObjectInfo | None = None
        if result.status in ("written", "patched"):  # no entity tag known: on S3 without versions, it is read
            expected = ObjectInfo(file.path, payload.content_hash, result.size, result.generation)
        elif result.status == "unchanged":
            expected = file.planned.get(file.path)
        if expected is not None and expected.content_hash == payload.content_hash:
            known[file.path] = (expected, days)
    return known


# A file's result that leaves it as the run planned it (its planned action, then its status): its content is the
# run's own (or, superseded, what the planning listing holds).
_AS_PLANNED = {("superseded", "superseded")}


def _first_listing(publisher: Publisher, file: SiteFile, plan: Plan, report: Report) -> Mapping[str, ObjectInfo]:
    """What `file` is first built from: an index's planning listing with this run's results in its folder, when
    each of them left the file the run's own or as listed; otherwise (and for the other site files) a fresh
    listing."""
    if file.planned is None:
        return publisher.listing([file.listing])
    listed = Listing(file.planned, file.planned.elsewhere if isinstance(file.planned, Listing) else None)
    payloads = {step.payload.path: step.payload for step in plan.steps}
    for result in report.results:
        if not result.path.startswith(file.depends_on) or result.path == file.path:
            continue
        payload = payloads.get(result.path)
        if payload is not None and result.status in ("written", "patched", "unchanged"):  # this run's content
            listed[result.path] = ObjectInfo(
                result.path, payload.content_hash, payload.size, result.generation, run=publisher.policy.run,
                picks=payload.picks, graded=payload.graded,
            )  # fmt: skip
        elif (report.actions.get(result.path), result.status) not in _AS_PLANNED:
            return publisher.listing([file.listing])  # another run's file since: what it holds is not known here
    return listed


def _rebuild_after_deletes(publisher: Publisher, plan: Plan, report: Report, published: Published) -> None:
    """The site files once more after the deletions: already written without the deleted files, they change only
    when another run listed them in between (then its entry is listed no more)."""
    for file in plan.rebuilt:
        if file.path not in report.actions or report.actions[file.path] == "delete":
            continue
        result = rebuild(publisher, file, published, force=False)
        if result.status != "unchanged":
            report.results = [result if each.path == file.path else each for each in report.results]


def rebuild(
    publisher: Publisher,
    file: SiteFile,
    published: Published,
    *,
    force: bool,
    first: tuple[Mapping[str, ObjectInfo], Published] | None = None,
) -> FileResult:
    """List what `file` is built from, build it and offer it to the publisher; again while another run changed
    it in between. `first`: the first attempt's listing and reader (then listed and read afresh)."""
    for attempt in range(MAX_REBUILDS):
        listed, reader = first if attempt == 0 and first is not None else (publisher.listing([file.listing]), published)
        payload = build(file, listed, reader, utc_timestamp())
        result = publisher.put_rebuilt(payload, listed.get(file.path), force=force, retried=attempt > 0)
        if result is not None:
            return result
    return gave_up(file.path)
