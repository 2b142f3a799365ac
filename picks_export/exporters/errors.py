"""Errors that end a run with one clear line; the CLI maps each kind to an exit code."""

from __future__ import annotations


class ExportError(Exception):
    """A run cannot go on. The message is meant for the person who ran it."""

    exit_code = 1


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
    """The quality gate found a drop in the picks' volume; nothing was published (like the shrink guard)."""

    exit_code = 7


class NotGradedError(ExportError):
    """--require-graded: yesterday's picks are not all graded yet; nothing was published, retry later."""

    exit_code = 8


class StatusAlert(ExportError):
    """`status`: the last successful run is too old, or a model's grading is more than one game day behind."""

    exit_code = 9
