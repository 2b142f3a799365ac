"""The Typer app: its exit codes, the help every command shares the shape of (options in their groups, each
command's own exit codes), and usage errors as one line."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Mapping
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup

from ..exporters.errors import (
    BadInputError,
    ExportError,
    InvalidDocumentError,
    NotGradedError,
    OptionError,
    OutputError,
    StatusAlert,
    VolumeDropError,
    WarehouseError,
)

EXITS = {
    0: "success",
    1: "a bad option or run setting",
    2: "a usage error",
    3: "bad data in the warehouse (the message names the table, date and row)",
    4: "a document failed its JSON Schema",
    5: "the warehouse cannot be opened or a query failed",
    6: "files could not be (all) published, or the destination could not be read",
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
ALWAYS = (0, 2, INTERNAL_ERROR_EXIT, 130)  # any command: success, a usage error, a bug, an interruption

# What exits 6 (an OutputError) and 7 mean depends on what the command does.
NOT_PUBLISHED = "files could not be (all) published"
NOT_READ = "the destination could not be read (no such bucket, no access)"
BUCKET_FAILED = "the bucket could not be read or changed (no such bucket, no access)"
GUARDED = "a guard refused the run: the shrink guard or the volume check (a --dry-run too)"


def exits_of(*errors: type[ExportError], meanings: Mapping[int, str] | None = None) -> dict[int, str]:
    """A command's exits besides ALWAYS, from the library errors its code raises: each class's exit code, with
    its general meaning unless `meanings` gives the command's own."""
    codes = sorted({error.exit_code for error in errors})
    return {code: (meanings or {}).get(code, EXITS[code]) for code in codes}


# What daily, backfill and season raise: a bad option, bad data, a schema, the warehouse, the publishing, a guard
# (the shrink guard's PublishRefused has the volume check's exit 7).
EXPORT_EXITS = exits_of(
    OptionError, BadInputError, InvalidDocumentError, WarehouseError, OutputError, VolumeDropError,
    meanings={6: NOT_PUBLISHED, 7: GUARDED},
)  # fmt: skip
DAILY_EXITS = EXPORT_EXITS | exits_of(NotGradedError)
STATUS_EXITS = exits_of(OptionError, OutputError, StatusAlert, meanings={6: NOT_READ})
BUCKET_EXITS = exits_of(OptionError, OutputError, meanings={6: BUCKET_FAILED})

# Every command's exits as its help lists them, by its path ("daily", "bucket show"), ALWAYS included.
COMMAND_EXITS: dict[str, dict[int, str]] = {}


def command_help(summary: str, *details: str, examples: tuple[str, ...], exits: Mapping[int, str]) -> str:
    """A command's help: a one-line summary, details, examples kept on their own lines, and its exit codes."""
    codes = all_exits(exits)
    exit_codes = "; ".join(f"{code} {meaning}" for code, meaning in codes.items())
    return "\n\n".join([summary, *details, examples_block(examples), f"Exit codes: {exit_codes}."])


def examples_block(examples: tuple[str, ...]) -> str:
    """Examples as a help paragraph that Click prints as written, one per line."""
    lines = "\n".join(f"  {example}" for example in examples)
    return f"\b\nExamples:\n{lines}"


def all_exits(exits: Mapping[int, str]) -> dict[int, str]:
    return dict(sorted(({code: EXITS[code] for code in ALWAYS} | dict(exits)).items()))


def command(
    group: typer.Typer, name: str, summary: str, *details: str, examples: tuple[str, ...], exits: Mapping[int, str]
) -> Callable[[Callable[..., Any]], Any]:
    """Register a command of `group` under `name`, with its help (`command_help`) and its exits declared."""
    path = name if group is app else f"bucket {name}"  # the one group of commands
    COMMAND_EXITS[path] = all_exits(exits)
    help = command_help(summary, *details, examples=examples, exits=exits)
    return group.command(name, cls=Command, help=help)


