"""What a run prints: the plan line, a line per file as -v or a failure asks, the quality warnings and the summary,
or with --json the run's report as one JSON document on stdout."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import typer

from .errors import error_message
from .log import emit, emit_warnings
from .progress import Progress

if TYPE_CHECKING:
    from ..exporters.errors import ExportError
    from ..exporters.publish import Action, Report
    from ..exporters.quality import QualityWarning

PLAN_ACTIONS: tuple[Action, ...] = ("new", "changed", "patched", "unchanged", "refused")


class Output:
    """How much a run prints: the plan and summary (default), every file (-v), the summary only (-q), or JSON.
    (Plain classes here: a dataclass costs start-up time to create.)"""

    __slots__ = ("verbose", "quiet", "json")

    def __init__(self, verbose: bool = False, quiet: bool = False, json: bool = False) -> None:
        if verbose and quiet:
            raise typer.BadParameter("--verbose and --quiet exclude each other", param_hint="'--verbose' / '--quiet'")
        self.verbose = verbose
        self.quiet = quiet
        self.json = json


def to_json(value: object, indent: bool = False) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode()


def print_files(report: Report, output: Output, exit_code: int = 0) -> None:
    """A line per file: every file with -v; after a failed run, those that tell what went wrong (with -q, only the
    failed and refused ones); none after a run that went as planned."""
    if output.verbose:
        shown = report.results
    elif exit_code and output.quiet:
        shown = [result for result in report.results if result.status in ("failed", "refused")]
    elif exit_code == 7:  # the refused files; the rest were never attempted
        shown = [result for result in report.results if result.status == "refused"]
    elif exit_code:
        shown = [result for result in report.results if result.status != "unchanged"]
    else:
        shown = []
    for result in shown:
        if report.dry_run:
            action = report.status_of(result)
            reason = f"  ({result.detail})" if result.detail and result.detail != action else ""
            line = f"{action:<10} {report.describe(result.path)}  {result.size:,} bytes{reason}"
            emit(line, path=result.path, action=action)
        else:
            detail = f"  ({result.detail})" if result.detail else ""
            size = f"  {result.size:,} bytes" if result.size else ""
            emit(
                f"{result.status:<13} {report.describe(result.path)}{size}{detail}",
                path=result.path,
                status=result.status,
            )


def plan_counts(actions: list[Action]) -> str:
    counts = {action: actions.count(action) for action in PLAN_ACTIONS}
    if "superseded" in actions:
        counts["superseded"] = actions.count("superseded")
    return ", ".join(f"{count} {action}" for action, count in counts.items())


def summary(report: Report, queries: int, seconds: float) -> str:
    took = f"{queries} warehouse queries in {seconds:.1f} s"
    if report.dry_run:
        planned = plan_counts(list(report.actions.values()))
        return f"dry run, nothing published: {len(report.results)} files ({planned}); {took}"
    return (
        f"{len(report.results)} files: {report.count('written')} written, {report.count('patched')} patched,"
        f" {report.count('unchanged')} unchanged, {report.count('superseded')} left to a newer run;"
        f" {report.bytes_sent:,} bytes sent to {report.describe('')}; {took}"
    )


def _plan_line(actions: Mapping[str, Action]) -> None:
    emit(f"plan: {len(actions)} files: {plan_counts(list(actions.values()))}", files=len(actions))


class RunReport:
    """One daily / backfill / season run as the command line shows it: progress while building, then its report."""

    def __init__(self, command: str, output: Output, progress: Progress, dry_run: bool, destination: str) -> None:
        self.command = command
        self.output = output
        self.progress = progress
        self.dry_run = dry_run
        self.destination = destination  # as given, for a report of a run that failed before it opened it
        self.run = ""  # the run's id, once its policy is made
        self.queries: Callable[[], int] = lambda: 0
        self.planned = False  # the plan line was printed before anything was sent

    def plan(self, actions: Mapping[str, Action]) -> None:
        """The plan line, before anything is sent (not with -q, --json or on a dry run, whose summary says it)."""
        if self.output.quiet or self.output.json or self.dry_run:
            return
        self.progress.close()
        _plan_line(actions)
        self.planned = True

    def failed(self, error: ExportError, report: Report | None) -> None:
        """A run that ended with `error`: its report, as far as it got (with --json, one without files when the
        run stopped before it had one)."""
        if report is None and self.output.json:
            from ..exporters.publish import Report as EmptyReport

            report = EmptyReport([], self.dry_run, describe=lambda path: self.destination)
        if report is not None:
            self.emit(report, error.exit_code, error=error_message(error))

    def emit(
        self, report: Report, exit_code: int = 0, warnings: Sequence[QualityWarning] = (), error: str | None = None
    ) -> None:
        """The report: JSON (--json), or the plan line, the files -v / a failure asks for, the quality gate's
        warnings (on stderr) and the summary."""
        self.progress.close()
        seconds = self.progress.seconds()
        emit_warnings(warnings, verbose=self.output.verbose)  # published anyway, worth a look
        if self.output.json:
            from ..exporters.exporter import outcome_json

            document = outcome_json(report, command=self.command, run=self.run, queries=self.queries(),
                                    seconds=seconds, exit_code=exit_code, warnings=[str(each) for each in warnings])  # fmt: skip
            typer.echo(to_json({**document, "run": self.run or None, "error": error}))
            return
        if not (self.planned or self.output.quiet or report.dry_run or exit_code):
            _plan_line(report.actions)
        print_files(report, self.output, exit_code)
        if not exit_code or self.output.quiet or report.dry_run:
            emit(summary(report, self.queries(), seconds), files=len(report.results), written=report.count("written"),
                 unchanged=report.count("unchanged"), bytes=report.bytes_sent, queries=self.queries(),
                 warnings=len(warnings), seconds=round(seconds, 3))  # fmt: skip
