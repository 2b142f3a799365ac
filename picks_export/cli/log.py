"""Where a command's events go, through the standard `logging` module: plain lines (the default: stdout, or
stderr for errors and warnings), or with `--log-format json` one JSON object per event on stderr (severity,
message, run id, command and the event's counts), as Cloud Logging reads them.

Each command configures the logger afresh (`configure`), so that nothing of one command's set-up outlives it in a
process that runs several (tests); `set_run` adds the run id once the run has one.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

import typer

LOGGER = "picks_export.cli"


class LogFormat(StrEnum):
    text = "text"
    json = "json"


class _Echo(logging.Handler):
    """Writes each event through `typer.echo`, so that it reaches the streams of the moment (a test swaps them)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record), err=getattr(record, "err", False) or isinstance(self.formatter, JsonFormatter))


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


class JsonFormatter(logging.Formatter):
    """One JSON object per event: severity, message, run id, command, and the event's own fields."""

    def __init__(self, command: str) -> None:
        super().__init__()
        self.command = command
        self.run = ""

    def format(self, record: logging.LogRecord) -> str:
        import orjson

        event = {
            "severity": record.levelname,
            "message": record.getMessage(),
            "run": self.run or None,
            "command": self.command or None,
            **getattr(record, "fields", {}),
        }
        return orjson.dumps(event).decode()


def _logger() -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    logger.propagate = False  # the command's own output, not the host's logging
    logger.setLevel(logging.INFO)
    return logger


def configure(log_format: LogFormat, command: str) -> None:
    """A command's events from now on: plain lines, or JSON objects naming `command`."""
    handler = _Echo()
    handler.setFormatter(JsonFormatter(command) if log_format is LogFormat.json else TextFormatter())
    logger = _logger()
    for each in list(logger.handlers):
        logger.removeHandler(each)
    logger.addHandler(handler)


def set_run(run: str) -> None:
    """The run id every later JSON event carries."""
    for handler in _logger().handlers:
        if isinstance(handler.formatter, JsonFormatter):
            handler.formatter.run = run


def emit(message: str, severity: str = "INFO", *, err: bool = False, **fields: Any) -> None:
    """One event: a line on stdout (or stderr when `err`), or with --log-format json a JSON object on stderr."""
    logger = _logger()
    if not logger.handlers:  # before any command configured it (an error of the start-up): plain lines
        configure(LogFormat.text, "")
    logger.log(logging.getLevelName(severity), message, extra={"err": err, "fields": fields})
