from django.db.models import Count, Q
from django.shortcuts import render

from apps.archive.models import Account, Post, SourceArticle
from apps.curation.public import get_public_or_gone
from apps.timeline.models import Chapter, TimelineEvent
from apps.timeline.services import group_by_chapter


def home(request):
    counts = {
        "events": TimelineEvent.objects.published().count(),
        "posts": Post.objects.published().count(),
        "articles": SourceArticle.objects.published().count(),
        "accounts": Account.objects.published().count(),
    }
    chapters = list(
        Chapter.objects.annotate(
            event_count=Count("events", filter=Q(events__moderation_state="published"))
        ).order_by("position")  # Meta.ordering does not apply to GROUP BY queries
    )
    highlights = list(
        TimelineEvent.objects.published()
        .filter(is_highlight=True)
        .in_order()
        .only("slug", "title", "date", "date_precision", "summary")
    )
    return render(
        request,
        "timeline/home.html",
        {"counts": counts, "chapters": chapters, "highlights": highlights},
    )


def timeline(request):
    events = list(TimelineEvent.objects.published().with_evidence().in_order())
    chapters = group_by_chapter(list(Chapter.objects.all()), events)
    return render(request, "timeline/timeline.html", {"chapters": chapters, "events": events})


def event_detail(request, slug: str):
    event = get_public_or_gone(TimelineEvent.objects.with_evidence(), slug=slug)
    return render(request, "timeline/event_detail.html", {"event": event})
