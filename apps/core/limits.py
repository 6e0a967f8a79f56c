"""Counting a client against a rate limit (django-ratelimit, fixed windows, atomic increments in
the shared cache), the one way exports, data packages and the API count theirs."""

from __future__ import annotations

import logging

from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)


def rate_limit_wait(request, *, group: str, rate: str, key="ip") -> int | None:
    """Count this request against ``rate`` for its client (``key``: django-ratelimit's "ip",
    which reads ``metoo_archive.client_ip``, or a callable): None while under it, else the
    seconds until it may ask again. When the cache cannot be reached the request goes through
    uncounted and the log says so: the limit protects the archive's work, and a cache outage
    must not turn every limited request into a server error."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    except Exception as error:  # any cache backend's error
        logger.warning("cache unreachable (%s): %s not rate-limited", type(error).__name__, group)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])
