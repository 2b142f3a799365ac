"""The destinations the store tests run against, one fixture module for all: a folder, a bucket of
fake-gcs-server (tests/fakegcs.py) and a bucket of moto's S3 server, each started once on 127.0.0.1.

`Destination` creates an empty destination of one kind and reads back what is published there the same way for
every kind (bytes, headers, metadata, version), so that a test written once checks every store.
"""

from __future__ import annotations

import gzip
import itertools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from picks_export.exporters.stores import StoreSettings, open_store

STORES = ("folder", "gcs", "s3")
BUCKETS = ("gcs", "s3")
_names = itertools.count()
# moto's server accepts any credentials; botocore insists on having some.
S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


class MotoS3:
    """moto's S3 server on 127.0.0.1:PORT, in memory, its output to DEVNULL."""

    def __init__(self) -> None:
        from fakegcs import free_port, wait_until_answering

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env={**os.environ, **S3_ENV},
        )  # fmt: skip
        wait_until_answering(self.process, f"{self.url}/moto-api/", "moto's S3 server", 30, self.stop)

    def client(self) -> Any:
        import boto3

        return boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        ).client("s3", endpoint_url=self.url)

    def stop(self) -> None:
        from fakegcs import stop_process

        stop_process(self.process)


@dataclass
class Published:
    """One published object as a reader finds it."""

    data: bytes  # decompressed
    cache_control: str | None = None
    content_type: str | None = None
    content_encoding: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    version: Any = None  # a bucket's generation or version id, an ETag, a folder file's inode and mtime


class Destination:
    """An empty folder or bucket of one kind, as the processes see it and as the test reads it back."""

    def __init__(
        self, kind: str, tmp_path: Path, server: Any = None, *, versioned: bool = False, prefix: str = ""
    ) -> None:
        self.kind, self.server, self.prefix = kind, server, prefix
        name = f"dest-{next(_names)}"
        if kind == "folder":
            self.folder = tmp_path / name
            self.dest = str(self.folder / prefix) if prefix else str(self.folder)
            return
        self.bucket = name
        if kind == "gcs":
            from fakegcs import client_for

            made = client_for(server.url).bucket(name)
            made.versioning_enabled = versioned
            client_for(server.url).create_bucket(made)
        else:
            client = server.client()
            client.create_bucket(Bucket=name)
            if versioned:
                client.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        self.dest = f"{'gs' if kind == 'gcs' else 's3'}://{name}" + (f"/{prefix}" if prefix else "")

    def env(self) -> dict[str, str]:
        """The environment a `picks-export` process needs to reach the destination."""
        if self.kind == "gcs":
            return {"STORAGE_EMULATOR_HOST": self.server.url}
        if self.kind == "s3":
            return {**S3_ENV, "PICKS_EXPORT_S3_ENDPOINT_URL": self.server.url}
        return {}

    def store(self) -> Any:
        """The destination's store, as a run opens it."""
        if self.kind == "gcs":
            from fakegcs import client_for

            from picks_export.exporters.stores.gcs import GCSStore

            return GCSStore(self.bucket, self.prefix and self.prefix + "/", client=client_for(self.server.url))
        if self.kind == "s3":
            os.environ.update(S3_ENV)
        return open_store(self.dest, StoreSettings(endpoint_url=self.server.url if self.kind == "s3" else None))

    def objects(self, under: str = "") -> dict[str, Published]:
        """Every object under `under` (below the prefix), by path below the prefix."""
        if self.kind == "folder":
            root = Path(self.dest)
            return {path.relative_to(root).as_posix(): Published(path.read_bytes(), version=(path.stat().st_ino, path.stat().st_mtime_ns))
                    for path in sorted(root.rglob("*")) if path.is_file()
                    and not path.relative_to(root).as_posix().startswith(".")
                    and path.relative_to(root).as_posix().startswith(under)}  # fmt: skip
        base = self.prefix + "/" if self.prefix else ""
        if self.kind == "gcs":
            from fakegcs import client_for

            return {blob.name.removeprefix(base): Published(blob.download_as_bytes(), blob.cache_control, blob.content_type,
                                                            blob.content_encoding, blob.metadata or {}, blob.generation)
                    for blob in client_for(self.server.url).list_blobs(self.bucket, prefix=base + under)}  # fmt: skip
        client = self.server.client()
        found = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base + under):
            for each in page.get("Contents", []):
                got = client.get_object(Bucket=self.bucket, Key=each["Key"])
                data = got["Body"].read()
                data = gzip.decompress(data) if got.get("ContentEncoding") == "gzip" else data
                found[each["Key"].removeprefix(base)] = Published(
                    data, got.get("CacheControl"), got.get("ContentType"), got.get("ContentEncoding"),
                    got.get("Metadata") or {}, got.get("VersionId") if got.get("VersionId") not in (None, "null") else got["ETag"],
                )  # fmt: skip
        return found

    def published(self) -> dict[str, Published]:
        """The published files: not the run records and kept bytes under _runs/."""
        return {path: each for path, each in self.objects().items() if not path.startswith("_runs/")}

    def read_version(self, path: str, version: Any) -> bytes:
        base = self.prefix + "/" if self.prefix else ""
        if self.kind == "gcs":
            from fakegcs import client_for

            return (
                client_for(self.server.url)
                .bucket(self.bucket)
                .blob(base + path, generation=version)
                .download_as_bytes()
            )
        got = self.server.client().get_object(Bucket=self.bucket, Key=base + path, VersionId=version)
        data = got["Body"].read()
        return gzip.decompress(data) if got.get("ContentEncoding") == "gzip" else data
