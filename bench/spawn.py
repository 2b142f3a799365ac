"""A small helper that runs the benchmark's child processes and reports each one's wall time and peak RSS.

Why a helper: on Linux a child's ru_maxrss starts from the high-water mark of the process that forked it
(exec keeps the old image's peak), so children started by the benchmark itself, which has generated a
million-row warehouse, would all report at least that much. This process stays small, so its children's
peak RSS is their own (give or take its ~10 MB).

Protocol: one JSON request per line on stdin ({"command": [...], "env": {...}}), one JSON answer per line on
stdout ({"seconds", "max_rss_mb", "returncode", "stdout", "stderr"}).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time


def run(command: list[str], env: dict[str, str] | None) -> dict[str, object]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own rusage, unlike RUSAGE_CHILDREN totals
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
        out.seek(0)
        err.seek(0)
        return {
            "seconds": seconds,
            "max_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
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
