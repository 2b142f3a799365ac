"""The BigQuery API emulator behind the real client, and a recording proxy in front of it.

`Emulator` runs bqemulator from its own virtual environment (.venv-bqemulator, set up by scripts/test.sh) on free
ports. `Proxy` forwards every request to it and keeps what the client sent, so that tests can read the jobs'
configuration as it went over the wire and count requests; it can also answer in the emulator's place, for faults
the emulator cannot produce (a query refused for the bytes-billed cap, a slow query).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SERVE = Path(__file__).parent / "bqemulator" / "serve.py"
# scripts/test.sh builds this environment; PICKS_EXPORT_BQEMULATOR_PYTHON can name another one's python.
DEFAULT_PYTHON = REPO / ".venv-bqemulator" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Emulator:
    """A bqemulator server process on free ports, its output in a log file."""

    def __init__(self, folder: Path) -> None:
        self.python = Path(os.environ.get("PICKS_EXPORT_BQEMULATOR_PYTHON", DEFAULT_PYTHON))
        self.log = folder / "bqemulator.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # The Storage Read API (gRPC, plaintext): host:port, as --bigquery-storage-endpoint takes it.
        self.grpc_port = free_port()
        self.storage_endpoint = f"127.0.0.1:{self.grpc_port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 90.0) -> None:
        if not self.python.is_file():
            raise RuntimeError(
                f"no BigQuery emulator environment at {self.python}: run `bash scripts/test.sh`, which sets up"
                " .venv-bqemulator from tests/bqemulator/requirements.txt"
            )
        # HOME inside the emulator's environment: DuckDB's spatial extension is installed there, not in ~.
        home = self.python.parent.parent / "home"
        home.mkdir(exist_ok=True)
        command = [str(self.python), str(SERVE), "--rest-port", str(self.port), "--grpc-port", str(self.grpc_port)]
        command += ["--ephemeral", "--log-level", "warning"]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "HOME": str(home)},
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the emulator exited with {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/bigquery/v2/projects/probe-project/datasets", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the emulator did not answer within {wait:g} s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-20:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


@dataclass
class Request:
    method: str
    path: str
    body: Any  # the JSON body, or None

    @property
    def is_job_insert(self) -> bool:
        return self.method == "POST" and self.path.split("?")[0].endswith("/jobs")

    @property
    def query(self) -> dict[str, Any]:
        return self.body["configuration"]["query"]


# A fault: given a request, (status, JSON body) to answer in the emulator's place, or None to forward it.
Fault = Callable[[Request], "tuple[int, dict[str, Any]] | None"]


class Proxy:
    """Forwards HTTP requests to `target` and records them."""

    def __init__(self, target: str) -> None:
        self.target = target.removeprefix("http://")
        self.requests: list[Request] = []
        self.fault: Fault | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def job_inserts(self) -> list[Request]:
        return [request for request in self.requests if request.is_job_insert]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(data) if data else None
                except ValueError:
                    body = None
                request = Request(self.command, self.path, body)
                proxy.requests.append(request)
                answer = proxy.fault(request) if proxy.fault else None
                if answer is not None:
                    status, content = answer
                    self._send(status, json.dumps(content).encode(), "application/json")
                    return
                connection = http.client.HTTPConnection(proxy.target, timeout=120)
                skip = ("host", "connection")
                headers = {key: value for key, value in self.headers.items() if key.lower() not in skip}
                connection.request(self.command, self.path, body=data or None, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                connection.close()
                self._send(response.status, payload, response.getheader("Content-Type") or "application/json")

            def _send(self, status: int, payload: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
