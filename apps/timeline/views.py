import hashlib

from django.db.models import Count, Q
from django.shortcuts import render
from django.template.loader import render_to_string

from apps.archive.models import Account, Post, SourceArticle
from apps.core.caching import cache_get, cache_set
from apps.core.content import story_version
from apps.core.page_cache import public_page_cache, request_content_version
from apps.core.public import get_public_or_gone
from apps.search.presenting import timeline_search
from apps.timeline.models import Chapter, TimelineEvent
from apps.timeline.services import group_by_chapter

# The home page's numbers are four counts over the largest tables: at a million posts they cost
# far more than the rest of the page, so they are kept until public content changes.
HOME_COUNTS_CACHE_SECONDS = 600


def _public_counts(version: str) -> dict[str, int]:
    key = f"home-counts:{version}"  # the version is read before the counts
    counts = cache_get(key)
    if counts is None:
        counts = {
            "events": TimelineEvent.objects.published().count(),
            "posts": Post.objects.published().count(),
            "articles": SourceArticle.objects.published().count(),
            "accounts": Account.objects.published().count(),
        }
        cache_set(key, counts, HOME_COUNTS_CACHE_SECONDS)
    return counts


@public_page_cache(seconds=HOME_COUNTS_CACHE_SECONDS)
def home(request):
    counts = _public_counts(request_content_version(request))
    chapters = list(
        Chapter.objects.annotate(
            event_count=Count("events", filter=Q(events__moderation_state="published"))
        ).order_by("position")  # Meta.ordering does not apply to GROUP BY queries
    )
    highlights = list(
        TimelineEvent.objects.published()
        .filter(is_highlight=True)
        .in_order()
        .only("slug", "title", "date", "date_precision", "date_end", "summary")
    )
    return render(
        request,
        "timeline/home.html",
        {"counts": counts, "chapters": chapters, "highlights": highlights},
    )


# How long rendered events may be kept. Any change to the story moves the version in the key
# at once (apps.core.content.content_changed); the limit only bounds what an edit made
# behind the ORM's back (raw SQL, QuerySet.update without sync_entries) could leave in place.
TIMELINE_EVENTS_CACHE_SECONDS = 600


def _events_cache_key(version: str, params) -> str:
    """Cache key for the rendered events: the story version and every query parameter."""
    query = sorted((name, tuple(values)) for name, values in params)
    digest = hashlib.sha256(repr(query).encode()).hexdigest()
    return f"timeline-events:{version}:{digest}"


@public_page_cache(seconds=TIMELINE_EVENTS_CACHE_SECONDS)
def timeline(request):
    """The curated events and, beneath them, the volume of matching posts per period.

    Takes the search page's query and filters, plus ``period`` (YYYY, YYYY-MM or YYYY-MM-DD)
    and ``by`` (year, month, day or hour) to zoom."""
    search = timeline_search(request, version=request_content_version(request))
    zoom = search.zoom
    # The events are kept under the story's own version (read before them), which new posts
    # elsewhere in the archive leave alone.
    key = _events_cache_key(story_version(), request.GET.lists())
    events_html = cache_get(key)
    if events_html is None:
        events = TimelineEvent.objects.published().with_evidence().in_order()
        if zoom.start is not None:
            events = events.filter(date__gte=zoom.start.date(), date__lt=zoom.end.date())
        matching = search.matching_event_ids()
        if matching is not None:
            events = events.filter(pk__in=matching)
        events = list(events)
        # The events bring their chapters along (select_related): no query of their own.
        chapters = sorted(
            {event.chapter_id: event.chapter for event in events if event.chapter_id}.values(),
            key=lambda chapter: chapter.position,
        )
        events_html = render_to_string(
            "timeline/_events.html",
            {"chapters": group_by_chapter(chapters, events), "filtered": search.filtered},
            request,
        )
        cache_set(key, events_html, TIMELINE_EVENTS_CACHE_SECONDS)
    return render(request, "timeline/timeline.html", {"events_html": events_html, **search.context})


def event_detail(request, slug: str):
    event = get_public_or_gone(TimelineEvent.objects.with_evidence(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})
