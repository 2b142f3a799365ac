"""Where documents go: a store per kind of destination, chosen by the destination's URL scheme.

A path is a local folder (`folder`); `gs://` a Google Cloud Storage bucket (`gcs`); `s3://` an S3-compatible
bucket (`s3`). A store's module is imported only when a destination of its scheme is opened, so that a run to a
folder loads no cloud client.
"""

from __future__ import annotations

from importlib import import_module

from ..errors import ExportError
from .base import ObjectInfo, Store, StoreSettings, check_relative_path
from .folder import FolderStore

__all__ = ["FolderStore", "ObjectInfo", "Store", "StoreSettings", "check_relative_path", "open_store"]

# scheme -> the module whose `open_store(dest, settings)` opens such a destination
STORES = {
    "gs": "gcs",
    "s3": "s3",
}


def open_store(dest: str, settings: StoreSettings | None = None) -> Store:
    """A folder path, or SCHEME://BUCKET[/PREFIX] for a bucket of a registered scheme."""
    kinds = "a folder or " + ", ".join(f"{scheme}://BUCKET[/PREFIX]" for scheme in STORES)
    if not dest.strip():
        raise ExportError(f"--dest is empty: give {kinds}")  # not the working folder unasked
    scheme, separator, _ = dest.partition("://")
    if not separator:
        return FolderStore(dest)
    if scheme not in STORES:
        raise ExportError(f"unsupported destination {dest!r}: give {kinds}")
    module = import_module(f"{__name__}.{STORES[scheme]}")
    store: Store = module.open_store(dest, settings or StoreSettings())
    return store
