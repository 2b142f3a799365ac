"""The library's entry points: what the daily job, a backfill and a season export build and publish.

A run ties the parts together: its scope (`scopes`) says which files it wants, the warehouse's models are read,
their files staged (`staging`, in build workers for a long run: `workers`), the quality gate's refusals
applied, one plan made against what is published (`plan`), and the plan carried out through the publisher.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from . import quality, rules, scopes
from .common import utc_timestamp
from .engines.engine import Engine
from .layout import publishing_prefix, schema_path
from .options import ExportOptions
from .plan import Plan, carry_out, plan_run
from .publish import Action, ObjectInfo, Payload, Publisher, PublishPolicy, Report, Spool, decide
from .quality import QualityWarning
from .runs import write_record
from .scopes import Scope, read_span
from .server.page import PAGE_FILES, page_file, page_path
from .site import Site, SiteModel, model_listing
from .staging import Progress, Staged, Stager, layout_of
from .stores.base import Store
from .validation import SCHEMA_FILES, TYPES_FILE, schema_text, types_text
from .warehouse import Model, RunPlan, read_plan
from .workers import Spans, WorkerPool, read_models, workers_for


class Outcome:
    """What a run did with each of its files, for the report and the summary line. (A plain class: a dataclass
    costs start-up time to create.)"""

    __slots__ = ("report", "queries", "warnings")

    def __init__(self, report: Report, queries: int, warnings: list[QualityWarning] | None = None) -> None:
        self.report = report
        self.queries = queries
        self.warnings: list[QualityWarning] = warnings or []  # the quality gate's, every model of the run

    @property
    def paths(self) -> list[str]:
        return [result.path for result in self.report.results]


class Exporter:
    """Builds documents model by model from the warehouse and publishes them through a sink."""

    def __init__(
        self,
        engine: Engine,
        sink: Store,
        options: ExportOptions,
        policy: PublishPolicy | None = None,
        on_plan: Callable[[Mapping[str, Action]], None] | None = None,  # hears the plan before anything is sent
    ) -> None:
        self.engine = engine
        self.sink = sink
        self.options = options
        self.prefix = publishing_prefix(options.prefix)
        self.publisher = Publisher(sink, policy or PublishPolicy(), write_record)
        self.on_plan = on_plan
        self.command = ""  # what the run does, for its record: `daily --date 2026-02-07`
        self.started_at = utc_timestamp()

    def daily(self, day: dt.date, progress: Progress | None = None, *, all_models: bool = False) -> Outcome:
        """The per-day file of `day`, the one of the day before when it has picks, and `day`'s season file.

        A `day` more than one day after today without shown picks is refused: it is a typo, not a game day, and
        publishing it would index an empty day.
        """
        scope = scopes.Daily(day, self.options.today, require_graded=self.options.quality.require_graded)
        return self._run(scope, progress, all_models=all_models)

    def backfill(
        self, first: dt.date, last: dt.date, progress: Progress | None = None, *, all_models: bool = False
    ) -> Outcome:
        """The per-day file of every date in [first, last] with shown picks, and every touched season's file
        (`scopes.Backfill` says which)."""
        return self._run(scopes.Backfill(first, last, self.options.today), progress, all_models=all_models)

    def season(self, season: str, as_of: dt.date | None = None) -> Outcome:
        """One season's file, with records as of `as_of` (default: its latest graded date)."""
        return self._run(scopes.Season(season, as_of, self.options.today), None)

    def _run(self, scope: Scope, progress: Progress | None, *, all_models: bool = False) -> Outcome:
        self.command = scope.command
        start, end = read_span(scope.first, scope.last)
        spools = [Spool()]
        try:
            plan = read_plan(self.engine, self.options.model, start, end, all_models=all_models)
            plan, spans = scopes.shard_plan(plan, self.options.shard, scope)
            if not plan.models:  # a shard whose share is empty: every unit went to the other tasks
                nothing = Report([], self.publisher.policy.dry_run, describe=self.publisher.sink.describe)
                return Outcome(nothing, self.engine.queries_run)
            staged, queries = self._stage(plan, scope, progress, spools, spans)
            refusals = [refused for each in staged for refused in each.refusals]
            policy = self.publisher.policy
            if not policy.dry_run:
                quality.refuse(refusals)
            report = carry_out(self.publisher, self._plan(staged, all_models), self.publisher.published, self.on_plan)
            warnings = [warning for each in staged for warning in each.warnings]
            outcome = Outcome(report, self.engine.queries_run + queries, warnings)
            if policy.dry_run:  # a dry run ends as the run would, its plan shown
                quality.refuse(refusals, outcome.report)
            return outcome
        finally:
            for each in spools:
                each.close()

    def _stage(
        self, plan: RunPlan, scope: Scope, progress: Progress | None, spools: list[Spool], spans: Spans | None
    ) -> tuple[list[Staged], int]:
        """Each model's files, staged in this process or in build workers; and the queries the workers ran."""
        workers = workers_for(self.engine, plan, scope, self.options.build_workers)
        # A daily lists its dates' part of each model's picks/ folder (`site.model_listing`): it costs one season.
        span = daily_span(scope) if isinstance(scope, scopes.Daily) else None

        def listing(model: Model) -> dict[str, ObjectInfo]:
            return model_listing(self.publisher.published, layout_of(self.prefix, model), model.code, span)

        if workers > 1:
            listed = {model.code: listing(model) for model in plan.models}
            return WorkerPool(self.engine, self.options, scope, spans).stage(plan, listed, workers, progress, spools)
        stager = Stager(self.options, scope, spools[0], listing, progress, current=self._unchanged)
        return list(stager.stage(read_models(self.engine, plan, plan.models, spans))), 0

    def _unchanged(self, payload: Payload, published: ObjectInfo) -> bool:
        """Whether the plan will leave the published file as it is: the decision `plan_run` takes from the same
        listing (the policy's command, set later, takes no part in it)."""
        return decide(payload, published, self.publisher.policy, self.sink.has_headers).action == "unchanged"

    def _plan(self, staged: list[Staged], all_models: bool) -> Plan:
        """Every file against what is published: the schemas (and the page), each model's files and index, then
        the manifest and the status file."""
        named = " --all-models" if all_models else f" --model {self.options.model}" if self.options.model else ""
        # Spelt out for a command line that named its command; a direct call of the library names none (null).
        command = self.command + named if self.publisher.policy.command else ""
        policy = self.publisher.policy = replace(self.publisher.policy, command=command)
        models = [
            SiteModel(
                each.model,
                each.name,
                each.layout,
                each.is_default,
                warnings=tuple(warning.as_json() for warning in each.warnings),
                built=tuple(each.payloads),
            )
            for each in staged
        ]
        site = Site(
            self.prefix,
            self.options.today,
            self.options.generated_at,
            tuple(models),
            policy.run,
            policy.command,
            self.started_at,
            replace_all=all_models and self.options.shard is None,  # a shard keeps the other tasks' models
        )
        listings = {each.model: each.published for each in staged}
        return plan_run(
            self.publisher, self.publisher.published, site, listings, shared_files(self.prefix, self.options.with_page)
        )


def daily_span(scope: scopes.Daily) -> tuple[dt.date, dt.date]:
    """The dates whose per-day files a daily lists: its season, and the day before when that is in the previous one."""
    start, end = rules.season_bounds(rules.season_label(scope.last))
    return min(start, scope.first), end


def shared_files(prefix: str, with_page: bool) -> list[tuple[str, list[Payload]]]:
    """The files every model shares, with the folder each group is listed from: the JSON Schemas and the
    TypeScript declarations, and (`with_page`) the reference page."""
    schemas = [
        Payload.raw(schema_path(prefix, name), "schema", schema_text(kind)) for kind, name in SCHEMA_FILES.items()
    ]
    schemas.append(Payload.raw(schema_path(prefix, TYPES_FILE), "types", types_text()))
    files = [(schema_path(prefix, ""), schemas)]
    if with_page:
        files.append(
            (
                page_path(prefix, ""),
                [Payload.raw(page_path(prefix, name), "page", page_file(name)) for name in PAGE_FILES],
            )
        )
    return files


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