# The option groups' titles in the help, in this order; options of none are the command's own ("Options"), first.
SOURCE, DESTINATION, SCOPE = "Warehouse", "Destination", "Scope"
PUBLISHING, QUALITY, OUTPUT = "Publishing", "Quality checks", "Output"
OWN = "Options"
PANELS = (OWN, SOURCE, DESTINATION, SCOPE, PUBLISHING, QUALITY, OUTPUT)


class Command(TyperCommand):
    """Plain help (no Rich) with the options in their groups, and usage lines a person reads (`PATH...`)."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        groups: dict[str, list[tuple[str, str]]] = {}
        help_record = None
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if isinstance(param, TyperArgument):
                arguments.append(record)
            elif param.name == "help":
                help_record = record  # last, after every group
            else:
                groups.setdefault(getattr(param, "rich_help_panel", None) or OWN, []).append(record)
        order = [*PANELS, *(name for name in groups if name not in PANELS)]
        sections = [("Arguments", arguments), *((name, groups.get(name, [])) for name in order)]
        sections = [(name, records) for name, records in sections if records]
        if help_record is not None:
            sections = sections or [(OWN, [])]
            sections[-1] = (sections[-1][0], [*sections[-1][1], help_record])
        for name, records in sections:
            with formatter.section(name):
                formatter.write_dl(records)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            pieces += [_usage(param)] if isinstance(param, TyperArgument) else param.get_usage_pieces(ctx)
        return pieces


def _usage(argument: TyperArgument) -> str:
    """An argument as a usage line shows it: `RUN_ID`, `PATH...`, `[NAME]` (Typer would say `{PATH}`)."""
    name = argument.metavar or (argument.name or "").upper()
    name += "..." if argument.nargs != 1 else ""
    return name if argument.required else f"[{name}]"


class Commands(TyperGroup):
    """Usage errors as one `Error:` line and a hint (as docs/operator.md#the-commands promises), never a framed box."""

    def get_command(self, ctx: Any, name: str) -> Any:
        if not gc.isenabled():  # main() turned collections off for the start-up, now over: see process.start_up
            gc.freeze()
            gc.enable()
        command = super().get_command(ctx, name)
        for param in getattr(command, "params", ()):
            if isinstance(param, TyperArgument) and param.metavar:
                # The metavar says it all (PATH); Typer would add the Python type after it (<list[Path]>).
                param.display_type_rich = lambda ctx: None  # type: ignore[attr-defined]
        return command

    def main(
        self,
        args: Any = None,
        prog_name: Any = None,
        complete_var: Any = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
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
    if (
        isinstance(error, BadParameter)
        and param is not None
        and ctx is not None
        and param.name
        and error.param_hint is None
    ):
        if ctx.get_parameter_source(param.name) is not ParameterSource.ENVIRONMENT:
            names = " / ".join(f"'{name}'" for name in param.opts)
            return f"Invalid value for {names}: {error.message}"
    return str(error.format_message())


CONTEXT = {"help_option_names": ["--help", "-h"], "max_content_width": 100}

app = typer.Typer(
    cls=Commands,
    help="\n\n".join(
        [
            "Build the picks website's JSON files from the warehouse.",
            examples_block(
                (
                    "picks-export demo",
                    "picks-export daily --dry-run -v",
                    "picks-export daily",
                    "picks-export serve public/",
                    "picks-export daily --warehouse bigquery://my-project --dest gs://picks-site --all-models",
                )
            ),
            EXIT_CODES,
        ]
    ),  # fmt: skip
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help (readable at 80 columns, no Rich import) and plain errors
    context_settings=CONTEXT,
)
bucket_app = typer.Typer(
    cls=TyperGroup,
    help="\n\n".join(
        [
            "Set up and inspect the bucket the website reads (--dest gs://BUCKET; `show` reads s3://BUCKET too).",
            examples_block(
                (
                    "picks-export bucket setup --dest gs://picks-site --origin https://picks.example.com",
                    "picks-export bucket show --dest gs://picks-site",
                )
            ),
        ]
    ),  # fmt: skip
    no_args_is_help=True,
    context_settings=CONTEXT,
)
app.add_typer(bucket_app, name="bucket")


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
) -> None:
    """Build the picks website's JSON files from the warehouse."""
