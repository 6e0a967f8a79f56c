"""What keeps exports from starving the site: a rate limit and a size bound for visitors who
are not signed in, and a cap on how many exports run at once for everyone.

The counts live in Django's cache (Redis in production, so shared by every web process; the
per-process memory cache counts per process). When the cache cannot be reached the export goes
through uncounted and the log says so: the statement time limit still bounds it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.cache import cache

from apps.core.limits import rate_limit_wait
from apps.search.filters import SearchFilterSet

logger = logging.getLogger(__name__)

# A slot left behind by a process that died mid-export frees itself after this many seconds;
# an export of EXPORT_MAX_ROWS rows streams in a few.
SLOT_SECONDS = 300
# What a client turned away because every slot is taken is told to wait: a bounded export
# takes seconds.
BUSY_RETRY_AFTER = 10


def export_rate_check(request) -> int | None:
    """Count this export against the client's ``EXPORT_RATE_LIMIT``: None while under it,
    else the seconds until the client may export again."""
    return rate_limit_wait(request, group="search-export", rate=settings.EXPORT_RATE_LIMIT)


def export_exceeds(filterset: SearchFilterSet, *, max_rows: int) -> bool:
    """Whether more than ``max_rows`` entries match: counted no further than one past it."""
    return filterset.qs[: max_rows + 1].count() > max_rows


class ExportSlot:
    """One of ``EXPORT_CONCURRENCY`` places for a running export, taken with the cache's atomic
    ``add`` and given back when the response is closed (finished, failed or abandoned)."""

    def __init__(self, key: str | None, token: str):
        self.key = key
        self.token = token

    @classmethod
    def take(cls) -> ExportSlot | None:
        """A free slot, or None when every one is in use."""
        token = secrets.token_hex(8)
        try:
            for number in range(settings.EXPORT_CONCURRENCY):
                key = f"search-export-slot:{number}"
                if cache.add(key, token, timeout=SLOT_SECONDS):
                    return cls(key, token)
        except Exception as error:  # any cache backend's error
            logger.warning("cache unreachable (%s): export not counted", type(error).__name__)
            return cls(None, token)
        return None

    def give_back(self) -> None:
        if self.key is None:
            return
        key, self.key = self.key, None
        try:
            # Only our own: a slot that outlived SLOT_SECONDS may be someone else's by now.
            if cache.get(key) == self.token:
                cache.delete(key)
        except Exception as error:  # any cache backend's error
            logger.warning("cache unreachable (%s): slot left to expire", type(error).__name__)

    def holding(self, chunks: Iterable[str]) -> _Held:
        """``chunks`` for a streaming response, giving the slot back when it is closed."""
        return _Held(chunks, self)


class _Held:
    """An iterable with ``close()``, which Django's streaming response calls when it is done
    with it, however it ended (a generator's ``finally`` would not run if never started)."""

    def __init__(self, chunks: Iterable[str], slot: ExportSlot):
        self.chunks = chunks
        self.slot = slot

    def __iter__(self) -> Iterator[str]:
        return iter(self.chunks)

    def close(self) -> None:
        try:
            close = getattr(self.chunks, "close", None)
            if close is not None:
                close()
        finally:
            self.slot.give_back()
