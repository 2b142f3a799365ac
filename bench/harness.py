"""In-process timing harness: runs one `picks-export` command inside this process with the library's hook
points wrapped, and reports the share of time spent querying, building, validating and writing.

Usage: python bench/harness.py OUT.json -- backfill --start ... (arguments as for the CLI)

Each hook point is looked up by name; one that the library no longer has is skipped, and a category with no
hook at all is reported as null (n/a) rather than failing the benchmark. Time is attributed exclusively: a
hooked call inside another (a query inside snapshot reading) counts only for the inner category.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # before any import, so that import time lands in "other"

import contextlib  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from typing import Any  # noqa: E402

CATEGORIES = ("query", "build", "validate", "write")

# (category, module, attribute path). A name the library no longer has is reported missing, not fatal.
HOOKS: tuple[tuple[str, str, str], ...] = (
    ("query", "picks_export.exporters.engines.duckdb_engine", "DuckDBEngine.query"),
    # The shown picks stream in as they are read: their fetching counts as building the snapshot.
    ("build", "picks_export.exporters.warehouse", "_shown_picks"),
    ("build", "picks_export.exporters.warehouse", "_arrow_span"),
    ("build", "picks_export.exporters.warehouse", "_signals"),
    ("build", "picks_export.exporters.documents", "DocumentBuilder.__init__"),
    ("build", "picks_export.exporters.documents", "DocumentBuilder.day"),
    ("build", "picks_export.exporters.documents", "DocumentBuilder.season"),
    ("build", "picks_export.exporters.documents", "index_document"),
    ("validate", "picks_export.exporters.validation", "check_document"),
    ("validate", "picks_export.exporters.validation", "problems"),
    # writing: serializing and hashing the payloads, listing the destination, writing the files
    ("write", "picks_export.exporters.publish", "Payload.of"),
    ("write", "picks_export.exporters.publish", "Publisher.listing"),
    ("write", "picks_export.exporters.transfer", "Transfer.apply"),
)


class Timer:
    """Exclusive time per category; a per-thread stack subtracts the time of nested hooked calls."""

    def __init__(self) -> None:
        self.totals = {category: 0.0 for category in CATEGORIES}
        self.calls = {category: 0 for category in CATEGORIES}
        self._local = threading.local()

    def _stack(self) -> list[list[float]]:
        if not hasattr(self._local, "stack"):
            self._local.stack = []
        return self._local.stack

    @contextlib.contextmanager
    def span(self, category: str) -> Iterator[None]:
        stack = self._stack()
        frame = [0.0]  # time of nested hooked calls
        stack.append(frame)
        begun = time.perf_counter()
        try:
            yield
        finally:
            elapsed = time.perf_counter() - begun
            stack.pop()
            self.totals[category] += elapsed - frame[0]
            self.calls[category] += 1
            if stack:
                stack[-1][0] += elapsed

    def wrap(self, category: str, function: Callable[..., Any]) -> Callable[..., Any]:
        timer = self

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            with timer.span(category):
                result = function(*args, **kwargs)
            # A streaming query returns a generator: its work happens as the caller iterates it.
            if inspect.isgenerator(result):
                return timer._timed_iteration(category, result)
            return result

        timed.__bench_wrapped__ = True  # type: ignore[attr-defined]
        return timed

    def _timed_iteration(self, category: str, generator: Iterator[Any]) -> Iterator[Any]:
        while True:
            with self.span(category):
                try:
                    item = next(generator)
                except StopIteration:
                    return
            yield item


def install(timer: Timer) -> tuple[list[str], list[str]]:
    """Wrap every hook point found; returns (hooked, missing) names."""
    hooked: list[str] = []
    missing: list[str] = []
    for category, module_name, path in HOOKS:
        name = f"{module_name}:{path}"
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(name)
            continue
        *owners, attribute = path.split(".")
        owner: Any = module
        for part in owners:
            owner = getattr(owner, part, None)
        if owner is None or attribute not in vars(owner):
            missing.append(name)
            continue
        raw = vars(owner)[attribute]
        if isinstance(raw, (classmethod, staticmethod)):
            setattr(owner, attribute, type(raw)(timer.wrap(category, raw.__func__)))
        elif callable(raw) and not getattr(raw, "__bench_wrapped__", False):
            wrapped = timer.wrap(category, raw)
            setattr(owner, attribute, wrapped)
            if owner is module:  # also where other modules imported the function by name
                for other in list(sys.modules.values()):
                    if getattr(other, "__name__", "").startswith("picks_export") and other is not module:
                        for key, value in list(vars(other).items()):
                            if value is raw:
                                setattr(other, key, wrapped)
        else:
            missing.append(name)
            continue
        hooked.append(name)
    return hooked, missing


def main(argv: list[str]) -> int:
    out_path, separator, *cli_args = argv
    assert separator == "--", "usage: harness.py OUT.json -- COMMAND ARGS..."
    timer = Timer()
    import picks_export.cli as cli  # the CLI imports library modules lazily: import them now to hook them

    for module_name in {module for _, module, _ in HOOKS}:
        with contextlib.suppress(ImportError):
            importlib.import_module(module_name)
    hooked, missing = install(timer)
    exit_code = 0
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.app(args=cli_args, standalone_mode=False)
        except SystemExit as error:  # typer.Exit is turned into SystemExit by some versions
            exit_code = int(error.code or 0)
        except Exception as error:
            print(f"harness: command failed: {error!r}", file=sys.stderr)
            exit_code = 1
    total = time.perf_counter() - STARTED
    found = {category for category, module, path in HOOKS if f"{module}:{path}" in hooked}
    seconds = {category: (timer.totals[category] if category in found else None) for category in CATEGORIES}
    accounted = sum(value for value in seconds.values() if value is not None)
    result = {
        "exit_code": exit_code,
        "total_seconds": total,
        "seconds": {**seconds, "other": total - accounted},
        "shares": {category: (None if value is None else value / total) for category, value in seconds.items()}
        | {"other": (total - accounted) / total},
        "calls": timer.calls,
        "hooked": hooked,
        "missing": missing,
    }
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=2)
    return exit_code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
