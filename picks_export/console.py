"""The `picks-export` console script (and `python -m picks_export`): `cli.process.main`, with garbage collection off
from before the command line's modules load.

Importing them (Typer, the library, their classes) makes long-lived objects, not garbage: the collections the
imports would trigger only trace them again and again (about 5 ms of a small daily). `main` keeps collections off
while Typer parses and turns them back on once the command is known (cli.root.Commands.get_command). This module
stays apart from `cli` so that importing `cli` (tests, other callers) leaves the host's collector alone.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    from .cli import main as run

    run()
