"""The process around a command: SIGINT / SIGTERM as an exception that unwinds cleanly, garbage collection kept
out of the start-up, only the named command built, and the last resort for errors nothing else caught."""

from __future__ import annotations

import gc
import importlib
import signal
import sys
from collections.abc import Sequence

import typer

from .log import emit
from .root import INTERNAL_ERROR_EXIT, app

received: list[int] = []  # the signal that ended the run, if any


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised where the program is, so that every `finally` block cleans up on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _interrupt(signum: int, _frame: object) -> None:
    # Once only: a second Ctrl-C must not cut short the cleanup the first one started (SIGKILL still ends it).
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_IGN)
    received.append(signum)
    raise Interrupted(signum)


def start_up() -> None:
    """No garbage collection while Typer builds and parses the command line (the console script turned it off
    before importing this package: picks_export.console): the start-up makes long-lived objects, not garbage, and
    the collections would only trace them again and again (a few ms of a small run). The group's get_command, once
    the command is known, freezes them and turns collections back on."""
    gc.disable()


# The module that registers each command, in the order the help lists them: a run imports its command's only.
COMMAND_MODULES = {
    **dict.fromkeys(("demo", "daily", "backfill", "season", "estimate"), "run_commands"),
    **dict.fromkeys(("validate", "status", "serve", "runs", "rollback"), "file_commands"),
    "bucket": "bucket_commands",
}


def load_commands(name: str | None = None) -> typer.Typer:
    """The app, with command `name` registered (every command without a name it knows)."""
    for module in [COMMAND_MODULES[name]] if name in COMMAND_MODULES else dict.fromkeys(COMMAND_MODULES.values()):
        importlib.import_module(f"{__package__}.{module}")
    return app


def app_for(arguments: Sequence[str]) -> typer.Typer:
    """The app with only the command that `arguments` name first: Typer builds the options of every command it
    holds before it parses (about 10 ms of a small daily for all of them), and a run needs its own only. Without
    such a name (no command, an option first, a name it does not know) or for shell completion, the whole app:
    its help lists every command and its errors suggest the closest name."""
    import os

    if not arguments or any(name.startswith("_") and name.endswith("_COMPLETE") for name in os.environ):
        return load_commands()
    load_commands(arguments[0])
    from copy import copy

    from typer.main import get_command_name

    name = arguments[0]
    commands = [
        each
        for each in app.registered_commands
        if each.callback is not None and name == (each.name or get_command_name(each.callback.__name__))
    ]
    groups = [each for each in app.registered_groups if each.name == name]
    if not commands and not groups:
        return load_commands()
    narrowed = copy(app)
    narrowed.registered_commands, narrowed.registered_groups = commands, groups
    return narrowed


def main() -> None:
    """The console script: the commands, with SIGINT / SIGTERM and unexpected errors ending in one `Error:` line."""
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    start_up()
    try:
        app_for(sys.argv[1:])()  # Typer turns an interruption inside a command into exit 130 once it has unwound
    except SystemExit as exit:
        if not received or exit.code == 0:  # exit 0 after a signal: the command stopped as it was asked (serve)
            raise
    except KeyboardInterrupt:
        pass
    except Exception as error:
        # DuckDB answers a signal during a query with its own RuntimeError: after a signal, any failure is its echo.
        if not received:  # a safety net only: every known failure is an ExportError with its own code
            message = f"Error: internal error: {type(error).__name__}: {error}"
            emit(message, "ERROR", err=True, exit_code=INTERNAL_ERROR_EXIT)
            sys.exit(INTERNAL_ERROR_EXIT)
    else:
        return
    finally:
        # The process ends next, every file and connection closed by the code that opened it: the interpreter's
        # last garbage collections need not trace what is still alive (the modules, Typer's commands, the run's
        # documents), about a tenth of a small run. The operating system takes the memory back.
        gc.freeze()
    emit("Error: interrupted", "ERROR", err=True)
    sys.exit(128 + (received[0] if received else signal.SIGINT))
