"""Template filters for the curators' pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else "": links from feeds are outside data, and a
    ``javascript:`` link in a curator's page would run in a curator's session."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme.lower() in ("http", "https") else ""
