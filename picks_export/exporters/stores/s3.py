"""An S3-compatible bucket: `--dest s3://BUCKET[/PREFIX]` on AWS S3, or on Cloudflare R2, MinIO and the like
through an endpoint URL.

The only module that imports boto3. Credentials and region come from boto3's usual chain (environment,
`~/.aws`, instance roles). Preconditions are conditional requests on the object's ETag: `If-None-Match: *` for
"must not exist", `If-Match: ETAG` for "must still be the version listed" (writes, deletions, and the
headers-only change, which S3 can make only by copying the object onto itself). A bucket with versioning keeps
the replaced versions itself; otherwise they are copied under `_runs/{run}/` first. An S3 listing carries no
metadata or headers, so each listed object is read with a HEAD request.
"""

from __future__ import annotations

import builtins
import gzip
import re
import threading
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import takewhile
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    FlexibleChecksumError,
    IncompleteReadError,
    NoCredentialsError,
    ResponseStreamingError,
)

from ..errors import ExportError, OutputError
from ..layout import normalize_prefix
from .base import Delete, ObjectInfo, Outcome, StoreSettings, Write, download_whole, in_range

# Bucket names (S3 naming rules): 3-63 characters of lowercase letters, digits, '-' and '.', starting and ending
# with a letter or digit.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# HEAD requests in flight while listing (a listing says nothing of an object's metadata).
LIST_THREADS = 8
TRANSPORT_ERRORS = (BotoCoreError, ClientError, OSError)
# A download that arrived damaged: cut short, failing its checksum, or not the gzip it says it is.
DAMAGED = (ResponseStreamingError, IncompleteReadError, FlexibleChecksumError, gzip.BadGzipFile, zlib.error, EOFError)
# What a server answers to a request whose precondition failed, or that raced another conditional request; a
# missing object (404) when the one listed is gone.
_CONFLICTS = {"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "409", "404"}


def parse_s3_url(dest: str) -> tuple[str, str]:
    """`s3://BUCKET[/PREFIX]` -> (bucket, prefix ending in `/` or empty), refusing names S3 would refuse."""
    bucket, _, prefix = dest.removeprefix("s3://").partition("/")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ExportError(f"{dest!r} does not name a bucket: use s3://BUCKET or s3://BUCKET/PREFIX")
    return bucket, normalize_prefix(prefix)


def open_store(dest: str, settings: StoreSettings) -> S3Store:
    bucket, prefix = parse_s3_url(dest)
    return S3Store(bucket, prefix, endpoint_url=settings.endpoint_url)


def short_error(error: BaseException) -> str:
    """One line about a failed request: the status, the server's code and message, never a header or a key."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        return f"HTTP {status}: {details.get('Code', '')}: {details.get('Message', '')}".strip(": ")
    if isinstance(error, EndpointConnectionError):
        return "cannot connect to the storage server"
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".strip()


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _conflict(error: BaseException) -> bool:
    return isinstance(error, ClientError) and _code(error) in _CONFLICTS


class S3Store:
    """A bucket, optionally under a prefix: `v1/picks/...` lands at `s3://BUCKET/PREFIX/v1/picks/...`."""

    has_headers = True
    concurrent = True

    def __init__(self, bucket: str, prefix: str = "", *, endpoint_url: str | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        self._attempts = 5
        self._client: Any = None
        self._versioned: bool | None = None
        self._lock = threading.Lock()  # the client and the versioning are set up once, whichever thread asks

    def describe(self, path: str) -> str:
        return f"s3://{self.bucket}/{self.prefix}{path}"

    def configure(self, retry_deadline: float) -> None:
        # botocore retries by attempts, not by a deadline: about one attempt per two seconds of it, 2 to 10.
        self._attempts = max(2, min(10, 1 + int(retry_deadline // 2)))
        self._client = None

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                config = Config(
                    retries={"mode": "standard", "total_max_attempts": self._attempts},
                    connect_timeout=10,
                    read_timeout=60,
                    max_pool_connections=32,
                    s3={"addressing_style": "path"} if self.endpoint_url else None,
                )
                self._client = boto3.session.Session().client("s3", endpoint_url=self.endpoint_url, config=config)
            return self._client

    @property
    def versioned(self) -> bool:
        """Whether the bucket keeps replaced versions. Unknown (no permission to read it) counts as not: the
        replaced bytes are then copied under _runs/{run}/."""
        client = self.client
        with self._lock:
            if self._versioned is None:
                try:
                    status = client.get_bucket_versioning(Bucket=self.bucket).get("Status")
                    self._versioned = status == "Enabled"
                except TRANSPORT_ERRORS:
                    self._versioned = False
            return self._versioned

    def list(self, folder: str, start: str | None = None, end: str | None = None) -> dict[str, ObjectInfo]:
        try:
            first, stop = (None if bound is None else self.prefix + bound for bound in (start, end))
            # the listing is in key order: it stops at the range's end rather than page through the rest
            after = first[:-1] if first else None  # S3 lists the keys after this one: `first` itself is one of them
            listed = takewhile(lambda key: stop is None or key < stop, self._keys(self.prefix + folder, "", after))
            keys = [key for key in listed if in_range(key, first, stop)]
            with ThreadPoolExecutor(LIST_THREADS, thread_name_prefix="picks-export-head") as pool:
                found = [info for info in pool.map(self._head, keys) if info is not None]
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                raise OutputError(f"bucket s3://{self.bucket} does not exist (nothing published)") from None
            raise OutputError(
                f"cannot list {self.describe(folder)} (nothing published): {short_error(error)}"
            ) from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(
                f"cannot list {self.describe(folder)} (nothing published): {short_error(error)}"
            ) from None
        return {info.path: info for info in found}

    def _keys(self, prefix: str, delimiter: str = "", start_after: str | None = None) -> Iterator[str]:
        """The keys under `prefix`; with `start_after`, those after it only."""
        after = {"StartAfter": start_after} if start_after is not None else {}
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix, Delimiter=delimiter, **after
        )
        for page in pages:
            yield from (each["Key"] for each in page.get("Contents", []))

    def _head(self, key: str) -> ObjectInfo | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in ("404", "NoSuchKey"):
                return None  # gone since it was listed
            raise
        version = head.get("VersionId")
        return ObjectInfo(
            path=key.removeprefix(self.prefix),
            size=head.get("ContentLength", 0),
            generation=version if version not in (None, "null") else None,
            cache_control=head.get("CacheControl"),
            content_type=head.get("ContentType"),
            content_encoding=head.get("ContentEncoding"),
            etag=head.get("ETag"),
            metadata=head.get("Metadata") or {},
        )

    def read(self, path: str) -> bytes | None:
        return self._get(path, {})

    def read_version(self, path: str, generation: int | str) -> bytes | None:
        return self._get(path, {"VersionId": str(generation)})

    def _get(self, path: str, version: dict[str, str]) -> bytes | None:
        where = self.describe(path)
        try:
            return download_whole(lambda: self._download(path, version), DAMAGED, where, short_error)
        except ClientError as error:
            if _code(error) in ("NoSuchKey", "NoSuchVersion", "404"):
                return None
            raise OutputError(f"cannot read {where} (nothing published): {short_error(error)}") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot read {where} (nothing published): {short_error(error)}") from None

    def _download(self, path: str, version: dict[str, str]) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + path, **version)
        data: bytes = response["Body"].read()
        # S3 serves the bytes as stored: a gzip-encoded object is decompressed here, as GCS's client does.
        return gzip.decompress(data) if response.get("ContentEncoding") == "gzip" else data

    def write(self, writes: Sequence[Write]) -> builtins.list[Outcome]:
        return [self._write_one(write) for write in writes]

    def _write_one(self, write: Write) -> Outcome:
        saved = None
        try:
            if write.body is None:
                return self._restyle(write)
            if write.keep_as is not None and write.expected is not None:
                saved = self._keep(write.keep_as, write.expected)
            return self._upload(write, saved)
        except TRANSPORT_ERRORS as error:
            if _conflict(error):
                return Outcome("conflict", saved=saved)
            return Outcome("failed", detail=short_error(error))

    def _keep(self, copy: str, existing: ObjectInfo) -> str | None:
        """Keep the version about to be replaced: the bucket keeps it when versioned (None), else a server-side
        copy to `copy`, only of the version listed (`x-amz-copy-source-if-match`)."""
        if self.versioned:
            return None
        source = {"Bucket": self.bucket, "Key": self.prefix + existing.path}
        self.client.copy_object(Bucket=self.bucket, Key=self.prefix + copy, CopySource=source,
                                **_if_match("CopySourceIfMatch", existing))  # fmt: skip
        return copy

    def _upload(self, write: Write, saved: str | None) -> Outcome:
        assert write.body is not None
        data = write.body()
        condition = _if_match("IfMatch", write.expected) if write.expected is not None else {"IfNoneMatch": "*"}
        response = self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + write.path, Body=data, Metadata=dict(write.metadata),
            **_headers(write.headers.cache_control, write.headers.content_type, write.headers.content_encoding),
            **condition,
        )  # fmt: skip
        version = response.get("VersionId")
        info = ObjectInfo(write.path, size=len(data), generation=version if version not in (None, "null") else None,
                          etag=response.get("ETag"))  # fmt: skip
        return Outcome("done", info, saved)

    def _restyle(self, write: Write) -> Outcome:
        """Only the headers changed: S3 changes an object's headers only by copying it onto itself, with its
        metadata as it is, under the listed ETag (of the source, and of the destination where the server checks
        it); on a versioned bucket this makes a new version."""
        expected = write.expected
        assert expected is not None
        key = self.prefix + write.path
        self.client.copy_object(
            Bucket=self.bucket, Key=key, CopySource={"Bucket": self.bucket, "Key": key}, MetadataDirective="REPLACE",
            Metadata=dict(expected.metadata),
            **_headers(write.headers.cache_control, write.headers.content_type, expected.content_encoding),
            **_if_match("CopySourceIfMatch", expected), **_if_match("IfMatch", expected),
        )  # fmt: skip
        return Outcome("done", expected)

    def delete(self, deletes: Sequence[Delete]) -> builtins.list[Outcome]:
        return [self._delete_one(delete) for delete in deletes]

    def _delete_one(self, delete: Delete) -> Outcome:
        if delete.expected is None:
            return Outcome("gone")
        saved = None
        try:
            saved = self._keep(delete.keep_as, delete.expected) if delete.keep_as is not None else None
            self.client.delete_object(
                Bucket=self.bucket, Key=self.prefix + delete.path, **_if_match("IfMatch", delete.expected)
            )
        except TRANSPORT_ERRORS as error:
            return Outcome("conflict") if _conflict(error) else Outcome("failed", detail=short_error(error))
        return Outcome("done", saved=saved)

    def write_private(self, path: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + path, Body=data,
                                   **_headers("no-store", "application/json", None))  # fmt: skip
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot write {self.describe(path)}: {short_error(error)}") from None

    def names(self, folder: str) -> builtins.list[str]:
        try:
            return sorted(key.removeprefix(self.prefix + folder) for key in self._keys(self.prefix + folder, "/"))
        except ClientError as error:
            if _code(error) == "NoSuchBucket":
                raise OutputError(f"bucket s3://{self.bucket} does not exist") from None
            raise OutputError(f"cannot list {self.describe(folder)}: {short_error(error)}") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot list {self.describe(folder)}: {short_error(error)}") from None


def _headers(cache_control: str | None, content_type: str | None, content_encoding: str | None) -> dict[str, str]:
    named = {"CacheControl": cache_control, "ContentType": content_type, "ContentEncoding": content_encoding}
    return {name: value for name, value in named.items() if value is not None}


def _if_match(parameter: str, expected: ObjectInfo) -> dict[str, str]:
    """A precondition on the listed ETag. A server that listed the object without one leaves nothing to check
    against: refused rather than written unguarded."""
    if not expected.etag:
        raise OutputError(f"{expected.path} was listed without an ETag: refusing to replace it unguarded")
    return {parameter: expected.etag}
