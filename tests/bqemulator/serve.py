"""Start bqemulator offline; run with the emulator's own Python: `python serve.py --rest-port N --grpc-port M`.

The emulator runs `INSTALL spatial` at start, which downloads the extension. Installing it first from the
`duckdb-extension-spatial` wheel (into $HOME/.duckdb, which the test fixture points at the emulator's environment)
makes that INSTALL a no-op.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import duckdb_extension_spatial
from bqemulator.cli import main


def install_spatial() -> None:
    connection = duckdb.connect()
    try:
        connection.execute("LOAD spatial")
    except duckdb.Error:
        (extension,) = Path(duckdb_extension_spatial.__file__).parent.rglob("spatial.duckdb_extension")
        connection.execute(f"INSTALL '{extension}'")  # a path inside the installed wheel
    finally:
        connection.close()


if __name__ == "__main__":
    install_spatial()
    main(["start", *sys.argv[1:]])
