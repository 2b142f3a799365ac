"""Start bqemulator offline; run with the emulator's own Python: `python serve.py --rest-port N --grpc-port M`.

The emulator runs `INSTALL spatial` at start, which downloads the extension. Installing it first from the
`duckdb-extension-spatial` wheel (into $HOME/.duckdb, which the test fixture points at the emulator's environment)
makes that INSTALL a no-op.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import duckdb
import duckdb_extension_spatial
from bqemulator.cli import main
from bqemulator.jobs import executor
from bqemulator.storage.engine import DuckDBEngine

# The Storage Read API's read of a query's result table, as the emulator builds it for CreateReadSession.
_RESULT_READ = re.compile(r'SELECT (?P<columns>\*|"[^;]*") FROM "[^"]+___bqemu_anonymous"\."anon(?P<job>[0-9a-f]+)"')


def install_spatial() -> None:
    connection = duckdb.connect()
    try:
        connection.execute("LOAD spatial")
    except duckdb.Error:
        (extension,) = Path(duckdb_extension_spatial.__file__).parent.rglob("spatial.duckdb_extension")
        connection.execute(f"INSTALL '{extension}'")  # a path inside the installed wheel
    finally:
        connection.close()


def serve_query_results_to_read_sessions() -> None:
    """Let a read session read a query's result, as BigQuery does (the Storage Read API reads a query job's
    anonymous destination table): the emulator keeps results only in memory, so its read sessions find no such
    table. A session's projection of the result keeps its columns."""
    fetch_arrow = DuckDBEngine.fetch_arrow

    def fetch(self: DuckDBEngine, sql: str, parameters: list[Any] | None = None) -> Any:
        match = _RESULT_READ.fullmatch(sql.strip())
        if match is None:
            return fetch_arrow(self, sql, parameters)
        (result,) = [table for job, table in executor.JOB_RESULTS.items() if job.replace("-", "") == match["job"]]
        columns = match["columns"]
        return result if columns == "*" else result.select([name.strip('" ') for name in columns.split(",")])

    DuckDBEngine.fetch_arrow = fetch  # type: ignore[method-assign]


if __name__ == "__main__":
    install_spatial()
    serve_query_results_to_read_sessions()
    main(["start", *sys.argv[1:]])
