"""Whole public pages kept, for anonymous visitors, until public content changes.

The search page and the timeline are the same for every visitor who is not signed in, and each
costs the server tens of milliseconds of Python (the FilterSet, twenty results, sixty facet
links, a chart of up to 744 bars). A page is stored under the public content version
(:func:`apps.core.content.content_version`, which every change to an entry, its evidence or
its moderation state moves, in the changing transaction and again after its commit) and the
full path of the request, so a withdrawn entry is never served from here: the next request
looks under a new version. The time limit only bounds what an edit made behind the ORM's back
could leave in place, and how old the moment printed on a page (a search's "cite this search")
may be.

Signed-in people (curators see links of their own), requests carrying messages, responses that
set cookies or are not plain 200 pages are never stored. The key also holds a fingerprint of
the code, templates and static files, so that after a deploy a cache shared through Redis does
not serve pages the previous release rendered.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.dispatch import receiver
from django.http import HttpResponse
from django.utils.autoreload import file_changed

from apps.core.caching import cache_get, cache_set
from apps.core.content import content_version

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


# What a page is made from, besides the data: a change to any of these files changes pages.
RELEASE_FILES = (
    "apps/**/*.py",
    "apps/**/templates/**/*",
    "apps/**/static/**/*",
    "metoo_archive/*.py",
    "templates/**/*",
    "static/**/*",
)


@functools.cache
def release_fingerprint() -> str:
    """A digest of the files pages are made from (:data:`RELEASE_FILES`), read once a process
    (a few hundred small files)."""
    digest = hashlib.sha256()
    root = settings.BASE_DIR
    paths = sorted({path for pattern in RELEASE_FILES for path in root.glob(pattern)})
    for path in paths:
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@receiver(file_changed, dispatch_uid="public-page-cache-release")
def _forget_release(sender, file_path, **kwargs):
    """``runserver`` reloads templates without restarting: pages stored before an edit must not
    be served after it."""
    release_fingerprint.cache_clear()


def _key(version: str, request) -> str:
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"public-page:{release_fingerprint()}:{version}:{digest}"


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
            stored = cache_get(key)
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
                cache_set(key, (response.content, response["Content-Type"]), seconds)
                response[CACHE_HEADER] = "miss"
            return response

        return wrapper

    return decorator
