"""Publishing to a Google Cloud Storage bucket that the website's frontend reads directly.

The only module (with the BigQuery engine) that imports a Google client library. Credentials are Application
Default Credentials; `STORAGE_EMULATOR_HOST` points the client at an emulator with anonymous credentials.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import google.auth.exceptions
import orjson
import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from ..cors import cors_policy
from ..errors import ExportError, OutputError
from ..publish import (
    META_GRADED,
    META_HASH,
    META_PICKS,
    META_RUN,
    Change,
    META_SEASON,
    FileResult,
    ObjectInfo,
    Payload,
    PublishPolicy,
    SeasonSummary,
    Step,
    content_type,
    decide,
    saved_path,
    UNRECORDED_KINDS,
    recorded_season_summary,
)

# (connect, read) seconds for one HTTP request; the retry deadline bounds the whole of its attempts.
REQUEST_TIMEOUT = (10.0, 60.0)
# How often one file is decided again after another run changed it in between (HTTP 412).
MAX_CONFLICTS = 5
TRANSPORT_ERRORS = (
    api_exceptions.GoogleAPIError,
    google.auth.exceptions.GoogleAuthError,
    requests.RequestException,
    OSError,
)


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


class GCSSink:
    """A bucket, optionally under a prefix: `v1/picks/...` lands at `gs://BUCKET/PREFIX/v1/picks/...`."""

    has_headers = True

    def __init__(self, bucket: str, prefix: str = "", *, project: str | None = None, client: storage.Client | None = None):
        self.client = client or make_client(project)
        self.bucket_name = bucket
        self.prefix = prefix
        self.bucket = self.client.bucket(bucket)
        self.retry: Retry = DEFAULT_RETRY
        self._run = ""
        self._versioned: bool | None = None  # read from the bucket before the first replacement
        self._versioned_lock = threading.Lock()  # read once, whichever upload thread comes first

    def describe(self, path: str) -> str:
        return f"gs://{self.bucket_name}/{self.prefix}{path}"

    def configure(self, policy: PublishPolicy) -> None:
        # Backoff starts short: a brief 503 should cost a fraction of a second, not the library's default 1 s.
        self.retry = DEFAULT_RETRY.with_timeout(policy.retry_deadline).with_delay(initial=0.2, maximum=10.0, multiplier=2.0)
        self._run = policy.run

    @property
    def versioned(self) -> bool:
        """Whether the bucket keeps replaced generations (object versioning). Unknown (no permission to read the
        bucket's settings) counts as not: the replaced bytes are then copied under _runs/{run}/."""
        with self._versioned_lock:
            return self._read_versioning()

    def _read_versioning(self) -> bool:
        if self._versioned is None:
            try:
                bucket = self.client.get_bucket(self.bucket_name, retry=self.retry, timeout=REQUEST_TIMEOUT)
                self._versioned = bool(bucket.versioning_enabled)
            except TRANSPORT_ERRORS:
                self._versioned = False
        return self._versioned

    def _keep(self, path: str, existing: ObjectInfo) -> str | None:
        """Keep the bytes about to be replaced: the bucket's previous generation when it is versioned (None),
        else a server-side copy to _runs/{run}/{path}. NotFound: the generation is gone (another run)."""
        if self.versioned or existing.generation is None:
            return None
        copy = saved_path(self._run, path)
        source = self.bucket.blob(self.prefix + path)
        self.bucket.copy_blob(source, self.bucket, self.prefix + copy, source_generation=existing.generation,
                              retry=self.retry, timeout=REQUEST_TIMEOUT)
        return copy

    def list(self, folder: str) -> dict[str, ObjectInfo]:
        try:
            blobs = self.client.list_blobs(
                self.bucket_name, prefix=self.prefix + folder, retry=self.retry, timeout=REQUEST_TIMEOUT
            )
            return {info.path: info for info in map(self._info, blobs)}
        except api_exceptions.NotFound:
            raise OutputError(f"bucket gs://{self.bucket_name} does not exist (nothing published)") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot list {self.describe(folder)} (nothing published): {short_error(error)}") from None

    def read(self, path: str) -> bytes | None:
        try:
            blob = self.bucket.get_blob(self.prefix + path, retry=self.retry, timeout=REQUEST_TIMEOUT)
            return None if blob is None else blob.download_as_bytes(retry=self.retry, timeout=REQUEST_TIMEOUT)
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot read {self.describe(path)} (nothing published): {short_error(error)}") from None

    def apply(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        if len(steps) <= 1:
            return [self._apply_one(step, policy) for step in steps]
        with ThreadPoolExecutor(max_workers=min(policy.workers, len(steps)), thread_name_prefix="upload") as pool:
            return list(pool.map(lambda step: self._apply_one(step, policy), steps))

    def _apply_one(self, step: Step, policy: PublishPolicy) -> FileResult:
        """Upload or patch one file under a generation precondition; after a conflict, re-read and decide again."""
        path = step.payload.path
        for _ in range(MAX_CONFLICTS):
            result = self.put(step, policy)
            if result is not None:
                return result
            try:
                current = self.bucket.get_blob(self.prefix + path, retry=self.retry, timeout=REQUEST_TIMEOUT)
            except TRANSPORT_ERRORS as error:
                return FileResult(path, "failed", 0, f"changed by another run, then: {short_error(error)}")
            info = None if current is None else self._info(current)
            if info is not None and info.run == policy.run:
                # A retried request of ours had already landed before its response was lost.
                saved = None if self.versioned or step.existing is None else saved_path(self._run, path)
                change = Change(step.existing, saved, info.content_hash) if step.payload.kind not in UNRECORDED_KINDS else None
                return FileResult(path, "written", info.size, "", info.generation, change)
            step = decide(step.payload, info, policy, has_headers=True)
            if step.action == "unchanged":
                return FileResult(path, "unchanged", 0, "another run published the same content meanwhile", info and info.generation)
            if step.action in ("superseded", "refused"):
                return FileResult(path, step.action, 0, f"changed by another run: {step.reason}")
        return FileResult(path, "failed", 0, f"kept changing under {MAX_CONFLICTS} other runs' uploads")

    def put(self, step: Step, policy: PublishPolicy) -> FileResult | None:
        """One upload or patch under the listed generation; None when another run changed the object (HTTP 412)."""
        try:
            return self._patch(step, policy) if step.action == "restyle" else self._upload(step, policy)
        except (api_exceptions.PreconditionFailed, api_exceptions.NotFound):  # NotFound: the generation to keep
            return None
        except TRANSPORT_ERRORS as error:
            return FileResult(step.payload.path, "failed", 0, short_error(error))

    def _upload(self, step: Step, policy: PublishPolicy) -> FileResult:
        payload = step.payload
        blob = self.bucket.blob(self.prefix + payload.path)
        blob.cache_control = policy.cache_control_for(payload)
        blob.content_encoding = policy.content_encoding
        blob.metadata = _metadata(payload, policy.run)
        data = gzip.compress(payload.data, compresslevel=9, mtime=0) if policy.gzip else payload.data  # one read
        expected = step.existing.generation if step.existing and step.existing.generation else 0
        recorded = payload.kind not in UNRECORDED_KINDS
        saved = self._keep(payload.path, step.existing) if step.existing is not None and recorded else None
        # upload_from_string's own content type wins over blob.content_type (default text/plain): pass it.
        blob.upload_from_string(
            data, content_type=content_type(payload.kind, payload.path), if_generation_match=expected, retry=self.retry, timeout=REQUEST_TIMEOUT
        )
        change = Change(step.existing, saved, payload.content_hash) if recorded else None
        return FileResult(payload.path, "written", len(data), "", blob.generation, change)

    def delete(self, steps: Sequence[Step], policy: PublishPolicy) -> list[FileResult]:
        return [self._delete_one(step) for step in steps]

    def _delete_one(self, step: Step) -> FileResult:
        path = step.payload.path
        if step.existing is None or step.existing.generation is None:
            return FileResult(path, "unchanged", 0, "already gone")
        try:
            saved = self._keep(path, step.existing)
            self.bucket.blob(self.prefix + path).delete(
                if_generation_match=step.existing.generation, retry=self.retry, timeout=REQUEST_TIMEOUT
            )
        except (api_exceptions.PreconditionFailed, api_exceptions.NotFound):
            return FileResult(path, "refused", 0, "changed by another run since it was listed")
        except TRANSPORT_ERRORS as error:
            return FileResult(path, "failed", 0, short_error(error))
        return FileResult(path, "deleted", 0, "", None, Change(step.existing, saved, None))

    def read_version(self, path: str, generation: int) -> bytes | None:
        try:
            blob = self.bucket.blob(self.prefix + path, generation=generation)
            return blob.download_as_bytes(retry=self.retry, timeout=REQUEST_TIMEOUT)
        except api_exceptions.NotFound:
            return None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot read {self.describe(path)} (generation {generation}): {short_error(error)}") from None

    def write_private(self, path: str, data: bytes) -> None:
        try:
            blob = self.bucket.blob(self.prefix + path)
            blob.cache_control = "no-store"
            blob.upload_from_string(data, content_type="application/json", retry=self.retry, timeout=REQUEST_TIMEOUT)
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot write {self.describe(path)}: {short_error(error)}") from None

    def names(self, folder: str) -> list[str]:
        try:
            blobs = self.client.list_blobs(self.bucket_name, prefix=self.prefix + folder, delimiter="/",
                                           retry=self.retry, timeout=REQUEST_TIMEOUT)
            return sorted(blob.name.removeprefix(self.prefix + folder) for blob in blobs)
        except api_exceptions.NotFound:
            raise OutputError(f"bucket gs://{self.bucket_name} does not exist") from None
        except TRANSPORT_ERRORS as error:
            raise OutputError(f"cannot list {self.describe(folder)}: {short_error(error)}") from None

    def _patch(self, step: Step, policy: PublishPolicy) -> FileResult:
        """Only the headers changed (a new cache policy): patch them, keep the bytes and the generation."""
        assert step.existing is not None
        blob = self.bucket.blob(self.prefix + step.payload.path)
        blob.cache_control = policy.cache_control_for(step.payload)
        blob.content_type = content_type(step.payload.kind, step.payload.path)
        blob.patch(
            if_generation_match=step.existing.generation,
            if_metageneration_match=step.existing.metageneration,
            retry=self.retry,
            timeout=REQUEST_TIMEOUT,
        )
        return FileResult(step.payload.path, "patched", 0, "cache policy", step.existing.generation)

    def _info(self, blob: storage.Blob) -> ObjectInfo:
        metadata = blob.metadata or {}
        picks = metadata.get(META_PICKS, "")
        return ObjectInfo(
            path=blob.name.removeprefix(self.prefix),
            content_hash=metadata.get(META_HASH),
            size=blob.size or 0,
            generation=blob.generation,
            metageneration=blob.metageneration,
            cache_control=blob.cache_control,
            content_type=blob.content_type,
            content_encoding=blob.content_encoding,
            run=metadata.get(META_RUN, ""),
            picks=int(picks) if picks.isdigit() else None,
            graded={"true": True, "false": False}.get(metadata.get(META_GRADED, "")),
            season=_season_of_metadata(metadata.get(META_SEASON)),
        )


def _metadata(payload: Payload, run: str) -> dict[str, str]:
    metadata = {META_HASH: payload.content_hash, META_RUN: run}
    if payload.picks is not None:
        metadata[META_PICKS] = str(payload.picks)
        metadata[META_GRADED] = "true" if payload.graded else "false"
    if payload.season is not None:
        metadata[META_SEASON] = orjson.dumps(list(payload.season)).decode()
    return metadata


def _season_of_metadata(value: str | None) -> SeasonSummary | None:
    try:
        return recorded_season_summary(orjson.loads(value)) if value else None
    except orjson.JSONDecodeError:
        return None


# Bucket set-up: the CORS policy that lets the website's pages fetch the files.
@dataclass(frozen=True)
class BucketSummary:
    name: str
    cors: list[dict[str, Any]]
    objects: int
    total_bytes: int


def set_cors(sink: GCSSink, origins: Sequence[str], max_age: int) -> list[dict[str, Any]]:
    """Let pages from `origins` GET (and HEAD) the bucket's objects; returns the policy as set."""
    policy = cors_policy(origins, max_age)
    with _bucket_errors(sink, "set the CORS policy of"):
        sink.bucket.cors = policy
        sink.bucket.patch(retry=sink.retry, timeout=REQUEST_TIMEOUT)
    return policy


DEFAULT_NONCURRENT_DAYS = 30


@dataclass(frozen=True)
class BucketSetup:
    cors: list[dict[str, Any]]
    versioning: bool
    lifecycle: list[dict[str, Any]]


def noncurrent_rule(days: int) -> dict[str, Any]:
    """Delete a replaced (noncurrent) generation `days` after it was replaced: how long a run can be rolled back."""
    return {"action": {"type": "Delete"}, "condition": {"daysSinceNoncurrentTime": days}}


def setup_bucket(sink: GCSSink, origins: Sequence[str], max_age: int, noncurrent_days: int) -> BucketSetup:
    """The one-time set-up in one request: CORS for the website's origins, object versioning (so a run's
    replaced files stay as noncurrent generations for `rollback`), and a lifecycle rule deleting them after
    `noncurrent_days`. Other lifecycle rules of the bucket are kept; a previous rule of this kind is replaced."""
    if noncurrent_days < 1:
        raise ExportError(f"--noncurrent-days must be at least 1, not {noncurrent_days}")
    policy = cors_policy(origins, max_age)
    with _bucket_errors(sink, "set up"):
        sink.bucket.reload(retry=sink.retry, timeout=REQUEST_TIMEOUT)
        kept = [dict(rule) for rule in sink.bucket.lifecycle_rules
                if "daysSinceNoncurrentTime" not in dict(rule).get("condition", {})]
        rules = [*kept, noncurrent_rule(noncurrent_days)]
        sink.bucket.cors = policy
        sink.bucket.versioning_enabled = True
        sink.bucket.lifecycle_rules = rules
        sink.bucket.patch(retry=sink.retry, timeout=REQUEST_TIMEOUT)
    return BucketSetup(policy, True, rules)


@contextmanager
def _bucket_errors(sink: GCSSink, doing: str) -> Iterator[None]:
    """A missing bucket or a failed request of a bucket command as one clear OutputError."""
    try:
        yield
    except api_exceptions.NotFound:
        raise OutputError(f"bucket gs://{sink.bucket_name} does not exist") from None
    except TRANSPORT_ERRORS as error:
        raise OutputError(f"cannot {doing} gs://{sink.bucket_name}: {short_error(error)}") from None


def summarize_bucket(sink: GCSSink) -> BucketSummary:
    """The bucket's CORS policy and the count and total size of the objects under the sink's prefix."""
    with _bucket_errors(sink, "read bucket"):
        sink.bucket.reload(retry=sink.retry, timeout=REQUEST_TIMEOUT)
        objects = total = 0
        for blob in sink.client.list_blobs(sink.bucket_name, prefix=sink.prefix or None, retry=sink.retry, timeout=REQUEST_TIMEOUT):
            objects += 1
            total += blob.size or 0
    return BucketSummary(sink.bucket_name, list(sink.bucket.cors), objects, total)
