"""`picks-export serve`: a published folder served as the bucket serves it, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import gzip
import http.client
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from picks_export.exporters.errors import ExportError
from picks_export.exporters.server.serve import BucketServer, accepts_gzip, open_server

SECRET = b"secret outside the published folder"
DAY = orjson.dumps({"date": "2026-02-07", "groups": []})
ALLOWED = "http://app.example.test:5173"


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A folder as a run leaves it, plus traps: a file beside it, symlinks out of it, a hidden staging file."""
    root = tmp_path / "public"
    files = {
        "v1/picks/2026-02-07.json": DAY,
        "v1/picks/index.json": b'{"dates":[]}',
        "v1/subsets/seasons/2025-26.json": b'{"season":"2025-26"}',
        "v1/subsets/season.json": b'{"season":"2025-26"}',
        "v1/models/m2/picks/2026-02-07.json": b'{"model":"m2"}',
        "v1/schemas/picks-day.schema.json": b'{"type":"object"}',
        "v1/picks/.2026-02-08.json.abc.tmp": b"half a file",
        "_runs/01795592193757307132-b3b56e7c.json": b'{"files": "half a file"}',  # a run record: not published
        "_runs/01795592193757307132-b3b56e7c/v1/picks/index.json": b"half a file",
    }
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.json").write_bytes(SECRET)
    (root / "v1" / "picks" / "2026-01-01.json").symlink_to(tmp_path / "secret.txt")
    (root / "v1" / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "v1" / "picks" / "alias.json").symlink_to(root / "v1" / "picks" / "2026-02-07.json")  # inside: fine
    return root


