"""What a sharded backfill costs on a bucket, per task and per model: the figures the projection to many leagues,
models and seasons is made from (docs: development/benchmark).

    python bench/shards.py                       # the 35x warehouse, 4 tasks at once
    python bench/shards.py --size 16 --tasks 2

It starts fake-gcs-server as the tests do (tests/fakegcs.py), with the tests' proxy in front of it counting every
request, runs `backfill --all-models --shard I/N` of every season for I = 1..N at once into one empty bucket (each
task a new process through bench/run.py's helper: wall time, CPU time, peak memory), and prints each task's
figures, then the requests by kind (listings, reads, uploads, others) and the bytes uploaded, in all and per
(model, season) unit. The server answers without network latency and shares the machine's cores with the tasks:
its wall times are not GCS's.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections import Counter

import run

sys.path.append(str(run.TESTS))  # appended: nothing of tests/ shadows an installed module
from fakegcs import FakeGCS, FaultProxy, client_for  # the tests' launcher and counting proxy


def kind_of(method: str, path: str) -> str:
    """A GCS JSON API request by what it does."""
    if path.startswith("/upload/"):
        return "upload"
    if method == "GET" and "alt=media" in path:
        return "read"
    if method == "GET" and path.split("?")[0].endswith("/o"):
        return "list"
    return f"other {method}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    run.warehouse_arguments(parser, "35")
    parser.add_argument("--tasks", type=int, default=4, help="how many tasks run at once (default 4)")
    options = parser.parse_args(argv)
    warehouse = run.cached_warehouse(options)
    server = FakeGCS()
    proxy = FaultProxy(server.port)
    try:
        client_for(server.url).create_bucket("shards")
        env = {**run.child_env(), "STORAGE_EMULATOR_HOST": proxy.url}
        children: list[run.Child] = [None] * options.tasks  # type: ignore[list-item]

        def task(number: int) -> None:
            (args,) = run.backfill_commands(run.tool(), warehouse, "gs://shards", "all", True)
            spawner = run.Spawner()  # one helper per task: they run at once
            try:
                children[number] = spawner.run([*args, "--shard", f"{number + 1}/{options.tasks}"], env)
            finally:
                spawner.close()

        threads = [threading.Thread(target=task, args=(number,)) for number in range(options.tasks)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        proxy.server.shutdown()
        server.stop()
    units = len(warehouse.models) * run.SIZES[options.size][0]  # every enabled model in every season
    print(f"{options.size}× ({warehouse.shape}): {units} (model, season) units, {options.tasks} tasks at once;"
          f" {os.cpu_count()} CPUs")  # fmt: skip
    for number, child in enumerate(children, start=1):
        status = "ok" if child.returncode == 0 else f"exit {child.returncode}: {child.stderr.strip()[-300:]}"
        print(f"  task {number}/{options.tasks}: wall {child.seconds:.2f} s, CPU {child.cpu_seconds:.2f} s,"
              f" peak PSS {child.tree_pss_mb:.0f} MB, {status}")  # fmt: skip
    kinds = Counter(kind_of(exchange.method, exchange.path) for exchange in proxy.log)
    sent = sum(len(exchange.request_body) for exchange in proxy.log if exchange.path.startswith("/upload/"))
    for kind, count in sorted(kinds.items()):
        print(f"  {kind:<12} {count:7,} requests, {count / units:8.1f} per unit")
    print(f"  uploaded     {sent / 1e6:7.1f} MB (requests' bodies, gzip), {sent / units / 1e3:8.1f} kB per unit")
    print(f"  all          {len(proxy.log):7,} requests, {len(proxy.log) / units:8.1f} per unit")
    return 0 if all(child.returncode == 0 for child in children) else 1


if __name__ == "__main__":
    sys.exit(main())
