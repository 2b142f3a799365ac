"""The `picks-export` command line: a thin layer over `picks_export.exporters`.

Each command parses options, calls the library, and turns its errors into one line on stderr and an exit code.
"""

from __future__ import annotations
from .exporters.common import and_more

import datetime as dt
import gc
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Optional, TextIO

import typer
from typer.core import TyperArgument, TyperGroup

from .exporters.engines.engine import DEFAULT_DATASET
from .exporters.engines import DEFAULT_MAXIMUM_BYTES_BILLED, BigQuerySettings
from .exporters.errors import ExportError, OptionError
from .exporters.layout import DEFAULT_PREFIX
from .exporters.publish import DEFAULT_CACHE_CONTROL, DEFAULT_CACHE_FINAL_DAY

from .exporters.rules import today_in_new_york

if TYPE_CHECKING:
    from .exporters.export import Exporter, Outcome
    from .exporters.publish import Action, PublishPolicy, Report
    from .exporters.quality import QualityOptions, QualityWarning

EXITS = {
    0: "success",
    1: "a bad option or run setting",
    2: "a usage error",
    3: "bad data in the warehouse (the message names the table, date and row)",
    4: "a document failed its JSON Schema",
    5: "the warehouse cannot be opened or a query failed",
    6: "files could not be (all) published",
    7: "a guard refused the run: the shrink guard or the volume check (a --dry-run too), or a rollback over files"
    " changed since",
    8: "--require-graded: yesterday is not fully graded yet (retry later)",
    9: "`status`: the last run is too old or grading is more than one game day behind",
    70: "an internal error (a bug: please report it)",
    130: "/ 143 interrupted by SIGINT / SIGTERM",
}
EXIT_CODES = (
    "Exit codes: " + "; ".join(f"{code} {meaning}" for code, meaning in EXITS.items()) + "."
    " Exits 1-5, 7 and 8 publish nothing; after exit 6 every object is either its old or its new version, and the"
    " report says which files were published."
)
INTERNAL_ERROR_EXIT = 70  # sysexits' EX_SOFTWARE: an exception the library did not expect, a bug
EXPORT_EXITS = (1, 3, 4, 5, 6, 7)  # what daily, backfill and season can end with, besides 0, 2, 70, 130 / 143


def _help(summary: str, *details: str, examples: tuple[str, ...], exits: tuple[int, ...]) -> str:
    """A command's help: a one-line summary, details, examples kept on their own lines, and its exit codes."""
    codes = sorted({0, 2, INTERNAL_ERROR_EXIT, 130, *exits})
    lines = "\n".join(f"  {example}" for example in examples)
    exit_codes = "; ".join(f"{code} {EXITS[code]}" for code in codes)
    return "\n\n".join([summary, *details, f"\b\nExamples:\n{lines}", f"Exit codes: {exit_codes}."])


class _Commands(TyperGroup):
    """Usage errors as one `Error:` line and a hint (as the README promises), never a framed box."""

    def get_command(self, ctx: Any, name: str) -> Any:
        if not gc.isenabled():  # main() turned collections off for the start-up, now over: see _start_up
            gc.freeze()
            gc.enable()
        command = super().get_command(ctx, name)
        for param in getattr(command, "params", ()):
            if isinstance(param, TyperArgument) and param.metavar:
                # The metavar says it all (PATH); Typer would add the Python type after it (<list[Path]>).
                param.display_type_rich = lambda ctx: None  # type: ignore[method-assign]
        return command

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
        from typer.exceptions import Abort

        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except NoArgsIsHelpError as error:
            error.show()
            sys.exit(error.exit_code)
        except UsageError as error:
            typer.echo(f"Error: {_usage_message(error)}", err=True)
            if error.ctx is not None:
                typer.echo(f"Try '{error.ctx.command_path} --help' for help.", err=True)
            sys.exit(error.exit_code)
        except ClickException as error:
            typer.echo(f"Error: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except Abort:
            typer.echo("Error: aborted", err=True)
            sys.exit(1)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(error: Any) -> str:
    """Click's message, naming the environment variable only when the bad value came from it."""
    from typer._click.core import ParameterSource
    from typer._click.exceptions import BadParameter

    param, ctx = getattr(error, "param", None), error.ctx
    if isinstance(error, BadParameter) and param is not None and ctx is not None and param.name and error.param_hint is None:
        if ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
            names = " / ".join(f"'{name}'" for name in param.opts)
            return f"Invalid value for {names}: {error.message}"
    return str(error.format_message())


CONTEXT = {"help_option_names": ["--help", "-h"], "max_content_width": 100}

app = typer.Typer(
    cls=_Commands,
    help=f"Build the picks website's JSON files from the warehouse.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help (readable at 80 columns, no Rich import) and plain errors
    context_settings=CONTEXT,
)


def _show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"picks-export {version('picks-export')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
    s3_endpoint_url: Annotated[Optional[str], typer.Option(
        envvar="PICKS_EXPORT_S3_ENDPOINT_URL", metavar="URL",
        help="S3-compatible server of an s3:// --dest other than AWS (Cloudflare R2, MinIO).")] = None,
) -> None:
    """Build the picks website's JSON files from the warehouse."""
    _store_options["s3_endpoint_url"] = s3_endpoint_url


_store_options: dict[str, str | None] = {}  # the root's options that open a --dest's store


def _open_store(dest: str, project: str | None) -> Any:
    from .exporters.stores import StoreSettings, open_store

    return open_store(dest, StoreSettings(project=project, endpoint_url=_store_options.get("s3_endpoint_url")))


def _parse_date(text: str | dt.date) -> dt.date:
    if isinstance(text, dt.date):  # a default, already a date
        return text
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise typer.BadParameter(f"expected YYYY-MM-DD, got {text}")


def _date_option(*names: str, envvar: str, help: str, hidden: bool = False) -> Any:
    return typer.Option(*names, envvar=envvar, parser=_parse_date, metavar="DATE", help=help, hidden=hidden)


