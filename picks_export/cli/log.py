"""Where a command's events go: plain lines (the default: stdout, or stderr for errors and warnings), or with
`--log-format json` one JSON object per event on stderr (severity, message, run id, command and the event's
counts), as Cloud Logging reads them, through the standard `logging` module and a JSON formatter.

Each command configures its events afresh (`configure`), so that nothing of one command's set-up outlives it in a
process that runs several (tests); `set_run` adds the run id once the run has one. Plain lines need no logger:
`logging` is imported only for JSON events (about 2 ms of a small daily otherwise).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import logging

LOGGER = "picks_export.cli"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


def _json_logger() -> logging.Logger | None:
    """The logger of JSON events, when a command set one up (without `logging` imported, none did)."""
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    logger = logging.getLogger(LOGGER)
    return logger if logger.handlers else None


def configure(log_format: LogFormat, command: str) -> None:
    """A command's events from now on: plain lines, or JSON objects naming `command`."""
    logger = _json_logger()
    if logger is not None:  # a previous command's, in this process
        for each in list(logger.handlers):
            logger.removeHandler(each)
    if log_format is LogFormat.json:
        import logging

        from .json_log import JsonFormatter, StderrHandler

        logger = logging.getLogger(LOGGER)
        logger.propagate = False  # the command's own output, not the host's logging
        logger.setLevel(logging.INFO)
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter(command))
        logger.addHandler(handler)


def set_run(run: str) -> None:
    """The run id every later JSON event carries."""
    logger = _json_logger()
    if logger is None:
        return
    from .json_log import JsonFormatter

    for handler in logger.handlers:
        if isinstance(handler.formatter, JsonFormatter):
            handler.formatter.run = run


def emit(message: str, severity: str = "INFO", *, err: bool = False, **fields: Any) -> None:
    """One event: a line on stdout (or stderr when `err`), or with --log-format json a JSON object on stderr."""
    logger = _json_logger()
    if logger is None:
        typer.echo(message, err=err)
        return
    import logging

    logger.log(logging.getLevelName(severity), message, extra={"fields": fields})
