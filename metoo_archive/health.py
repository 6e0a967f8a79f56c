"""``/healthz``: is this web process able to serve? Says which check failed."""

import logging

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


CHECKS = {"database": _check_database}


@never_cache
def healthz(request):
    failures = {name: error for name, check in CHECKS.items() if (error := check())}
    status = "ok" if not failures else "failing"
    body = {"status": status, "checks": {name: failures.get(name, "ok") for name in CHECKS}}
    return JsonResponse(body, status=200 if not failures else 503)
