"""The `picks-export` command line: a thin layer over `picks_export.exporters`.

Each command parses options, calls the library, and turns its errors into one line on stderr and an exit code.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .exporters.engine import DEFAULT_DATASET
from .exporters.engines import DEFAULT_MAXIMUM_BYTES_BILLED, BigQuerySettings
from .exporters.errors import ExportError
from .exporters.layout import DEFAULT_PREFIX

if TYPE_CHECKING:
    from .exporters.export import Exporter, Outcome
from .exporters.rules import today_in_new_york

EXIT_CODES = (
    "Exit codes: 0 success; 1 a bad option or run setting; 2 a usage error; 3 bad data in the warehouse"
    " (the message names the table, date and row); 4 a document failed its JSON Schema; 5 the warehouse cannot be"
    " opened or a query failed; 6 files could not be written. On any non-zero exit nothing was written."
)

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
    Path, typer.Option(envvar="PICKS_EXPORT_DEST", help="Output folder, standing for the bucket's root.")
]
Model = Annotated[
    Optional[str],
    typer.Option(envvar="PICKS_EXPORT_MODEL", help="Model code; default the champion. Others go under models/{code}/."),
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


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@contextmanager
def _clean_errors() -> Iterator[None]:
    """A library error becomes one line on stderr and its exit code, never a traceback."""
    try:
        yield
    except ExportError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(error.exit_code) from None


def _exporter(
    warehouse: str,
    dataset: str,
    dest: Path,
    model: str | None,
    prefix: str,
    today: dt.datetime | None,
    bigquery: BigQuerySettings | None = None,
) -> Exporter:
    # Imported here so that `--help` loads neither DuckDB, sqlglot, jsonschema nor Google's client.
    from .exporters.engines import open_engine
    from .exporters.export import ExportOptions, Exporter
    from .exporters.sinks import FolderSink

    engine = open_engine(warehouse, dataset, bigquery)
    options = ExportOptions(model=model, prefix=prefix, today=_date(today) or today_in_new_york())
    return Exporter(engine, FolderSink(dest), options)


def _report(outcome: Outcome, dest: Path) -> None:
    for path in outcome.paths:
        typer.echo(f"wrote {dest / path}")
    typer.echo(
        f"{len(outcome.paths)} files, {outcome.bytes_written:,} bytes in {dest}/ ({outcome.queries} warehouse queries)"
    )


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal; nothing when output goes to a file or a pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    state: dict[str, typer.progressbar] = {}  # type: ignore[valid-type]

    def advance(done: int, total: int) -> None:
        if "bar" not in state:
            state["bar"] = typer.progressbar(length=total, label=label, file=sys.stderr)
            state["bar"].__enter__()
        state["bar"].update(1)

    try:
        yield advance
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)


@app.command()
def demo(
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    today: Annotated[
        DateOption,
        typer.Option(envvar="PICKS_EXPORT_TODAY", formats=["%Y-%m-%d"], help="Last day of the demo (default: today in New York)."),
    ] = None,
    seed: Annotated[int, typer.Option(envvar="PICKS_EXPORT_SEED", help="Seed of the generated data.")] = 7,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
) -> None:
    """Write a demo warehouse: a realistic, seeded season in the contract's six tables.

    Example: picks-export demo --warehouse warehouse.duckdb --today 2026-02-07 --seed 7

    On BigQuery (creates the dataset if needed, replaces the tables): picks-export demo --warehouse
    bigquery://my-staging-project --dataset nba_predictions_demo
    """
    from .exporters.demo import demo_span, generate_demo
    from .exporters.engines import write_demo

    with _clean_errors():
        day = _date(today) or today_in_new_york()
        rows = generate_demo(day, seed)
        write_demo(warehouse, rows, dataset, BigQuerySettings("demo", location, bigquery_endpoint))
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
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
) -> None:
    """The daily job after grading: today's file, yesterday's (now graded) and the season file.

    Example: picks-export daily --date 2026-02-07 --dest public
    """
    with _clean_errors():
        bigquery = BigQuerySettings("daily", location, bigquery_endpoint, maximum_bytes_billed)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, bigquery)
        day = _date(date) or exporter.options.today
        _report(exporter.daily(day), dest)


@app.command()
def backfill(
    start: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_START", formats=["%Y-%m-%d"], help="First date.")],
    end: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_END", formats=["%Y-%m-%d"], help="Last date.")],
    warehouse: Warehouse = "warehouse.duckdb",
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
) -> None:
    """Regenerate every per-day file with picks in [START, END] and the file of every season it touches.

    Example: picks-export backfill --start 2025-10-21 --end 2026-06-15
    """
    with _clean_errors(), _progress_bar("building") as progress:
        bigquery = BigQuerySettings("backfill", location, bigquery_endpoint, maximum_bytes_billed)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, bigquery)
        _report(exporter.backfill(start.date(), end.date(), progress), dest)


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
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    location: Location = None,
    bigquery_endpoint: BigQueryEndpoint = None,
    maximum_bytes_billed: MaximumBytesBilled = DEFAULT_MAXIMUM_BYTES_BILLED,
) -> None:
    """Write one season file.

    Example: picks-export season --season 2025-26 --as-of 2026-02-07
    """
    from .exporters.rules import season_label

    with _clean_errors():
        bigquery = BigQuerySettings("season", location, bigquery_endpoint, maximum_bytes_billed)
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today, bigquery)
        _report(exporter.season(season or season_label(exporter.options.today), _date(as_of)), dest)


@app.command()
def validate(
    paths: Annotated[list[Path], typer.Argument(help="Published files, or folders of them.")],
) -> None:
    """Check published files against the JSON Schemas; exit 0 only if every one is valid.

    Example: picks-export validate public/
    """
    from .exporters.errors import InvalidDocumentError
    from .exporters.validation import validate_paths

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
            first, last = season_dates(season or season_label(day))
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


def main() -> None:
    app()
