"""The `picks-export` command line: a thin layer over `picks_export.exporters`.

Each command parses options, calls the library, and turns its errors into one line on stderr and an exit code.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TextIO

import typer

from .exporters.engine import DEFAULT_DATASET
from .exporters.engines import DEFAULT_MAXIMUM_BYTES_BILLED, BigQuerySettings
from .exporters.errors import ExportError
from .exporters.layout import DEFAULT_PREFIX
from .exporters.publish import DEFAULT_CACHE_CONTROL, DEFAULT_CACHE_FINAL_DAY

from .exporters.rules import today_in_new_york

if TYPE_CHECKING:
    from .exporters.export import Exporter, Outcome
    from .exporters.quality import QualityOptions
    from .exporters.publish import PublishPolicy, Report

EXIT_CODES = (
    "Exit codes: 0 success; 1 a bad option or run setting; 2 a usage error; 3 bad data in the warehouse"
    " (the message names the table, date and row); 4 a document failed its JSON Schema; 5 the warehouse cannot be"
    " opened or a query failed; 6 files could not be (all) published; 7 the shrink guard or the volume check"
    " refused the run; 8 --require-graded: yesterday is not fully graded yet (retry later); 9 `status`: the last"
    " run is too old or grading is more than one game day behind;"
    " 70 an internal error (a bug: please report it); 130 / 143 interrupted by SIGINT / SIGTERM."
    " Exits 1-5, 7 and 8 publish nothing; after exit 6 every object is either its old or its new version, and the"
    " report says which files were published."
)
INTERNAL_ERROR_EXIT = 70  # sysexits' EX_SOFTWARE: an exception the library did not expect, a bug

app = typer.Typer(
    help=f"Build the picks website's JSON files from the warehouse.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DateOption = Optional[dt.datetime]


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
        envvar="PICKS_EXPORT_WAREHOUSE", help="DuckDB warehouse file, or bigquery://PROJECT.", show_default=True
    ),
]
Location = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_LOCATION", help="BigQuery location of the dataset and jobs (US, EU, ...)."),
]
BigQueryEndpoint = Annotated[
    Optional[str],
    typer.Option(
        envvar="PICKS_EXPORT_BIGQUERY_ENDPOINT",
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
    str, typer.Option(envvar="PICKS_EXPORT_DATASET", help="Dataset (schema) that holds the six tables.")
]
Dest = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_DEST",
        help="Output folder (standing for the bucket's root), or gs://BUCKET (or gs://BUCKET/PREFIX) to publish to a bucket.",
    ),
]
Model = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_MODEL", help="Model code; default the champion. Others go under models/{code}/."),
]
AllModels = Annotated[
    bool,
    typer.Option(
        "--all-models", envvar="PICKS_EXPORT_ALL_MODELS",
        help="Every enabled model in one run: the champion at the prefix's root, the others under models/{code}/.",
    ),
]
Prefix = Annotated[str, typer.Option(envvar="PICKS_EXPORT_PREFIX", help="Path prefix of every published file.")]
Today = Annotated[
    DateOption,
    typer.Option(
        envvar="PICKS_EXPORT_TODAY",
        formats=["%Y-%m-%d"],
        hidden=True,
        help="Stand-in for today in America/New_York (tests and replays).",
    ),
]


PUBLISHING = "Publishing"
DryRun = Annotated[
    bool,
    typer.Option(
        "--dry-run", envvar="PICKS_EXPORT_DRY_RUN", rich_help_panel=PUBLISHING,
        help="Print per file whether it is new, changed, unchanged or refused, with sizes; publish nothing.",
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
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_DAY", rich_help_panel=PUBLISHING, help="Cache-Control of per-day files.")
]
CacheSeason = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_SEASON", rich_help_panel=PUBLISHING, help="Cache-Control of season files.")
]
CacheIndex = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_INDEX", rich_help_panel=PUBLISHING, help="Cache-Control of picks/index.json and manifest.json.")
]
CacheSchema = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_CACHE_SCHEMA", rich_help_panel=PUBLISHING, help="Cache-Control of the JSON Schemas.")
]
Workers = Annotated[
    int, typer.Option(envvar="PICKS_EXPORT_WORKERS", rich_help_panel=PUBLISHING, help="Parallel uploads.", min=1, max=64)
]
RetryDeadline = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_RETRY_DEADLINE", rich_help_panel=PUBLISHING, min=1,
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
    typer.Option(envvar="PICKS_EXPORT_PROJECT", rich_help_panel=PUBLISHING, help="Google Cloud project of the bucket."),
]
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
        envvar="PICKS_EXPORT_MIN_VOLUME", rich_help_panel=QUALITY, min=0.0, max=1.0,
        help="Refuse (exit 7) a day whose picks per game fall below this fraction of the trailing 14-day median.",
    ),
]
StaleHours = Annotated[
    float,
    typer.Option(
        envvar="PICKS_EXPORT_STALE_HOURS", rich_help_panel=QUALITY, min=0.0,
        help="Warn when today's shown picks were computed more than this many hours before the first tip-off.",
    ),
]
CacheFinalDay = Annotated[
    str,
    typer.Option(
        envvar="PICKS_EXPORT_CACHE_FINAL_DAY", rich_help_panel=PUBLISHING,
        help="Cache-Control of per-day files two days old or more and fully graded.",
    ),
]


class LogFormat(str, Enum):
    text = "text"
    json = "json"


LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        envvar="PICKS_EXPORT_LOG_FORMAT", case_sensitive=False,
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


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


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
def _clean_errors() -> Iterator[None]:
    """A library error becomes one line on stderr and its exit code, never a traceback."""
    try:
        yield
    except ExportError as error:
        if _received:  # a query failed because it was interrupted: the interruption is the news
            raise Interrupted(_received[0]) from None
        report = getattr(error, "report", None)
        if report is not None:
            _print_report(report)
        _emit(f"Error: {error}", "ERROR", err=True, exit_code=error.exit_code)
        raise typer.Exit(error.exit_code) from None


def _exporter(
    warehouse: str,
    dataset: str,
    dest: str,
    model: str | None,
    prefix: str,
    today: dt.datetime | None,
    policy: PublishPolicy,
    project: str | None,
    bigquery: BigQuerySettings | None = None,
    with_page: bool = False,
    quality: QualityOptions | None = None,
) -> Exporter:
    # Imported here so that `--help` loads neither DuckDB, sqlglot, jsonschema nor a Google library.
    from .exporters.engines import open_engine
    from .exporters.export import ExportOptions, Exporter
    from .exporters.sinks import open_sink

    from .exporters.quality import QualityOptions

    options = ExportOptions(
        model=model,
        prefix=prefix,
        today=_date(today) or today_in_new_york(),
        with_page=with_page,
        quality=quality or QualityOptions(),
        command=_Log.command,
    )
    sink = open_sink(dest, project)
    return Exporter(open_engine(warehouse, dataset, bigquery), sink, options, policy)


def _print_report(report: Report) -> None:
    """A line per file that was (or, on a dry run, would be) touched; unchanged files only on a dry run."""
    for result in report.results:
        if report.dry_run:
            action = report.actions[result.path]
            reason = f"  ({result.detail})" if result.detail and result.detail != action else ""
            _emit(f"{action:<10} {report.describe(result.path)}  {result.size:,} bytes{reason}", path=result.path, action=action)
        elif result.status != "unchanged":
            detail = f"  ({result.detail})" if result.detail else ""
            size = f"  {result.size:,} bytes" if result.size else ""
            _emit(f"{result.status:<13} {report.describe(result.path)}{size}{detail}", path=result.path, status=result.status)


def _report(outcome: Outcome, progress: _Progress) -> None:
    report = outcome.report
    seconds = f" in {progress.seconds():.1f} s"
    _print_report(report)
    for warning in outcome.warnings:  # the quality gate's: published anyway, worth a look
        _emit(f"Warning: {warning}", "WARNING", err=True, check=warning.check, model=warning.model, date=warning.date.isoformat())
    if report.dry_run:
        counts = {action: list(report.actions.values()).count(action) for action in ("new", "changed", "restyle", "unchanged")}
        summary = ", ".join(f"{count} {action}" for action, count in counts.items())
        _emit(
            f"dry run, nothing published: {len(report.results)} files ({summary}); {outcome.queries} warehouse queries"
            + seconds,
            files=len(report.results), queries=outcome.queries, warnings=len(outcome.warnings), **counts,
        )
        return
    _emit(
        f"{len(report.results)} files: {report.count('written')} written, {report.count('patched')} headers updated,"
        f" {report.count('unchanged')} unchanged, {report.count('superseded')} left to a newer run;"
        f" {report.bytes_sent:,} bytes sent to {report.describe('')}; {outcome.queries} warehouse queries{seconds}",
        files=len(report.results), written=report.count("written"), patched=report.count("patched"),
        unchanged=report.count("unchanged"), superseded=report.count("superseded"), bytes=report.bytes_sent,
        queries=outcome.queries, warnings=len(outcome.warnings), seconds=round(progress.seconds(), 3),
    )


class _Progress:
    """Files built so far, with the rate (and the ETA when the total is known): a line redrawn in place on a
    terminal, a plain log line every few seconds otherwise."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.shown_at = self.started  # the first line after the first interval: short runs print none
        self.drawn = False
        self.done = 0

    def __call__(self, done: int, total: int | None) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.shown_at < (0.1 if self.tty else 10.0):
            return
        self.shown_at = now
        rate = done / max(now - self.started, 1e-9)
        line = f"{self.label}: {done:,}" + (f"/{total:,}" if total else "") + f" files, {rate:,.0f} files/s"
        if total and rate > 0:
            line += f", ETA {max(total - done, 0) / rate:,.0f} s"
        self.drawn = True
        if self.tty:
            self.stream.write(f"\r{line}\033[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()

    def seconds(self) -> float:
        return time.monotonic() - self.started


@contextmanager
def _progress(label: str) -> Iterator[_Progress]:
    progress = _Progress(label)
    try:
        yield progress
    finally:
        progress.close()


@app.command()
def demo(
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    today: Annotated[
        DateOption,
        typer.Option(envvar="PICKS_EXPORT_TODAY", formats=["%Y-%m-%d"], help="Last day of the demo (default: today in New York)."),
    ] = None,
    seed: Annotated[int, typer.Option(envvar="PICKS_EXPORT_SEED", help="Seed of the generated data.")] = 7,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a warehouse (or BigQuery tables with rows) that is not a previous demo."),
    ] = False,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
) -> None:
    """Write a demo warehouse: a realistic, seeded season in the contract's six tables.

    It replaces only a previous demo (or nothing): anything else is refused (exit 1) unless --force.

    Example: picks-export demo --warehouse warehouse.duckdb --today 2026-02-07 --seed 7

    On BigQuery (creates the dataset if needed, replaces the tables): picks-export demo --warehouse
    bigquery://my-staging-project --dataset nba_predictions_demo
    """
    from .exporters.demo import demo_span, generate_demo
    from .exporters.engines import write_demo
    from .exporters.export import check_date

    with _clean_errors():
        day = check_date("--today", _date(today) or today_in_new_york())
        rows = generate_demo(day, seed)
        write_demo(warehouse, rows, dataset, BigQuerySettings("demo", location, bigquery_endpoint), force=force)
        first, last = demo_span(day)
        picks = len(rows["subset_picks"])
        typer.echo(f"wrote {warehouse}: games from {first} to {last}, {picks:,} pick rows (seed {seed})")


