"""The `picks-export` command line: thin commands over `picks_export.exporters`.

Each command parses its options (the shared ones are declared once, in `options`), calls the library, and
reports: `output` and `progress` print, `log` sends events as lines or JSON, `errors` turns library errors into one
line and an exit code, `settings` reads the environment once, `process` handles signals and the start-up.
"""

from __future__ import annotations

# The help lists the commands in the order they are registered.
# isort: off
from . import run_commands, file_commands, bucket_commands  # noqa: F401 - each registers its commands

# isort: on
from .app import EXITS, app
from .errors import error_message
from .process import main

__all__ = ["EXITS", "app", "error_message", "main"]
