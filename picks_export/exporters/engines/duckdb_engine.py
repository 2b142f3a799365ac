"""The embedded engine: the BigQuery SQL templates, transpiled by sqlglot, run in-process on a DuckDB file."""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import orjson

from ..common import atomic_write, unusable_path
from ..errors import WarehouseError
from ..tables import DEMO_MARKER, TABLES, Rows
from .duckdb_settings import CAPABILITIES
from .engine import (
    DEFAULT_DATASET,
    EngineMemoryError,
    QueryValue,
    Row,
    WarehouseOptionError,
    check_identifier,
    render,
    template_source,
)

if TYPE_CHECKING:
    import pyarrow

FETCH_BATCH = 10_000
# Rows per Arrow record batch: per-batch costs vanish at this size already, and a batch stays alive while any
# model's season cut from it does (65,536 rows took the 35x backfill's summed peak PSS from 366 to 404 MB).
ARROW_BATCH = 8_192


@lru_cache(maxsize=64)
def transpile(name: str, dataset: str, cache: Path | None = None) -> tuple[str, ...]:
    """The DuckDB statements of template `name`, rendered once per process and dataset.

    Importing Jinja and sqlglot and transpiling take about 0.25 s, a third of a daily run: the result is also
    kept in a file of the folder `cache` keyed by the template, its identifiers and sqlglot's version, so later runs
    skip all three.
    """
    cached = _sql_cache_file(name, dataset, cache)
    if cached is not None:
        statements = _read_cached(cached)
        if statements is not None:
            return statements
    import sqlglot

    rendered = render(name, dataset=dataset, tables=TABLES)
    statements = tuple(sqlglot.transpile(rendered, read="bigquery", write="duckdb"))
    if cached is not None:
        _write_quietly(cached, orjson.dumps(statements))
    return statements


def _sql_cache_file(name: str, dataset: str, cache: Path | None) -> Path | None:
    """`cache/<sha256>.json`; None without a cache folder or a known sqlglot version."""
    if cache is None:
        return None
    version = _sqlglot_version()
    if version is None:
        return None
    source = template_source(f"{name}.sql")
    key = hashlib.sha256(f"sqlglot {version}\n{dataset}\n{TABLES!r}\n{source}".encode()).hexdigest()
    return cache / f"{key}.json"


@lru_cache(maxsize=1)
def _sqlglot_version() -> str | None:
    """Once per process: reading a package's metadata costs about a millisecond, and a run transpiles 7 templates."""
    try:
        return importlib.metadata.version("sqlglot")
    except importlib.metadata.PackageNotFoundError:
        return None


def _read_cached(file: Path) -> tuple[str, ...] | None:
    """The statements a cache file holds; None when it is missing, unreadable or not a list of SQL strings."""
    if not file.is_file():  # a folder, or a pipe that would block the read
        return None
    try:
        statements = orjson.loads(file.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if (
        not isinstance(statements, list)
        or not statements
        or not all(isinstance(each, str) and each.strip() for each in statements)
    ):
        return None  # damaged: transpile again, and the rewrite repairs it
    return tuple(statements)


def _write_quietly(target: Path, data: bytes) -> None:
    """Best effort, atomic: a cache that cannot be written only costs the next run the transpile."""
    try:
        atomic_write(target, data)
    except OSError:
        pass


def duckdb_type(bigquery_type: str) -> str:
    from sqlglot import exp

    return exp.DataType.build(bigquery_type, dialect="bigquery").sql(dialect="duckdb")


# DuckDB's memory in each build worker by default (its buffer pool and the query's sort and hash tables; what does
# not fit spills to disk): small, because DuckDB keeps the warehouse's pages cached up to its limit in every worker
# (DuckDB's default, 80 % of the machine's, split between two workers took the 140x backfill from about 420 to
# 730 MB of memory). A share that runs out of it is read again in its worker with twice and four times as much,
# then built in the run's own process with DuckDB's default limit (`workers.WorkerPool`).
WORKER_MEMORY = 64 * 1024**2


class DuckDBEngine:
    """A DuckDB file whose schema `dataset` holds the contract's tables; `sql_cache`: the folder keeping its
    transpiled SQL for later runs (None: transpiled once per process)."""

    capabilities = CAPABILITIES

    def __init__(
        self,
        path: str | Path,
        dataset: str = DEFAULT_DATASET,
        *,
        create: bool = False,
        sql_cache: Path | None = None,
        worker_memory: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.dataset = check_identifier("dataset", dataset)
        self.sql_cache = sql_cache
        self.worker_memory = worker_memory or WORKER_MEMORY  # bytes of DuckDB memory in each build worker
        self.queries_run = 0
        if not str(path).strip():
            raise WarehouseOptionError("{warehouse} is empty: give a DuckDB file or bigquery://PROJECT")
        if (why := unusable_path(self.path)) is not None:
            raise WarehouseError(f"warehouse {self.path} cannot be opened: {why}")
        if not create and self.path.is_dir():
            raise WarehouseError(f"warehouse {self.path} is a folder, not a DuckDB file")
        if not create and not self.path.is_file():
            raise WarehouseError(
                f"warehouse {self.path} does not exist: run `picks-export demo` to build a demo warehouse there"
            )
        self._read_only = not create
        self._config: dict[str, str | bool | int | float | list[str]] = {}  # DuckDB's own defaults
        self._con: duckdb.DuckDBPyConnection | None = None
        self._connect()

    def _connect(self) -> duckdb.DuckDBPyConnection:
        try:
            self._con = duckdb.connect(str(self.path), read_only=self._read_only, config=self._config)
            for statement in transpile(
                "session", self.dataset, self.sql_cache
            ):  # a naive TIMESTAMP means UTC, as on BigQuery
                self._con.execute(statement)
        except duckdb.Error as error:
            raise WarehouseError(f"cannot open warehouse {self.path}: {error}") from None
        return self._con

    def release(self, config: dict[str, str | bool | int | float | list[str]] | None = None) -> None:
        """Close the connection until the next query opens it again: before the run forks its build workers,
        so that each opens the file afresh rather than inherit a database whose threads did not follow it.
        `config`: DuckDB settings of the next connection (a build worker's share of the cores and memory)."""
        self._config = dict(config or {})
        if self._con is not None:
            self._con.close()
            self._con = None

    def for_worker(self, scratch: str, factor: int = 1) -> None:
        """One DuckDB thread per worker (the workers share the cores) and a bounded memory (`worker_memory` times
        `factor`): what does not fit spills to `scratch`; a query that still runs out of it raises
        `EngineMemoryError`."""
        memory = self.worker_memory * factor
        self.release({"threads": 1, "memory_limit": f"{memory}B", "temp_directory": scratch})

    def query(self, name: str, params: dict[str, QueryValue]) -> Iterator[Row]:
        columns, rows = self.query_tuples(name, params)
        # a row is a dict only while it is being read
        return (dict(zip(columns, values, strict=False)) for values in rows)

    def query_tuples(self, name: str, params: dict[str, QueryValue]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        cursor = self._table_columns(params) if name == "columns" else self._execute(name, params)
        return [column[0] for column in cursor.description], self._stream(name, cursor)

    def query_batches(self, name: str, params: dict[str, QueryValue]) -> Iterator[pyarrow.RecordBatch]:
        return self._arrow(name, self._execute(name, params))

    def _execute(self, name: str, params: dict[str, QueryValue]) -> duckdb.DuckDBPyConnection:
        self.queries_run += 1
        return self._run(name, params)

    def _run(self, name: str, params: dict[str, QueryValue]) -> duckdb.DuckDBPyConnection:
        (statement,) = transpile(name, self.dataset, self.sql_cache)
        try:
            return (self._con or self._connect()).execute(statement, params)
        except duckdb.Error as error:
            raise self._error(name, error) from None

    def _table_columns(self, params: dict[str, QueryValue]) -> duckdb.DuckDBPyConnection:
        """The `columns` query's rows, one query: each contract table's columns read by name
        (duckdb/table_columns.sql) or, when a table or the dataset is missing, the catalog's listing (`columns`),
        for the check to name what is missing."""
        (statement,) = transpile("duckdb/table_columns", self.dataset, self.sql_cache)
        self.queries_run += 1
        try:
            return (self._con or self._connect()).execute(statement)
        except duckdb.CatalogException:
            return self._run("columns", params)
        except duckdb.Error as error:
            raise self._error("columns", error) from None

    def _arrow(self, name: str, cursor: duckdb.DuckDBPyConnection) -> Iterator[pyarrow.RecordBatch]:
        import pyarrow

        try:
            yield from cursor.to_arrow_reader(ARROW_BATCH)
        except (duckdb.Error, pyarrow.ArrowException) as error:
            raise self._error(name, error) from None

    def _stream(self, name: str, cursor: duckdb.DuckDBPyConnection) -> Iterator[tuple[Any, ...]]:
        # Batches keep memory flat on large ranges.
        try:
            while batch := cursor.fetchmany(FETCH_BATCH):
                yield from batch
        except duckdb.Error as error:
            raise self._error(name, error) from None

    def _error(self, name: str, error: Exception) -> WarehouseError:
        # Through an Arrow stream DuckDB's own error may arrive as Arrow's, its words kept.
        if isinstance(error, duckdb.OutOfMemoryException) or str(error).startswith("Out of Memory Error"):
            return EngineMemoryError(f"query {name} ran out of memory on warehouse {self.path}: {_first_line(error)}")
        where = (
            f"warehouse {self.path} (dataset {self.dataset})"
            if isinstance(error, duckdb.CatalogException)
            else f"warehouse {self.path}"
        )
        return WarehouseError(f"query {name} failed on {where}: {_first_line(error)}")

    def load(self, rows: Rows) -> None:
        con = self._con or self._connect()
        for statement in transpile("create_tables", self.dataset, self.sql_cache):
            con.execute(statement)
        with tempfile.TemporaryDirectory(prefix="picks-export-load-") as folder:
            for table, columns in TABLES.items():
                names = [column for column, _ in columns]
                path = os.path.join(folder, f"{table}.jsonl")
                with open(path, "wb") as out:
                    for row in rows.get(table, []):
                        out.write(orjson.dumps(dict(zip(names, row, strict=False))) + b"\n")
                # Bulk load through a typed JSON reader: row-by-row inserts take minutes for a season.
                relation = con.read_json(
                    path,
                    format="newline_delimited",
                    columns={column: duckdb_type(type_) for column, type_ in columns},
                )
                relation.insert_into(f"{self.dataset}.{table}")

    def mark_demo(self) -> None:
        """The marker table that tells a later `demo` it may replace this file."""
        (self._con or self._connect()).values([DEMO_MARKER]).create(f"{self.dataset}.{DEMO_MARKER}")

    def close(self) -> None:
        self.release()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def holds_only_a_demo(path: str | Path) -> bool:
    """Whether replacing the file at `path` can lose nothing but a previous demo: it is missing or empty, or a
    DuckDB file whose every table is a contract table or the marker, in schemas the demo marked."""
    target = Path(path)
    if not target.exists() and not target.is_symlink():
        return True
    if not target.is_file():
        return False
    if target.stat().st_size == 0:
        return True
    try:
        connection = duckdb.connect(str(target), read_only=True)
    except duckdb.Error:
        return False  # not a DuckDB file (or one this DuckDB cannot read): not ours to replace
    try:
        found = connection.execute(template_source("duckdb/catalog.sql")).fetchall()
    except duckdb.Error:
        return False
    finally:
        connection.close()
    marked = {schema for schema, table in found if table == DEMO_MARKER}
    return all(schema in marked and (table in TABLES or table == DEMO_MARKER) for schema, table in found)


def write_warehouse(
    path: str | Path, rows: Rows, dataset: str = DEFAULT_DATASET, *, sql_cache: Path | None = None
) -> Path:
    """Write `rows` as a new DuckDB warehouse at `path`, replacing any file there only once it is complete."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        engine = DuckDBEngine(temporary, dataset, create=True, sql_cache=sql_cache)
        try:
            engine.load(rows)
            engine.mark_demo()
        finally:
            engine.close()
        os.replace(temporary, target)
    except (OSError, duckdb.Error) as error:
        raise WarehouseError(f"cannot write warehouse {target}: {error}") from None
    finally:
        temporary.unlink(missing_ok=True)
        Path(f"{temporary}.wal").unlink(missing_ok=True)
    return target
