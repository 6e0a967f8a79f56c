"""Feeds, the sitemap and robots.txt, each kept under the public content version (and the
``/favicon.ico`` browsers ask for, a redirect).

Machines poll these (feed readers every few minutes, crawlers page by page), and each answer is
the same for everyone until public content changes. An answer is kept under the content
version, the release's fingerprint and its whole absolute address (the addresses inside are
absolute, so the scheme and host belong to the key): a withdrawal moves the version, and the
next request looks under a new key at once. ``PUBLIC_PAGE_CACHE`` off turns it off too.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.core.caching import cache_get, cache_set
from apps.core.page_cache import CACHE_HEADER, release_fingerprint, request_content_version
from apps.feeds.feeds import NewEntriesFeed, SearchFeed
from apps.feeds.sitemaps import SITEMAPS

# Bounds only what an edit made behind the ORM's back could leave in place (see above).
CACHE_SECONDS = 300
KEPT_HEADERS = ("Last-Modified", "X-Robots-Tag")


def kept_while_content_unchanged(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PUBLIC_PAGE_CACHE:
            return view(request, *args, **kwargs)
        # The version first: what is stored under it was read after it was committed.
        version = request_content_version(request)
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        key = f"machine-page:{release_fingerprint()}:{version}:{address}"
        stored = cache_get(key)
        if stored is not None:
            content, content_type, headers = stored
            response = HttpResponse(content, content_type=content_type, headers=headers)
            response[CACHE_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render"):
            response.render()  # the sitemap views answer with a TemplateResponse
        if response.status_code == 200 and not response.streaming:
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            cache_set(key, (response.content, response["Content-Type"], headers), CACHE_SECONDS)
            response[CACHE_HEADER] = "miss"
        return response

    return require_safe(wrapper)


new_entries_feed = kept_while_content_unchanged(NewEntriesFeed())
search_feed = kept_while_content_unchanged(SearchFeed())


@kept_while_content_unchanged
def sitemap_index(request):
    return sitemap_views.index(request, SITEMAPS, sitemap_url_name="feeds:sitemap_section")


@kept_while_content_unchanged
def sitemap_section(request, section: str):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("feeds:sitemap"))
    return render(
        request, "feeds/robots.txt", {"sitemap_url": sitemap_url}, content_type="text/plain"
    )


@require_safe
def favicon(request):
    """``/favicon.ico``, which browsers ask for on pages that name no icon (the admin's): the
    site's own icon, by a temporary redirect (its static name changes with its content)."""
    return redirect(static("img/favicon.svg"))
