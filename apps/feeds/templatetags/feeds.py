"""``{% entry_json_ld post %}``: a post's, an article's or an event's schema.org description;
``{% search_feed_url %}``: the Atom feed of the search on the page."""

from django import template
from django.urls import reverse

from apps.core.templatetags.structured_data import json_ld
from apps.feeds.feeds import search_query_string
from apps.feeds.structured_data import entry_data

register = template.Library()


@register.simple_tag(takes_context=True)
def entry_json_ld(context, entry) -> str:
    request = context["request"]
    # The origin the page's own permalink is written with.
    return json_ld(entry_data(entry, origin=f"{request.scheme}://{request.get_host()}"))


@register.simple_tag(takes_context=True)
def search_feed_url(context) -> str:
    """The feed of the search this request made (its query and filters; not its page or
    order): a relative address, escaped by the template where it is written."""
    query = search_query_string(context["request"].GET)
    return reverse("feeds:search") + (f"?{query}" if query else "")
