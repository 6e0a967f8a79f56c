from django.shortcuts import render
from django.utils import timezone

from apps.captures.queue import queue_summary
from apps.ingest.models import Feed


def sources(request):
    """What the archive reads, and how fresh each source is: the public side of coverage. The
    web capture queue is shown in numbers only (no address, entry or error)."""
    feeds = list(Feed.objects.for_sources_page())
    now = timezone.now()
    return render(
        request,
        "ingest/sources.html",
        {"feeds": feeds, "now": now, "capture_queue": queue_summary(now=now)},
    )
