"""A daily / backfill / season run as the command line drives it: its settings and groups of options become an
`Exporter`; the run shows its progress, then its report, and its errors as one line with their exit code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..exporters.common import and_more
from ..exporters.rules import today_in_new_york
from .errors import clean_errors
from .options import Destination, Options, Publishing, Report, Scope, Source
from .output import RunReport
from .progress import Progress
from .settings import Settings

if TYPE_CHECKING:
    from ..exporters.engines.engine import Engine
    from ..exporters.exporter import Exporter, Outcome
    from ..exporters.publish import Action, PublishPolicy
    from ..exporters.quality import QualityOptions

# What a command asks of its exporter: the run's outcome, given the progress to report to.
Body = Callable[["Exporter", Progress], "Outcome"]
OnPlan = Callable[[Mapping[str, "Action"]], None]  # hears the plan before anything is sent


def open_warehouse(source: Source, command: str, settings: Settings) -> Engine:
    """The engine `source` names, with its options, the environment's settings and the command as a job label."""
    from ..exporters.engines import open_engine

    return open_engine(source.warehouse, source.dataset, source.engine_values(command, settings))


class ExportRun(Options):
    """The options daily, backfill and season share, as one group of groups; `run` runs one of them."""

    source: Source
    destination: Destination
    scope: Scope
    publishing: Publishing
    report: Report

    def exporter(
        self, command: str, policy: PublishPolicy, settings: Settings, quality: QualityOptions, on_plan: OnPlan
    ) -> Exporter:
        # Imported here so that `--help` loads neither DuckDB, sqlglot, jsonschema nor a Google library.
        from ..exporters.exporter import Exporter
        from ..exporters.options import ExportOptions

        scope = self.scope
        options = ExportOptions(
            model=scope.model,
            prefix=scope.prefix,
            today=scope.today or today_in_new_york(),
            generated_at=settings.generated_at,
            with_page=scope.with_page,
            quality=quality,
            build_workers=settings.build_workers,
            shard=settings.shard(scope.shard),
        )
        sink = self.destination.open()
        return Exporter(open_warehouse(self.source, command, settings), sink, options, policy, on_plan)

    def run(self, command: str, body: Body, quality: QualityOptions | None = None) -> None:
        """Run `command`: progress, errors as one line, and the report as asked (with --json on every exit), with
        exit 7 for a dry run that the shrink guard would refuse. `quality`: the gate's settings (its defaults when
        None)."""
        from ..exporters.quality import QualityOptions

        output = self.report.output()
        progress = Progress("building", enabled=not output.quiet, events=True)
        shown = RunReport(command, output, progress, self.publishing.dry_run, self.destination.dest)
        try:
            with clean_errors(shown.failed):
                policy = self.publishing.policy(command)
                shown.run = policy.run
                settings = Settings.read()
                progress.on_plan = shown.plan
                exporter = self.exporter(command, policy, settings, quality or QualityOptions(), progress.planned)
                exporter.publisher.transfer.on_sent = progress.sent  # the files and bytes as they are published
                outcome = body(exporter, progress)
                shown.queries = lambda: outcome.queries  # the build workers' queries too
                exporter.engine.close()  # now, not whenever the garbage collector gets to it: the file is free again
                _refuse_a_shrinking_dry_run(outcome)
                shown.emit(outcome.report, warnings=outcome.warnings)
        finally:
            progress.close()
            progress.on_plan = None  # no cycle between the progress and the run's report keeps the run alive


def _refuse_a_shrinking_dry_run(outcome: Outcome) -> None:
    from ..exporters.publish import PublishRefused

    report = outcome.report
    refused = [result for result in report.results if result.status == "refused"]
    if report.dry_run and refused:
        raise PublishRefused(
            f"dry run: the shrink guard would refuse the run: {report.describe(refused[0].path)}:"
            f" {refused[0].detail}{and_more(len(refused))}",
            report,
        )
