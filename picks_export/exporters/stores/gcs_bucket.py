"""The `bucket` commands' work on a GCS bucket: its CORS policy, the one-time set-up, a summary."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as api_exceptions

from ..cors import cors_policy
from ..errors import OptionError, OutputError, literal
from .base import StoreSettings
from .gcs import REQUEST_TIMEOUT, TRANSPORT_ERRORS, GCSStore, open_store, short_error
from .summary import BucketSummary


def open_bucket(dest: str, project: str | None = None) -> GCSStore:
    if not dest.startswith("gs://"):
        raise OptionError(f"{literal(repr(dest))} is not a bucket: give {{dest}} gs://BUCKET")
    return open_store(dest, StoreSettings(project=project))


# Bucket set-up: the CORS policy that lets the website's pages fetch the files.
def set_cors(store: GCSStore, origins: Sequence[str], max_age: int) -> list[dict[str, Any]]:
    """Let pages from `origins` GET (and HEAD) the bucket's objects; returns the policy as set."""
    policy = cors_policy(origins, max_age)
    with _bucket_errors(store, "set the CORS policy of"):
        store.bucket.cors = policy
        store.bucket.patch(retry=store.retry, timeout=REQUEST_TIMEOUT)
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


def setup_bucket(store: GCSStore, origins: Sequence[str], max_age: int, noncurrent_days: int) -> BucketSetup:
    """The one-time set-up in one request: CORS for the website's origins, object versioning (so a run's
    replaced files stay as noncurrent generations for `rollback`), and a lifecycle rule deleting them after
    `noncurrent_days`. Other lifecycle rules of the bucket are kept; a previous rule of this kind is replaced."""
    if noncurrent_days < 1:
        raise OptionError(f"{{noncurrent_days}} must be at least 1, not {noncurrent_days}")
    policy = cors_policy(origins, max_age)
    with _bucket_errors(store, "set up"):
        store.bucket.reload(retry=store.retry, timeout=REQUEST_TIMEOUT)
        kept = [
            dict(rule)
            for rule in store.bucket.lifecycle_rules
            if "daysSinceNoncurrentTime" not in dict(rule).get("condition", {})
        ]
        rules = [*kept, noncurrent_rule(noncurrent_days)]
        store.bucket.cors = policy
        store.bucket.versioning_enabled = True
        store.bucket.lifecycle_rules = rules
        store.bucket.patch(retry=store.retry, timeout=REQUEST_TIMEOUT)
    return BucketSetup(policy, True, rules)


@contextmanager
def _bucket_errors(store: GCSStore, doing: str) -> Iterator[None]:
    """A missing bucket or a failed request of a bucket command as one clear OutputError."""
    try:
        yield
    except api_exceptions.NotFound:
        raise OutputError(f"bucket gs://{store.bucket_name} does not exist") from None
    except TRANSPORT_ERRORS as error:
        raise OutputError(f"cannot {doing} gs://{store.bucket_name}: {short_error(error)}") from None


def summarize_bucket(store: GCSStore) -> BucketSummary:
    """The bucket's CORS policy, versioning and lifecycle rules, and the count and total size of the objects under
    the store's prefix."""
    with _bucket_errors(store, "read bucket"):
        store.bucket.reload(retry=store.retry, timeout=REQUEST_TIMEOUT)
        objects = total = 0
        for blob in store.client.list_blobs(
            store.bucket_name, prefix=store.prefix or None, retry=store.retry, timeout=REQUEST_TIMEOUT
        ):
            objects += 1
            total += blob.size or 0
    bucket = store.bucket
    lifecycle = [dict(rule) for rule in bucket.lifecycle_rules]
    return BucketSummary(bucket.name, list(bucket.cors), objects, total, bool(bucket.versioning_enabled), lifecycle)
