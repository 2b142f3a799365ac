"""The commands that read the warehouse: demo, daily, backfill, season, estimate."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, cast

import typer

from ..exporters.engines.engine import DEFAULT_DATASET
from ..exporters.errors import ExportError, OptionError, WarehouseError
from ..exporters.rules import today_in_new_york
from .errors import clean_errors
from .export import ExportRun, open_warehouse
from .options import (
    AllModels,
    DateOption,
    DemoSource,
    Quality,
    RequireGraded,
    Source,
    Today,
    date_option,
    with_options,
)
from .root import DAILY_EXITS, EXPORT_EXITS, app, command, exits_of
from .settings import Settings

if TYPE_CHECKING:
    from ..exporters.engines.engine import DryRunEngine
    from ..exporters.exporter import Exporter, Outcome
    from .progress import Progress


@command(app, "demo",
    "Write a demo warehouse: a realistic, seeded season in the contract's six tables.",
    "It covers the season up to --today and prints dates to try with the other commands. It replaces only a"
    " previous demo (or nothing): anything else is refused (exit 1) unless --force. On BigQuery"
    " (--warehouse bigquery://PROJECT --dataset NAME) it creates the dataset if needed and replaces the tables.",
    examples=("picks-export demo", "picks-export demo --warehouse warehouse.duckdb --seed 7"),
    exits=exits_of(OptionError, WarehouseError),
)  # fmt: skip
@with_options
def demo(
    source: DemoSource,
    today: Annotated[
        DateOption, date_option(envvar="PICKS_EXPORT_TODAY", help="Last day of the demo (default: today in New York).")
    ] = None,
    seed: Annotated[int, typer.Option(envvar="PICKS_EXPORT_SEED", metavar="N", help="Seed of the generated data.")] = 7,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a warehouse (or BigQuery tables with rows) that is not a previous demo."),
    ] = False,
) -> None:
    from ..exporters.demo import demo_span, generate_demo
    from ..exporters.engines import write_demo
    from ..exporters.rules import season_label
    from ..exporters.scopes import check_date

    with clean_errors():
        day = check_date("--today", today or today_in_new_york())
        rows = generate_demo(day, seed)
        write_demo(source.warehouse, rows, source.dataset, source.engine_values("demo", Settings.read()), force=force)
    first, last = demo_span(day)
    typer.echo(
        f"wrote {source.warehouse}: games from {first} to {last}, {len(rows['subset_picks']):,} pick rows (seed {seed})"
    )
    middle = first + (last - first) / 2
    typer.echo("try:")
    for example in (f"daily --date {last}", f"backfill --start {first} --end {last}",
                    f"season --season {season_label(last)} --as-of {middle}"):  # fmt: skip
        typer.echo(f"  picks-export {example}{_demo_options(source, today)}")


def _demo_options(source: DemoSource, today: DateOption) -> str:
    """The options a suggested command needs to read the demo just written: its warehouse and dataset when they
    are not the defaults (another dataset could be production's), and the pinned --today."""
    from shlex import quote

    given = [("--warehouse", source.warehouse, "warehouse.duckdb"), ("--dataset", source.dataset, DEFAULT_DATASET)]
    options = [f" {flag} {quote(value)}" for flag, value, default in given if value != default]
    return "".join(options) + (f" --today {today}" if today else "")


@command(app, "daily",
    "The daily job after grading: today's file, yesterday's (now graded) and the season file.",
    "A --date more than one day after today without shown picks is refused (exit 1). With --require-graded, a"
    " yesterday not fully graded yet publishes nothing and exits 8, for the scheduler to retry later.",
    examples=("picks-export daily", "picks-export daily --dry-run -v", "picks-export daily --json"),
    exits=DAILY_EXITS,
)  # fmt: skip
@with_options
def daily(
    date: Annotated[
        DateOption, date_option(envvar="PICKS_EXPORT_DATE", help="Game date (default: today in New York).")
    ] = None,
    *,
    export: ExportRun,
    all_models: AllModels = False,
    quality: Quality,
    require_graded: RequireGraded = False,
) -> None:
    export.run(
        "daily",
        lambda exporter, progress: exporter.daily(date or exporter.options.today, progress, all_models=all_models),
        quality.options(require_graded),
    )


@command(app, "backfill",
    "Regenerate every per-day file with picks in [--start, --end] and the file of every season it touches.",
    "Without dates: the current season up to today. A day already published that no longer has picks is rebuilt"
    " empty (the shrink guard decides); a season gets its file when it has picks, is current or is published.",
    examples=("picks-export backfill", "picks-export backfill --all-models --start 2025-10-21 -q"),
    exits=EXPORT_EXITS,
)  # fmt: skip
@with_options
def backfill(
    start: Annotated[
        DateOption,
        date_option(envvar="PICKS_EXPORT_START", help="First date (default: the first day of --end's season)."),
    ] = None,
    end: Annotated[
        DateOption, date_option(envvar="PICKS_EXPORT_END", help="Last date (default: today in New York).")
    ] = None,
    *,
    export: ExportRun,
    all_models: AllModels = False,
    quality: Quality,
) -> None:
    from ..exporters.rules import season_bounds, season_label
    from ..exporters.scopes import check_date

    def body(exporter: Exporter, progress: Progress) -> Outcome:
        last = end or exporter.options.today
        first = start or season_bounds(season_label(check_date("--end", last)))[0]
        return exporter.backfill(first, last, progress, all_models=all_models)

    export.run("backfill", body, quality.options())


@command(app, "season",
    "Write one season's file, records as of --as-of (default: its latest graded date).",
    "Without --as-of, the current season's file is also written to the live subsets/season.json. With an explicit"
    " --as-of (a view of the past), only the season's own file subsets/seasons/SEASON.json is written: the live"
    " address keeps the latest records until the next daily run.",
    examples=("picks-export season", "picks-export season --dry-run -v"),
    exits=EXPORT_EXITS,
)  # fmt: skip
@with_options
def season(
    season: Annotated[
        str | None,
        typer.Option(
            envvar="PICKS_EXPORT_SEASON",
            metavar="SEASON",
            help="Season label like 2025-26 (default: the current season).",
        ),
    ] = None,
    as_of: Annotated[
        DateOption,
        date_option("--as-of", envvar="PICKS_EXPORT_AS_OF", help="Records as of this date (default: latest graded)."),
    ] = None,
    *,
    export: ExportRun,
) -> None:
    from ..exporters.rules import season_label

    def body(exporter: Exporter, progress: Progress) -> Outcome:
        return exporter.season(season_label(exporter.options.today) if season is None else season, as_of)

    export.run("season", body)


class Estimated(StrEnum):
    daily = "daily"
    backfill = "backfill"
    season = "season"


@command(app, "estimate",
    "Dry-run the BigQuery queries a command would make: the bytes each would scan, and the total.",
    "Nothing runs and nothing is billed. The options name the run as they do for the command itself.",
    examples=("picks-export estimate backfill --start 2025-10-21 --end 2026-06-15 --warehouse bigquery://my-project",),
    exits=exits_of(OptionError, WarehouseError),
)  # fmt: skip
@with_options
def estimate(
    command: Annotated[
        Estimated,
        typer.Argument(metavar="COMMAND", help="The command whose queries to dry-run: daily, backfill or season."),
    ],
    date: Annotated[DateOption, date_option(envvar="PICKS_EXPORT_DATE", help="daily: the game date.")] = None,
    start: Annotated[DateOption, date_option(envvar="PICKS_EXPORT_START", help="backfill: the first date.")] = None,
    end: Annotated[DateOption, date_option(envvar="PICKS_EXPORT_END", help="backfill: the last date.")] = None,
    season: Annotated[
        str | None, typer.Option(envvar="PICKS_EXPORT_SEASON", metavar="SEASON", help="season: a label like 2025-26.")
    ] = None,
    *,
    source: Source,
    today: Today = None,
) -> None:
    from ..exporters.engines import ENGINES, engine_for
    from ..exporters.engines.bigquery_settings import format_bytes
    from ..exporters.rules import season_label
    from ..exporters.scopes import backfill_dates, daily_dates, estimate_notes, season_dates
    from ..exporters.scopes import estimate as estimate_reads

    if command is Estimated.backfill and (start is None or end is None):
        raise typer.BadParameter("estimate backfill needs --start and --end", param_hint="'--start' / '--end'")
    with clean_errors():
        if not engine_for(source.warehouse).capabilities.dry_run:
            able = [spec for spec in ENGINES if spec.capabilities.dry_run]
            names, examples = (" or ".join(getattr(spec, key) for spec in able) for key in ("name", "example"))
            raise ExportError(f"estimate needs a {names} warehouse (--warehouse {examples}), not {source.warehouse}")
        day = today or today_in_new_york()
        if command is Estimated.daily:
            first, last = daily_dates(date or day)
        elif command is Estimated.backfill:
            first, last = backfill_dates(start, end)  # type: ignore[arg-type]
        else:
            first, last = season_dates(season_label(day) if season is None else season)
        engine = open_warehouse(source, command.value, Settings.read())
        try:  # an engine with the dry_run capability is a DryRunEngine
            estimates = estimate_reads(cast("DryRunEngine", engine), first, last)
            notes = estimate_notes(cast("DryRunEngine", engine))
        finally:
            engine.close()
    cap = source.engine["maximum_bytes_billed"]
    width = max(len(name) for name, _ in estimates)
    for name, count in estimates:
        typer.echo(f"{name:<{width}}  {count:>17,} bytes{'  over the cap' if count > cap else ''}")
    typer.echo(f"{'total':<{width}}  {sum(count for _, count in estimates):>17,} bytes")
    typer.echo(
        f"{len(estimates)} queries of `{command.value}` for {first} to {last} dry-run on {source.warehouse}, none run;"
        f" the cap per query is {format_bytes(cap)}"
    )
    for note in notes:
        typer.echo(f"note: {note}")
