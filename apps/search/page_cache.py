"""Whole public pages kept, for anonymous visitors, until public content changes.

The search page and the timeline are the same for every visitor who is not signed in, and each
costs the server tens of milliseconds of Python (the FilterSet, twenty results, sixty facet
links, a chart of up to 744 bars). A page is stored under the public content version
(:func:`apps.search.indexing.content_version`, which every change to an entry, its evidence or
its moderation state moves, in the changing transaction and again after its commit) and the
full path of the request, so a withdrawn entry is never served from here: the next request
looks under a new version. The time limit only bounds what an edit made behind the ORM's back
could leave in place, and how old the moment printed on a page (a search's "cite this search")
may be.

Signed-in people (curators see links of their own), requests carrying messages, responses that
set cookies or are not plain 200 pages are never stored.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

from apps.search.indexing import content_version

CACHE_HEADER = "X-Page-Cache"  # "hit" or "miss": tells tests and operators which one answered


def request_content_version(request) -> str:
    """The content version this request's page is built under: the one read for its cache key,
    or, when the page is not cached, read now (one query)."""
    version = getattr(request, "_public_content_version", None)
    if version is None:
        version = request._public_content_version = content_version()
    return version


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # Checked before touching request.user, which would load the session.
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return not request.user.is_authenticated


def _key(version: str, request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{version}:{digest}"


def public_page_cache(*, seconds: int):
    """Serve a view's page from the cache while public content is unchanged (see the module's
    docstring). ``seconds`` of 0, or ``PUBLIC_PAGE_CACHE`` off in the settings, turns it off."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (seconds and settings.PUBLIC_PAGE_CACHE and _cacheable(request)):
                return view(request, *args, **kwargs)
            # The version first: what is stored under it was read after it was committed.
            key = _key(request_content_version(request), request)
            stored = cache.get(key)
            if stored is not None:
                content, content_type = stored
                response = HttpResponse(content, content_type=content_type)
                response[CACHE_HEADER] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not response.has_header("Vary")
            ):
                cache.set(key, (response.content, response["Content-Type"]), seconds)
                response[CACHE_HEADER] = "miss"
            return response

        return wrapper

    return decorator
