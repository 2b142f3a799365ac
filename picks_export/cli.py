"""The `picks-export` command line: a thin layer over `picks_export.exporters`.

Each command parses options, calls the library, and turns its errors into one line on stderr and an exit code.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from .exporters.engine import DEFAULT_DATASET
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
Warehouse = Annotated[
    Path,
    typer.Option(envvar="PICKS_EXPORT_WAREHOUSE", help="DuckDB warehouse file.", show_default=True),
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
    warehouse: Path, dataset: str, dest: Path, model: str | None, prefix: str, today: dt.datetime | None
) -> Exporter:
    # Imported here so that `--help` loads neither DuckDB, sqlglot nor jsonschema.
    from .exporters.duckdb_engine import DuckDBEngine
    from .exporters.export import ExportOptions, Exporter
    from .exporters.sinks import FolderSink

    engine = DuckDBEngine(warehouse, dataset)
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
    warehouse: Warehouse = Path("warehouse.duckdb"),
    dataset: Dataset = DEFAULT_DATASET,
    today: Annotated[
        DateOption,
        typer.Option(envvar="PICKS_EXPORT_TODAY", formats=["%Y-%m-%d"], help="Last day of the demo (default: today in New York)."),
    ] = None,
    seed: Annotated[int, typer.Option(envvar="PICKS_EXPORT_SEED", help="Seed of the generated data.")] = 7,
) -> None:
    """Write a demo warehouse: a realistic, seeded season in the contract's six tables.

    Example: picks-export demo --warehouse warehouse.duckdb --today 2026-02-07 --seed 7
    """
    from .exporters.demo import demo_span, generate_demo
    from .exporters.duckdb_engine import write_warehouse

    with _clean_errors():
        day = _date(today) or today_in_new_york()
        rows = generate_demo(day, seed)
        write_warehouse(warehouse, rows, dataset)
        first, last = demo_span(day)
        picks = len(rows["subset_picks"])
        typer.echo(f"wrote {warehouse}: games from {first} to {last}, {picks:,} pick rows (seed {seed})")


@app.command()
def daily(
    date: Annotated[
        DateOption,
        typer.Option(envvar="PICKS_EXPORT_DATE", formats=["%Y-%m-%d"], help="Game date (default: today in New York)."),
    ] = None,
    warehouse: Warehouse = Path("warehouse.duckdb"),
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
) -> None:
    """The daily job after grading: today's file, yesterday's (now graded) and the season file.

    Example: picks-export daily --date 2026-02-07 --dest public
    """
    with _clean_errors():
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today)
        day = _date(date) or exporter.options.today
        _report(exporter.daily(day), dest)


@app.command()
def backfill(
    start: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_START", formats=["%Y-%m-%d"], help="First date.")],
    end: Annotated[dt.datetime, typer.Option(envvar="PICKS_EXPORT_END", formats=["%Y-%m-%d"], help="Last date.")],
    warehouse: Warehouse = Path("warehouse.duckdb"),
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
) -> None:
    """Regenerate every per-day file with picks in [START, END] and the file of every season it touches.

    Example: picks-export backfill --start 2025-10-21 --end 2026-06-15
    """
    with _clean_errors(), _progress_bar("building") as progress:
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today)
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
    warehouse: Warehouse = Path("warehouse.duckdb"),
    dataset: Dataset = DEFAULT_DATASET,
    dest: Dest = Path("public"),
    model: Model = None,
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
) -> None:
    """Write one season file.

    Example: picks-export season --season 2025-26 --as-of 2026-02-07
    """
    from .exporters.rules import season_label

    with _clean_errors():
        exporter = _exporter(warehouse, dataset, dest, model, prefix, today)
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


def main() -> None:
    app()
