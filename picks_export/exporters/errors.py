"""Errors that end a run with one clear line; the CLI maps each kind to an exit code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self


class ExportError(Exception):
    """A run cannot go on. The message is meant for the person who ran it.

    A message may name options by their concept: `ExportError.naming("... ({allow_shrink} publishes it)")` keeps
    the template, `str(error)` reads "allow shrink", and the command line shows `--allow-shrink`
    (`with_names`). Braces in values must then be doubled (`literal`)."""

    exit_code = 1
    template: str | None = None

    @classmethod
    def naming(cls, template: str, *args: Any) -> Self:
        """The error of `template`, whose `{concept}` placeholders name options (further `args`: the class's)."""
        error = cls(template.format_map(_Names(_plain)), *args)
        error.template = template
        return error

    def with_names(self, name: Callable[[str], str]) -> str:
        """The message with each option's concept shown as `name(concept)` spells it (a flag on the command line)."""
        return str(self) if self.template is None else self.template.format_map(_Names(name))


def _plain(concept: str) -> str:
    return concept.replace("_", " ")


def literal(text: object) -> str:
    """`text` as it must appear in a template: its braces doubled."""
    return str(text).replace("{", "{{").replace("}", "}}")


class BadInputError(ExportError):
    """The warehouse holds data that breaks the contract (names the table, the date and the row)."""

    exit_code = 3


class InvalidDocumentError(ExportError):
    """A built document does not match its JSON Schema."""

    exit_code = 4


class WarehouseError(ExportError):
    """The warehouse cannot be opened or a query failed."""

    exit_code = 5


class OutputError(ExportError):
    """Files could not be written to the destination."""

    exit_code = 6


class VolumeDropError(ExportError):
    """The quality gate found a drop in the picks' volume; nothing was published (like the shrink guard).

    Its message names the options that get past it as `{concept}` placeholders, like `OptionError`'s; printed
    as is, each reads as its command-line flag (`--allow-drop`), and `with_names` spells them otherwise."""

    exit_code = 7

    def __init__(self, message: str) -> None:
        super().__init__(message.format_map(_Names(lambda concept: "--" + concept.replace("_", "-"))))
        self.template = message


class NotGradedError(ExportError):
    """--require-graded: yesterday's picks are not all graded yet; nothing was published, retry later."""

    exit_code = 8


class StatusAlert(ExportError):
    """`status`: the last successful run is too old, or a model's grading is more than one game day behind."""

    exit_code = 9


class OptionError(ExportError):
    """A value the caller gave is wrong. The library speaks of concepts; the command line shows its flags.

    `message` names each option as a `{concept}` placeholder (`"{end} 2026-01-01 is before {start} 2026-02-01"`):
    `str(error)` reads "end 2026-01-01 is before start 2026-02-01", and `error.with_names(flag)` gives the
    command line's "--end 2026-01-01 is before --start 2026-02-01". Braces in values must be doubled."""

    def __init__(self, message: str) -> None:
        super().__init__(message.format_map(_Names(_plain)))
        self.template = message


class _Names(dict[str, str]):
    def __init__(self, name: Callable[[str], str]) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, concept: str) -> str:
        return self.name(concept)
