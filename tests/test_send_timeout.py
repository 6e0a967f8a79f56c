"""A client that stops reading a response gives back its web thread (metoo_archive.send_timeout).

The sockets are real: one end is what gunicorn hands the application as ``gunicorn.socket``,
the other a client with a small receive window that never reads, as the stalled client of the
load test (benchmarks/load.py) does."""

import importlib.util
import socket
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from gunicorn.util import close_graceful

from metoo_archive.send_timeout import SendTimeoutMiddleware

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def connection():
    server, client = socket.socketpair()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    yield server, client
    server.close()
    client.close()


def write_to_a_client_that_never_reads(server, seconds: float) -> BaseException | None:
    """What gunicorn's worker does with the response: sendall, chunk after chunk."""
    outcome: list = []

    def write():
        try:
            for _ in range(1000):
                server.sendall(b"x" * 65536)
        except BaseException as error:  # noqa: BLE001 -- what gunicorn sees is the point
            outcome.append(error)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(seconds)
    if writer.is_alive():
        server.shutdown(socket.SHUT_RDWR)  # free the thread; the test has already failed
        writer.join(5)
        return None
    return outcome[0] if outcome else None


def test_a_write_to_a_client_that_stopped_reading_gives_up_after_the_send_timeout(
    settings, connection
):
    settings.WEB_SEND_TIMEOUT = 1
    server, _client = connection
    request = RequestFactory().get("/search/export.csv?q=women")
    request.META["gunicorn.socket"] = server
    SendTimeoutMiddleware(lambda request: HttpResponse())(request)

    started = time.monotonic()
    error = write_to_a_client_that_never_reads(server, seconds=10)

    assert isinstance(error, TimeoutError), "the write blocked on the stalled client"
    assert time.monotonic() - started < 5


def test_the_send_timeout_of_zero_leaves_the_socket_blocking(settings, connection):
    settings.WEB_SEND_TIMEOUT = 0
    server, _client = connection
    request = RequestFactory().get("/")
    request.META["gunicorn.socket"] = server
    SendTimeoutMiddleware(lambda request: HttpResponse())(request)
    assert server.gettimeout() is None


def test_the_send_timeout_comes_before_every_other_middleware():
    # whitenoise answers static files from its middleware, before any later one runs.
    assert settings.MIDDLEWARE[0] == "metoo_archive.send_timeout.SendTimeoutMiddleware"


def test_a_request_without_gunicorns_socket_passes_through(settings):
    settings.WEB_SEND_TIMEOUT = 1
    response = SendTimeoutMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response.content == b"ok"


def gunicorns_close_after(hook, environ, error: BaseException | None) -> float:
    """The seconds gunicorn's worker spends closing the connection after a request ends with
    ``error``: post_request runs in a ``finally`` clause, then the close (on the worker's main
    thread, where every other connection waits)."""
    try:
        try:
            if error is not None:
                raise error
        finally:
            hook(None, None, environ, None)
    except TimeoutError:
        pass
    started = time.monotonic()
    close_graceful(environ["gunicorn.socket"])
    return time.monotonic() - started


def test_a_timed_out_client_does_not_stall_the_workers_main_thread_on_close(
    gunicorn_conf, connection
):
    server, _client = connection  # the client never reads, nor closes
    seconds = gunicorns_close_after(
        gunicorn_conf.post_request, {"gunicorn.socket": server}, TimeoutError("timed out")
    )
    assert seconds < 0.5


def test_a_connection_that_ends_normally_is_closed_gracefully_as_before(gunicorn_conf, connection):
    server, client = connection
    client.sendall(b"the next request")
    client.shutdown(socket.SHUT_WR)  # a client that closes its side after its request
    gunicorns_close_after(gunicorn_conf.post_request, {"gunicorn.socket": server}, None)
    assert client.recv(10) == b""  # the server's orderly FIN, not a reset


def test_gunicorn_logs_a_client_that_stopped_reading_as_one_warning(gunicorn_conf, caplog):
    """What gunicorn's threaded worker logs when a write times out, and when anything else
    fails: the first becomes one line at WARNING, the second stays an ERROR with its traceback."""
    import logging
    from types import SimpleNamespace

    error_log = logging.getLogger("gunicorn.error")
    gunicorn_conf.on_starting(SimpleNamespace(log=SimpleNamespace(error_log=error_log)))
    try:
        with caplog.at_level(logging.INFO, logger="gunicorn.error"):
            for error in (TimeoutError("timed out"), ValueError("a real bug")):
                try:
                    raise error
                except Exception:
                    error_log.exception("Socket error processing request.")
    finally:
        error_log.removeFilter(gunicorn_conf.SEND_TIMEOUT_AS_WARNING)
    timed_out, bug = caplog.records
    assert (timed_out.levelname, timed_out.exc_info) == ("WARNING", None)
    assert timed_out.getMessage() == "gave up on a client that stopped reading (WEB_SEND_TIMEOUT)"
    assert bug.levelname == "ERROR" and isinstance(bug.exc_info[1], ValueError)
