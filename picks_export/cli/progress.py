"""A run's progress while it builds, then while it publishes: a bar on a terminal; elsewhere a line every ten
seconds (with `--log-format json`, an event with the counts)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from ..exporters.publish import Action

# The planned actions that send something: every other file of the plan is settled before publishing starts.
SENDING: frozenset[str] = frozenset({"new", "changed", "patched", "delete"})


class Progress:
    """Files built so far, then files published: on a terminal a bar redrawn in place, with the rate and the ETA;
    elsewhere a log line every ten seconds (`events`: through the command's events, a JSON object with
    `--log-format json`; else a line on `stream`). While building, the total is the run's expected file count, known
    once the first model is read; while publishing, it is every file of the plan, and the bytes sent show."""

    WIDTH = 24
    EVERY_ON_A_TERMINAL = 0.1  # seconds between two drawings of the bar
    EVERY_IN_A_LOG = 10.0  # seconds between two plain lines

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True, events: bool = False) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.events = events
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.shown_at = self.started  # the first line after the first interval: short runs print none
        self.drawn = False
        self.done = 0
        self.on_plan: Callable[[Mapping[str, Action]], None] | None = None  # who prints the plan
        # Publishing: the files of the plan, those still to send, the bytes sent, and when and where it began.
        self.planned_files = 0
        self.unsent: set[str] = set()
        self.sent_bytes = 0
        self.publishing_since = self.started
        self.settled_before = 0  # files with nothing to send: settled once the plan is made
        self._lock = threading.Lock()  # the upload threads report at once

    def planned(self, actions: Mapping[str, Action]) -> None:
        """The run has planned every file and is about to publish: building is over, publishing begins."""
        if self.on_plan is not None:
            self.on_plan(actions)
        self.close()
        with self._lock:
            self.label = "publishing"
            self.planned_files = len(actions)
            self.unsent = {path for path, action in actions.items() if action in SENDING}
            self.settled_before = self.planned_files - len(self.unsent)
            self.sent_bytes = 0
            self.publishing_since = self.shown_at = time.monotonic()

    def sent(self, path: str, size: int) -> None:
        """One file of the plan sent (`size` bytes, as they go: compressed for a bucket); a file sent again (a
        retried request) counts once. Called from the upload threads."""
        with self._lock:
            if path not in self.unsent:
                return
            self.unsent.discard(path)
            self.sent_bytes += size
            done = self.planned_files - len(self.unsent)
            self._show(done, self.planned_files, done - self.settled_before, self.publishing_since, self.sent_bytes)

    def __call__(self, done: int, total: int | None) -> None:
        """Files built so far, of `total` when it is known."""
        self.done = done
        self._show(done, total, done, self.started)

    def _show(self, done: int, total: int | None, counted: int, since: float, sent: int | None = None) -> None:
        """Draw the bar (or log the line) when its interval has passed: `counted` files in the time `since`
        make the rate; `sent`: the bytes sent so far, while publishing."""
        now = time.monotonic()
        if not self.enabled or now - self.shown_at < (self.EVERY_ON_A_TERMINAL if self.tty else self.EVERY_IN_A_LOG):
            return
        self.shown_at = now
        rate = counted / max(now - since, 1e-9)
        total = max(total, done) if total else None
        size = "" if sent is None else f", {readable_bytes(sent)}"
        figures = f"{done:,}" + (f"/{total:,}" if total else "") + f" files{size}, {rate:,.0f} files/s"
        eta = f", ETA {(total - done) / rate:,.0f} s" if total and rate > 0 else ""
        self.drawn = True
        if self.tty:
            filled = round(self.WIDTH * done / total) if total else 0
            bar = f" [{'#' * filled}{'.' * (self.WIDTH - filled)}]" if total else ""
            self.stream.write(f"\r{self.label}{bar} {figures}{eta}\033[K")
        elif self.events:  # a log's line, or with --log-format json an event whose counts a query can read
            from .log import emit

            counts: dict[str, Any] = {"phase": self.label, "files": done, "total": total}
            if sent is not None:
                counts["bytes_sent"] = sent
            emit(f"{self.label}: {figures}{eta}", err=True, **counts)
            return
        else:
            self.stream.write(f"{self.label}: {figures}{eta}\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\r\033[K")  # the bar goes: the report follows
            self.stream.flush()
        self.drawn = False

    def seconds(self) -> float:
        return time.monotonic() - self.started


def readable_bytes(size: int) -> str:
    """A byte count as a person reads it: 950 B, 12.3 kB, 4.1 MB, 2.0 GB (powers of 1,000)."""
    for power, unit in ((3, "GB"), (2, "MB"), (1, "kB")):
        if size >= 1000**power:
            return f"{size / 1000**power:,.1f} {unit}"
    return f"{size} B"
