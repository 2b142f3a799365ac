"""A large query result read as Arrow: through the BigQuery Storage Read API where it serves, else the REST pages.

The Storage Read API streams the query's result table as Arrow record batches over gRPC (no JSON to decode). It
needs the `google-cloud-bigquery-storage` package and the `bigquery.readsessions.*` permissions (BigQuery Read
Session User); without the package, after a refusal of those permissions, or for an empty result, the same batches
come from the REST API's pages. One stream per result: the rows keep the query's order.
"""

from __future__ import annotations

import datetime as dt
import decimal
import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import google.auth.exceptions
from google.api_core import exceptions as api_exceptions
from google.api_core import retry as api_retry
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from .bigquery_settings import BigQuerySettings

if TYPE_CHECKING:
    import pyarrow
    from google.cloud.bigquery.table import RowIterator
    from google.cloud.bigquery_storage_v1 import BigQueryReadClient

# A refusal of the Storage Read API that holds for the rest of the run: the account lacks its permissions, or the
# API is not enabled in the project (both PermissionDenied), or the endpoint does not serve it.
_REFUSALS = (api_exceptions.PermissionDenied, api_exceptions.Unauthenticated, api_exceptions.MethodNotImplemented)
# What makes one result be read from the REST pages instead (the Storage Read API cannot read every result table).
_FALLBACKS = (api_exceptions.GoogleAPICallError, api_exceptions.RetryError, google.auth.exceptions.GoogleAuthError)
_TRANSIENT = api_retry.if_exception_type(
    api_exceptions.ServiceUnavailable, api_exceptions.DeadlineExceeded, api_exceptions.InternalServerError
)


def _as_date(value: dt.datetime) -> dt.date | dt.datetime:
    # The contract has no DATETIME column: the emulator types DATE_TRUNC of a DATE as DATETIME at midnight.
    return value.date() if value.time() == dt.time(0) else value


def _as_utc(value: dt.datetime) -> dt.datetime:
    # A BigQuery TIMESTAMP is UTC; a reader that hands it over without a zone means UTC too.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _as_float(value: decimal.Decimal) -> float:
    # No Decimal reaches the documents: the JSON writer and the rules take floats.
    return float(value)


# By BigQuery type: what turns a value into the type the DuckDB engine returns.
CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "DATETIME": _as_date,
    "TIMESTAMP": _as_utc,
    "NUMERIC": _as_float,
    "BIGNUMERIC": _as_float,
}


def batch_tuples(batch: pyarrow.RecordBatch, types: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows of one record batch as tuples, column by column (no dict per row), converted by their BigQuery
    types (`types`, in the batch's column order)."""
    columns: list[Any] = []
    for column, type_ in zip(batch.columns, types, strict=True):
        values = column.to_pylist()
        convert = CONVERTERS.get(type_)
        columns.append(values if convert is None else [None if each is None else convert(each) for each in values])
    return zip(*columns, strict=True)


class ResultReader:
    """Reads query results as Arrow record batches, choosing the Storage Read API or the REST pages."""

    def __init__(self, project: str, settings: BigQuerySettings) -> None:
        self.project = project
        self.settings = settings
        self._client: BigQueryReadClient | None = None
        # Why results come from the REST pages for the rest of the run, if they do (None: the Storage Read API).
        self.refused: str | None = self._unavailable()
        self.storage_reads = 0  # results read through the Storage Read API
        self._retry = api_retry.Retry(predicate=_TRANSIENT, timeout=settings.timeout)

    def _unavailable(self) -> str | None:
        if self.settings.endpoint and not self.settings.storage_endpoint:
            return "another BigQuery API endpoint without a Storage Read API endpoint"
        # Looked up, not imported: gRPC loads only when a result is read through it.
        if importlib.util.find_spec("google.cloud.bigquery_storage_v1") is None:
            return "google-cloud-bigquery-storage is not installed"
        return None

    def batches(self, rows: RowIterator, table: bigquery.TableReference | None) -> Iterator[pyarrow.RecordBatch]:
        """The result's record batches in its order: from the Storage Read API when it reads `table` (the query's
        result table), else from the REST pages."""
        if self.refused is None and table is not None and rows.total_rows:
            try:
                streams = self._open(table)
            except _FALLBACKS as error:
                if isinstance(error, _REFUSALS):
                    self.refused = f"{type(error).__name__}: {error}"
                streams = None
            if streams is not None:
                self.storage_reads += 1
                yield from streams
                return
        yield from rows.to_arrow_iterable(bqstorage_client=None)

    def _open(self, table: bigquery.TableReference) -> Iterator[pyarrow.RecordBatch]:
        """A read session of one stream over `table` (the order of the rows kept), and its batches to come."""
        from google.cloud.bigquery_storage_v1 import types

        client = self._read_client()
        session = client.create_read_session(
            parent=f"projects/{self.project}",
            read_session=types.ReadSession(
                table=f"projects/{table.project}/datasets/{table.dataset_id}/tables/{table.table_id}",
                data_format=types.DataFormat.ARROW,
            ),
            max_stream_count=1,
            retry=self._retry,
            timeout=self.settings.timeout,
        )
        return self._read(client, session)

    def _read(self, client: BigQueryReadClient, session: Any) -> Iterator[pyarrow.RecordBatch]:
        """The session's streams' record batches, decoded from their Arrow IPC messages against its schema."""
        import pyarrow

        schema = pyarrow.ipc.read_schema(pyarrow.py_buffer(session.arrow_schema.serialized_schema))
        for stream in session.streams:
            for response in client.read_rows(stream.name, retry=self._retry, timeout=self.settings.timeout):
                message = response.arrow_record_batch.serialized_record_batch
                yield pyarrow.ipc.read_record_batch(pyarrow.py_buffer(message), schema)

    def _read_client(self) -> BigQueryReadClient:
        if self._client is None:
            from google.cloud.bigquery_storage_v1 import BigQueryReadClient

            if self.settings.storage_endpoint:  # an emulator: plaintext gRPC, anonymous credentials
                import grpc
                from google.cloud.bigquery_storage_v1.services.big_query_read.transports import (
                    BigQueryReadGrpcTransport,
                )

                channel = grpc.insecure_channel(self.settings.storage_endpoint)
                transport = BigQueryReadGrpcTransport(channel=channel, credentials=AnonymousCredentials())
                self._client = BigQueryReadClient(transport=transport)
            else:
                self._client = BigQueryReadClient()
        return self._client

    def close(self) -> None:
        """Close the gRPC channel (before a fork, and at the end); the next read opens another."""
        if self._client is not None:
            self._client.transport.close()
            self._client = None
