"""Template filters shared by the public and the curators' pages."""

from urllib.parse import urlsplit

from django import template

register = template.Library()


@register.filter
def http_url(value: str) -> str:
    """The URL if it is http(s), else "": links come from outside data (feeds, exports), and a
    ``javascript:`` or ``data:`` link must never become clickable on one of our pages."""
    value = (value or "").strip()
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:  # e.g. an invalid IPv6 literal
        return ""
    return value if scheme in ("http", "https") else ""
