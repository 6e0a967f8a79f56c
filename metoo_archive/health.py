"""``/healthz``: is this web process able to serve? Says which check failed.

The database is required: without it the endpoint answers 503. The cache is not (public pages
are computed afresh and takedown requests go through without it), so a cache that cannot be
reached makes the status "degraded", still with 200, and a load balancer keeps the process.

It also reports the web capture queue (``capture_queue``: queued, running, failed in the last
day, the oldest queued capture's age in seconds). A queue is not a fault however long it is; a
queued capture older than ``CAPTURE_QUEUE_STALE_MINUTES`` means no worker is taking captures,
and makes the status "degraded".

And the fixity audit (``fixity``: files watched, files checked within the cycle, files whose
latest check failed, when the last run finished). A stored file missing, altered or
unreadable makes the status "degraded", naming the count: the site still serves, but what it
keeps needs restoring. Two small index reads; no path is named."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from apps.captures.queue import queue_summary
from apps.fixity.reports import health_summary as fixity_summary

logger = logging.getLogger(__name__)


def _check_database() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is a failed check, reported rather than raised
        logger.warning("health check: database unavailable: %s", exc)
        return f"database unavailable: {exc.__class__.__name__}"
    return None


def _check_cache() -> str | None:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", 10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:  # as above
        logger.warning("health check: cache unavailable: %s", exc)
        return f"cache unavailable: {exc.__class__.__name__}"
    return None if found == "ok" else "cache unavailable: a value set was not read back"


def _capture_queue() -> tuple[dict | None, str | None]:
    """The queue's numbers, and what is wrong with it if anything."""
    try:
        summary = queue_summary()
    except Exception as exc:  # as above
        logger.warning("health check: capture queue unreadable: %s", exc)
        return None, f"capture queue unreadable: {exc.__class__.__name__}"
    waited = summary.oldest_queued_seconds
    if waited is not None and waited > settings.CAPTURE_QUEUE_STALE_MINUTES * 60:
        return summary.as_dict(), (
            f"stalled: the oldest queued capture has waited {waited // 60} minutes"
        )
    return summary.as_dict(), None


def _fixity() -> tuple[dict | None, str | None]:
    try:
        summary = fixity_summary()
    except Exception as exc:  # as above
        logger.warning("health check: fixity audit unreadable: %s", exc)
        return None, f"fixity audit unreadable: {exc.__class__.__name__}"
    if problems := summary["problems"]:
        return summary, (
            f"{problems} stored file{'s' if problems != 1 else ''} failed the latest fixity "
            "check (missing, altered or unreadable)"
        )
    return summary, None


CHECKS = {"database": _check_database, "cache": _check_cache}
REQUIRED = {"database"}


@never_cache
def healthz(request):
    failures = {name: error for name, check in CHECKS.items() if (error := check())}
    if "database" in failures:
        queue, failures["capture_queue"] = None, "not read: the database is unavailable"
        fixity, failures["fixity"] = None, "not read: the database is unavailable"
    else:
        queue, error = _capture_queue()
        if error:
            failures["capture_queue"] = error
        fixity, error = _fixity()
        if error:
            failures["fixity"] = error
    failing = bool(REQUIRED & failures.keys())
    status = "failing" if failing else "degraded" if failures else "ok"
    names = [*CHECKS, "capture_queue", "fixity"]
    body = {
        "status": status,
        "checks": {name: failures.get(name, "ok") for name in names},
        "capture_queue": queue,
        "fixity": fixity,
    }
    return JsonResponse(body, status=503 if failing else 200)
