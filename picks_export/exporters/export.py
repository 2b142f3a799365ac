"""The library's entry points: what the daily job, a backfill and a season export build and publish."""

from __future__ import annotations
from .common import utc_timestamp

import datetime as dt
import gc
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from itertools import chain
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from .. import __version__
from . import quality, rules
from .documents import Document, DocumentBuilder, index_document
from .engines.engine import DryRunEngine, Engine
from .errors import ExportError
from .layout import DEFAULT_PREFIX, Layout, normalize_prefix, schema_path
from .manifest import manifest_document, manifest_path, model_entry
from .server.page import PAGE_FILES, page_file, page_path
from .publish import (
    FINAL_DAY_AGE,
    Action,
    ObjectInfo,
    Payload,
    PublishPolicy,
    Publisher,
    Rebuild,
    Report,
    Sink,
    Spool,
    Step,
    pause_for_tests,
)
from .quality import QualityOptions, QualityWarning
from .rebuild import checked_payload, index_days, json_or_none, published_days, season_entries
from .runs import write_record
from .status import status_document, status_model_entry, status_path
from .validation import SCHEMA_FILES, TYPES_FILE, check_document, problems, schema_text, types_text
from .warehouse import Model, RunPlan, Snapshot, read_plan, read_shown_picks, snapshot_queries

Progress = Callable[[int, int | None], None]  # (documents built, documents in the run when known)

# Build workers: PICKS_EXPORT_BUILD_WORKERS processes (default: the cores this process may use), for runs over
# several models and at least this many days (a daily run stays in one process: forking would cost more).
BUILD_WORKERS_ENV = "PICKS_EXPORT_BUILD_WORKERS"
PARALLEL_MIN_DAYS = 28


