"""A local server that behaves like the bucket, for frontend work: `picks-export serve public/`.

It serves a published folder on 127.0.0.1 with the headers the GCS sink gives each kind of object
(Content-Type, Cache-Control), gzip for clients that accept it, the bucket's CORS rule for the given origins,
404 for a missing file, and neither directory listings nor any path outside the folder. The reference page is
served at `/` from the package, not from the folder.

Each request is logged on one line (stderr), and so is each client error: a client that went away before its
answer was sent, or a connection left idle longer than `IDLE_TIMEOUT`, which is then closed.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import sys
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson

from ..common import resolved_inside, unusable_path
from ..cors import CorsPolicy, cors_headers, cors_policy
from ..errors import ExportError, OptionError, literal
from ..kinds import JSON_CONTENT_TYPE, cache_controls, content_type, default_cache_controls, kind_of_path
from ..publish import RUNS_FOLDER
from .page import PAGE_FILES, page_file

HOST = "127.0.0.1"
# What the page's own files get when served at `/`: always fresh while a developer edits and reloads.
PAGE_CACHE_CONTROL = "no-cache"
NOT_FOUND_CACHE_CONTROL = "no-store"
# Seconds a connection may wait for its next request (or the rest of one) before it is closed: one thread each.
IDLE_TIMEOUT = 30.0
_PAGE_AT_ROOT = {"/": "index.html", **{f"/{name}": name for name in PAGE_FILES}}


@dataclass(frozen=True)
class ObjectHeaders:
    content_type: str
    cache_control: str


# The cache policy of a run with default options, every kind resolved (the manifest's follows the index's, ...).
_CACHE_CONTROL = cache_controls(default_cache_controls())


def object_headers(path: str) -> ObjectHeaders:
    """The Content-Type and Cache-Control the bucket gives the object at `path` (relative to its root)."""
    kind = kind_of_path(path)
    if kind is not None:
        return ObjectHeaders(content_type(kind, path), _CACHE_CONTROL[kind])
    guessed = JSON_CONTENT_TYPE if path.endswith(".json") else mimetypes.guess_type(path)[0]
    return ObjectHeaders(guessed or "application/octet-stream", "no-cache")


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header admits gzip (`gzip`, `x-gzip` or `*`, without `q=0`)."""
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        quality = params.strip().lower().removeprefix("q=") if params.strip().lower().startswith("q=") else "1"
        try:
            if float(quality) > 0:
                return True
        except ValueError:
            continue
    return False


