"""gunicorn's settings for the archive's web server: the Dockerfile's command and
``manage.py serve`` run ``gunicorn --config gunicorn.conf.py metoo_archive.wsgi``. The
address, workers and threads are given on their command lines; this file holds the hooks and
the keep-alive."""

import gc
import logging
import signal
import socket
import sys

# Seconds a kept-alive connection may idle between requests (gunicorn's default is 2). A client
# pausing about that long between requests (a reader clicking on, a curator deciding, a script
# paging) meets the server closing the connection just as it sends on it: a reset (16 in the
# load test's 5 minutes at 2 s, 1 at 5 s with curators pausing 2-6 s; benchmarks/RESULTS.md).
# Idle connections wait in the worker's poller, not in a thread. Behind a proxy, keep it above
# the proxy's own idle timeout for its upstream connections.
keepalive = 10

# gunicorn's control socket (for its ``gunicornc`` client) is not used here; left on, it is a
# socket under the user's home directory (or runtime directory) for every server started.
control_socket_disable = True


class SendTimeoutAsWarning(logging.Filter):
    """gunicorn logs a write that timed out as "Socket error processing request." at ERROR,
    with a traceback. Here that is a client that stopped reading, given up on by design
    (WEB_SEND_TIMEOUT): one line at WARNING says so. Every other error is left as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], TimeoutError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = "gave up on a client that stopped reading (WEB_SEND_TIMEOUT)"
            record.args, record.exc_info, record.exc_text = (), None, None
        return True


SEND_TIMEOUT_AS_WARNING = SendTimeoutAsWarning()


def on_starting(server):
    """In the arbiter, before any worker is forked: the workers log through the same logger."""
    server.log.error_log.addFilter(SEND_TIMEOUT_AS_WARNING)


def obey_the_arbiter_only():
    """In a worker: leave Ctrl-C to the arbiter. A terminal's Ctrl-C (or ``manage.py serve``'s
    process group being interrupted) sends SIGINT to the workers too, and the arbiter then
    sends each of them SIGQUIT: a threaded worker taking the second quit while it handles the
    first re-enters its thread pool's shutdown and waits on a lock it holds, for ever (an orphan
    that keeps the embedded database up). With SIGINT ignored, the arbiter's one SIGQUIT stops
    the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def post_worker_init(worker):
    """Once a worker has loaded the application: load the URL configuration (and with it
    every view module), then move everything loaded so far out of the cycle collector's
    reach. It lives as long as the process, and a full collection would otherwise scan all of
    it, pausing whichever request is running for tens of milliseconds.

    Done here, in the served process, rather than when ``metoo_archive.wsgi`` is imported:
    whatever else imports it (a test, a script) keeps the collector as it was."""
    from django.urls import get_resolver

    obey_the_arbiter_only()
    get_resolver().url_patterns  # noqa: B018 -- imports the views
    gc.freeze()
    worker.log.info("froze %d start-up objects out of the collector's reach", gc.get_freeze_count())


def post_request(worker, req, environ, resp):
    """After a write to a client that stopped reading timed out (WEB_SEND_TIMEOUT,
    metoo_archive.send_timeout): shut the socket at once. gunicorn's threaded worker then
    closes the connection gracefully on its main thread, waiting up to 2 s for the client to
    close its side, which a stalled client never does; meanwhile no other connection of the
    worker is served and its kept-alive ones expire under their clients' next requests.

    gunicorn calls this hook from a ``finally`` clause, so the failed write is the exception
    being raised."""
    client = environ.get("gunicorn.socket")
    if client is not None and isinstance(sys.exc_info()[1], TimeoutError):
        try:
            client.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone
