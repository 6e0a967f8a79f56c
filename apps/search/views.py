import datetime

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.archive.models import Post, SourceArticle
from apps.curation.public import get_public_or_gone
from apps.search import citations, exports
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry
from apps.search.page_cache import public_page_cache, request_content_version
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
    filterset = _filterset(request)
    filterset.qs  # noqa: B018 -- compile the query now, so that errors surface before streaming
    rows = exports.export_rows(filterset, site_url=_site_url(request))
    response = StreamingHttpResponse(exports.csv_stream(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("csv")}"'
    return response


def export_json(request):
    filterset = _filterset(request)
    filterset.qs  # noqa: B018
    meta = _export_meta(request, filterset)
    rows = exports.export_rows(filterset, site_url=_site_url(request))
    response = StreamingHttpResponse(
        exports.json_stream(rows, meta=meta), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_filename("json")}"'
    return response


def _site_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


CITABLE = {
    "post": lambda: Post.objects.select_related("account"),
    "article": lambda: SourceArticle.objects.select_related("outlet").defer("text"),
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
