"""The Typer app: its exit codes, the help every command shares the shape of, and usage errors as one line."""

from __future__ import annotations

import gc
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperGroup

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
BUCKET_EXITS = (1, 6)


def command_help(summary: str, *details: str, examples: tuple[str, ...], exits: tuple[int, ...]) -> str:
    """A command's help: a one-line summary, details, examples kept on their own lines, and its exit codes."""
    codes = sorted({0, 2, INTERNAL_ERROR_EXIT, 130, *exits})
    lines = "\n".join(f"  {example}" for example in examples)
    exit_codes = "; ".join(f"{code} {EXITS[code]}" for code in codes)
    return "\n\n".join([summary, *details, f"\b\nExamples:\n{lines}", f"Exit codes: {exit_codes}."])


class Commands(TyperGroup):
    """Usage errors as one `Error:` line and a hint (as the README promises), never a framed box."""

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
    help=f"Build the picks website's JSON files from the warehouse.\n\n{EXIT_CODES}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help (readable at 80 columns, no Rich import) and plain errors
    context_settings=CONTEXT,
)
bucket_app = typer.Typer(
    cls=TyperGroup,
    help="Set up and inspect the bucket the website reads (every bucket command needs --dest gs://BUCKET).",
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
