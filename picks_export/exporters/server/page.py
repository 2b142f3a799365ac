"""The reference page: a static page shipped with the package (`picks_export/page/`), no build step.

`serve` shows it at `/`; `--with-page` publishes it under `{prefix}page/` beside the files it reads.
"""

from __future__ import annotations

from importlib import resources

# The page's files and the Content-Type each is served with, locally and from the bucket.
PAGE_FILES: dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "page.css": "text/css; charset=utf-8",
    "page.js": "text/javascript; charset=utf-8",
}
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
    folder, _, name = path.rpartition("/")
    if folder.endswith(PAGE_FOLDER.rstrip("/")) and name in PAGE_FILES:
        return PAGE_FILES[name]
    return None