DateOption = Optional[dt.date]


def _byte_count(text: str | int) -> int:
    from .exporters.engines import parse_bytes

    if isinstance(text, int):  # the default, already a count
        return text
    try:
        return parse_bytes(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


Warehouse = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_WAREHOUSE", metavar="PATH", help="DuckDB warehouse file, or bigquery://PROJECT.",
        show_default=True
    ),
]
Location = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_LOCATION", metavar="LOCATION", help="BigQuery location of the dataset and jobs (US, EU, ...)."),
]
BigQueryEndpoint = Annotated[
    Optional[str],
    typer.Option(
        envvar="PICKS_EXPORT_BIGQUERY_ENDPOINT",
        metavar="URL",
        help="Another BigQuery API endpoint (an emulator), used with anonymous credentials.",
    ),
]
MaximumBytesBilled = Annotated[
    int,
    typer.Option(
        envvar="PICKS_EXPORT_MAXIMUM_BYTES_BILLED",
        parser=_byte_count,
        metavar="BYTES",
        show_default="1GiB",
        help="BigQuery cost cap of every query, like 1GiB or 500MiB (at least 10MiB).",
    ),
]
Dataset = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_DATASET", metavar="NAME", help="Dataset (schema) that holds the six tables.")
]
Dest = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_DEST",
        metavar="PATH",
        help="Output folder (standing for the bucket's root), or gs://BUCKET or s3://BUCKET (with /PREFIX or not) to publish to a bucket.",
    ),
]
Model = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_MODEL", metavar="CODE", help="Model code; default the champion. Others go under models/{code}/."),
]
AllModels = Annotated[
    bool,
    typer.Option(
        "--all-models", envvar="PICKS_EXPORT_ALL_MODELS",
        help="Every enabled model in one run: the champion at the prefix's root, the others under models/{code}/.",
    ),
]
Prefix = Annotated[str, typer.Option(envvar="PICKS_EXPORT_PREFIX", metavar="PREFIX", help="Path prefix of every published file.")]
Today = Annotated[
    DateOption,
    _date_option(envvar="PICKS_EXPORT_TODAY", hidden=True, help="Stand-in for today in America/New_York (tests and replays)."),
]


PUBLISHING = "Publishing"
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", envvar="PICKS_EXPORT_DRY_RUN", rich_help_panel=PUBLISHING,
        help="Plan and report as a run would (exit 7 if the shrink guard would refuse it); publish nothing.",
    ),
]
AllowShrink = Annotated[
    bool,
    typer.Option(
        "--allow-shrink", envvar="PICKS_EXPORT_ALLOW_SHRINK", rich_help_panel=PUBLISHING,
        help="Replace a published per-day file that has picks with one that has none (refused otherwise).",
    ),
]
Gzip = Annotated[
    bool,
    typer.Option(
        "--gzip/--no-gzip", envvar="PICKS_EXPORT_GZIP", rich_help_panel=PUBLISHING,
        help="Store bucket objects gzip-compressed (Content-Encoding: gzip).",
    ),
]
CacheDay = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_DAY", metavar="HEADER", rich_help_panel=PUBLISHING, help="Cache-Control of per-day files.")
]
CacheSeason = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_SEASON", metavar="HEADER", rich_help_panel=PUBLISHING, help="Cache-Control of season files.")
]
CacheIndex = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_INDEX", metavar="HEADER", rich_help_panel=PUBLISHING, help="Cache-Control of picks/index.json and manifest.json.")
]
CacheSchema = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_SCHEMA", metavar="HEADER", rich_help_panel=PUBLISHING, help="Cache-Control of the JSON Schemas.")
]
Workers = Annotated[
    int, typer.Option(envvar="PICKS_EXPORT_WORKERS", metavar="N", rich_help_panel=PUBLISHING, help="Parallel uploads.", min=1, max=64)
]
RetryDeadline = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_RETRY_DEADLINE", metavar="SECONDS", rich_help_panel=PUBLISHING, min=1,
        help="Seconds to keep retrying a request that fails transiently (429, 5xx, connection reset).",
    ),
]
WithPage = Annotated[
    bool,
    typer.Option(
        "--with-page", envvar="PICKS_EXPORT_WITH_PAGE", rich_help_panel=PUBLISHING,
        help="Also publish the reference page under {prefix}page/ (index.html, page.css, page.js).",
    ),
]
Project = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_PROJECT", metavar="PROJECT", rich_help_panel=PUBLISHING, help="Google Cloud project of the bucket."),
]
OUTPUT = "Output"
Verbose = Annotated[
    bool,
    typer.Option("--verbose", "-v", envvar="PICKS_EXPORT_VERBOSE", rich_help_panel=OUTPUT,
                 help="List every file with what happened to it (or would, on a dry run)."),
]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", envvar="PICKS_EXPORT_QUIET", rich_help_panel=OUTPUT,
                 help="Print only errors and the summary line; no plan, no progress."),
]
Json = Annotated[
    bool,
    typer.Option("--json", envvar="PICKS_EXPORT_JSON", rich_help_panel=OUTPUT,
                 help="Print the run's report as one JSON document on stdout (errors still go to stderr)."),
]


@dataclass(frozen=True)
class Output:
    """How much a run prints: the plan and summary (default), every file (-v), the summary only (-q), or JSON."""

    verbose: bool = False
    quiet: bool = False
    json: bool = False

    @classmethod
    def of(cls, verbose: bool, quiet: bool, json: bool) -> Output:
        if verbose and quiet:
            raise typer.BadParameter("--verbose and --quiet exclude each other", param_hint="'--verbose' / '--quiet'")
        return cls(verbose, quiet, json)


