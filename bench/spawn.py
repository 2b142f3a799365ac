"""A small helper that runs the benchmark's child processes and reports each one's wall time and peak RSS.

Why a helper: on Linux a child's ru_maxrss starts from the high-water mark of the process that forked it
(exec keeps the old image's peak), so children started by the benchmark itself, which has generated a
million-row warehouse, would all report at least that much. This process stays small, so its children's
peak RSS is their own (give or take its ~10 MB).

Protocol: one JSON request per line on stdin ({"command": [...], "env": {...}}), one JSON answer per line on
stdout ({"seconds", "max_rss_mb", "tree_pss_mb", "cpu_seconds", "returncode", "stdout", "stderr"}). tree_pss_mb
is the peak, sampled every 50 ms, of the proportional set size summed over the child and its descendants (a
run's build workers), or the child's own peak RSS when that is larger.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.05


def _pss(pid: int) -> int:
    """The proportional set size of `pid`: its private pages, and its share of pages it shares with others
    (a forked build worker shares its parent's), so that summing over processes counts each page once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:  # no smaps_rollup (old kernel): the resident set, shared pages counted in full
        with open(f"/proc/{pid}/statm", "rb") as statm:
            return int(statm.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_memory(root: int) -> int:
    """Bytes of memory of `root` and all its descendants now (PSS summed; Linux /proc), 0 where it cannot say."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        total += _pss(pid)
    return total


class TreeSampler(threading.Thread):
    """The peak of the summed RSS of a process and its descendants (a run's build workers), sampled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.peak = max(self.peak, tree_memory(self.pid))


def run(command: list[str], env: dict[str, str] | None) -> dict[str, object]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        sampler = TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, unlike RUSAGE_CHILDREN totals
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "max_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux; the largest of the child and its reaped children
            "tree_pss_mb": max(sampler.peak / 2**20, usage.ru_maxrss / 1024),  # summed over its processes
            "cpu_seconds": usage.ru_utime + usage.ru_stime,  # its reaped children (build workers) included
            "returncode": process.returncode,
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def main() -> int:
    for line in sys.stdin:
        request = json.loads(line)
        answer = run(request["command"], request.get("env"))
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