@app.command()
def daily(
    date: Annotated[
        DateOption,
        typer.Option(envvar="PICKS_EXPORT_DATE", formats=["%Y-%m-%d"], help="Game date (default: today in New York)."),
    ] = None,
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
    require_graded: RequireGraded = False,
    min_volume: MinVolume = 0.5,
    stale_hours: StaleHours = 18.0,
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """The daily job after grading: today's file, yesterday's (now graded) and the season file.

    Example: picks-export daily --date 2026-02-07 --dest gs://picks-site
    """
    _log_setup(log_format, "daily")
    with _clean_errors(), _progress("building") as progress:
        from .exporters.quality import QualityOptions

        bigquery = BigQuerySettings("daily", location, bigquery_endpoint, maximum_bytes_billed)
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)
        quality = QualityOptions(min_volume, stale_hours, require_graded)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page, quality)
        day = _date(date) or exporter.options.today
        _report(exporter.daily(day, progress, all_models=all_models), progress)


@app.command()
def backfill(
    start: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_START", formats=["%Y-%m-%d"], help="First date.")],
    end: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_END", formats=["%Y-%m-%d"], help="Last date.")],
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
    min_volume: MinVolume = 0.5,
    stale_hours: StaleHours = 18.0,
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """Regenerate every per-day file with picks in [START, END] and the file of every season it touches.

    Example: picks-export backfill --start 2025-10-21 --end 2026-06-15
    """
    _log_setup(log_format, "backfill")
    with _clean_errors(), _progress("building") as progress:
        from .exporters.quality import QualityOptions

        bigquery = BigQuerySettings("backfill", location, bigquery_endpoint, maximum_bytes_billed)
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)
        quality = QualityOptions(min_volume, stale_hours)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page, quality)
        _report(exporter.backfill(start.date(), end.date(), progress, all_models=all_models), progress)


