"""Template tags for the pages of apps below captures, which may not import it:
``{% load captures %}``."""

from django import template

from apps.captures.liveness import entry_panel

register = template.Library()


@register.inclusion_tag("captures/_liveness.html")
def liveness_of(entry):
    """A published entry's captures, the newest first, and whether its address still answers
    as captured (one query)."""
    return {"panel": entry_panel(entry)}
