"""The `picks-export` command line: thin commands over `picks_export.exporters`.

The commands (run_commands, file_commands, bucket_commands) parse their options (the shared ones declared once, in
`options`), call the library, and report: `output` and `progress` print, `log` sends events as lines or JSON,
`errors` turns library errors into one line and an exit code, `settings` reads the environment once, `process`
handles signals and the start-up, and imports only the module of the command a process runs.
"""

from __future__ import annotations

from typing import Any

from .errors import error_message
from .process import main
from .root import EXITS

__all__ = ["EXITS", "app", "error_message", "main"]


def __getattr__(name: str) -> Any:
    """`app`: the whole command line, every command registered."""
    if name == "app":
        from .process import load_commands

        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
