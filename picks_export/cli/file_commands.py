"""The commands over published files, that need no warehouse: validate, status, serve, runs, rollback."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from ..exporters.errors import InvalidDocumentError, OptionError, OutputError
from ..exporters.layout import DEFAULT_PREFIX
from ..exporters.rules import today_in_new_york
from .errors import clean_errors
from .log import emit
from .options import (
    JsonFile,
    LogFormat,
    LogFormatOption,
    Prefix,
    Publishing,
    RetryDeadline,
    RollbackDryRun,
    RunsDestination,
    RunsListing,
    StatusDestination,
    Today,
    Verbose,
    Workers,
    with_options,
)
from .output import Output, print_files, to_json
from .root import NOT_PUBLISHED, NOT_READ, STATUS_EXITS, app, command, exits_of
from .settings import Settings


@command(app, "validate",
    "Check published files against the JSON Schemas; exit 0 only if every one is valid.",
    "Each error is printed with its file and JSON path; dot-files and dot-folders are skipped.",
    examples=("picks-export validate public/",),
    exits=exits_of(OptionError, InvalidDocumentError),
)  # fmt: skip
@with_options
def validate(
    paths: Annotated[list[Path], typer.Argument(metavar="PATH", help="Published files, or folders of them.")],
) -> None:
    from ..exporters.errors import InvalidDocumentError
    from ..exporters.validation import validate_paths

    with clean_errors():
        checked, problems = validate_paths(paths)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        files = len({problem.source for problem in problems})
        typer.echo(f"Error: {files} of {checked} files invalid", err=True)
        raise typer.Exit(InvalidDocumentError.exit_code)
    if checked == 0:
        typer.echo("Error: no published files found", err=True)
        raise typer.Exit(InvalidDocumentError.exit_code)
    typer.echo(f"{checked} file{'' if checked == 1 else 's'} valid")


@command(app, "status",
    "Say whether the published data is fresh: a one-line verdict, and exit 9 when the last run is too old or"
    " grading is more than a game day behind.",
    "A command for a cron job or an uptime check: it reads v1/status.json (the file every publishing run writes)"
    " and the indexes it names; it needs no warehouse. The verdict comes first (ok or alert, the last run's age and"
    " command, how far grading has got), then each model's grading and the quality gate's warnings; --json prints"
    " the status file itself.",
    examples=("picks-export status", "picks-export status --dest gs://picks-site --max-age 1h30m",
              "picks-export status --json"),
    exits=STATUS_EXITS,
)  # fmt: skip
@with_options
def status(
    destination: StatusDestination,
    max_age: Annotated[
        str,
        typer.Option(
            envvar="PICKS_EXPORT_MAX_AGE",
            metavar="AGE",
            help="Alert when the last successful run finished longer ago: 26h, 1h30m, 90m, 2d, or seconds.",
        ),
    ] = "26h",  # fmt: skip
    prefix: Prefix = DEFAULT_PREFIX,
    today: Today = None,
    json: JsonFile = False,
    log_format: LogFormatOption = LogFormat.text,
) -> None:
    from ..exporters.status import read_status

    with clean_errors():
        found = read_status(destination.open(), prefix, today or today_in_new_york(), max_age)
        if json:
            typer.echo(to_json(found.document, indent=True))
        else:
            verdict, *details = found.lines()
            emit(verdict, "WARNING" if found.alerts else "INFO", status=found.document)
            for line in details:
                emit(line)
        found.raise_alerts()


@command(app, "serve",
    "Serve a published folder as the bucket would (headers, gzip, CORS, 404s), with the reference page at /.",
    "It listens on 127.0.0.1 until Ctrl-C, which ends it with exit 0.",
    examples=("picks-export serve public/ --port 8000 --origin http://localhost:5173",),
    exits=exits_of(OptionError),
)  # fmt: skip
@with_options
def serve(
    dest: Annotated[Path, typer.Argument(metavar="PATH", help="The folder a run published to (its --dest).")],
    port: Annotated[
        int, typer.Option(envvar="PICKS_EXPORT_PORT", metavar="PORT", help="Port on 127.0.0.1; 0 picks a free one.")
    ] = 8000,
    origin: Annotated[
        list[str] | None,
        typer.Option(metavar="URL", help="A web origin allowed by CORS, as `bucket cors` would allow it; repeatable."),
    ] = None,
) -> None:
    from ..exporters.cors import check_origin
    from ..exporters.server.serve import open_server

    with clean_errors():
        server = open_server(dest, port, [check_origin(each) for each in origin or []])
    typer.echo(f"serving {dest} at {server.url}/ (the reference page; files under {server.url}/v1/); Ctrl-C stops")
    try:
        server.serve_forever()
    except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: not an error
        typer.echo("stopped", err=True)
        raise typer.Exit(0) from None
    finally:
        server.server_close()


@command(app, "runs",
    "List the recorded publishing runs of a destination, newest first: id, start time, files changed, command.",
    "A run that wrote or deleted files keeps a record in _runs/ beside v1/ (with the bytes it replaced, where the"
    " destination keeps no versions), so that `rollback` can undo it.",
    examples=("picks-export runs", "picks-export runs --dest gs://picks-site --limit 5", "picks-export runs --json"),
    exits=exits_of(OptionError, OutputError, meanings={6: NOT_READ}),
)  # fmt: skip
@with_options
def runs(
    destination: RunsListing,
    limit: Annotated[int, typer.Option(min=1, metavar="N", help="How many of the newest runs to list.")] = 20,
    json: JsonFile = False,
) -> None:
    from dataclasses import asdict

    from ..exporters.runs import list_runs

    with clean_errors():
        found = list_runs(destination.open(), limit)
    if json:
        typer.echo(to_json([asdict(each) for each in found], indent=True))
        return
    if not found:
        typer.echo(f"no recorded runs at {destination.dest}")
    for each in found:
        partial = "" if each.complete else "  (incomplete)"
        typer.echo(f"{each.run}  {each.started_at}  {each.files:>5} files  {each.command}{partial}")


@command(app, "rollback",
    "Put every file a run changed back as it was (deleting those it created), then rebuild the indexes and manifest.",
    "A file a later run has changed since is refused (exit 7, nothing published) unless --force. The rollback is"
    " itself a recorded run, so it can be rolled back too.",
    examples=("picks-export rollback RUN_ID --dest gs://picks-site --dry-run",),
    # 7: runs.RollbackRefused (not imported for the help, which should stay quick).
    exits=exits_of(OptionError, OutputError, meanings={6: NOT_PUBLISHED})
    | {7: "a later run changed a file since (--force puts it back anyway); nothing published"},
)  # fmt: skip
@with_options
def rollback(
    run_id: Annotated[str, typer.Argument(metavar="RUN_ID", help="The run to undo, as `picks-export runs` lists it.")],
    destination: RunsDestination,
    force: Annotated[
        bool, typer.Option("--force", help="Also put back files a later run has changed since (refused otherwise).")
    ] = False,
    dry_run: RollbackDryRun = False,
    today: Today = None,
    workers: Workers = 8,
    retry_deadline: RetryDeadline = 120.0,
    verbose: Verbose = False,
) -> None:
    from ..exporters.runs import check_run_id
    from ..exporters.runs import rollback as roll_back

    with clean_errors():
        started = time.monotonic()
        check_run_id(run_id)
        publishing = Publishing(dry_run=dry_run, allow_shrink=True, workers=workers, retry_deadline=retry_deadline)
        policy = publishing.policy("rollback")
        report = roll_back(destination.open(), run_id, policy, force=force, today=today or today_in_new_york(),
                           generated_at=Settings.read().generated_at)  # fmt: skip
    print_files(report, Output(verbose=True) if report.dry_run or verbose else Output())
    if not report.dry_run:
        restored = report.count("written")
        typer.echo(
            f"rolled back run {run_id}: {restored} file{'' if restored == 1 else 's'} restored,"
            f" {report.count('deleted')} deleted, {report.count('unchanged')} unchanged; this rollback is run"
            f" {policy.run} ({time.monotonic() - started:.1f} s)"
        )
