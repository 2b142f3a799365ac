"""A Google Cloud Storage bucket that the website's frontend reads directly: `--dest gs://BUCKET[/PREFIX]`.

The only module of the stores (with `gcs_bucket`, the bucket commands) that imports a Google client library.
Credentials are Application Default Credentials; `STORAGE_EMULATOR_HOST` points the client at an emulator with
anonymous credentials. Preconditions are the object's generation (0: must not exist) and, for a headers-only
change, its metageneration; a bucket with object versioning keeps replaced generations itself.
"""

from __future__ import annotations

import builtins
import gzip
import re
import threading
import zlib
from collections.abc import Sequence
from typing import Any

import google.auth.exceptions
import google.cloud.storage as storage
import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud.storage.retry import DEFAULT_RETRY
from google.resumable_media import DataCorruption

from ..errors import ExportError, OutputError
from ..layout import normalize_prefix
from .base import Delete, ObjectInfo, Outcome, StoreSettings, Write, download_whole, in_range

# (connect, read) seconds for one HTTP request; the retry deadline bounds the whole of its attempts.
REQUEST_TIMEOUT = (10.0, 60.0)
TRANSPORT_ERRORS = (
    api_exceptions.GoogleAPIError,
    google.auth.exceptions.GoogleAuthError,
    requests.RequestException,
    OSError,
)
# A download that arrived damaged: cut short or failing its checksum (DataCorruption), or not the gzip it says.
DAMAGED = (
    DataCorruption,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    gzip.BadGzipFile,
    zlib.error,
    EOFError,
)
# Bucket names (GCS naming rules): 3-63 characters of lowercase letters, digits, '-', '_' and '.', starting and
# ending with a letter or digit; dotted names may have up to 222 characters.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")


def parse_gcs_url(dest: str) -> tuple[str, str]:
    """`gs://BUCKET[/PREFIX]` -> (bucket, prefix ending in `/` or empty), refusing names GCS would refuse."""
    bucket, _, prefix = dest.removeprefix("gs://").partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket or ("." not in bucket and len(bucket) > 63):
        raise ExportError(f"{dest!r} does not name a bucket: use gs://BUCKET or gs://BUCKET/PREFIX")
    return bucket, normalize_prefix(prefix)


def open_store(dest: str, settings: StoreSettings) -> GCSStore:
    bucket, prefix = parse_gcs_url(dest)
    return GCSStore(bucket, prefix, project=settings.project)


def make_client(project: str | None = None, client_options: dict[str, Any] | None = None) -> storage.Client:
    try:
        return storage.Client(project=project, client_options=client_options)
    except google.auth.exceptions.DefaultCredentialsError:
        raise ExportError(
            "no Google credentials found: run `gcloud auth application-default login`, or set"
            " GOOGLE_APPLICATION_CREDENTIALS to a service account key file"
        ) from None


def short_error(error: BaseException) -> str:
    """One line about a failed request: the status and the server's message, never a header or a token."""
    if isinstance(error, api_exceptions.RetryError) and error.cause is not None:
        return f"gave up retrying: {short_error(error.cause)}"
    if isinstance(error, api_exceptions.GoogleAPICallError):
        return f"HTTP {error.code}: {error.message}".strip()
    if isinstance(error, requests.ConnectionError):
        return "cannot connect to the storage server"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


