"""Atom feeds (django.contrib.syndication): newly published entries, and any search.

A journalist follows a query by giving ``/feeds/search.atom?<the search's parameters>`` to a
feed reader: the same query language and filters as ``/search/``, the newest matches first.
Summaries are plain text (``type="text"``): the text comes from the outside world, and an
``html`` summary would be markup to every reader that shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from apps.feeds.entries import FeedItem, newly_published, search_matches, xml_text
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry

# Parameters of the search page that choose a page of results or an order, not what matches:
# a feed is always the newest matches.
NOT_A_SEARCH_PARAMETER = ("cursor", "page", "order")


class TextAtomFeed(Atom1Feed):
    """Atom with plain-text summaries (Django writes them as ``type="html"``)."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


def search_query_string(query: QueryDict) -> str:
    """The search's own parameters, urlencoded: the same search on the page, in a feed, or in
    a link between them."""
    kept = query.copy()
    for name in NOT_A_SEARCH_PARAMETER:
        kept.pop(name, None)
    return kept.urlencode()


class _EntriesFeed(Feed):
    feed_type = TextAtomFeed
    language = "en"
    author_name = settings.SITE_NAME

    def feed_url(self, obj) -> str:
        return obj.request.get_full_path()

    def feed_guid(self, obj) -> str:
        return obj.request.build_absolute_uri()

    def item_title(self, item: FeedItem) -> str:
        # Atom titles are text: Django's default escapes them again, for RSS.
        return xml_text(item.title)

    def item_description(self, item: FeedItem) -> str:
        return xml_text(item.summary)

    def item_link(self, item: FeedItem) -> str:
        return item.path

    def item_author_name(self, item: FeedItem) -> str | None:
        return xml_text(item.author) if item.author else None

    def item_pubdate(self, item: FeedItem):
        return item.published

    def item_updateddate(self, item: FeedItem):
        return item.updated

    def item_categories(self, item: FeedItem) -> list[str]:
        return [xml_text(tag) for tag in item.categories]


@dataclass
class _Newest:
    request: HttpRequest


class NewEntriesFeed(_EntriesFeed):
    title = f"{settings.SITE_NAME}: newly published"
    subtitle = (
        "Posts, articles and timeline events as the archive publishes them, the newest first."
    )

    def get_object(self, request, *args, **kwargs) -> _Newest:
        return _Newest(request)

    def link(self, obj) -> str:
        return reverse("timeline:home")

    def items(self, obj) -> list[FeedItem]:
        return newly_published(limit=settings.FEED_ITEMS)


@dataclass
class _Search:
    request: HttpRequest
    filterset: SearchFilterSet


def describe_search(filterset: SearchFilterSet) -> str:
    """What a search looks for, in words: its query as understood, then its filters."""
    filterset.where()  # parses the query
    parts = list(filterset.parsed.explain())
    form = filterset.form
    for name, value in filterset.cleaned.items():
        if name in ("q", *NOT_A_SEARCH_PARAMETER) or value in (None, ""):
            continue
        field = form.fields[name]
        shown = dict(getattr(field, "choices", ())).get(value, value)
        parts.append(f"{field.label}: {shown}")
    return "; ".join(str(part) for part in parts) or "everything"


class SearchFeed(_EntriesFeed):
    def get_object(self, request, *args, **kwargs) -> _Search:
        return _Search(request, SearchFilterSet(request.GET, queryset=SearchEntry.objects.all()))

    def title(self, obj: _Search) -> str:
        return xml_text(f"{settings.SITE_NAME} search: {describe_search(obj.filterset)}")

    def subtitle(self, obj: _Search) -> str:
        filterset = obj.filterset
        filterset.where()
        notes = filterset.parsed.notes + filterset.problems()
        text = "The newest entries matching this search, newest first."
        if notes:
            text += " Problems with the search: " + " ".join(notes)
        return xml_text(text)

    def link(self, obj: _Search) -> str:
        query = search_query_string(obj.request.GET)
        return reverse("search:search") + (f"?{query}" if query else "")

    def items(self, obj: _Search) -> list[FeedItem]:
        return search_matches(obj.filterset, limit=settings.FEED_ITEMS)
