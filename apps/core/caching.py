"""Django's cache for what public pages keep (whole pages, counts and facets, the timeline's
events), used without depending on it: the cache only saves work, so when it cannot be reached
(Redis down, say) pages are computed as if nothing were kept, and the failure goes to the log
rather than to the visitor."""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def _what(key: str) -> str:
    return key.split(":", 1)[0]  # "public-page", "search-facets", ...: never the visitor's query


def cache_get(key: str):
    """The value kept under ``key``, or None when there is none or the cache is unreachable."""
    try:
        return cache.get(key)
    except Exception as error:  # any backend's error: the caller computes the value instead
        logger.warning(
            "cache unreachable (%s): %s computed afresh", type(error).__name__, _what(key)
        )
        return None


def cache_set(key: str, value, seconds: int) -> None:
    """Keep ``value`` under ``key`` if the cache can be reached; otherwise only log it."""
    try:
        cache.set(key, value, seconds)
    except Exception as error:  # as above: nothing is kept, nothing else changes
        logger.warning("cache unreachable (%s): %s not kept", type(error).__name__, _what(key))
