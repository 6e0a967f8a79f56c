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
from django.db import OperationalError
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
    rather than a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (
            isinstance(exception, OperationalError)
            and isinstance(exception.__cause__, QueryCanceled)
        ):
            return None
        logger.warning("statement cancelled (time limit): %s %s", request.method, request.path)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
