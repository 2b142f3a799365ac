"""Where documents go: a store per kind of destination, chosen by the destination's URL scheme.

A path is a local folder (`folder`); `gs://` a Google Cloud Storage bucket (`gcs`); `s3://` an S3-compatible
bucket (`s3`). A store's module is imported only when a destination of its scheme is opened, so that a run to a
folder loads no cloud client.

A destination that looks like a URL but is not one of a registered scheme (`gs:/x`, `gs:x`, `gs//x`, `s4://x`) is
refused rather than taken for a folder of that name; so is a path that exists and is not a folder.
"""

from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

from ..errors import OptionError
from .base import ObjectInfo, Store, StoreSettings, check_relative_path
from .folder import FolderStore

__all__ = ["FolderStore", "ObjectInfo", "Store", "StoreSettings", "check_relative_path", "open_store"]

# scheme -> the module whose `open_store(dest, settings)` opens such a destination
STORES = {
    "gs": "gcs",
    "s3": "s3",
}


# What starts a URL (RFC 3986's scheme and its colon): never taken for a folder's name (`./gs:x` is one).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def open_store(dest: str, settings: StoreSettings | None = None) -> Store:
    """A folder path, or SCHEME://BUCKET[/PREFIX] for a bucket of a registered scheme."""
    settings = settings or StoreSettings()
    if not dest.strip():
        raise OptionError(f"{{dest}} is empty: give {_kinds()}")  # not the working folder unasked
    scheme, separator, _ = dest.partition("://")
    if separator and scheme in STORES:
        module = import_module(f"{__name__}.{STORES[scheme]}")
        store: Store = module.open_store(dest, settings)
        return store
    if separator:
        raise OptionError(f"{{dest}} {_quoted(dest)}: unsupported scheme {_quoted(scheme)}; give {_kinds()}")
    if _SCHEME.match(dest) or dest.startswith(tuple(f"{each}//" for each in STORES)):
        raise OptionError(
            f"{{dest}} {_quoted(dest)} is a malformed bucket URL: give {_kinds()} (a folder so named: ./{_braced(dest)})"
        )
    _check_folder(dest)
    return FolderStore(dest, lock_timeout=settings.lock_timeout)


def _kinds() -> str:
    return "a folder or " + ", ".join(f"{scheme}://BUCKET[/PREFIX]" for scheme in STORES)


def _braced(text: str) -> str:
    """`text` inside an OptionError's message, its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def _quoted(text: str) -> str:
    return _braced(repr(text))


def _check_folder(dest: str) -> None:
    """Refuse a destination that is, or lies under, something other than a folder: before any run reads it."""
    path = Path(dest)
    for each in (path, *path.parents):
        try:
            exists = each.exists()
        except OSError as error:  # a name too long, a folder on the way that cannot be searched
            raise OptionError(
                f"{{dest}} {_quoted(dest)} cannot be used: {_braced(error.strerror or str(error))}"
            ) from None
        if exists:
            if not each.is_dir():
                what = "is not a folder" if each == path else f"lies under {_quoted(str(each))}, which is not a folder"
                raise OptionError(f"{{dest}} {_quoted(dest)} {what}: give a folder (made if missing) or a bucket")
            return
