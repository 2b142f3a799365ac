"""`bucket show` on an S3-compatible bucket: its CORS rules, versioning, lifecycle rules and objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import OutputError
from .s3 import TRANSPORT_ERRORS, ClientError, S3Store, short_error
from .summary import BucketSummary

# What S3 answers when a bucket has no such configuration: none, not a failure.
_NO_CONFIGURATION = {"NoSuchCORSConfiguration", "NoSuchLifecycleConfiguration"}


def summarize_s3_bucket(store: S3Store) -> BucketSummary:
    """The bucket's CORS rules, versioning and lifecycle rules, and the count and total size of the objects under
    the store's prefix."""
    client, name = store.client, store.bucket
    try:
        objects = total = 0
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name, Prefix=store.prefix):
            for item in page.get("Contents", []):
                objects += 1
                total += int(item.get("Size", 0))
        versioning = client.get_bucket_versioning(Bucket=name).get("Status") == "Enabled"
        cors = _configuration(lambda: client.get_bucket_cors(Bucket=name)["CORSRules"])
        lifecycle = _configuration(lambda: client.get_bucket_lifecycle_configuration(Bucket=name)["Rules"])
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("NoSuchBucket", "404"):
            raise OutputError(f"bucket s3://{name} does not exist") from None
        raise OutputError(f"cannot read bucket s3://{name}: {short_error(error)}") from None
    except TRANSPORT_ERRORS as error:
        raise OutputError(f"cannot read bucket s3://{name}: {short_error(error)}") from None
    return BucketSummary(name, cors, objects, total, versioning, lifecycle)


def _configuration(read: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """A bucket configuration's rules; none when the bucket has no such configuration."""
    try:
        return list(read())
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _NO_CONFIGURATION:
            return []
        raise