QUALITY = "Quality checks"
RequireGraded = Annotated[
    bool,
    typer.Option(
        "--require-graded", envvar="PICKS_EXPORT_REQUIRE_GRADED", rich_help_panel=QUALITY,
        help="Publish nothing and exit 8 while yesterday's picks are not all graded (a scheduler retries later).",
    ),
]
MinVolume = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_MIN_VOLUME", metavar="FRACTION", rich_help_panel=QUALITY, min=0.0, max=1.0,
        help="Refuse (exit 7) a day whose picks per game fall below this fraction of the trailing 14-day median.",
    ),
]
StaleHours = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_STALE_HOURS", metavar="HOURS", rich_help_panel=QUALITY, min=0.0,
        help="Warn when today's shown picks were computed more than this many hours before the first tip-off.",
    ),
]
CacheFinalDay = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_CACHE_FINAL_DAY", metavar="HEADER", rich_help_panel=PUBLISHING,
        help="Cache-Control of per-day files two days old or more and fully graded.",
    ),
]


class LogFormat(str, Enum):
    text = "text"
    json = "json"


LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        envvar="PICKS_EXPORT_LOG_FORMAT", metavar="FORMAT", case_sensitive=False,
        help="text, or json: one JSON object per event on stderr (severity, message, run id, counts), for Cloud Logging.",
    ),
]


class _Log:
    """Where a run's events go: plain lines (the default), or one JSON object per event on stderr."""

    json = False
    run = ""
    command = ""


def _log_setup(log_format: LogFormat, command: str) -> None:
    _Log.json, _Log.command = log_format is LogFormat.json, command


def _emit(message: str, severity: str = "INFO", *, err: bool = False, **fields: object) -> None:
    """One event: a line on stdout (or stderr when `err`), or, with --log-format json, a JSON object on stderr."""
    if not _Log.json:
        typer.echo(message, err=err)
        return
    import orjson

    event = {"severity": severity, "message": message, "run": _Log.run or None, "command": _Log.command or None, **fields}
    typer.echo(orjson.dumps(event).decode(), err=True)


DAY_CACHE, SEASON_CACHE, INDEX_CACHE, SCHEMA_CACHE = (DEFAULT_CACHE_CONTROL[kind] for kind in ("day", "season", "index", "schema"))


def _policy(
    dry_run: bool,
    allow_shrink: bool,
    gzip: bool,
    caches: tuple[str, str, str, str],
    workers: int,
    retry_deadline: float,
    cache_final_day: str = DEFAULT_CACHE_FINAL_DAY,
) -> PublishPolicy:
    from .exporters.publish import PublishPolicy

    day, season, index, schema = caches
    policy = PublishPolicy(
        gzip=gzip,
        cache_control={"day": day, "season": season, "index": index, "schema": schema},
        allow_shrink=allow_shrink,
        dry_run=dry_run,
        workers=workers,
        retry_deadline=retry_deadline,
        cache_final_day=cache_final_day,
    )
    _Log.run = policy.run
    return policy


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised where the program is, so that every `finally` block cleans up on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


_received: list[int] = []  # the signal that ended the run, if any


def _interrupt(signum: int, _frame: object) -> None:
    # Once only: a second Ctrl-C must not cut short the cleanup the first one started (SIGKILL still ends it).
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_IGN)
    _received.append(signum)
    raise Interrupted(signum)


@contextmanager
def _clean_errors(on_report: Callable[[ExportError, Report], None] | None = None) -> Iterator[None]:
    """A library error becomes one line on stderr and its exit code, never a traceback; a report it carries
    (a run that could not publish everything) is printed first, through `on_report`."""
    try:
        yield
    except ExportError as error:
        if _received:  # a query failed because it was interrupted: the interruption is the news
            raise Interrupted(_received[0]) from None
        report = getattr(error, "report", None)
        if report is not None:
            (on_report or (lambda _, each: _print_files(each, Output())))(error, report)
        _emit(f"Error: {error_message(error)}", "ERROR", err=True, exit_code=error.exit_code)
        raise typer.Exit(error.exit_code) from None


def error_message(error: ExportError) -> str:
    """A library error as the command line says it: an option's concept (`lock_timeout`) as its flag."""
    if isinstance(error, OptionError):
        return error.with_names(lambda concept: "--" + concept.replace("_", "-"))
    return str(error)


def _exporter(
    warehouse: str,
    dataset: str,
    dest: str,
    model: str | None,
    prefix: str,
    today: dt.date | None,
    policy: PublishPolicy,
    project: str | None,
    bigquery: BigQuerySettings | None = None,
    with_page: bool = False,
    on_plan: Callable[[Mapping[str, Action]], None] | None = None,
    quality: QualityOptions | None = None,
) -> Exporter:
    # Imported here so that `--help` loads neither DuckDB, sqlglot, jsonschema nor a Google library.
    from .exporters.engines import open_engine
    from .exporters.export import ExportOptions, Exporter, build_workers, generated_at_now
    from .exporters.quality import QualityOptions

    options = ExportOptions(
        model=model, prefix=prefix, today=today or today_in_new_york(), with_page=with_page, quality=quality or QualityOptions(),
        generated_at=generated_at_now(), build_workers=build_workers(),
    )
    sink = _open_store(dest, project)
    return Exporter(open_engine(warehouse, dataset, bigquery), sink, options, policy, on_plan)


PLAN_ACTIONS = ("new", "changed", "restyle", "unchanged", "refused")


def _print_files(report: Report, output: Output, exit_code: int = 0) -> None:
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
            _emit(f"{action:<10} {report.describe(result.path)}  {result.size:,} bytes{reason}", path=result.path, action=action)
        else:
            detail = f"  ({result.detail})" if result.detail else ""
            size = f"  {result.size:,} bytes" if result.size else ""
            _emit(f"{result.status:<13} {report.describe(result.path)}{size}{detail}", path=result.path, status=result.status)


def _plan_counts(actions: list[Action]) -> str:
    counts = {action: actions.count(action) for action in PLAN_ACTIONS}
    if "superseded" in actions:
        counts["superseded"] = actions.count("superseded")
    return ", ".join(f"{count} {action}" for action, count in counts.items())


