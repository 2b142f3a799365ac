"""Library errors as the command line shows them: one line on stderr (an option's concept as its flag) and the
error's exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

from ..exporters.errors import ExportError
from .log import emit
from .process import Interrupted, received

if TYPE_CHECKING:
    from ..exporters.publish import Report


def flag(concept: str) -> str:
    """The command line's flag of an option's concept: `lock_timeout` is `--lock-timeout`."""
    return "--" + concept.replace("_", "-")


def error_message(error: ExportError) -> str:
    """A library error as the command line says it: an option's concept (`lock_timeout`) as its flag."""
    return error.with_names(flag)


@contextmanager
def clean_errors(on_error: Callable[[ExportError, Report | None], None] | None = None) -> Iterator[None]:
    """A library error becomes one line on stderr and its exit code, never a traceback. First `on_error` hears it
    with the report it carries, if any (a run that could not publish everything); without `on_error`, that
    report's files are printed."""
    try:
        yield
    except ExportError as error:
        if received:  # a query failed because it was interrupted: the interruption is the news
            raise Interrupted(received[0]) from None
        report = getattr(error, "report", None)
        if on_error is not None:
            on_error(error, report)
        elif report is not None:
            from .output import Output, print_files

            print_files(report, Output())
        emit(f"Error: {error_message(error)}", "ERROR", err=True, exit_code=error.exit_code)
        raise typer.Exit(error.exit_code) from None