def build_workers(environ: Mapping[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(BUILD_WORKERS_ENV, "").strip()
    if not value:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    if not value.isdigit() or int(value) < 1:
        raise ExportError(f"{BUILD_WORKERS_ENV}={value!r} is not a whole number of at least 1")
    return int(value)


@dataclass(frozen=True)
class ExportOptions:
    model: str | None = None  # a model code; None for the champion
    prefix: str = DEFAULT_PREFIX
    today: dt.date = field(default_factory=rules.today_in_new_york)  # decides which season is "current"
    generated_at: str = field(default_factory=lambda: generated_at_now())
    with_page: bool = False  # also publish the reference page under {prefix}page/
    quality: QualityOptions = field(default_factory=QualityOptions)  # the gate's settings
    build_workers: int | None = None  # processes building a long run's models (None: the cores this process may use)


@dataclass
class Outcome:
    """What a run did with each of its files, for the report and the summary line."""

    report: Report
    queries: int
    warnings: list[QualityWarning] = field(default_factory=list)  # the quality gate's, every model of the run

    @property
    def paths(self) -> list[str]:
        return [result.path for result in self.report.results]


def _end_worker(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def generated_at_now(environ: dict[str, str] | None = None) -> str:
    """UTC now to the second, or the time `SOURCE_DATE_EPOCH` gives, so that builds can be reproduced."""
    environ = os.environ if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ExportError(f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    else:
        moment = dt.datetime.now(dt.timezone.utc)
    return utc_timestamp(moment)


@dataclass(frozen=True)
class _Wanted:
    """What one model's run builds: per-day files of these dates, and these seasons' files (with as-of dates).

    Plain data rather than the documents themselves: the run knows how many files are coming (for progress)
    and builds each one only when the previous one is validated and spooled."""

    days: list[dt.date]
    seasons: list[tuple[str, dt.date | None]]
    newest_first: bool = False  # the days' order (across the seasons): a daily run's day comes before the day before

    def within(self, snapshot: Snapshot) -> _Wanted:
        """What of this the snapshot builds: its own dates' files and its season's."""
        season = rules.season_label(snapshot.first_date)
        return _Wanted([day for day in self.days if snapshot.covers(day)],
                       [each for each in self.seasons if each[0] == season], self.newest_first)


# What a command wants built for one model, given its builder and what the model's folders already hold.
Wants = Callable[[DocumentBuilder, dict[str, ObjectInfo]], _Wanted]


@dataclass
class _Staged:
    """One model's files of a run, validated and spooled, with what its folders already hold."""

    layout: Layout
    model: str
    published: dict[str, ObjectInfo]
    payloads: list[Payload]
    name: str = ""  # the model's display name, for the manifest
    warnings: list[QualityWarning] = field(default_factory=list)  # the quality gate's, for the status file
    refusals: list[QualityWarning] = field(default_factory=list)  # the gate's volume drops: refused unless allowed


class Exporter:
    """Builds documents model by model from the warehouse and publishes them through a sink."""

    def __init__(
        self,
        engine: Engine,
        sink: Sink,
        options: ExportOptions,
        policy: PublishPolicy | None = None,
        on_plan: Callable[[Mapping[str, Action]], None] | None = None,  # hears the plan before anything is sent
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.options = options
        self.prefix = normalize_prefix(options.prefix)
        self.publisher = Publisher(sink, policy or PublishPolicy(), write_record)
        self.on_plan = on_plan
        self.command = ""  # what the run does, for its record: `daily --date 2026-02-07`
        self.started_at = _utc_now()

    def daily(self, day: dt.date, progress: Progress | None = None, *, all_models: bool = False) -> Outcome:
        """The per-day file of `day`, the one of the day before when it has picks, and `day`'s season file.

        A `day` more than one day after today without shown picks is refused: it is a typo, not a game day, and
        publishing it would index an empty day.
        """
        yesterday, _ = daily_dates(day)
        check_date("--today", self.options.today)
        self.command = f"daily --date {day}"

        def wants(builder: DocumentBuilder, _: dict[str, ObjectInfo]) -> _Wanted:
            dates = builder.snapshot.dates_with_picks()
            if day > self.options.today + dt.timedelta(days=1) and builder.snapshot.covers(day) and day not in dates:
                raise ExportError(
                    f"--date {day} is more than a day after today ({self.options.today}) and model"
                    f" {builder.snapshot.model.code} has no shown picks that day: nothing published"
                )
            return _Wanted([day] + ([yesterday] if yesterday in dates else []), [(rules.season_label(day), None)], True)

        graded = yesterday if self.options.quality.require_graded else None
        return self._run(yesterday, day, wants, progress, all_models=all_models, require_graded=graded)

    def backfill(
        self, first: dt.date, last: dt.date, progress: Progress | None = None, *, all_models: bool = False
    ) -> Outcome:
        """The per-day file of every date in [first, last] with shown picks, and every touched season's file.

        A published day of the range that no longer has shown picks is rebuilt too (empty), rather than left
        contradicting its season file; the shrink guard decides whether it may replace the old one. Likewise a
        season of the range gets its file when it has shown picks, is the current season, or already has a file.
        """
        backfill_dates(first, last)
        check_date("--today", self.options.today)
        self.command = f"backfill --start {first} --end {last}"
        current = rules.season_label(self.options.today)

        def wants(builder: DocumentBuilder, published: dict[str, ObjectInfo]) -> _Wanted:
            layout = self._layout(builder)
            shown = builder.snapshot.dates_with_picks()
            days = {day for day in shown if first <= day <= last}
            days |= {day for day in map(layout.date_of, published) if day is not None and first <= day <= last}
            seasons = {rules.season_label(day) for day in shown} | {current}
            seasons |= {season for season in _seasons_between(first, last) if layout.season(season) in published}
            return _Wanted(sorted(days), [(season, None) for season in _seasons_between(first, last) if season in seasons])

        return self._run(first, last, wants, progress, all_models=all_models)

    def season(self, season: str, as_of: dt.date | None = None) -> Outcome:
        """One season's file, with records as of `as_of` (default: its latest graded date)."""
        first, last = season_dates(season)
        check_date("--today", self.options.today)
        self.command = f"season --season {season}" + (f" --as-of {as_of}" if as_of else "")
        if as_of is not None and not first <= as_of <= last:
            raise ExportError(f"--as-of {as_of} is not in season {season} ({first} to {last})")
        return self._run(first, last, lambda builder, _: _Wanted([], [(season, as_of)]), None)

    def _run(
        self,
        first: dt.date,
        last: dt.date,
        wants: Wants,
        progress: Progress | None,
        *,
        all_models: bool = False,
        require_graded: dt.date | None = None,
    ) -> Outcome:
        start, end = read_span(first, last)
        spool = Spool()
        spools = [spool]
        try:
            plan = read_plan(self.engine, self.options.model, start, end, all_models=all_models)
            workers = self._build_workers(plan, first, last)
            if workers > 1:
                staged, queries = self._stage_in_parallel(plan, wants, progress, workers, spools, require_graded)
            else:
                models = read_shown_picks(self.engine, plan, plan.models)
                staged, queries = list(self._stage(models, wants, spool, progress, require_graded)), 0
            refusals = [refused for each in staged for refused in each.refusals]
            policy = self.publisher.policy
            if not policy.allow_shrink and not policy.dry_run:
                quality.refuse(refusals)
            outcome = self._publish(staged, all_models=all_models, queries=queries)
            outcome.warnings = [warning for each in staged for warning in each.warnings]
            if not policy.allow_shrink and policy.dry_run:  # a dry run ends as the run would, its plan shown
                quality.refuse(refusals, outcome.report)
            return outcome
        finally:
            for each in spools:
                each.close()

    def _stage(
        self,
        models: Iterator[Iterator[Snapshot]],
        wants: Wants,
        spool: Spool,
        progress: Progress | None,
        require_graded: dt.date | None = None,
        listed: Mapping[str, dict[str, ObjectInfo]] | None = None,
        part_models: int | None = None,
    ) -> Iterator[_Staged]:
        """Check (the quality gate), build, validate and spool each model's files season by season as its
        snapshots arrive, each snapshot dropped before the next is read (`listed`: its folders' listing taken
        beforehand, by model code; otherwise listed when the model is reached)."""
        built = 0
        counts: list[int] = []  # files of each model reached so far (the current one's estimated)
        for snapshots in models:
            staged: _Staged | None = None
            gate = quality.Gate(self.options.today, self.options.quality)
            season_counts: list[int] = []  # the current model's files, season by season
            newest_first = False
            days: list[tuple[dt.date, Payload]] = []
            seasons: list[Payload] = []
            for snapshot in snapshots:
                builder = DocumentBuilder(snapshot, self.options.generated_at)
                if staged is None:
                    layout = self._layout(builder)
                    published = listed[snapshot.model.code] if listed is not None else self.publisher.listing(layout.folders())
                    staged = _Staged(layout, snapshot.model.code, published, [], snapshot.model.name)
                    counts.append(0)
                wanted = wants(builder, staged.published)
                newest_first = wanted.newest_first
                wanted = wanted.within(snapshot)
                if require_graded is not None and snapshot.covers(require_graded):
                    quality.require_graded(snapshot, require_graded)
                gate.check(snapshot, wanted.days)
                season_counts.append(len(wanted.days) + sum(len(self._season_paths(staged.layout, *each)) for each in wanted.seasons))
                counts[-1] = expected_total(season_counts, snapshot.run_seasons)  # the seasons to come like those seen
                total = expected_total(counts, part_models or snapshot.run_models)  # a worker's share, or the run's
                documents = chain(
                    ((day, self._day_document(builder, day)) for day in wanted.days),
                    ((None, each) for season in wanted.seasons for each in self._season_documents(builder, *season)),
                )
                for day, document in documents:
                    # Every document passes the gate before the destination sees the first file.
                    check_document(document)
                    payload = self._finality(staged.layout, Payload.of(document.path, document.kind, document.content, spool))
                    if day is None:
                        seasons.append(payload)
                    else:
                        days.append((day, payload))
                    built += 1
                    if built == 1:
                        pause_for_tests("building")  # the first file is built and spooled, nothing is published
                    if progress:
                        progress(built, total)
                del documents, builder, snapshot  # this season's picks go before the next season is read
            assert staged is not None  # every run's range holds at least one season
            days.sort(key=lambda each: each[0], reverse=newest_first)
            staged.payloads = [payload for _, payload in days] + seasons
            staged.warnings, staged.refusals = gate.result().warnings, gate.refusals
            yield staged

    def _build_workers(self, plan: RunPlan, first: dt.date, last: dt.date) -> int:
        """Processes building the run's models: one for a short range (a daily run), one model or an engine that
        cannot be reopened in a worker (BigQuery: its client does not survive a fork)."""
        if len(plan.models) < 2 or (last - first).days < PARALLEL_MIN_DAYS or not self.engine.capabilities.forked_workers:
            return 1
        return min(self.options.build_workers or build_workers(), len(plan.models))

    def _stage_in_parallel(
        self,
        plan: RunPlan,
        wants: Wants,
        progress: Progress | None,
        workers: int,
        spools: list[Spool],
        require_graded: dt.date | None = None,
    ) -> tuple[list[_Staged], int]:
        """Each worker process reads the shown picks of every `workers`-th model (one query each) and builds,
        checks and spools their files into a spool of its own; the parent keeps them in the models' order.

        The same documents as one process builds, so the same bytes; a worker's first bad row (or any error)
        comes back as the error of the earliest model that failed, as a one-process run would raise it."""
        import multiprocessing

        listed = {model.code: self.publisher.listing(Layout(self.prefix, model.code, model.is_default).folders())
                  for model in plan.models}  # fmt: skip
        parts = [plan.models[number::workers] for number in range(workers)]
        part_spools = [Spool() for _ in parts]
        spools += part_spools
        context = multiprocessing.get_context("fork")
        self.engine.release()  # each worker opens the warehouse anew
        gc.collect()
        gc.freeze()  # what the parent holds is shared with the workers, untouched by their collections
        processes = []
        # Each worker's files built so far and expected in all (its models reached so far, the rest like them),
        # for the progress the parent shows while it waits.
        counters = context.Array("q", 2 * workers, lock=False)
        try:
            for slot, (part, part_spool) in enumerate(zip(parts, part_spools)):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(
                    target=self._build_part,
                    args=(sender, plan, part, wants, part_spool, listed, require_graded, (counters, slot)),
                )
                process.start()
                sender.close()
                processes.append((process, receiver))
            answers = self._answers([receiver for _, receiver in processes], counters, progress)
            for process, _ in processes:
                process.join()
        except EOFError:
            raise RuntimeError("a build worker ended without an answer") from None
        finally:
            gc.unfreeze()
            for process, receiver in processes:
                receiver.close()
                if process.is_alive():
                    process.terminate()
                    process.join()
        failures = [answer for answer in answers if answer[0] != "ok"]
        if failures:
            _, error, _ = min(failures, key=lambda answer: plan.models.index(answer[2]))
            raise error
        by_code: dict[str, _Staged] = {}
        queries = built = 0
        for (_, light, part_queries), part_spool in zip(answers, part_spools):
            queries += part_queries
            for each in light:
                each.payloads = [replace(payload, spool=part_spool) for payload in each.payloads]
                by_code[each.model] = each
                built += len(each.payloads)
        if progress:
            progress(built, built)
        return [by_code[model.code] for model in plan.models], queries

    @staticmethod
    def _answers(receivers: list[Any], counters: Any, progress: Progress | None) -> list[Any]:
        """Each worker's answer, in the workers' order; meanwhile the files built so far by all of them, against
        their expected total (the workers not reached a model yet counted like those that have)."""
        from multiprocessing.connection import wait

        answers: dict[int, Any] = {}
        while len(answers) < len(receivers):
            for receiver in wait([each for number, each in enumerate(receivers) if number not in answers], PROGRESS_EVERY):
                answers[receivers.index(receiver)] = receiver.recv()
            if progress:
                built, totals = sum(counters[0::2]), [total for total in counters[1::2] if total]
                progress(built, round(sum(totals) * len(receivers) / len(totals)) if totals else None)
        return [answers[number] for number in range(len(receivers))]

    def _build_part(
        self,
        sender: Any,
        plan: RunPlan,
        models: list[Model],
        wants: Wants,
        spool: Spool,
        listed: Mapping[str, dict[str, ObjectInfo]],
        require_graded: dt.date | None = None,
        counter: tuple[Any, int] | None = None,
    ) -> None:
        """A build worker (a forked process): its models' files into its spool; sends ("ok", staged files without
        their spool, queries) or ("error", the error, the model it stopped at)."""
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent answers Ctrl-C and ends its workers
        signal.signal(signal.SIGTERM, _end_worker)  # ...with SIGTERM: unwind, so the scratch folder goes too
        # The engine's share of the cores and memory; what does not fit spills to a private scratch folder, removed
        # with the worker.
        scratch = tempfile.mkdtemp(prefix="picks-export-worker-")
        self.engine.for_worker(scratch)
        before = self.engine.queries_run
        staged: list[_Staged] = []
        try:
            report = _shared_progress(*counter) if counter is not None else None
            snapshots = read_shown_picks(self.engine, plan, models)
            for each in self._stage(snapshots, wants, spool, report, require_graded, listed, part_models=len(models)):
                each.payloads = [replace(payload, spool=None) for payload in each.payloads]
                staged.append(each)
            answer: tuple[str, Any, Any] = ("ok", staged, self.engine.queries_run - before)
        except ExportError as error:
            answer = ("error", error, models[min(len(staged), len(models) - 1)])
        except Exception as error:  # noqa: BLE001 - reported by the parent as an internal error
            failed = RuntimeError(f"build worker: {type(error).__name__}: {error}")
            answer = ("error", failed, models[min(len(staged), len(models) - 1)])
        finally:
            self.engine.close()
            shutil.rmtree(scratch, ignore_errors=True)
        sender.send(answer)
        sender.close()

    def _finality(self, layout: Layout, payload: Payload) -> Payload:
        """A per-day file old enough and fully graded is final: it gets the final days' cache policy."""
        day = layout.date_of(payload.path) if payload.kind == "day" else None
        if day is None or not payload.graded or day > self.options.today - dt.timedelta(days=FINAL_DAY_AGE):
            return payload
        return replace(payload, final=True)

    def _layout(self, builder: DocumentBuilder) -> Layout:
        model = builder.snapshot.model
        return Layout(self.prefix, model.code, model.is_default)

    def _day_document(self, builder: DocumentBuilder, day: dt.date) -> Document:
        return Document(self._layout(builder).day(day), "day", builder.day(day))

    def _season_paths(self, layout: Layout, season: str, as_of: dt.date | None = None) -> list[str]:
        """Where a season's file goes: its own path, and the current season's fixed address when it is current.

        A file as of an explicit date is a deliberate view of the past: the live address keeps the latest records."""
        current = season == rules.season_label(self.options.today) and as_of is None
        return [layout.season(season)] + ([layout.current_season()] if current else [])

    def _season_documents(self, builder: DocumentBuilder, season: str, as_of: dt.date | None) -> list[Document]:
        content = builder.season(season, as_of or builder.default_as_of(season))
        return [Document(path, "season", content) for path in self._season_paths(self._layout(builder), season, as_of)]

    def _publish(self, staged: list[_Staged], *, all_models: bool = False, queries: int = 0) -> Outcome:
        """Plan every file against what is published (each model's index, then the manifest last), then publish."""
        models = " --all-models" if all_models else f" --model {self.options.model}" if self.options.model else ""
        self.publisher.policy = replace(self.publisher.policy, command=self.command + models)  # for the record and status
        schemas = [Payload.raw(schema_path(self.prefix, name), "schema", schema_text(kind)) for kind, name in SCHEMA_FILES.items()]
        schemas.append(Payload.raw(schema_path(self.prefix, TYPES_FILE), "types", types_text()))
        steps = self.publisher.plan(schemas, self.publisher.listing([schema_path(self.prefix, "")]))
        if self.options.with_page:
            page = [Payload.raw(page_path(self.prefix, name), "page", page_file(name)) for name in PAGE_FILES]
            steps += self.publisher.plan(page, self.publisher.listing([page_path(self.prefix, "")]))
        rebuilt: dict[str, Rebuild] = {}
        for each in staged:
            model_steps = self.publisher.plan(each.payloads, each.published)
            days = self._published_days(each.layout, each.published, model_steps)
            steps += model_steps + self.publisher.plan([self._index(each, days)], each.published)
            # What is written is built again from the picks/ folder as it is once the day files are out.
            picks = each.layout.folders()[0]
            rebuilt[each.layout.index()] = Rebuild(picks, partial(self._rebuilt_index, each), (picks,))
        # The manifest too, from each model's folders as they are once its index is out; planned here so that a
        # dry run and the shrink guard see it.
        path = manifest_path(self.prefix)
        listed = self.publisher.listing([path])
        steps += self.publisher.plan([self._manifest(staged, listed, all_models=all_models, planning=True)], listed)
        folders = tuple(folder for each in staged for folder in each.layout.folders())
        rebuilt[path] = Rebuild(path, partial(self._manifest, staged, all_models=all_models), folders)
        # The status file last, from each model's picks/ folder as it is then; planned here for the dry run.
        path = status_path(self.prefix)
        listed = self.publisher.listing([path])
        steps += self.publisher.plan([self._status(staged, listed, planning=True)], listed)
        rebuilt[path] = Rebuild(path, partial(self._status, staged), folders)
        return Outcome(self.publisher.publish(steps, rebuilt, self.on_plan), self.engine.queries_run + queries)

    def _status(self, staged: list[_Staged], listed: Mapping[str, ObjectInfo], *, planning: bool = False) -> Payload:
        """The status file: this run and its models' entries, the published file's other models kept."""
        path = status_path(self.prefix)
        finished_at = _utc_now()
        entries = []
        for each in staged:
            if planning:
                days = self._published_days(each.layout, each.published, self.publisher.plan(each.payloads, each.published))
            else:  # written last: the days as the model's index (written before it) lists them
                days = index_days(self.sink.read, each.layout)
            entries.append(status_model_entry(
                code=each.model,
                index=each.layout.index(),
                today=self.options.today,
                run=self.publisher.policy.run,
                checked_at=finished_at,
                days=days,
                warnings=[warning.as_json() for warning in each.warnings],
            ))
        previous = json_or_none(self.sink.read(path)) if path in listed else None
        if previous is not None and problems("status", previous, path):
            previous = None  # not a status file this version can read: rebuilt from this run's models
        run = {
            "id": self.publisher.policy.run,
            "command": self.publisher.policy.command or None,
            "started_at": self.started_at,
            "finished_at": finished_at,
            "version": __version__,
        }
        return checked_payload(path, "status", status_document(run, entries, previous))

    def _index(self, staged: _Staged, days: dict[dt.date, tuple[int, bool]]) -> Payload:
        return checked_payload(staged.layout.index(), "index", index_document(staged.model, self.options.generated_at, days))

    def _rebuilt_index(self, staged: _Staged, listed: Mapping[str, ObjectInfo]) -> Payload:
        return self._index(staged, self._published_days(staged.layout, dict(listed), []))

    def _manifest(
        self, staged: list[_Staged], listed: Mapping[str, ObjectInfo], *, all_models: bool, planning: bool = False
    ) -> Payload:
        """The manifest: this run's models' entries replace theirs in the published manifest (`listed` holds its
        state). Planning, the entries say what the folders will hold once the run's files are out; just before
        it is written, they are built from a fresh listing of each model's folders."""
        path = manifest_path(self.prefix)
        entries = [
            self._manifest_entry(each, each.published, planning) if planning
            # Written after the indexes: the days from each model's index (one read), the seasons from a listing of
            # its subsets/ folder, rather than a listing of every per-day file again.
            else self._manifest_entry(each, self.publisher.listing([each.layout.folders()[1]]), planning,
                                      index_days(self.sink.read, each.layout))
            for each in staged
        ]
        previous = json_or_none(self.sink.read(path)) if path in listed else None
        if previous is not None and problems("manifest", previous, path):
            previous = None  # not a manifest this version can read: rebuilt from this run's models
        content = manifest_document(self.prefix, self.options.generated_at, entries, previous, replace_all=all_models)
        return checked_payload(path, "manifest", content)

    def _manifest_entry(
        self,
        each: _Staged,
        published: dict[str, ObjectInfo],
        planning: bool,
        days: dict[dt.date, tuple[int, bool]] | None = None,
    ) -> dict[str, object]:
        """One model's manifest entry from its folders' listing (and, planning, from this run's files); `days`:
        its per-day files as its index lists them, when that is known."""
        layout = each.layout
        steps = self.publisher.plan(each.payloads, published) if planning else []
        days = self._published_days(layout, published, steps) if days is None else days
        mine = {step.payload.path: step.payload for step in steps if step.action not in ("superseded", "refused")}
        if not planning:  # what is there now is this run's file when its hash says so; read the others back
            mine = {payload.path: payload for payload in each.payloads if payload.path in published
                    and published[payload.path].content_hash == payload.content_hash}
        seasons = season_entries(self.sink.read, layout, published, mine)
        return model_entry(
            code=each.model,
            name=each.name,
            is_default=layout.base == self.prefix,
            path=layout.base,
            index=layout.index(),
            current_season=rules.season_label(self.options.today),
            days=days,
            seasons=seasons,
        )

    def _published_days(
        self, layout: Layout, published: dict[str, ObjectInfo], steps: list[Step]
    ) -> dict[dt.date, tuple[int, bool]]:
        """Every per-day file that will be published once this run's day files are: (picks, fully graded)."""
        days = published_days(self.sink.read, layout, published)
        for step in steps:
            day = layout.date_of(step.payload.path)
            if day is not None and step.action != "superseded" and step.payload.picks is not None:
                days[day] = (step.payload.picks, bool(step.payload.graded))
        return days


# Seconds between two looks at the build workers' progress while the run waits for them.
PROGRESS_EVERY = 0.2


def _shared_progress(counters: Any, slot: int) -> Progress:
    """A build worker's progress, written where the parent reads it (two numbers of a shared array)."""

    def report(built: int, total: int | None) -> None:
        counters[2 * slot], counters[2 * slot + 1] = built, total or 0

    return report


def expected_total(counts: list[int], models: int) -> int:
    """The files a run will build, for progress: exact for the models reached so far (`counts`), each model
    still to come counted like the mean of those, so the total is right from the first model on. (Likewise a
    model's files from those of its seasons reached so far.)"""
    return sum(counts) + round(sum(counts) / len(counts)) * max(models - len(counts), 0)


def outcome_json(
    report: Report,
    *,
    command: str,
    run: str,
    queries: int,
    seconds: float,
    exit_code: int,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """A run's final report as one JSON document (`--json`): what happened to each file, and the run's totals."""
    return {
        "command": command,
        "run": run,
        "exit_code": exit_code,
        **report.as_json(),
        "queries": queries,
        "seconds": round(seconds, 3),
        "warnings": list(warnings or []),
    }


def _utc_now() -> str:
    return utc_timestamp()


# The dates a run may name. Far wider than any NBA season (the league began in 1946), and narrow enough that the
# whole seasons and weeks a run reads around them stay within the calendar Python can count.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)


def check_date(option: str, day: dt.date) -> dt.date:
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ExportError(f"{option} {day} is out of range: dates must be between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


def daily_dates(day: dt.date) -> tuple[dt.date, dt.date]:
    """The dates the daily job of `day` publishes from: the day before and the day."""
    check_date("--date", day)
    return day - dt.timedelta(days=1), day


def backfill_dates(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    check_date("--start", first)
    check_date("--end", last)
    if last < first:
        raise ExportError(f"--end {last} is before --start {first}")
    return first, last


def season_dates(season: str) -> tuple[dt.date, dt.date]:
    try:
        first, last = rules.season_bounds(season)
    except ValueError as error:
        raise ExportError(str(error)) from None
    if not EARLIEST_DATE <= first <= last <= LATEST_DATE:
        raise ExportError(f"season {season} is out of range: seasons must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return first, last


def read_span(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a run over [first, last] reads.

    Whole seasons, plus the days of a week that reaches back before Aug 1, so that every record and every season
    file of the range can be built from one read per model.
    """
    start = rules.period_start("week", rules.period_start("season", first))
    _, end = rules.season_bounds(rules.season_label(last))
    return start, end


def estimate(engine: DryRunEngine, first: dt.date, last: dt.date) -> list[tuple[str, int]]:
    """The bytes each query of a run over [first, last] would scan, from dry runs: nothing runs, nothing is billed.

    The model is not known without running the models query; the bytes scanned do not depend on it.
    """
    return [
        (name, engine.dry_run(name, params))
        for name, params in snapshot_queries(engine.dataset, [""], *read_span(first, last))
    ]


def _seasons_between(first: dt.date, last: dt.date) -> list[str]:
    years = range(rules.season_start_year(first), rules.season_start_year(last) + 1)
    return [rules.season_label(dt.date(year, rules.SEASON_START_MONTH, 1)) for year in years]
