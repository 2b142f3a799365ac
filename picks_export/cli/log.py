"""Where a command's events go: plain lines (the default: stdout, or stderr for errors and warnings), or with
`--log-format json` one JSON object per event on stderr (severity, message, run id, command and the event's
counts), as Cloud Logging reads them, through the standard `logging` module and a JSON formatter.

Each command configures its events afresh (`configure`), so that nothing of one command's set-up outlives it in a
process that runs several (tests); `set_run` adds the run id once the run has one. Plain lines need no logger:
`logging` is imported only for JSON events (about 2 ms of a small daily otherwise).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    import logging

    from ..exporters.quality import QualityWarning

LOGGER = "picks_export.cli"
# The library's own warnings (a lock waited for, a build worker out of memory) are `logging` events of its modules'
# loggers, under this one: plain lines through logging's last resort, or with JSON events, JSON events too.
LIBRARY = "picks_export"


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
        import logging

        library = logging.getLogger(LIBRARY)
        for each in list(logger.handlers):
            logger.removeHandler(each)
            library.removeHandler(each)
        library.propagate = True
    if log_format is LogFormat.json:
        import logging

        from .json_log import JsonFormatter, StderrHandler

        handler = StderrHandler()
        handler.setFormatter(JsonFormatter(command))
        logger = logging.getLogger(LOGGER)
        logger.propagate = False  # the command's own output, not the host's logging
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        library = logging.getLogger(LIBRARY)
        library.propagate = False
        library.addHandler(handler)


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


def warn_unknown_settings() -> None:
    """A warning for each PICKS_EXPORT_ name of the environment that picks-export does not read: a misspelt
    setting of a scheduled job (the dataset's, say) would otherwise leave the run on the default, without a word."""
    from .settings import unknown_names

    for name, guess in unknown_names():
        hint = f" (did you mean {guess}?)" if guess else ""
        emit(f"Warning: {name} is not a picks-export setting{hint}: ignored", "WARNING", err=True, setting=name)


# How each check's findings are counted in a summary line: the words after the count, by check.
FINDINGS = {
    "grading": "dates with picks not graded (no box score yet)",
    "stale": "dates with shown picks computed long before the first tip-off",
    "volume": "dates or subsets with fewer shown picks than usual",
}
EXAMPLES = 3  # a check with more findings than this is one summary line with this many examples


def emit_warnings(warnings: Sequence[QualityWarning], *, verbose: bool = False) -> None:
    """The quality gate's warnings on stderr: each check's findings a line each when it has few (every one with
    `verbose`, and as JSON events), else one line with their count and a few examples, so that a whole-season
    backfill prints a few lines, not one per date."""
    by_check: dict[str, list[QualityWarning]] = {}
    for warning in warnings:
        by_check.setdefault(warning.check, []).append(warning)
    for check, found in by_check.items():
        one_each = verbose or len(found) <= EXAMPLES or _json_logger() is not None
        for warning in found if one_each else ():
            emit(f"Warning: {warning}", "WARNING", err=True, check=warning.check, model=warning.model,
                 date=warning.date.isoformat())  # fmt: skip
        if not one_each:
            emit(f"Warning: {_summary(check, found)}", "WARNING", err=True, check=check, count=len(found))


def _summary(check: str, found: Sequence[QualityWarning]) -> str:
    """`38 dates with picks not graded (...), e.g. model 926A: 2025-10-22, 2025-10-23, 2025-10-24; -v lists
    them`."""
    models = sorted({warning.model for warning in found})
    across = f" across {len(models)} models" if len(models) > 1 else ""
    examples: dict[str, list[str]] = {}
    for model, day in list(dict.fromkeys((warning.model, warning.date.isoformat()) for warning in found))[:EXAMPLES]:
        examples.setdefault(model, []).append(day)
    shown = "; ".join(f"model {model}: {', '.join(dates)}" for model, dates in examples.items())
    words = FINDINGS.get(check, f"{check} findings")
    return f"{len(found)} {words}{across}, e.g. {shown}; -v lists them"
