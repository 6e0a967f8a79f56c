"""The curators' queue: which pending entries, filtered how, in which order (oldest first).

One FilterSet per kind of entry, all sharing the parameter names ``account``, ``language``,
``date_from`` and ``date_to`` so that the page has one form and a bulk action can replay the
same filters later from the stored parameters.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from apps.archive.models import Post, SourceArticle
from apps.core.moderation import EntryKind
from apps.ingest.models import CapturedArticle, CapturedPost, Feed
from apps.timeline.models import TimelineEvent

QUEUE_KINDS = (EntryKind.POST, EntryKind.ARTICLE, EntryKind.EVENT)
FILTER_PARAMS = ("feed", "account", "language", "date_from", "date_to")


def _feed_filter():
    return django_filters.ModelChoiceFilter(
        queryset=Feed.objects.order_by("name"),
        method="filter_feed",
        label="Feed",
        empty_label="Any feed",
    )


class _DateRange(django_filters.FilterSet):
    date_field = ""

    date_from = django_filters.DateFilter(
        method="filter_date_from", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        method="filter_date_to", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": value})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__lte": value})


class PostQueueFilter(_DateRange):
    date_field = "posted_at__date"

    feed = _feed_filter()
    account = django_filters.CharFilter(method="filter_account", label="Account handle")
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact")

    class Meta:
        model = Post
        fields: list[str] = []

    def filter_account(self, queryset, name, value):
        return queryset.filter(account__handle__iexact=value.strip().lstrip("@"))

    def filter_feed(self, queryset, name, value):
        # Entries the feed's runs captured; a subquery, so an entry seen twice is listed once.
        captured = CapturedPost.objects.filter(capture__run__feed=value).values("post_id")
        return queryset.filter(pk__in=captured)


class ArticleQueueFilter(_DateRange):
    date_field = "published_at__date"

    feed = _feed_filter()
    account = django_filters.CharFilter(method="filter_outlet", label="Outlet (name or domain)")
    language = django_filters.CharFilter(field_name="language", lookup_expr="iexact")

    class Meta:
        model = SourceArticle
        fields: list[str] = []

    def filter_outlet(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(outlet__domain__iexact=value) | Q(outlet__name__iexact=value))

    def filter_feed(self, queryset, name, value):
        captured = CapturedArticle.objects.filter(capture__run__feed=value).values("article_id")
        return queryset.filter(pk__in=captured)


class EventQueueFilter(_DateRange):
    date_field = "date"

    class Meta:
        model = TimelineEvent
        fields: list[str] = []


def queue_base(kind: str):
    """Pending entries of one kind, oldest first (the order they reached the archive)."""
    if kind == EntryKind.POST:
        return Post.objects.pending().select_related("account").order_by("id")
    if kind == EntryKind.ARTICLE:
        return SourceArticle.objects.pending().select_related("outlet").order_by("id")
    if kind == EntryKind.EVENT:
        return TimelineEvent.objects.pending().select_related("chapter").order_by("id")
    raise ValueError(f"No queue for {kind!r}.")


def queue_filterset(kind: str, params) -> django_filters.FilterSet:
    """An always-bound FilterSet over the pending entries of ``kind``."""
    filterset_class = {
        EntryKind.POST: PostQueueFilter,
        EntryKind.ARTICLE: ArticleQueueFilter,
        EntryKind.EVENT: EventQueueFilter,
    }[EntryKind(kind)]
    names = [key for key in FILTER_PARAMS if key in filterset_class.base_filters]
    data = {key: params.get(key, "") for key in names}
    return filterset_class(data=data, queryset=queue_base(kind))