class GCSStore:
    """A bucket, optionally under a prefix: `v1/picks/...` lands at `gs://BUCKET/PREFIX/v1/picks/...`."""

    has_headers = True
    concurrent = True

    def __init__(
        self, bucket: str, prefix: str = "", *, project: str | None = None, client: storage.Client | None = None
    ) -> None:
        self.client = client or make_client(project)
        self.bucket_name = bucket
        self.prefix = prefix
        self.bucket = self.client.bucket(bucket)
        self.retry: Retry = DEFAULT_RETRY
        self._versioned: bool | None = None  # read from the bucket before the first replacement
        self._versioned_lock = threading.Lock()  # read once, whichever upload thread comes first

    def describe(self, path: str) -> str:
        return f"gs://{self.bucket_name}/{self.prefix}{path}"

    def configure(self, retry_deadline: float) -> None:
        # Backoff starts short: a brief 503 should cost a fraction of a second, not the library's default 1 s.
        self.retry = DEFAULT_RETRY.with_timeout(retry_deadline).with_delay(initial=0.2, maximum=10.0, multiplier=2.0)

    @property
    def versioned(self) -> bool:
        """Whether the bucket keeps replaced generations (object versioning). Unknown (no permission to read the
        bucket's settings) counts as not: the replaced bytes are then copied under _runs/{run}/."""
        with self._versioned_lock:
            if self._versioned is None:
                try:
                    bucket = self.client.get_bucket(self.bucket_name, retry=self.retry, timeout=REQUEST_TIMEOUT)
                    self._versioned = bool(bucket.versioning_enabled)
                except TRANSPORT_ERRORS:
                    self._versioned = False
            return self._versioned

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        try:
            blobs = self.client.list_blobs(
                self.bucket_name,
                prefix=self.prefix + folder,
                start_offset=None if start is None else self.prefix + start,
                end_offset=None if end is None else self.prefix + end,
                retry=self.retry,
                timeout=REQUEST_TIMEOUT,
            )
            found = {info.path: info for info in map(self._info, blobs)}
            # the range again: a server that ignores the offsets lists more, never less
            return (
                found if start is None and end is None else {p: i for p, i in found.items() if in_range(p, start, end)}
            )
        except api_exceptions.NotFound:
            raise OutputError(f"bucket gs://{self.bucket_name} does not exist (nothing published)") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(
                f"cannot list {self.describe(folder)} (nothing published): {short_error(error)}"
            ) from None

    def read(self, path: str) -> bytes | None:
        # One request, the download itself (no metadata request first): a 404 says the object is missing.
        try:
            return self._download(self.bucket.blob(self.prefix + path), path)
        except api_exceptions.NotFound:
            return None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot read {self.describe(path)} (nothing published): {short_error(error)}") from None

    def write(self, writes: Sequence[Write]) -> builtins.list[Outcome]:
        return [self._write_one(write) for write in writes]

    def _write_one(self, write: Write) -> Outcome:
        """One upload (or headers patch) under the listed generation; a conflict on HTTP 412, or on HTTP 404 of
        the generation to keep (another run replaced it)."""
        saved = None
        try:
            if write.body is None:
                return self._patch(write)
            if write.keep_as is not None and write.expected is not None:
                saved = self._keep(write.keep_as, write.expected)
            return self._upload(write, saved)
        except (api_exceptions.PreconditionFailed, api_exceptions.NotFound):
            return Outcome("conflict", saved=saved)
        except TRANSPORT_ERRORS as error:
            return Outcome("failed", detail=short_error(error))

    def _keep(self, copy: str, existing: ObjectInfo) -> str | None:
        """Keep the generation about to be replaced: the bucket keeps it when versioned (None), else a server-side
        copy of that very generation to `copy`."""
        if self.versioned or existing.generation is None:
            return None
        source = self.bucket.blob(self.prefix + existing.path)
        self.bucket.copy_blob(source, self.bucket, self.prefix + copy, source_generation=existing.generation,
                              retry=self.retry, timeout=REQUEST_TIMEOUT)  # fmt: skip
        return copy

    def _upload(self, write: Write, saved: str | None) -> Outcome:
        assert write.body is not None
        blob = self.bucket.blob(self.prefix + write.path)
        blob.cache_control = write.headers.cache_control
        blob.content_encoding = write.headers.content_encoding
        blob.metadata = dict(write.metadata)
        data = write.body()
        expected = write.expected.generation if write.expected and write.expected.generation else 0
        # upload_from_string's own content type wins over blob.content_type (default text/plain): pass it.
        blob.upload_from_string(data, content_type=write.headers.content_type, if_generation_match=expected,
                                retry=self.retry, timeout=REQUEST_TIMEOUT)  # fmt: skip
        return Outcome("done", ObjectInfo(write.path, size=len(data), generation=blob.generation), saved)

    def _patch(self, write: Write) -> Outcome:
        """Only the headers changed (a new cache policy): patch them, keep the bytes and the generation."""
        assert write.expected is not None
        blob = self.bucket.blob(self.prefix + write.path)
        blob.cache_control = write.headers.cache_control
        blob.content_type = write.headers.content_type
        blob.patch(
            if_generation_match=write.expected.generation,
            if_metageneration_match=write.expected.metageneration,
            retry=self.retry,
            timeout=REQUEST_TIMEOUT,
        )
        return Outcome("done", write.expected)

    def delete(self, deletes: Sequence[Delete]) -> builtins.list[Outcome]:
        return [self._delete_one(delete) for delete in deletes]

    def _delete_one(self, delete: Delete) -> Outcome:
        if delete.expected is None or delete.expected.generation is None:
            return Outcome("gone")
        try:
            saved = self._keep(delete.keep_as, delete.expected) if delete.keep_as is not None else None
            self.bucket.blob(self.prefix + delete.path).delete(
                if_generation_match=delete.expected.generation, retry=self.retry, timeout=REQUEST_TIMEOUT
            )
        except (api_exceptions.PreconditionFailed, api_exceptions.NotFound):
            return Outcome("conflict")
        except TRANSPORT_ERRORS as error:
            return Outcome("failed", detail=short_error(error))
        return Outcome("done", saved=saved)

    def _download(self, blob: storage.Blob, path: str) -> bytes:
        download = lambda: blob.download_as_bytes(retry=self.retry, timeout=REQUEST_TIMEOUT)  # noqa: E731
        return download_whole(download, DAMAGED, self.describe(path), short_error)

    def read_version(self, path: str, generation: int | str) -> bytes | None:
        try:
            blob = self.bucket.blob(self.prefix + path, generation=int(generation))
            return self._download(blob, path)
        except api_exceptions.NotFound:
            return None
        except TRANSPORT_ERRORS as error:
            raise OutputError(
                f"cannot read {self.describe(path)} (generation {generation}): {short_error(error)}"
            ) from None

    def write_private(self, path: str, data: bytes) -> None:
        try:
            blob = self.bucket.blob(self.prefix + path)
            blob.cache_control = "no-store"
            blob.upload_from_string(data, content_type="application/json", retry=self.retry, timeout=REQUEST_TIMEOUT)
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot write {self.describe(path)}: {short_error(error)}") from None

    def names(self, folder: str) -> builtins.list[str]:
        try:
            blobs = self.client.list_blobs(self.bucket_name, prefix=self.prefix + folder, delimiter="/",
                                           retry=self.retry, timeout=REQUEST_TIMEOUT)  # fmt: skip
            return sorted(blob.name.removeprefix(self.prefix + folder) for blob in blobs)
        except api_exceptions.NotFound:
            raise OutputError(f"bucket gs://{self.bucket_name} does not exist") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot list {self.describe(folder)}: {short_error(error)}") from None

    def _info(self, blob: storage.Blob) -> ObjectInfo:
        return ObjectInfo(
            path=blob.name.removeprefix(self.prefix),
            size=blob.size or 0,
            generation=blob.generation,
            metageneration=blob.metageneration,
            cache_control=blob.cache_control,
            content_type=blob.content_type,
            content_encoding=blob.content_encoding,
            metadata=blob.metadata or {},
        )
