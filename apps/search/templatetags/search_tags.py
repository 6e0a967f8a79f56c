"""Template tags of the search app: citations on entries' pages (built without queries)."""

from django import template
from django.urls import reverse

from apps.search import citations

register = template.Library()


@register.inclusion_tag("search/_citations.html", takes_context=True)
def entry_citations(context, entry, kind: str):
    """Every citation style for an entry whose page is being shown, and its downloads.

    Expects the entry as the page loaded it (a post with its account, an article with its
    outlet), so building the citations costs no query."""
    request = context["request"]
    source = citations.source_for(
        entry, kind=kind, archive_url=request.build_absolute_uri(entry.get_absolute_url())
    )
    return {
        "styles": citations.all_styles(source),
        "source": source,
        "bibtex_url": reverse("search:cite_bibtex", args=[kind, entry.pk]),
        "csl_url": reverse("search:cite_csl", args=[kind, entry.pk]),
        "kind": kind,
    }
