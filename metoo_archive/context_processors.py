import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The pages every page links to (the header's navigation and the footer).
SITE_LINKS = {
    "home": "timeline:home",
    "timeline": "timeline:timeline",
    "search": "search:search",
    "sources": "ingest:sources",
    "curate": "curation:queue",
    "takedown": "curation:takedown_form",
    "new_entries_feed": "feeds:new",
    "api": "api:index",
}


@functools.lru_cache(maxsize=256)
def _reversed(viewname: str, script_prefix: str, urlconf) -> str:
    return reverse(viewname, urlconf=urlconf)


def reverse_once(viewname: str) -> str:
    """``reverse(viewname)`` for a URL without arguments, kept per script prefix and URLconf:
    the same few links are on every page, and each ``reverse`` costs tens of microseconds."""
    return _reversed(viewname, get_script_prefix(), get_urlconf())


def site(request):
    """The site's name and the links of its chrome (reversed once, see :func:`reverse_once`,
    rather than by a ``{% url %}`` tag on every page: they were half the cost of rendering the
    base template)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_LINKS": {name: reverse_once(view) for name, view in SITE_LINKS.items()},
    }