def _summary(report: Report, queries: int, seconds: float) -> str:
    took = f"{queries} warehouse queries in {seconds:.1f} s"
    if report.dry_run:
        return f"dry run, nothing published: {len(report.results)} files ({_plan_counts(list(report.actions.values()))}); {took}"
    return (
        f"{len(report.results)} files: {report.count('written')} written, {report.count('patched')} headers updated,"
        f" {report.count('unchanged')} unchanged, {report.count('superseded')} left to a newer run;"
        f" {report.bytes_sent:,} bytes sent to {report.describe('')}; {took}"
    )


@dataclass
class _Run:
    """One daily / backfill / season run as the CLI shows it: progress while building, then its report."""

    command: str
    output: Output
    policy: PublishPolicy
    progress: _Progress
    queries: Callable[[], int] = lambda: 0
    planned: bool = False  # the plan line was printed before anything was sent

    def plan(self, actions: Mapping[str, Action]) -> None:
        """The plan line, before anything is sent (not with -q, --json or on a dry run, whose summary says it)."""
        if self.output.quiet or self.output.json or self.policy.dry_run:
            return
        self.progress.close()
        _emit(f"plan: {len(actions)} files: {_plan_counts(list(actions.values()))}", files=len(actions))
        self.planned = True

    def emit(self, report: Report, exit_code: int = 0, warnings: Sequence[QualityWarning] = ()) -> None:
        """The report: JSON (--json), or the plan line, the files -v / a failure asks for, the quality gate's
        warnings (on stderr) and the summary."""
        self.progress.close()
        seconds = self.progress.seconds()
        for warning in warnings:  # published anyway, worth a look
            _emit(f"Warning: {warning}", "WARNING", err=True, check=warning.check, model=warning.model,
                  date=warning.date.isoformat())
        if self.output.json:
            from .exporters.export import outcome_json

            document = outcome_json(report, command=self.command, run=self.policy.run, queries=self.queries(),
                                    seconds=seconds, exit_code=exit_code, warnings=[str(each) for each in warnings])
            typer.echo(_json(document))
            return
        if not (self.planned or self.output.quiet or report.dry_run or exit_code):
            _emit(f"plan: {len(report.actions)} files: {_plan_counts(list(report.actions.values()))}", files=len(report.actions))
        _print_files(report, self.output, exit_code)
        if not exit_code or self.output.quiet or report.dry_run:
            _emit(_summary(report, self.queries(), seconds), files=len(report.results), written=report.count("written"),
                  unchanged=report.count("unchanged"), bytes=report.bytes_sent, queries=self.queries(),
                  warnings=len(warnings), seconds=round(seconds, 3))


def _export(command: str, output: Output, policy: PublishPolicy, run: Callable[[_Progress], tuple[Exporter, Outcome]]) -> None:
    """Run an export command: progress, errors as one line, and the report as `output` asks, with exit 7 for a dry
    run that the shrink guard would refuse."""
    from .exporters.publish import PublishRefused

    progress = _Progress("building", enabled=not output.quiet)
    shown = _Run(command, output, policy, progress)
    progress.on_plan = shown.plan
    try:
        with _clean_errors(lambda error, report: shown.emit(report, error.exit_code)):
            exporter, outcome = run(progress)
            shown.queries = lambda: outcome.queries  # the build workers' queries too
            exporter.engine.close()  # now, not whenever the garbage collector gets to it: the file is free again
            report = outcome.report
            refused = [result for result in report.results if result.status == "refused"]
            if report.dry_run and refused:
                more = and_more(len(refused))
                raise PublishRefused(
                    f"dry run: the shrink guard would refuse the run: {report.describe(refused[0].path)}:"
                    f" {refused[0].detail}{more}",
                    report,
                )
            shown.emit(report, warnings=outcome.warnings)
    finally:
        progress.close()
        progress.on_plan = None  # no cycle between the progress and the run's report keeps the run alive


class _Progress:
    """Files built so far: on a terminal a bar redrawn in place, with the rate and the ETA; elsewhere a plain log
    line every ten seconds. The total is the run's expected file count, known once the first model is read."""

    WIDTH = 24

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.shown_at = self.started  # the first line after the first interval: short runs print none
        self.drawn = False
        self.done = 0
        self.on_plan: Callable[[Mapping[str, Action]], None] | None = None  # who prints the plan

    def planned(self, actions: Mapping[str, Action]) -> None:
        """The run has planned every file and is about to publish: building is over."""
        if self.on_plan is not None:
            self.on_plan(actions)

    def __call__(self, done: int, total: int | None) -> None:
        self.done = done
        now = time.monotonic()
        if not self.enabled or now - self.shown_at < (0.1 if self.tty else 10.0):
            return
        self.shown_at = now
        rate = done / max(now - self.started, 1e-9)
        total = max(total, done) if total else None
        counted = f"{done:,}" + (f"/{total:,}" if total else "") + f" files, {rate:,.0f} files/s"
        eta = f", ETA {(total - done) / rate:,.0f} s" if total and rate > 0 else ""
        self.drawn = True
        if self.tty:
            filled = round(self.WIDTH * done / total) if total else 0
            bar = f" [{'#' * filled}{'.' * (self.WIDTH - filled)}]" if total else ""
            self.stream.write(f"\r{self.label}{bar} {counted}{eta}\033[K")
        else:
            self.stream.write(f"{self.label}: {counted}{eta}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")  # the bar goes: the report follows
            self.stream.flush()
        self.drawn = False

    def seconds(self) -> float:
        return time.monotonic() - self.started


RUN_EXITS = EXPORT_EXITS