def published_file(root: Path, request_path: str) -> tuple[Path, str] | None:
    """The file under `root` a request path names, with its path relative to the root; None if there is none.

    The path is percent-decoded once, as a bucket decodes an object name; then any `.`, `..` or empty segment,
    hidden name, backslash or NUL refuses it, so does the run records' folder (`_runs/`), and a symlink that leads
    out of the root is not followed.
    """
    try:
        decoded = urllib.parse.unquote(urllib.parse.urlsplit(request_path).path, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return None
    if not decoded.startswith("/"):
        return None
    segments = decoded[1:].split("/")
    if any(not segment or segment.startswith(".") or "\\" in segment or "\0" in segment for segment in segments):
        return None
    if segments[0] == RUNS_FOLDER:  # the run records and the bytes they kept: the operator's, never published
        return None
    real = resolved_inside(root, "/".join(segments))  # the rule a run's folder store follows too
    if real is None or not real.is_file():
        return None
    return real, "/".join(segments)


class BucketServer(ThreadingHTTPServer):
    """The server: a published folder and the CORS policy it answers with."""

    daemon_threads = True

    def __init__(self, root: Path, port: int, policy: CorsPolicy, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self.root = root
        self.policy = policy
        self.idle_timeout = idle_timeout
        super().__init__((HOST, port), _Handler)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """One line for a request that failed on the client's side (it hung up, reset, went silent), not the
        traceback `socketserver` would print."""
        error = sys.exc_info()[1]
        what = f"{type(error).__name__}: {error}" if error is not None else "unknown error"
        sys.stderr.write(f"{client_address[0]}:{client_address[1]} - client error, connection closed: {what}\n")

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"


def open_server(
    dest: str | Path, port: int = 8000, origins: Sequence[str] = (), idle_timeout: float = IDLE_TIMEOUT
) -> BucketServer:
    """A server of the folder `dest` on 127.0.0.1:`port` (0: a free port), allowing `origins` by CORS, closing a
    connection idle for `idle_timeout` seconds."""
    root = Path(dest)
    if unusable_path(root) is not None or not root.is_dir():
        raise ExportError.naming(f"{literal(dest)} is not a folder: give the folder a run published to (its {{dest}})")
    if not 0 <= port <= 65535:
        raise OptionError(f"{{port}} {literal(port)} is not a port number (0 to 65535; 0 picks a free one)")
    try:
        return BucketServer(root.resolve(), port, cors_policy(origins) if origins else [], idle_timeout)
    except OSError as error:
        raise ExportError(f"cannot listen on {HOST}:{port}: {error.strerror or error}") from None


class _Handler(BaseHTTPRequestHandler):
    server: BucketServer
    protocol_version = "HTTP/1.1"
    server_version = "picks-export-serve"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # a silent client ends in TimeoutError, logged

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def do_OPTIONS(self) -> None:
        """A CORS preflight: allowed for GET and HEAD from the configured origins, refused otherwise."""
        headers = cors_headers(
            self.server.policy,
            self.headers.get("Origin"),
            self.headers.get("Access-Control-Request-Method", ""),
            self.headers.get("Access-Control-Request-Headers"),
            preflight=True,
        )
        if headers is None:
            self._error(HTTPStatus.FORBIDDEN, "CORS request not allowed by the bucket's policy", send_body=True)
            return
        self.send_response(HTTPStatus.OK)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _method_not_allowed(self) -> None:
        self._error(
            HTTPStatus.METHOD_NOT_ALLOWED, "only GET, HEAD and OPTIONS", send_body=True, allow="GET, HEAD, OPTIONS"
        )

    do_POST = do_PUT = do_PATCH = do_DELETE = _method_not_allowed

    def _serve(self, send_body: bool) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in _PAGE_AT_ROOT:
            name = _PAGE_AT_ROOT[path]
            self._send(page_file(name), ObjectHeaders(PAGE_FILES[name], PAGE_CACHE_CONTROL), send_body)
            return
        found = published_file(self.server.root, self.path)
        if found is None:
            self._error(HTTPStatus.NOT_FOUND, "no such file", send_body)
            return
        file, relative = found
        try:
            data = file.read_bytes()
        except OSError:
            self._error(HTTPStatus.NOT_FOUND, "no such file", send_body)
            return
        self._send(data, object_headers(relative), send_body)

    def _send(self, data: bytes, headers: ObjectHeaders, send_body: bool) -> None:
        etag = f'"{hashlib.sha256(data).hexdigest()[:32]}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._common_headers(etag, headers.cache_control)
            self.end_headers()
            return
        compressed = accepts_gzip(self.headers.get("Accept-Encoding"))
        body = gzip.compress(data, compresslevel=6, mtime=0) if compressed else data
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", headers.content_type)
        self._common_headers(etag, headers.cache_control)
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _common_headers(self, etag: str, cache_control: str) -> None:
        self.send_header("Cache-Control", cache_control)
        self.send_header("ETag", etag)
        cors = cors_headers(self.server.policy, self.headers.get("Origin"), self.command)
        vary = ["Accept-Encoding"] + (["Origin"] if cors else [])
        for key, value in (cors or {}).items():
            if key != "Vary":
                self.send_header(key, value)
        self.send_header("Vary", ", ".join(vary))

    def _error(self, status: HTTPStatus, message: str, send_body: bool, allow: str | None = None) -> None:
        body = orjson.dumps(
            {"error": {"code": int(status), "message": message, "path": urllib.parse.urlsplit(self.path).path}}
        )
        self.send_response(status)
        self.send_header("Content-Type", JSON_CONTENT_TYPE)
        self.send_header("Cache-Control", NOT_FOUND_CACHE_CONTROL)
        cors = cors_headers(self.server.policy, self.headers.get("Origin"), "GET")
        if cors and status == HTTPStatus.NOT_FOUND:  # the page must be able to tell "missing" from "blocked"
            for key, value in cors.items():
                self.send_header(key, value)
        if allow:
            self.send_header("Allow", allow)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)
