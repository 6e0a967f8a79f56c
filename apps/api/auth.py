"""Who is calling the API, and how often they may.

Anonymous use is allowed; a key (``X-API-Key``) raises the limit. A key that is wrong or
revoked is refused with 401 rather than silently treated as anonymous, so a client notices.

Limits are counted by django-ratelimit, as the rest of the site's are (fixed windows, atomic
increments in the shared cache), per client address (``metoo_archive.client_ip``) or per key.
"""

from __future__ import annotations

import contextvars
import datetime

from django.conf import settings
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader
from ninja.throttling import BaseThrottle

from apps.api.models import ApiKey, key_digest
from apps.core.limits import rate_limit_wait
from metoo_archive.client_ip import client_ip

# How stale ``last_used_at`` may be: writing it on every request would cost a write each.
LAST_USED_PRECISION = datetime.timedelta(minutes=5)


class Anonymous:
    """``request.auth`` for a caller without a key."""

    def __bool__(self) -> bool:
        return True  # ninja takes a falsy result for a refusal


ANONYMOUS = Anonymous()


class OptionalApiKey(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request, key: str | None):
        if not key:
            return ANONYMOUS
        api_key = ApiKey.objects.active().filter(digest=key_digest(key)).first()
        if api_key is None:
            raise AuthenticationError(message="This API key is not valid or has been revoked.")
        now = timezone.now()
        if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_PRECISION:
            ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        return api_key


def _caller(group: str, request) -> str:
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiKey):
        return f"key:{auth.pk}"
    return f"ip:{client_ip(request)}"


class RateLimit(BaseThrottle):
    """API_ANON_RATE per client address, API_KEY_RATE per key. One instance serves every
    request of an operation (and threads share it), so the wait of a refused request is kept
    in a context variable, not on the instance."""

    def __init__(self) -> None:
        self._wait: contextvars.ContextVar[float | None] = contextvars.ContextVar(
            "api_rate_wait", default=None
        )

    def allow_request(self, request) -> bool:
        keyed = isinstance(getattr(request, "auth", None), ApiKey)
        wait = rate_limit_wait(
            request,
            group="api.keyed" if keyed else "api.anonymous",
            key=_caller,
            rate=settings.API_KEY_RATE if keyed else settings.API_ANON_RATE,
        )
        self._wait.set(wait)
        return wait is None

    def wait(self) -> float | None:
        return self._wait.get()