@app.command(help=_help(
    "Write a demo warehouse: a realistic, seeded season in the contract's six tables.",
    "It covers the season up to --today and prints dates to try with the other commands. It replaces only a"
    " previous demo (or nothing): anything else is refused (exit 1) unless --force. On BigQuery"
    " (--warehouse bigquery://PROJECT --dataset NAME) it creates the dataset if needed and replaces the tables.",
    examples=("picks-export demo", "picks-export demo --warehouse warehouse.duckdb --seed 7"),
    exits=(1, 5),
))
def demo(
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    today: Annotated[
        DateOption,
        _date_option(envvar="PICKS_EXPORT_TODAY", help="Last day of the demo (default: today in New York)."),
    ] = None,
    seed: Annotated[int, typer.Option(envvar="PICKS_EXPORT_SEED", metavar="N", help="Seed of the generated data.")] = 7,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a warehouse (or BigQuery tables with rows) that is not a previous demo."),
    ] = False,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
) -> None:
    from .exporters.demo import demo_span, generate_demo
    from .exporters.engines import write_demo
    from .exporters.export import check_date
    from .exporters.rules import season_label

    with _clean_errors():
        day = check_date("--today", today or today_in_new_york())
        rows = generate_demo(day, seed)
        write_demo(warehouse, rows, dataset, BigQuerySettings("demo", location, bigquery_endpoint), force=force)
        first, last = demo_span(day)
        picks = len(rows["subset_picks"])
        typer.echo(f"wrote {warehouse}: games from {first} to {last}, {picks:,} pick rows (seed {seed})")
        source = "" if warehouse == "warehouse.duckdb" else f" --warehouse {warehouse}"
        pinned = f" --today {today}" if today else ""
        middle = first + (last - first) / 2
        typer.echo("try:")
        for example in (f"daily --date {last}", f"backfill --start {first} --end {last}",
                        f"season --season {season_label(last)} --as-of {middle}"):
            typer.echo(f"  picks-export {example}{source}{pinned}")


@app.command(help=_help(
    "The daily job after grading: today's file, yesterday's (now graded) and the season file.",
    "A --date more than one day after today without shown picks is refused (exit 1). With --require-graded, a"
    " yesterday not fully graded yet publishes nothing and exits 8, for the scheduler to retry later.",
    examples=("picks-export daily", "picks-export daily --dry-run -v", "picks-export daily --json"),
    exits=(*RUN_EXITS, 8),
))
def daily(
    date: Annotated[DateOption, _date_option(envvar="PICKS_EXPORT_DATE", help="Game date (default: today in New York).")] = None,
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = "public",
    model: Model = None,
    all_models: AllModels = False,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    dry_run: DryRun = False,
    allow_shrink: AllowShrink = False,
    gzip: Gzip = True,
    cache_day: CacheDay = DAY_CACHE,
    cache_season: CacheSeason = SEASON_CACHE,
    cache_index: CacheIndex = INDEX_CACHE,
    cache_schema: CacheSchema = SCHEMA_CACHE,
    workers: Workers = 8,
    retry_deadline: RetryDeadline = 120.0,
    project: Project = None,
    with_page: WithPage = False,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
    verbose: Verbose = False,
    quiet: Quiet = False,
    json: Json = False,
    require_graded: RequireGraded = False,
    min_volume: MinVolume = 0.5,
    stale_hours: StaleHours = 18.0,
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    _log_setup(log_format, "daily")
    output = Output.of(verbose, quiet, json)
    with _clean_errors():
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)

    def run(progress: _Progress) -> tuple[Exporter, Outcome]:
        from .exporters.quality import QualityOptions

        bigquery = BigQuerySettings("daily", location, bigquery_endpoint, maximum_bytes_billed)
        quality = QualityOptions(min_volume, stale_hours, require_graded)
        exporter = _exporter(
            warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page, progress.planned, quality
        )
        return exporter, exporter.daily(date or exporter.options.today, progress, all_models=all_models)

    _export("daily", output, policy, run)


@app.command(help=_help(
    "Regenerate every per-day file with picks in [--start, --end] and the file of every season it touches.",
    "Without dates: the current season up to today. A day already published that no longer has picks is rebuilt"
    " empty (the shrink guard decides); a season gets its file when it has picks, is current or is published.",
    examples=("picks-export backfill", "picks-export backfill --all-models --start 2025-10-21 -q"),
    exits=RUN_EXITS,
))
def backfill(
    start: Annotated[
        DateOption, _date_option(envvar="PICKS_EXPORT_START", help="First date (default: the first day of --end's season).")
    ] = None,
    end: Annotated[DateOption, _date_option(envvar="PICKS_EXPORT_END", help="Last date (default: today in New York).")] = None,
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = "public",
    model: Model = None,
    all_models: AllModels = False,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    dry_run: DryRun = False,
    allow_shrink: AllowShrink = False,
    gzip: Gzip = True,
    cache_day: CacheDay = DAY_CACHE,
    cache_season: CacheSeason = SEASON_CACHE,
    cache_index: CacheIndex = INDEX_CACHE,
    cache_schema: CacheSchema = SCHEMA_CACHE,
    workers: Workers = 8,
    retry_deadline: RetryDeadline = 120.0,
    project: Project = None,
    with_page: WithPage = False,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
    verbose: Verbose = False,
    quiet: Quiet = False,
    json: Json = False,
    min_volume: MinVolume = 0.5,
    stale_hours: StaleHours = 18.0,
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    from .exporters.export import check_date
    from .exporters.rules import season_bounds, season_label

    _log_setup(log_format, "backfill")
    output = Output.of(verbose, quiet, json)
    with _clean_errors():
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)

    def run(progress: _Progress) -> tuple[Exporter, Outcome]:
        from .exporters.quality import QualityOptions

        bigquery = BigQuerySettings("backfill", location, bigquery_endpoint, maximum_bytes_billed)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page,
                             progress.planned, QualityOptions(min_volume, stale_hours))
        last = end or exporter.options.today
        first = start or season_bounds(season_label(check_date("--end", last)))[0]
        return exporter, exporter.backfill(first, last, progress, all_models=all_models)

    _export("backfill", output, policy, run)


