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
}


@functools.lru_cache(maxsize=16)
def _site_links(script_prefix: str, urlconf) -> dict[str, str]:
    return {name: reverse(view) for name, view in SITE_LINKS.items()}


def site(request):
    """The site's name and the links of its chrome, reversed once per script prefix rather
    than by a ``{% url %}`` tag on every page (they were half the cost of rendering the base
    template)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_LINKS": _site_links(get_script_prefix(), get_urlconf()),
    }