@pytest.fixture
def server(published: Path) -> Iterator[BucketServer]:
    running = open_server(published, 0, [ALLOWED])
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def request(server: BucketServer, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    """A raw request: http.client sends the path exactly as given (no normalization of `..` or escapes)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)
    connection.request(method, path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [
        ("/v1/picks/2026-02-07.json", "public, max-age=300"),
        ("/v1/picks/index.json", "public, max-age=300"),
        ("/v1/subsets/seasons/2025-26.json", "public, max-age=3600"),
        ("/v1/subsets/season.json", "public, max-age=3600"),
        ("/v1/models/m2/picks/2026-02-07.json", "public, max-age=300"),
        ("/v1/schemas/picks-day.schema.json", "public, max-age=86400"),
    ],
)
def test_each_kind_gets_the_buckets_headers(server, published, path, cache_control):
    response, body = request(server, path)
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Cache-Control") == cache_control
    assert response.getheader("Content-Encoding") is None
    assert body == (published / path.lstrip("/")).read_bytes()


def test_gzip_only_for_clients_that_accept_it(server):
    response, body = request(server, "/v1/picks/2026-02-07.json", headers={"Accept-Encoding": "br, gzip"})
    assert response.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in response.getheader("Vary")
    assert int(response.getheader("Content-Length")) == len(body)
    assert gzip.decompress(body) == DAY
    response, body = request(server, "/v1/picks/2026-02-07.json", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert response.getheader("Content-Encoding") is None and body == DAY
    assert "Accept-Encoding" in response.getheader("Vary")


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("GZIP;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("deflate, br", False),
        ("gzip;q=0", False),
        ("gzip;q=0.0", False),
        ("gzip;q=zero", False),
        ("", False),
        (None, False),
    ],
)
def test_accept_encoding_parsing(header, accepted):
    assert accepts_gzip(header) is accepted


def test_cors_for_the_configured_origin_only(server):
    response, _ = request(server, "/v1/picks/2026-02-07.json", headers={"Origin": ALLOWED})
    assert response.getheader("Access-Control-Allow-Origin") == ALLOWED
    assert "Origin" in response.getheader("Vary")
    response, body = request(server, "/v1/picks/2026-02-07.json", headers={"Origin": "http://evil.example.test"})
    assert response.status == 200 and body == DAY  # like GCS: the browser, not the server, withholds it
    assert response.getheader("Access-Control-Allow-Origin") is None
    # A missing day still carries the header, so that the page can tell "not published" from "blocked".
    response, _ = request(server, "/v1/picks/2030-01-01.json", headers={"Origin": ALLOWED})
    assert response.status == 404 and response.getheader("Access-Control-Allow-Origin") == ALLOWED


def test_preflight_allows_get_and_head_from_the_configured_origin(server):
    allowed = {
        "Origin": ALLOWED,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "content-type",
    }
    response, _ = request(server, "/v1/picks/2026-02-07.json", "OPTIONS", allowed)
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") == ALLOWED
    assert response.getheader("Access-Control-Allow-Methods") == "GET, HEAD"
    assert response.getheader("Access-Control-Allow-Headers") == "content-type"
    assert response.getheader("Access-Control-Max-Age") == "3600"
    for refused in (
        {"Origin": "http://evil.example.test", "Access-Control-Request-Method": "GET"},
        {"Origin": ALLOWED, "Access-Control-Request-Method": "DELETE"},
        {"Origin": ALLOWED, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x-secret"},
        {"Access-Control-Request-Method": "GET"},
    ):
        response, _ = request(server, "/v1/picks/2026-02-07.json", "OPTIONS", refused)
        assert response.status == 403, refused
        assert response.getheader("Access-Control-Allow-Origin") is None


def test_no_cors_headers_without_origins(published):
    running = open_server(published, 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        response, _ = request(running, "/v1/picks/2026-02-07.json", headers={"Origin": ALLOWED})
        assert response.status == 200 and response.getheader("Access-Control-Allow-Origin") is None
    finally:
        running.shutdown()
        running.server_close()


def test_a_missing_day_is_a_json_404(server):
    response, body = request(server, "/v1/picks/2030-01-01.json")
    assert response.status == 404
    assert response.getheader("Content-Type") == "application/json"
    assert response.getheader("Cache-Control") == "no-store"
    assert orjson.loads(body)["error"]["code"] == 404


@pytest.mark.parametrize(
    "path",
    [
        "/v1/",
        "/v1",
        "/v1/picks/",
        "/v1/picks",
        "/v1/picks/?list",
        "/v1/picks/.2026-02-08.json.abc.tmp",
        "/_runs/01795592193757307132-b3b56e7c.json",
        "/%5Fruns/01795592193757307132-b3b56e7c.json",
        "/_runs/01795592193757307132-b3b56e7c/v1/picks/index.json",
    ],
)
def test_no_directory_listing_nor_hidden_files(server, path):
    response, body = request(server, path)
    assert response.status == 404
    assert b"2026-02-07" not in body and b"half a file" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/v1/../../secret.txt",
        "/v1/picks/../../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/v1/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/v1%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/v1/picks/..\\..\\..\\secret.txt",
        "/%252e%252e/secret.txt",
        "/v1/picks/2026-02-07.json%00.txt",
        "//etc/passwd",
        "/etc/passwd",
        "http://127.0.0.1/../secret.txt",
        "/v1/picks/2026-01-01.json",  # a symlink to a file outside
        "/v1/out/secret.json",  # through a symlinked folder outside
        "/v1/picks/%ff%fe.json",  # not UTF-8
    ],
)
def test_nothing_outside_the_folder_is_served(server, path):
    response, body = request(server, path)
    assert response.status == 404, path
    assert SECRET not in body and b"root:" not in body


def test_a_symlink_inside_the_folder_is_followed(server):
    response, body = request(server, "/v1/picks/alias.json")
    assert response.status == 200 and body == DAY


def test_the_reference_page_is_served_at_the_root_from_the_package(server, published):
    (published / "index.html").write_text("not the page")
    response, body = request(server, "/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert b'<script type="module" src="page.js">' in body and b"not the page" not in body
    response, body = request(server, "/page.js")
    assert response.getheader("Content-Type") == "text/javascript; charset=utf-8"
    assert b"textContent" in body
    response, _ = request(server, "/page.css")
    assert response.getheader("Content-Type") == "text/css; charset=utf-8"


def test_head_etag_and_methods(server):
    response, body = request(server, "/v1/picks/2026-02-07.json", "HEAD")
    assert response.status == 200 and body == b"" and int(response.getheader("Content-Length")) == len(DAY)
    etag = response.getheader("ETag")
    response, body = request(server, "/v1/picks/2026-02-07.json", headers={"If-None-Match": etag})
    assert response.status == 304 and body == b""
    response, _ = request(server, "/v1/picks/2026-02-07.json", "PUT")
    assert response.status == 405 and response.getheader("Allow") == "GET, HEAD, OPTIONS"


def test_open_server_refuses_what_it_cannot_serve(tmp_path, published):
    with pytest.raises(ExportError, match="is not a folder"):
        open_server(tmp_path / "missing", 0)
    busy = open_server(published, 0)
    try:
        with pytest.raises(ExportError, match="cannot listen on 127.0.0.1"):
            open_server(published, busy.server_address[1])
    finally:
        busy.server_close()


def _cli() -> list[str]:
    script = shutil.which("picks-export", path=str(Path(sys.executable).parent))
    assert script, "the console script is installed beside the interpreter"
    return [script]


def test_the_serve_command_prints_its_url_and_stops_cleanly_on_ctrl_c(published, tmp_path):
    stderr = tmp_path / "stderr.txt"
    with stderr.open("wb") as errors:
        process = subprocess.Popen(
            _cli() + ["serve", str(published), "--port", "0", "--origin", ALLOWED],
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            # As a terminal starts it: a test runner started in the background may pass SIGINT on ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            line = process.stdout.readline().decode()
            assert line.startswith(f"serving {published} at http://127.0.0.1:"), line
            url = line.split(" at ", 1)[1].split("/ ", 1)[0]
            port = int(url.rsplit(":", 1)[1])
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/v1/picks/2026-02-07.json", headers={"Origin": ALLOWED})
            response = connection.getresponse()
            assert response.status == 200 and response.read() == DAY
            assert response.getheader("Access-Control-Allow-Origin") == ALLOWED
            connection.close()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0  # Ctrl-C is how a server is stopped, not an error
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    text = stderr.read_text()
    assert "Traceback" not in text
    assert text.strip().splitlines()[-1] == "stopped"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "/nonexistent/folder"], "Error: /nonexistent/folder is not a folder"),
        (["serve", ".", "--origin", "https://x.test/path"], "Error: origin 'https://x.test/path' is not like"),
        (["serve", ".", "--port", "70000"], "Error: --port 70000 is not a port number"),
    ],
)
def test_serve_refuses_bad_options_with_one_line(args, message):
    result = subprocess.run(
        _cli() + args, capture_output=True, timeout=30, env={**os.environ}, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 1
    assert result.stderr.decode().strip() == result.stderr.decode().strip().splitlines()[0]
    assert result.stderr.decode().startswith(message), result.stderr


def test_serve_help_has_an_example():
    result = subprocess.run(_cli() + ["serve", "--help"], capture_output=True, timeout=30)
    assert result.returncode == 0 and b"Examples:\n    picks-export serve" in result.stdout


def test_with_page_publishes_the_page_once_and_serve_gives_each_file_its_type(tmp_path, rows, run):
    from picks_export.exporters.server.page import PAGE_FILES, page_file

    rows.game(dt.date(2026, 2, 6))
    rows.graded_pick(dt.date(2026, 2, 6), "Player One", "hit")
    exported = run(rows, with_page=True)
    first = exported.exporter().daily(dt.date(2026, 2, 7))
    assert {result.path: result.status for result in first.report.results if "/page/" in result.path} == {
        f"v1/page/{name}": "written" for name in PAGE_FILES
    }
    for name in PAGE_FILES:
        assert (exported.dest / "v1" / "page" / name).read_bytes() == page_file(name)
    again = exported.exporter().daily(dt.date(2026, 2, 7))
    assert {result.status for result in again.report.results if "/page/" in result.path} == {"unchanged"}
    (exported.dest / "v1/schemas/picks-export.d.ts").write_text("export interface X {}\n")  # as the types land
    running = open_server(exported.dest, 0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        expected = {
            "/v1/page/index.html": ("text/html; charset=utf-8", "public, max-age=300"),
            "/v1/page/page.css": ("text/css; charset=utf-8", "public, max-age=300"),
            "/v1/page/page.js": ("text/javascript; charset=utf-8", "public, max-age=300"),
            "/v1/manifest.json": ("application/json", "public, max-age=300"),
            "/v1/schemas/picks-export.d.ts": ("application/typescript", "public, max-age=86400"),
            "/v1/schemas/manifest.schema.json": ("application/json", "public, max-age=86400"),
        }
        for path, (content_type, cache_control) in expected.items():
            response, _ = request(running, path)
            assert response.status == 200, path
            assert (response.getheader("Content-Type"), response.getheader("Cache-Control")) == (
                content_type,
                cache_control,
            )
    finally:
        running.shutdown()
        running.server_close()


# Client errors: one line each, never a traceback; an idle connection is closed.


@pytest.fixture
def impatient(published: Path) -> Iterator[BucketServer]:
    """A server closing connections idle for half a second, with a file too large for the socket's buffers."""
    (published / "v1" / "subsets" / "big.json").write_bytes(b'{"x":"' + os.urandom(4_000_000).hex().encode() + b'"}')
    running = open_server(published, 0, idle_timeout=0.5)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def test_a_client_that_hangs_up_early_is_one_line_and_the_server_goes_on(impatient, capfd):
    import socket
    import struct
    import time

    port = impatient.server_address[1]
    for _ in range(3):
        client = socket.create_connection(("127.0.0.1", port), timeout=10)
        client.sendall(b"GET /v1/subsets/big.json HTTP/1.1\r\nHost: x\r\n\r\n")
        client.recv(100)  # the answer has begun
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()  # a reset: the rest of the body has nowhere to go
    deadline = time.monotonic() + 10
    errors = ""
    while errors.count("client error") < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
        errors += capfd.readouterr().err
    assert request(impatient, "/v1/picks/2026-02-07.json")[0].status == 200  # still serving
    errors += capfd.readouterr().err
    lines = [line for line in errors.splitlines() if "client error" in line]
    assert "Traceback" not in errors
    assert len(lines) == 3 and all(
        line.startswith("127.0.0.1:") and (": BrokenPipeError" in line or ": ConnectionResetError" in line)
        for line in lines
    ), errors


def test_an_idle_connection_is_closed_with_one_line(impatient, capfd):
    import socket
    import time

    client = socket.create_connection(("127.0.0.1", impatient.server_address[1]), timeout=10)
    started = time.monotonic()
    assert client.recv(100) == b""  # the server closed it: nothing was asked
    assert 0.4 < time.monotonic() - started < 5
    client.close()
    half = socket.create_connection(("127.0.0.1", impatient.server_address[1]), timeout=10)
    half.sendall(b"GET /v1/picks/2026-02-07.json HTTP/1.1\r\n")  # and the rest of the request never comes
    assert half.recv(100) == b""
    half.close()
    time.sleep(0.1)
    errors = capfd.readouterr().err
    timed_out = [line for line in errors.splitlines() if "timed out" in line]
    assert len(timed_out) == 2 and "Traceback" not in errors, errors