@app.command(help=_help(
    "Write one season's file, records as of --as-of (default: its latest graded date).",
    "Without --as-of, the current season's file is also written to the live subsets/season.json. With an explicit"
    " --as-of (a view of the past), only the season's own file subsets/seasons/SEASON.json is written: the live"
    " address keeps the latest records until the next daily run.",
    examples=("picks-export season", "picks-export season --dry-run -v"),
    exits=RUN_EXITS,
))
def season(
    season: Annotated[
        Optional[str],
        typer.Option(envvar="PICKS_EXPORT_SEASON", metavar="SEASON", help="Season label like 2025-26 (default: the current season)."),
    ] = None,
    as_of: Annotated[
        DateOption,
        _date_option("--as-of", envvar="PICKS_EXPORT_AS_OF", help="Records as of this date (default: latest graded)."),
    ] = None,
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = "public",
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    dry_run: DryRun = False,
    allow_shrink: AllowShrink = False,
    gzip: Gzip = True,
    cache_day: CacheDay = DAY_CACHE,
    cache_season: CacheSeason = SEASON_CACHE,
    cache_index: CacheIndex = INDEX_CACHE,
    cache_schema: CacheSchema = SCHEMA_CACHE,
    workers: Workers = 8,
    retry_deadline: RetryDeadline = 120.0,
    project: Project = None,
    with_page: WithPage = False,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
    verbose: Verbose = False,
    quiet: Quiet = False,
    json: Json = False,
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    from .exporters.rules import season_label

    _log_setup(log_format, "season")
    output = Output.of(verbose, quiet, json)
    with _clean_errors():
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)

    def run(progress: _Progress) -> tuple[Exporter, Outcome]:
        bigquery = BigQuerySettings("season", location, bigquery_endpoint, maximum_bytes_billed)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page, progress.planned)
        label = season_label(exporter.options.today) if season is None else season
        return exporter, exporter.season(label, as_of)

    _export("season", output, policy, run)



@app.command(help=_help(
    "Check published files against the JSON Schemas; exit 0 only if every one is valid.",
    "Each error is printed with its file and JSON path; dot-files and dot-folders are skipped.",
    examples=("picks-export validate public/",),
    exits=(1, 4),
))
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Published files, or folders of them.")],
) -> None:
    from .exporters.errors import InvalidDocumentError
    from .exporters.validation import validate_paths

    with _clean_errors():
        checked, problems = validate_paths(paths)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        files = len({problem.source for problem in problems})
        typer.echo(f"{files} of {checked} files invalid", err=True)
        raise typer.Exit(InvalidDocumentError.exit_code)
    if checked == 0:
        typer.echo("Error: no published files found", err=True)
        raise typer.Exit(InvalidDocumentError.exit_code)
    typer.echo(f"{checked} file{'' if checked == 1 else 's'} valid")