@app.command()
def season(
    season: Annotated[
        Optional[str],
        typer.Option(envvar="PICKS_EXPORT_SEASON", help="Season label like 2025-26 (default: the current season)."),
    ] = None,
    as_of: Annotated[
        DateOption,
        typer.Option(
            "--as-of", envvar="PICKS_EXPORT_AS_OF", formats=["%Y-%m-%d"], help="Records as of this date (default: latest graded)."
        ),
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
    cache_final_day: CacheFinalDay = DEFAULT_CACHE_FINAL_DAY,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """Write one season file.

    Example: picks-export season --season 2025-26 --as-of 2026-02-07
    """
    from .exporters.rules import season_label

    _log_setup(log_format, "season")
    with _clean_errors(), _progress("building") as progress:
        bigquery = BigQuerySettings("season", location, bigquery_endpoint, maximum_bytes_billed)
        caches = (cache_day, cache_season, cache_index, cache_schema)
        policy = _policy(dry_run, allow_shrink, gzip, caches, workers, retry_deadline, cache_final_day)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, policy, project, bigquery, with_page)
        _report(exporter.season(season_label(exporter.options.today) if season is None else season, _date(as_of)), progress)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Published files, or folders of them.")],
) -> None:
    """Check published files against the JSON Schemas; exit 0 only if every one is valid.

    Example: picks-export validate public/
    """
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


