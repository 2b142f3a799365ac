"""The console script's process settings: Arrow's allocator (the build workers' memory depends on it)."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import os, sys
sys.argv = ["picks-export", "--version"]
from picks_export.console import main
try:
    main()
except SystemExit:
    pass
import pyarrow
print(os.environ.get("ARROW_DEFAULT_MEMORY_POOL"), pyarrow.default_memory_pool().backend_name)
"""


def run_console(**env: str) -> list[str]:
    environ = {key: value for key, value in os.environ.items() if key != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env={**environ, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout.split()[-2:]


def test_arrow_uses_the_system_allocator() -> None:
    # Arrow's own pools keep what they free: a build worker reading season after season grew by tens of MB.
    assert run_console() == ["system", "system"]


def test_an_allocator_named_in_the_environment_is_kept() -> None:
    assert run_console(ARROW_DEFAULT_MEMORY_POOL="mimalloc") == ["mimalloc", "mimalloc"]
