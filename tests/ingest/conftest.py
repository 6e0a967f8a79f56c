"""Fixtures for ingestion tests: a real HTTP server on 127.0.0.1 serving what each test tells
it to, with the address guard opened for 127.0.0.1 only, and captures kept in a temp folder."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (slow server)
    drip: float = 0.0  # seconds between 1 KiB chunks of the body (slow body)
    length: bool = True  # False: no Content-Length, the body ends when the connection closes


class FixtureServer:
    """Routes map a path to a Reply, a list of Replies (served in turn, the last repeating),
    or a function of the request headers returning a Reply."""

    def __init__(self):
        self.routes: dict[str, object] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.requests.append((self.path, headers))
                route = server.routes.get(self.path.split("?")[0])
                if route is None:
                    reply = Reply(404, b"not found")
                elif isinstance(route, list):
                    reply = route.pop(0) if len(route) > 1 else route[0]
                elif callable(route):
                    reply = route(headers)
                else:
                    reply = route
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if not reply.length:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                elif "content-length" not in {k.lower() for k in reply.headers}:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    if reply.drip:
                        for start in range(0, len(reply.body), 1024):
                            self.wfile.write(reply.body[start : start + 1024])
                            self.wfile.flush()
                            time.sleep(reply.drip)
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def http_server():
    server = FixtureServer()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def ingest_settings(settings, tmp_path):
    settings.INGEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.INGEST_CAPTURE_DIR = tmp_path / "captures"
    settings.INGEST_FEED_FILE_DIRS = [str(FIXTURES), str(tmp_path)]
    settings.INGEST_READ_TIMEOUT = 1.0
    settings.INGEST_CONNECT_TIMEOUT = 1.0
    settings.INGEST_TOTAL_TIMEOUT = 5.0
    settings.INGEST_MAX_INLINE_WAIT = 1.0
    settings.INGEST_HOST_SLOT_WAIT = 1.0
    # The writer thread has its own connection, outside the test's transaction; the tests
    # that run it are transactional (test_pipeline.py and the worker's).
    settings.INGEST_WRITER_THREAD = False
    return settings
