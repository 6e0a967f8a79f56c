"""A time limit on the database statements of web requests, and a clean page when one is cut.

One visitor's expensive request must not hold a database backend (and a web thread) for
minutes while the pages of everyone else wait. The limit is PostgreSQL's ``statement_timeout``,
set on each new connection of the web server process: ``metoo_archive.wsgi`` calls
:func:`install`, which nothing else imports, so Celery workers and management commands (an
ingest, ``rebuild_search_index``) keep statements as long as their work needs.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.shortcuts import render
from psycopg.errors import QueryCanceled

logger = logging.getLogger(__name__)

DISPATCH_UID = "metoo_archive.statement_timeout"
RETRY_AFTER_SECONDS = 30


def install() -> None:
    """Limit the statements of every connection this process opens from now on."""
    connection_created.connect(_limit_statements, dispatch_uid=DISPATCH_UID)


def uninstall() -> None:
    connection_created.disconnect(dispatch_uid=DISPATCH_UID)


def _limit_statements(sender, connection, **kwargs) -> None:
    milliseconds = int(settings.WEB_STATEMENT_TIMEOUT * 1000)
    if milliseconds > 0 and connection.vendor == "postgresql":
        # A connection opens in autocommit, so the session setting is committed at once and
        # outlives the transactions that follow (a rolled-back SET would be undone).
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{milliseconds}"])


class CancelledStatementMiddleware:
    """A statement cancelled by the time limit answers 503 with a page saying to try again,
    rather than a server error; so does a database that cannot be reached (restarting,
    failing over, its connection cut), with a page saying so. Django reconnects on the next
    request once it is back (``CONN_HEALTH_CHECKS``), so the site recovers without a restart.

    A cached public page is not served instead: its key holds the content version, which is
    read from the database, and a page kept under an older version could show an entry
    withdrawn since."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        return unavailable_response(request, exception)


def unavailable_response(request, exception):
    """The 503 page for a cancelled statement or an unreachable database, or None for any
    other exception."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return None
    if isinstance(exception.__cause__, QueryCanceled):
        logger.warning("statement cancelled (time limit): %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
    else:
        logger.error(
            "database unavailable (%s): %s %s answered 503",
            exception, request.method, request.path,
        )  # fmt: skip
        # (imported here: metoo_archive.wsgi imports this module before Django is set up)
        from django.contrib.auth.models import AnonymousUser

        # The page itself must not need the database: a signed-in visitor's user would be
        # read from the session table.
        context = {"database_unavailable": True, "user": AnonymousUser()}
        response = render(request, "503.html", context, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """``handler500``: the database failing outside a view (a signed-in curator's session read
    by a middleware, say) still answers the 503 page, not a bare server error."""
    import sys

    from django.views import defaults

    return unavailable_response(request, sys.exc_info()[1]) or defaults.server_error(request)
