"""The production engine: the same BigQuery SQL templates, run as BigQuery jobs through `google-cloud-bigquery`.

The only module that imports Google's client. Every value goes in as a query parameter, every job carries the cost
cap and the labels, and results come back as the same plain Python types the DuckDB engine returns.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any

import google.auth.exceptions
import requests
from google.api_core import exceptions as api_exceptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY
from google.cloud.bigquery.table import RowIterator

from ..errors import OptionError, WarehouseError, literal
from ..tables import DEMO_MARKER, TABLES, Rows
from .bigquery_read import CONVERTERS, ResultReader, batch_tuples
from .bigquery_settings import CAPABILITIES, BigQuerySettings, format_bytes
from .engine import QueryValue, Row, WarehouseOptionError, render

if TYPE_CHECKING:
    import pyarrow

LABELS_APP = "picks-export"
# insert_rows_json keeps each request well below the API's 10 MB / 50,000-row limits.
INSERT_BATCH_ROWS = 500
# BigQuery's reason for a job refused by maximum_bytes_billed.
BYTES_BILLED_LIMIT = "bytesBilledLimitExceeded"
# The dated tables' partitioning column (every query of one filters on it) and the column they are clustered by.
PARTITION_COLUMN = "game_date"
CLUSTER_COLUMN = "system_id"

Parameter = bigquery.ScalarQueryParameter | bigquery.ArrayQueryParameter
# What a query can fail with once sent; anything else is a bug and keeps its traceback.
QUERY_FAILURES = (
    api_exceptions.GoogleAPICallError,
    api_exceptions.RetryError,
    concurrent.futures.TimeoutError,
    google.auth.exceptions.GoogleAuthError,
    requests.exceptions.RequestException,
)


@lru_cache(maxsize=64)
def sql(name: str, project: str, dataset: str) -> str:
    """Template `name` for one project and dataset, rendered once per process."""
    return render(name, project=project, dataset=dataset)


def scalar_type(value: object) -> str:
    """The BigQuery type of one parameter value (bool before int, datetime before date: they are subclasses)."""
    for python_type, bigquery_type in (
        (bool, "BOOL"),
        (int, "INT64"),
        (float, "FLOAT64"),
        (str, "STRING"),
        (dt.datetime, "TIMESTAMP"),
        (dt.date, "DATE"),
    ):
        if isinstance(value, python_type):
            return bigquery_type
    raise TypeError(f"no BigQuery parameter type for {value!r}: pass a bool, int, float, str, date or datetime")


def query_parameter(name: str, value: QueryValue | list[QueryValue] | tuple[QueryValue, ...]) -> Parameter:
    """A typed query parameter: a list or tuple becomes an ARRAY of its (single) element type."""
    if isinstance(value, (list, tuple)):
        types = {scalar_type(each) for each in value}
        if len(types) != 1:
            raise TypeError(f"parameter {name}: an array needs at least one element and a single element type")
        return bigquery.ArrayQueryParameter(name, types.pop(), list(value))
    return bigquery.ScalarQueryParameter(name, scalar_type(value), value)


def normalize(records: Iterable[dict[str, Any]], schema: Sequence[bigquery.SchemaField]) -> list[Row]:
    """Rows with the Python types the DuckDB engine returns: date, tz-aware UTC datetime, int, float, str, bool."""
    converters = {field.name: CONVERTERS[field.field_type] for field in schema if field.field_type in CONVERTERS}
    if not converters:
        return list(records)
    return [
        {key: value if value is None or key not in converters else converters[key](value) for key, value in row.items()}
        for row in records
    ]


def _batches(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _reason(error: api_exceptions.GoogleAPICallError) -> str:
    errors = error.errors or [{}]
    return str(errors[0].get("reason", "")) if isinstance(errors[0], dict) else ""


def _message(error: Exception) -> str:
    """BigQuery's own words, without the request line or a repeat of them."""
    details = getattr(error, "errors", None)
    if details and isinstance(details[0], dict) and details[0].get("message"):
        text = details[0]["message"]
    else:
        text = getattr(error, "message", None) or str(error) or type(error).__name__
    return str(text).strip().splitlines()[0]