@app.command()
def status(
    dest: Dest = "public",
    max_age: Annotated[
        str,
        typer.Option(envvar="PICKS_EXPORT_MAX_AGE", help="Alert when the last successful run finished longer ago (26h, 90m, 2d)."),
    ] = "26h",
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    project: Project = None,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    """Print the status file and exit 9 when the last run is too old or grading is more than a game day behind.

    Example: picks-export status --dest gs://picks-site --max-age 26h
    """
    _log_setup(log_format, "status")
    with _clean_errors():
        from .exporters.sinks import open_sink
        from .exporters.status import read_status

        found = read_status(open_sink(dest, project), prefix, _date(today) or today_in_new_york(), max_age)
        _emit(_json(found.document, indent=True), "INFO", status=found.document)
        found.raise_alerts()


@app.command()
def serve(
    dest: Annotated[Path, typer.Argument(help="The folder a run published to (its --dest).")],
    port: Annotated[int, typer.Option(envvar="PICKS_EXPORT_PORT", help="Port on 127.0.0.1; 0 picks a free one.")] = 8000,
    origin: Annotated[
        Optional[list[str]],
        typer.Option(help="A web origin allowed by CORS, as `bucket cors` would allow it; repeatable."),
    ] = None,
) -> None:
    """Serve a published folder as the bucket would (headers, gzip, CORS, 404s), with the reference page at /.

    Example: picks-export serve public/ --port 8000 --origin http://localhost:5173
    """
    from .exporters.serve import open_server
    from .exporters.sinks import check_origin

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


@app.command()
def estimate(
    command: Annotated[Estimated, typer.Argument(help="The command whose queries to dry-run.")],
    date: Annotated[
        DateOption, typer.Option(envvar="PICKS_EXPORT_DATE", formats=["%Y-%m-%d"], help="daily: the game date.")
    ] = None,
    start: Annotated[
        DateOption, typer.Option(envvar="PICKS_EXPORT_START", formats=["%Y-%m-%d"], help="backfill: the first date.")
    ] = None,
    end: Annotated[
        DateOption, typer.Option(envvar="PICKS_EXPORT_END", formats=["%Y-%m-%d"], help="backfill: the last date.")
    ] = None,
    season: Annotated[
        Optional[str], typer.Option(envvar="PICKS_EXPORT_SEASON", help="season: a label like 2025-26.")
    ] = None,
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
    today: Today = None,
) -> None:
    """Dry-run the BigQuery queries a command would make: the bytes each would scan, and the total.

    Nothing runs and nothing is billed. The options name the run as they do for the command itself.

    Example: picks-export estimate backfill --start 2025-10-21 --end 2026-06-15 --warehouse bigquery://my-project
    """
    from .exporters.engines import format_bytes, is_bigquery, open_bigquery
    from .exporters.export import backfill_dates, daily_dates, estimate as estimate_reads, season_dates
    from .exporters.rules import season_label

    if command is Estimated.backfill and (start is None or end is None):
        raise typer.BadParameter("estimate backfill needs --start and --end", param_hint="'--start' / '--end'")
    with _clean_errors():
        if not is_bigquery(warehouse):
            raise ExportError(f"estimate needs a BigQuery warehouse (--warehouse bigquery://PROJECT), not {warehouse}")
        day = _date(today) or today_in_new_york()
        if command is Estimated.daily:
            first, last = daily_dates(_date(date) or day)
        elif command is Estimated.backfill:
            first, last = backfill_dates(start.date(), end.date())  # type: ignore[union-attr]
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


bucket_app = typer.Typer(help="Set up and inspect the bucket the website reads.", no_args_is_help=True)
app.add_typer(bucket_app, name="bucket")
BucketDest = Annotated[
    str, typer.Option(envvar="PICKS_EXPORT_DEST", help="The bucket, as gs://BUCKET (a prefix limits `show`).")
]


@bucket_app.command("cors")
def bucket_cors(
    origin: Annotated[
        list[str], typer.Option(help="A web origin allowed to GET the files, like https://example.com; repeatable.")
    ],
    dest: BucketDest,
    max_age: Annotated[
        int, typer.Option(envvar="PICKS_EXPORT_CORS_MAX_AGE", min=0, help="Seconds a browser may cache the CORS answer.")
    ] = 3600,
    project: Project = None,
) -> None:
    """Set the bucket's CORS policy so that pages from these origins can fetch the files, and print it.

    Example: picks-export bucket cors --dest gs://picks-site --origin https://picks.example.com
    """
    with _clean_errors():
        from .exporters.gcs_sink import set_cors
        from .exporters.sinks import check_origin, open_bucket

        origins = [check_origin(each) for each in origin]
        policy = set_cors(open_bucket(dest, project), origins, max_age)
        typer.echo(f"CORS of {dest}: {_json(policy)}")


@bucket_app.command("show")
def bucket_show(dest: BucketDest, project: Project = None) -> None:
    """Print the bucket's CORS policy and the number and total size of its objects (under the prefix).

    Example: picks-export bucket show --dest gs://picks-site
    """
    with _clean_errors():
        from .exporters.gcs_sink import summarize_bucket
        from .exporters.sinks import open_bucket

        summary = summarize_bucket(open_bucket(dest, project))
        typer.echo(f"bucket: gs://{summary.name}")
        typer.echo(f"cors: {_json(summary.cors) if summary.cors else 'none'}")
        typer.echo(f"objects under {dest}: {summary.objects:,}, {summary.total_bytes:,} bytes")


def _json(value: object, indent: bool = False) -> str:
    import orjson

    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if indent else 0).decode()


def main() -> None:
    """The console script: the commands, with SIGINT / SIGTERM and unexpected errors ending in one `Error:` line."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    try:
        app()  # Typer turns an interruption inside a command into exit 130 once it has unwound
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
    _emit("Error: interrupted", "ERROR", err=True)
    sys.exit(128 + (_received[0] if _received else signal.SIGINT))
