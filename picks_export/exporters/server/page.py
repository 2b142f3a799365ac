"""The reference page: a static page shipped with the package (`picks_export/page/`), no build step.

`serve` shows it at `/`; `--with-page` publishes it under `{prefix}page/` beside the files it reads.
"""

from __future__ import annotations

from importlib import resources

from ..kinds import PAGE_FILES as PAGE_FILES  # the page's files and the Content-Type of each
from ..kinds import content_type, kind_of_path

PAGE_FOLDER = "page/"


def page_file(name: str) -> bytes:
    """The bytes of one of the page's files (a name of PAGE_FILES)."""
    if name not in PAGE_FILES:
        raise KeyError(name)
    return resources.files("picks_export").joinpath("page", name).read_bytes()


def page_path(prefix: str, name: str) -> str:
    """Where a page file is published: `v1/page/index.html`, ..."""
    return f"{prefix}{PAGE_FOLDER}{name}"


def page_content_type(path: str) -> str | None:
    """The Content-Type of a published page file's path (`.../page/page.js`), or None for any other path."""
    return content_type("page", path) if kind_of_path(path) == "page" else None
