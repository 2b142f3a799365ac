"""What `bucket show` reports of a bucket, whichever service holds it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BucketSummary:
    name: str
    cors: list[dict[str, Any]]
    objects: int  # under the store's prefix
    total_bytes: int
    versioning: bool  # replaced versions kept by the bucket (what rollback puts back)
    lifecycle: list[dict[str, Any]]  # the rules, as the service states them (how long those versions are kept)