@app.command(help=_help(
    "Print the status file and exit 9 when the last run is too old or grading is more than a game day behind.",
    "A command for a cron job or an uptime check: it reads v1/status.json (the file every publishing run writes)"
    " and the indexes it names; it needs no warehouse.",
    examples=("picks-export status", "picks-export status --dest gs://picks-site --max-age 26h"),
    exits=(1, 6, 9),
))
def status(
    dest: Dest = "public",
    max_age: Annotated[
        str,
        typer.Option(envvar="PICKS_EXPORT_MAX_AGE", metavar="AGE",
                     help="Alert when the last successful run finished longer ago (26h, 90m, 2d)."),
    ] = "26h",
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    project: Project = None,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    _log_setup(log_format, "status")
    with _clean_errors():
        from .exporters.status import read_status

        found = read_status(_open_store(dest, project), prefix, today or today_in_new_york(), max_age)
        _emit(_json(found.document, indent=True), "INFO", status=found.document)
        found.raise_alerts()


@app.command(help=_help(
    "Serve a published folder as the bucket would (headers, gzip, CORS, 404s), with the reference page at /.",
    "It listens on 127.0.0.1 until Ctrl-C, which ends it with exit 0.",
    examples=("picks-export serve public/ --port 8000 --origin http://localhost:5173",),
    exits=(1,),
))
def serve(
    dest: Annotated[Path, typer.Argument(metavar="PATH", help="The folder a run published to (its --dest).")],
    port: Annotated[
        int, typer.Option(envvar="PICKS_EXPORT_PORT", metavar="PORT", help="Port on 127.0.0.1; 0 picks a free one.")
    ] = 8000,
    origin: Annotated[
        Optional[list[str]],
        typer.Option(metavar="URL", help="A web origin allowed by CORS, as `bucket cors` would allow it; repeatable."),
    ] = None,
) -> None:
    from .exporters.server.serve import open_server
    from .exporters.cors import check_origin

    with _clean_errors():
        server = open_server(dest, port, [check_origin(each) for each in origin or []])
    typer.echo(f"serving {dest} at {server.url}/ (the reference page; files under {server.url}/v1/); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: not an error
        typer.echo("stopped", err=True)
        raise typer.Exit(0) from None
    finally:
        server.server_close()


class Estimated(str, Enum):
    daily = "daily"
    backfill = "backfill"
    season = "season"


@app.command(help=_help(
    "Dry-run the BigQuery queries a command would make: the bytes each would scan, and the total.",
    "Nothing runs and nothing is billed. The options name the run as they do for the command itself.",
    examples=("picks-export estimate backfill --start 2025-10-21 --end 2026-06-15 --warehouse bigquery://my-project",),
    exits=(1, 5),
))
def estimate(
    command: Annotated[Estimated, typer.Argument(metavar="COMMAND", help="The command whose queries to dry-run: daily, backfill or season.")],
    date: Annotated[DateOption, _date_option(envvar="PICKS_EXPORT_DATE", help="daily: the game date.")] = None,
    start: Annotated[DateOption, _date_option(envvar="PICKS_EXPORT_START", help="backfill: the first date.")] = None,
    end: Annotated[DateOption, _date_option(envvar="PICKS_EXPORT_END", help="backfill: the last date.")] = None,
    season: Annotated[
        Optional[str], typer.Option(envvar="PICKS_EXPORT_SEASON", metavar="SEASON", help="season: a label like 2025-26.")
    ] = None,
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
    today: Today = None,
) -> None:
    from .exporters.engines import format_bytes, is_bigquery, open_bigquery
    from .exporters.export import backfill_dates, daily_dates, estimate as estimate_reads, season_dates
    from .exporters.rules import season_label

    if command is Estimated.backfill and (start is None or end is None):
        raise typer.BadParameter("estimate backfill needs --start and --end", param_hint="'--start' / '--end'")
    with _clean_errors():
        if not is_bigquery(warehouse):
            raise ExportError(f"estimate needs a BigQuery warehouse (--warehouse bigquery://PROJECT), not {warehouse}")
        day = today or today_in_new_york()
        if command is Estimated.daily:
            first, last = daily_dates(date or day)
        elif command is Estimated.backfill:
            first, last = backfill_dates(start, end)  # type: ignore[arg-type]
        else:
            first, last = season_dates(season_label(day) if season is None else season)
        bigquery = BigQuerySettings(command.value, location, bigquery_endpoint, maximum_bytes_billed)
        engine = open_bigquery(warehouse, dataset, bigquery)
        try:
            estimates = estimate_reads(engine, first, last)
        finally:
            engine.close()
    width = max(len(name) for name, _ in estimates)
    for name, count in estimates:
        over = "  over the cap" if count > maximum_bytes_billed else ""
        typer.echo(f"{name:<{width}}  {count:>17,} bytes{over}")
    total = sum(count for _, count in estimates)
    typer.echo(f"{'total':<{width}}  {total:>17,} bytes")
    typer.echo(
        f"{len(estimates)} queries of `{command.value}` for {first} to {last} dry-run on {warehouse}, none run;"
        f" the cap per query is {format_bytes(maximum_bytes_billed)}"
    )


RunsDest = Annotated[
    str,
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="PATH",
                 help="The destination the runs published to: a folder, gs://BUCKET[/PREFIX] or s3://BUCKET[/PREFIX]."),
]


@app.command(help=_help(
    "List the recorded publishing runs of a destination, newest first: id, start time, files changed, command.",
    "A run that wrote or deleted files keeps a record in _runs/ beside v1/ (with the bytes it replaced, where the"
    " destination keeps no versions), so that `rollback` can undo it.",
    examples=("picks-export runs", "picks-export runs --dest gs://picks-site --limit 5"),
    exits=(1, 6),
))
def runs(
    dest: RunsDest = "public",
    limit: Annotated[int, typer.Option(min=1, metavar="N", help="How many of the newest runs to list.")] = 20,
    project: Project = None,
) -> None:
    with _clean_errors():
        from .exporters.runs import list_runs

        found = list_runs(_open_store(dest, project), limit)
    if not found:
        typer.echo(f"no recorded runs at {dest}")
    for each in found:
        partial = "" if each.complete else "  (incomplete)"
        typer.echo(f"{each.run}  {each.started_at}  {each.files:>5} files  {each.command}{partial}")


@app.command(help=_help(
    "Put every file a run changed back as it was (deleting those it created), then rebuild the indexes and manifest.",
    "A file a later run has changed since is refused (exit 7, nothing published) unless --force. The rollback is"
    " itself a recorded run, so it can be rolled back too.",
    examples=("picks-export rollback RUN_ID --dest gs://picks-site --dry-run",),
    exits=(1, 6, 7),
))
def rollback(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="The run to undo, as `picks-export runs` lists it.")],
    dest: RunsDest = "public",
    force: Annotated[
        bool, typer.Option("--force", help="Also put back files a later run has changed since (refused otherwise).")
    ] = False,
    dry_run: DryRun = False,
    today: Today = None,
    workers: Workers = 8,
    retry_deadline: RetryDeadline = 120.0,
    project: Project = None,
    verbose: Verbose = False,
) -> None:
    with _clean_errors():
        from .exporters.export import generated_at_now
        from .exporters.runs import check_run_id, rollback as roll_back

        started = time.monotonic()
        check_run_id(run_id)
        policy = _policy(dry_run, True, True, (DAY_CACHE, SEASON_CACHE, INDEX_CACHE, SCHEMA_CACHE), workers, retry_deadline)
        report = roll_back(_open_store(dest, project), run_id, policy, force=force,
                           today=today or today_in_new_york(), generated_at=generated_at_now())
    output = Output(verbose=True) if report.dry_run or verbose else Output()
    _print_files(report, output)
    if not report.dry_run:
        typer.echo(
            f"rolled back run {run_id}: {report.count('written')} files restored, {report.count('deleted')} deleted,"
            f" {report.count('unchanged')} unchanged; this rollback is run {policy.run}"
            f" ({time.monotonic() - started:.1f} s)"
        )


bucket_app = typer.Typer(
    cls=TyperGroup,
    help="Set up and inspect the bucket the website reads (every bucket command needs --dest gs://BUCKET).",
    no_args_is_help=True,
    context_settings=CONTEXT,
)
app.add_typer(bucket_app, name="bucket")
BucketDest = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_DEST", metavar="gs://BUCKET", show_default=False,
                 help="The bucket, as gs://BUCKET (a prefix limits `show`). A folder in PICKS_EXPORT_DEST is not one."),
]
BUCKET_EXITS = (1, 6)


def _bucket_dest(ctx: typer.Context, dest: str | None) -> str:
    """The bucket of a bucket command: a PICKS_EXPORT_DEST naming a folder (for the export commands) is named as
    the reason rather than misread as a bucket."""
    from typer._click.core import ParameterSource

    if dest is None:
        raise typer.BadParameter("a bucket command needs --dest gs://BUCKET", param_hint="'--dest'")
    if not dest.startswith("gs://") and ctx.get_parameter_source("dest") is ParameterSource.ENVIRONMENT:
        raise ExportError(
            f"PICKS_EXPORT_DEST is {dest!r}, a folder, not a bucket: give --dest gs://BUCKET to `{ctx.command_path}`"
        )
    return dest


