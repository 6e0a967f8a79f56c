from django.shortcuts import render
from django.utils import timezone

from apps.ingest.models import Feed


def sources(request):
    """What the archive reads, and how fresh each source is: the public side of coverage."""
    feeds = list(Feed.objects.for_sources_page())
    return render(request, "ingest/sources.html", {"feeds": feeds, "now": timezone.now()})
