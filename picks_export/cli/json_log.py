"""`--log-format json`: a `logging` handler writing to stderr and a formatter of one JSON object per event."""

from __future__ import annotations

import logging

import typer


class StderrHandler(logging.Handler):
    """Writes each event through `typer.echo`, so that it reaches the stderr of the moment (a test swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        typer.echo(self.format(record), err=True)


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
