"""The `picks-export` console script (and `python -m picks_export`): `cli.process.main`, with garbage collection off
from before the command line's modules load.

Importing them (Typer, the library, their classes) makes long-lived objects, not garbage: the collections the
imports would trigger only trace them again and again (about 5 ms of a small daily). `main` keeps collections off
while Typer parses and turns them back on once the command is known (cli.root.Commands.get_command). This module
stays apart from `cli` so that importing `cli` (tests, other callers) leaves the host's collector alone.

It also gives Arrow the system allocator unless the environment names one: Arrow's default pool keeps the memory it
frees, and a long run's build workers each read a season's Arrow batches after another (summed peak PSS of the
140x backfill 359 MB against 413 MB).
"""

from __future__ import annotations

import gc
import os


def main() -> None:
    gc.disable()
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # read by Arrow when pyarrow first allocates
    from .cli import main as run

    run()