Origins = Annotated[
    list[str],
    typer.Option(metavar="URL", help="A web origin allowed to GET the files, like https://example.com; repeatable."),
]
CorsMaxAge = Annotated[
    int,
    typer.Option(envvar="PICKS_EXPORT_CORS_MAX_AGE", metavar="SECONDS", min=0, help="Seconds a browser may cache the CORS answer."),
]


@bucket_app.command("cors", help=_help(
    "Set the bucket's CORS policy so that pages from these origins can fetch the files, and print it.",
    examples=("picks-export bucket cors --dest gs://picks-site --origin https://picks.example.com",),
    exits=BUCKET_EXITS,
))
def bucket_cors(
    ctx: typer.Context,
    origin: Origins,
    dest: BucketDest = None,
    max_age: CorsMaxAge = 3600,
    project: Project = None,
) -> None:
    with _clean_errors():
        from .exporters.stores.gcs_bucket import set_cors
        from .exporters.cors import check_origin
        from .exporters.stores.gcs_bucket import open_bucket

        dest = _bucket_dest(ctx, dest)
        origins = [check_origin(each) for each in origin]
        policy = set_cors(open_bucket(dest, project), origins, max_age)
        typer.echo(f"CORS of {dest}: {_json(policy)}")


@bucket_app.command("setup", help=_help(
    "One-time bucket set-up: CORS for the origins, object versioning, and a lifecycle rule deleting replaced"
    " versions after --noncurrent-days; prints what was set.",
    "Versioning keeps each replaced file's previous generation, which `rollback` puts back; the lifecycle rule"
    " bounds how long (and so how far back a run can be rolled back). Other lifecycle rules are kept.",
    examples=("picks-export bucket setup --dest gs://picks-site --origin https://picks.example.com",),
    exits=BUCKET_EXITS,
))
def bucket_setup(
    ctx: typer.Context,
    origin: Origins,
    dest: BucketDest = None,
    max_age: CorsMaxAge = 3600,
    noncurrent_days: Annotated[
        int,
        typer.Option(envvar="PICKS_EXPORT_NONCURRENT_DAYS", metavar="DAYS", min=1,
                     help="Days a replaced file's previous version is kept (how long a run can be rolled back)."),
    ] = 30,
    project: Project = None,
) -> None:
    with _clean_errors():
        from .exporters.stores.gcs_bucket import setup_bucket
        from .exporters.cors import check_origin
        from .exporters.stores.gcs_bucket import open_bucket

        dest = _bucket_dest(ctx, dest)
        origins = [check_origin(each) for each in origin]
        done = setup_bucket(open_bucket(dest, project), origins, max_age, noncurrent_days)
        typer.echo(f"CORS of {dest}: {_json(done.cors)}")
        typer.echo(f"versioning of {dest}: {'on' if done.versioning else 'off'}")
        typer.echo(f"lifecycle of {dest}: {_json(done.lifecycle)}")


@bucket_app.command("show", help=_help(
    "Print the bucket's CORS policy and the number and total size of its objects (under the prefix).",
    examples=("picks-export bucket show --dest gs://picks-site",),
    exits=BUCKET_EXITS,
))
def bucket_show(ctx: typer.Context, dest: BucketDest = None, project: Project = None) -> None:
    with _clean_errors():
        from .exporters.stores.gcs_bucket import summarize_bucket
        from .exporters.stores.gcs_bucket import open_bucket

        dest = _bucket_dest(ctx, dest)
        summary = summarize_bucket(open_bucket(dest, project))
        typer.echo(f"bucket: gs://{summary.name}")
        typer.echo(f"cors: {_json(summary.cors) if summary.cors else 'none'}")
        typer.echo(f"objects under {dest}: {summary.objects:,}, {summary.total_bytes:,} bytes")


def _json(value: object, indent: bool = False) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode()


def _start_up() -> None:
    """No garbage collection while Typer builds and parses the command line (the console script turned it off
    before importing this module: picks_export.console): the start-up makes long-lived objects, not garbage, and
    the collections would only trace them again and again (a few ms of a small run). The group's get_command, once
    the command is known, freezes them and turns collections back on."""
    gc.disable()


def _app_for(arguments: Sequence[str]) -> typer.Typer:
    """The app with only the command that `arguments` name first: Typer builds the options of every command it
    holds before it parses (about 10 ms of a small daily for all of them), and a run needs its own only. Without
    such a name (no command, an option first, a name it does not know) or for shell completion, the whole app:
    its help lists every command and its errors suggest the closest name."""
    import os

    if not arguments or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return app
    from copy import copy
    from typer.main import get_command_name

    name = arguments[0]
    commands = [each for each in app.registered_commands if name == (each.name or get_command_name(each.callback.__name__))]  # type: ignore[union-attr]  # fmt: skip
    groups = [each for each in app.registered_groups if each.name == name]
    if not commands and not groups:
        return app
    narrowed = copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def main() -> None:
    """The console script: the commands, with SIGINT / SIGTERM and unexpected errors ending in one `Error:` line."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    _start_up()
    try:
        _app_for(sys.argv[1:])()  # Typer turns an interruption inside a command into exit 130 once it has unwound
    except SystemExit as exit:
        if not _received or exit.code == 0:  # exit 0 after a signal: the command stopped as it was asked (serve)
            raise
    except KeyboardInterrupt:
        pass
    except Exception as error:
        # DuckDB answers a signal during a query with its own RuntimeError: after a signal, any failure is its echo.
        if not _received:  # a safety net only: every known failure is an ExportError with its own code
            _emit(f"Error: internal error: {type(error).__name__}: {error}", "ERROR", err=True, exit_code=INTERNAL_ERROR_EXIT)
            sys.exit(INTERNAL_ERROR_EXIT)
    else:
        return
    finally:
        # The process ends next, every file and connection closed by the code that opened it: the interpreter's
        # last garbage collections need not trace what is still alive (the modules, Typer's commands, the run's
        # documents), about a tenth of a small run. The operating system takes the memory back.
        gc.freeze()
    _emit("Error: interrupted", "ERROR", err=True)
    sys.exit(128 + (_received[0] if _received else signal.SIGINT))