def table_layout(reference: bigquery.TableReference, columns: Sequence[tuple[str, str]]) -> bigquery.Table:
    """A contract table as the demo creates it, and as production tables should be: a dated table partitioned by
    day of `game_date` (a query scans only the partitions of its range) and clustered by `system_id` where it has
    one (a model's rows sit together, so a query of some models reads fewer blocks)."""
    names = [column for column, _ in columns]
    table = bigquery.Table(reference, schema=[bigquery.SchemaField(column, type_) for column, type_ in columns])
    if PARTITION_COLUMN in names:
        table.time_partitioning = bigquery.TimePartitioning(
            type_=bigquery.TimePartitioningType.DAY, field=PARTITION_COLUMN
        )
        if CLUSTER_COLUMN in names:
            table.clustering_fields = [CLUSTER_COLUMN]
    return table


class BigQueryEngine:
    """The contract's tables in dataset `dataset` of BigQuery project `project` (both already checked)."""

    capabilities = CAPABILITIES

    def __init__(self, project: str, dataset: str, settings: BigQuerySettings) -> None:
        self.project = project
        self.dataset = dataset
        self.settings = settings
        self.queries_run = 0
        self.where = f"BigQuery project {project}" + (f" at {settings.endpoint}" if settings.endpoint else "")
        # Bounded: connection errors and 5xx are retried by the client, but never past the query's timeout.
        self._retry = DEFAULT_RETRY.with_timeout(settings.timeout)
        self._job_retry = DEFAULT_JOB_RETRY.with_timeout(settings.timeout)
        self._reader = ResultReader(project, settings)
        # Opened now: missing credentials end the run before any query.
        self._opened: bigquery.Client | None = self._open_client()

    @property
    def _client(self) -> bigquery.Client:
        """The REST client, opened again after `release` (in a build worker, after the fork)."""
        if self._opened is None:
            self._opened = self._open_client()
        return self._opened

    def _open_client(self) -> bigquery.Client:
        settings = self.settings
        try:
            if settings.endpoint:
                return bigquery.Client(
                    project=self.project,
                    location=settings.location,
                    credentials=AnonymousCredentials(),
                    client_options={"api_endpoint": settings.endpoint},
                )
            return bigquery.Client(project=self.project, location=settings.location)
        except google.auth.exceptions.DefaultCredentialsError:
            raise WarehouseError(
                "no Google credentials found for BigQuery: run `gcloud auth application-default login`, or set"
                " GOOGLE_APPLICATION_CREDENTIALS to a service account key file (Application Default Credentials)"
            ) from None

    @property
    def storage_reads(self) -> int:
        """Results read through the Storage Read API so far (the others came as REST pages)."""
        return self._reader.storage_reads

    def _job_config(self, params: dict[str, QueryValue], *, dry_run: bool = False) -> bigquery.QueryJobConfig:
        return bigquery.QueryJobConfig(
            query_parameters=[query_parameter(key, value) for key, value in params.items()],
            maximum_bytes_billed=self.settings.maximum_bytes_billed,
            labels={"app": LABELS_APP, "command": self.settings.command},
            use_legacy_sql=False,
            dry_run=dry_run,
            # A dry run answered from the cache would say 0 bytes; estimate what a cold run scans.
            use_query_cache=not dry_run,
        )

    def query(self, name: str, params: dict[str, QueryValue]) -> Iterator[Row]:
        """Small results (the plan's queries) as dicts, from the REST pages."""
        _, rows = self._result(name, params)
        return self._rows(name, rows)

    def query_tuples(self, name: str, params: dict[str, QueryValue]) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
        """A large result (the shown picks) as tuples, read as Arrow through the Storage Read API where it serves."""
        job, rows = self._result(name, params)
        columns = [field.name for field in rows.schema]
        return columns, self._tuples(name, rows, job.destination)

    def _result(self, name: str, params: dict[str, QueryValue]) -> tuple[bigquery.QueryJob, RowIterator]:
        statement = sql(name, self.project, self.dataset)
        config = self._job_config(params)
        self.queries_run += 1
        job: bigquery.QueryJob | None = None
        try:
            job = self._client.query(statement, job_config=config, retry=self._retry, job_retry=self._job_retry)
            rows = job.result(timeout=self.settings.timeout, retry=self._retry, job_retry=self._job_retry)
        except concurrent.futures.TimeoutError:
            self._cancel(job)
            raise WarehouseError(
                f"query {name} did not finish within {self.settings.timeout:g} s on {self.where}; it was cancelled"
            ) from None
        except QUERY_FAILURES as error:
            raise self._error(name, error) from None
        return job, rows

    def _rows(self, name: str, rows: RowIterator) -> Iterator[Row]:
        # Page by page as Arrow record batches over the REST API, so a large result never sits in memory whole.
        try:
            for batch in rows.to_arrow_iterable(bqstorage_client=None):
                yield from normalize(batch.to_pylist(), rows.schema)
        except QUERY_FAILURES as error:
            raise self._error(name, error) from None

    def query_batches(self, name: str, params: dict[str, QueryValue]) -> Iterator[pyarrow.RecordBatch]:
        """A large result as Arrow record batches, through the Storage Read API where it serves (Arrow's types as
        BigQuery gives them: a TIMESTAMP as a UTC timestamp, a NUMERIC as a decimal)."""
        job, rows = self._result(name, params)
        return self._batches(name, rows, job.destination)

    def _batches(
        self, name: str, rows: RowIterator, table: bigquery.TableReference | None
    ) -> Iterator[pyarrow.RecordBatch]:
        try:
            yield from self._reader.batches(rows, table)
        except QUERY_FAILURES as error:
            raise self._error(name, error) from None

    def _tuples(self, name: str, rows: RowIterator, table: bigquery.TableReference | None) -> Iterator[tuple[Any, ...]]:
        types = [field.field_type for field in rows.schema]
        for batch in self._batches(name, rows, table):
            yield from batch_tuples(batch, types)

    def _cancel(self, job: bigquery.QueryJob | None) -> None:
        """Best effort: a query given up on should not go on scanning (and billing)."""
        if job is not None:
            with contextlib.suppress(*QUERY_FAILURES):
                self._client.cancel_job(job.job_id, location=job.location, retry=DEFAULT_RETRY.with_timeout(10))

    def dry_run(self, name: str, params: dict[str, QueryValue]) -> int:
        """The bytes query `name` would scan, from a dry run: nothing runs and nothing is billed."""
        statement = sql(name, self.project, self.dataset)
        try:
            job = self._client.query(statement, job_config=self._job_config(params, dry_run=True), retry=self._retry)
        except QUERY_FAILURES as error:
            raise self._error(name, error) from None
        return int(job.total_bytes_processed or 0)

    def unpartitioned_tables(self) -> list[str]:
        """The dated tables of the dataset not partitioned by `game_date` (a missing one is the columns query's
        business): a query of any range scans them whole, so a daily's bytes grow with the history."""
        found = []
        for table_name, columns in TABLES.items():
            if PARTITION_COLUMN not in (column for column, _ in columns):
                continue
            reference = bigquery.DatasetReference(self.project, self.dataset).table(table_name)
            try:
                partitioning = self._client.get_table(reference, retry=self._retry).time_partitioning
            except api_exceptions.NotFound:
                continue
            except QUERY_FAILURES as error:
                raise WarehouseError(
                    f"cannot read the layout of table {table_name} on {self.where} (dataset {self.dataset}):"
                    f" {_message(error)}"
                ) from None
            if partitioning is None or partitioning.field != PARTITION_COLUMN:
                found.append(table_name)
        return found

    def _error(self, name: str, error: Exception) -> WarehouseError:
        cap = format_bytes(self.settings.maximum_bytes_billed)
        if isinstance(error, api_exceptions.GoogleAPICallError):
            message = _message(error)
            if _reason(error) == BYTES_BILLED_LIMIT or "limit for bytes billed" in message:
                return WarehouseOptionError(
                    f"query {name} was refused: it would bill more than the cap of {cap} per query"
                    f" ({literal(message)}). Check the cost with `picks-export estimate`, then raise the cap with"
                    " {maximum_bytes_billed} (env PICKS_EXPORT_MAXIMUM_BYTES_BILLED), for example"
                    " {maximum_bytes_billed} 4GiB"
                )
            hint = ""
            if isinstance(error, api_exceptions.Forbidden):
                hint = " (the account needs BigQuery Job User on the project and BigQuery Data Viewer on the dataset)"
            return WarehouseError(f"query {name} failed on {self.where} (dataset {self.dataset}): {message}{hint}")
        if isinstance(error, api_exceptions.RetryError):
            cause = _message(error.cause) if error.cause else _message(error)
            return WarehouseError(
                f"query {name}: {self.where} did not answer within {self.settings.timeout:g} s: {cause}"
            )
        if isinstance(error, google.auth.exceptions.GoogleAuthError):
            return WarehouseError(f"query {name}: cannot authenticate to {self.where}: {type(error).__name__}")
        return WarehouseError(f"query {name} failed on {self.where}: {type(error).__name__}: {_message(error)}")

    def load(self, rows: Rows, *, force: bool = False) -> None:
        """Create the dataset if needed and the six tables (replacing any) from tables.py, then stream the rows in.

        Streaming inserts, not load jobs: the emulator the tests use refuses small load jobs. On BigQuery, rows
        streamed into a table just re-created can take a minute or two to show up.
        """
        dataset = bigquery.DatasetReference(self.project, self.dataset)
        table_name = "(dataset)"
        try:
            # The dataset takes the client's location, if any (an explicit null is refused by the emulator).
            self._client.create_dataset(bigquery.Dataset(dataset), exists_ok=True, retry=self._retry)
            if not force:
                self._refuse_replacing_data(dataset)
            # Marked before any table is replaced: an interrupted demo can be run again without --force.
            marker = bigquery.Table(dataset.table(DEMO_MARKER), schema=[bigquery.SchemaField("note", "STRING")])
            self._client.create_table(marker, exists_ok=True, retry=self._retry)
            for table_name, columns in TABLES.items():
                reference = dataset.table(table_name)
                self._client.delete_table(reference, not_found_ok=True, retry=self._retry)
                self._client.create_table(table_layout(reference, columns), retry=self._retry)
                names = [column for column, _ in columns]
                records = [dict(zip(names, map(_json_value, row), strict=False)) for row in rows.get(table_name, [])]
                for batch in _batches(records, INSERT_BATCH_ROWS):
                    problems = self._client.insert_rows_json(reference, batch, retry=self._retry)
                    if problems:
                        raise WarehouseError(
                            f"cannot load table {table_name} into {self.where} (dataset {self.dataset}):"
                            f" {len(problems)} rows refused, the first: {problems[0]}"
                        )
        except QUERY_FAILURES as error:
            raise WarehouseError(
                f"cannot load table {table_name} into {self.where} (dataset {self.dataset}): {_message(error)}"
            ) from None

    def _refuse_replacing_data(self, dataset: bigquery.DatasetReference) -> None:
        """Refuse to replace a contract table that holds rows, unless the dataset carries the demo's marker."""
        try:
            self._client.get_table(dataset.table(DEMO_MARKER), retry=self._retry)
            return  # a previous demo's dataset
        except api_exceptions.NotFound:
            pass
        for table_name in TABLES:
            try:
                table = self._client.get_table(dataset.table(table_name), retry=self._retry)
            except api_exceptions.NotFound:
                continue
            buffered = table.streaming_buffer.estimated_rows if table.streaming_buffer else 0
            if (table.num_rows or 0) + (buffered or 0) > 0:
                raise OptionError(
                    f"table {table_name} of dataset {self.dataset} in {literal(self.where)} holds rows and the"
                    " dataset is not a previous demo: pass {force} to replace its tables"
                )

    def release(self) -> None:
        """Close the clients before build workers are forked (neither survives a fork); reopened when next used."""
        self._reader.close()
        if self._opened is not None:
            self._opened.close()
            self._opened = None

    def for_worker(self, scratch: str, factor: int = 1) -> None:
        """In a forked build worker: clients of its own, opened on its first query (no scratch space or memory
        limit: BigQuery runs the query)."""
        # The parent closed its own before the fork (`release`); whatever is inherited is left alone, never used.
        self._reader = ResultReader(self.project, self.settings)
        self._opened = None

    def close(self) -> None:
        self.release()
