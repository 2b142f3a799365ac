"""A run's progress while it builds: a bar on a terminal, a plain line every ten seconds elsewhere."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..exporters.publish import Action


class Progress:
    """Files built so far: on a terminal a bar redrawn in place, with the rate and the ETA; elsewhere a plain log
    line every ten seconds. The total is the run's expected file count, known once the first model is read."""

    WIDTH = 24

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.shown_at = self.started  # the first line after the first interval: short runs print none
        self.drawn = False
        self.done = 0
        self.on_plan: Callable[[Mapping[str, Action]], None] | None = None  # who prints the plan

    def planned(self, actions: Mapping[str, Action]) -> None:
        """The run has planned every file and is about to publish: building is over."""
        if self.on_plan is not None:
            self.on_plan(actions)

    def __call__(self, done: int, total: int | None) -> None:
        self.done = done
        now = time.monotonic()
        if not self.enabled or now - self.shown_at < (0.1 if self.tty else 10.0):
            return
        self.shown_at = now
        rate = done / max(now - self.started, 1e-9)
        total = max(total, done) if total else None
        counted = f"{done:,}" + (f"/{total:,}" if total else "") + f" files, {rate:,.0f} files/s"
        eta = f", ETA {(total - done) / rate:,.0f} s" if total and rate > 0 else ""
        self.drawn = True
        if self.tty:
            filled = round(self.WIDTH * done / total) if total else 0
            bar = f" [{'#' * filled}{'.' * (self.WIDTH - filled)}]" if total else ""
            self.stream.write(f"\r{self.label}{bar} {counted}{eta}\033[K")
        else:
            self.stream.write(f"{self.label}: {counted}{eta}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")  # the bar goes: the report follows
            self.stream.flush()
        self.drawn = False

    def seconds(self) -> float:
        return time.monotonic() - self.started
