import datetime
import itertools

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from apps.archive.models import Post, SourceArticle
from apps.core.page_cache import public_page_cache, request_content_version
from apps.core.public import get_public_or_gone
from apps.search import citations, export_limits, exports
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry
from apps.search.presenting import search_context
from apps.search.searching import search_run
from apps.timeline.models import TimelineEvent


def _filterset(request) -> SearchFilterSet:
    return SearchFilterSet(request.GET, queryset=SearchEntry.objects.all())


def _positive_int(value, default: int = 1) -> int:
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return default


# A minute: the page prints the moment the search was run ("cite this search").
@public_page_cache(seconds=60)
def search(request):
    version = request_content_version(request)  # before anything else is read
    filterset = _filterset(request)
    page = search_run(
        filterset,
        cursor=request.GET.get("cursor", ""),
        page=_positive_int(request.GET.get("page")),
        version=version,
    )
    return render(request, "search/search.html", search_context(request, filterset, page))


def _export_meta(request, filterset) -> dict:
    return {
        "archive": settings.SITE_NAME,
        "query": filterset.cleaned.get("q") or "",
        "understood_as": filterset.parsed.explain(),
        "notes": filterset.parsed.notes + filterset.problems(),
        "filters": {
            key: str(value)
            for key, value in filterset.cleaned.items()
            if value not in (None, "") and key != "q"
        },
        "exported_at": timezone.now().isoformat(),
        "url": request.build_absolute_uri(),
    }


def _export_filename(extension: str) -> str:
    return f"metoo-archive-search-{timezone.now():%Y%m%dT%H%M%SZ}.{extension}"


def export_csv(request):
    return _export(request, "csv")


def export_json(request):
    return _export(request, "json")


def _export(request, extension: str):
    """The export, streamed, once the limits (apps.search.export_limits) let it through."""
    filterset = _filterset(request)
    filterset.qs  # noqa: B018 -- compile the query now, so that errors surface before streaming
    bounded = not request.user.is_authenticated
    if bounded and (wait := export_limits.export_rate_check(request)):
        return _export_refused(request, "rate", status=429, retry_after=wait)
    slot = export_limits.ExportSlot.take()
    if slot is None:
        return _export_refused(
            request, "busy", status=429, retry_after=export_limits.BUSY_RETRY_AFTER
        )
    try:
        max_rows = settings.EXPORT_MAX_ROWS if bounded else None
        if max_rows is not None and export_limits.export_exceeds(filterset, max_rows=max_rows):
            slot.give_back()
            return _export_refused(request, "too_large", status=403)
        rows = exports.export_rows(filterset, site_url=_site_url(request), limit=max_rows)
        # The first row is read here, so that the sort of the matches happens within the
        # request: a statement cut by its time limit answers 503, not a truncated download.
        first = next(rows, None)
        rows = itertools.chain([] if first is None else [first], rows)
        if extension == "csv":
            chunks, content_type = exports.csv_stream(rows), "text/csv"
        else:
            meta = _export_meta(request, filterset)
            chunks, content_type = exports.json_stream(rows, meta=meta), "application/json"
    except BaseException:
        slot.give_back()
        raise
    response = StreamingHttpResponse(slot.holding(chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_export_filename(extension)}"'
    return response


def _export_refused(request, reason: str, *, status: int, retry_after: int | None = None):
    query = request.GET.urlencode()
    response = render(
        request,
        "search/export_refused.html",
        {
            "reason": reason,
            "max_rows": settings.EXPORT_MAX_ROWS,
            "dataset_url": settings.EXPORT_DATASET_URL,
            "search_url": reverse("search:search") + (f"?{query}" if query else ""),
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _site_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


CITABLE = {
    "post": lambda: Post.objects.select_related("account").prefetch_related(
        citations.public_captures_prefetch(Post)
    ),
    "article": lambda: (
        SourceArticle.objects.select_related("outlet")
        .defer("text")
        .prefetch_related(citations.public_captures_prefetch(SourceArticle))
    ),
    "event": lambda: TimelineEvent.objects.all(),
}


def cite(request, kind: str, pk: int, fmt: str):
    entry = get_public_or_gone(CITABLE[kind](), pk=pk)
    source = citations.source_for(
        entry,
        kind=kind,
        archive_url=request.build_absolute_uri(entry.get_absolute_url()),
        today=datetime.datetime.now(datetime.UTC).date(),
    )
    if fmt == "bib":
        response = HttpResponse(citations.bibtex(source), content_type="application/x-bibtex")
        response["Content-Disposition"] = f'attachment; filename="{source.key}.bib"'
    else:
        response = HttpResponse(
            citations.csl_json(source), content_type="application/vnd.citationstyles.csl+json"
        )
        response["Content-Disposition"] = f'attachment; filename="{source.key}.json"'
    return response
