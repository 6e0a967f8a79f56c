"""``/healthz``: is this web process able to serve? Says which check failed.

The database is required: without it the endpoint answers 503. The cache is not (public pages
are computed afresh and takedown requests go through without it), so a cache that cannot be
reached makes the status "degraded", still with 200, and a load balancer keeps the process."""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

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


CHECKS = {"database": _check_database, "cache": _check_cache}
REQUIRED = {"database"}


@never_cache
def healthz(request):
    failures = {name: error for name, check in CHECKS.items() if (error := check())}
    failing = bool(REQUIRED & failures.keys())
    status = "failing" if failing else "degraded" if failures else "ok"
    body = {"status": status, "checks": {name: failures.get(name, "ok") for name in CHECKS}}
    return JsonResponse(body, status=503 if failing else 200)
