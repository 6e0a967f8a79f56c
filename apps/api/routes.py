"""The API's endpoints: thin, reading through the same querysets and services as the pages."""

from __future__ import annotations

import datetime
import hashlib
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse
from django.urls import reverse
from ninja import Path, Query, Router, Schema

from apps.api import presenting, schemas
from apps.api.presenting import Links
from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core.caching import cache_get, cache_set
from apps.core.content import content_version, story_version
from apps.core.public import get_public_or_gone
from apps.search import citations, volume
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry
from apps.search.searching import search_run
from apps.timeline.models import TimelineEvent

router = Router()

EntryId = Path(..., ge=1, le=2**63 - 1)
# Searches and timelines are kept, as the pages' are, until anything public changes (the
# content version in the key moves at once).
CACHE_SECONDS = 60

# What any call may answer besides its result: a wrong key (401), a wrong parameter (422, with
# what was wrong), too many calls (429, with Retry-After).
ERRORS = {401: schemas.Message, 422: schemas.ValidationErrors, 429: schemas.Message}
GONE_AND_MISSING = {404: schemas.Message, 410: schemas.Gone}


def endpoint(path: str, name: str, result, *, tag: str, answers: dict | None = None):
    """A GET endpoint named ``name`` (its URL name and its OpenAPI operation id)."""
    return router.get(
        path,
        response={200: result, **ERRORS, **(answers or {})},
        url_name=name,
        operation_id=name,
        tags=[tag],
        # A key is optional: anonymous calls are answered too (with a lower rate limit).
        openapi_extra={"security": [{"OptionalApiKey": []}, {}]},
    )


POST_FIELDS = (
    "id", "platform", "platform_id", "account_id", "text", "media_text", "posted_at",
    "posted_at_precision", "posted_at_zone", "url", "language", "hashtags", "content_warning",
    "captured_at", "capture_sha256", "moderation_state",
    "account__id", "account__platform", "account__handle", "account__display_name",
    "account__is_public_figure", "account__handle_visible", "account__pseudonym",
)  # fmt: skip
ARTICLE_FIELDS = (
    "id", "title", "canonical_url", "outlet_id", "authors", "published_at", "date_note",
    "excerpt", "language", "captured_at", "capture_sha256", "moderation_state",
    "outlet__id", "outlet__name",
)  # fmt: skip


def _after(cursor: str) -> int:
    """A list's keyset cursor: the last id of the page before (its form is in the schema)."""
    return int(cursor or 0)


def _page(request, rows: list, limit: int, present) -> dict:
    more = len(rows) > limit
    rows = rows[:limit]
    next_url = None
    if more:
        query = request.GET.copy()
        query["cursor"] = str(rows[-1].pk)
        next_url = request.build_absolute_uri(request.path) + "?" + query.urlencode()
    return {"results": [present(row) for row in rows], "next": next_url}


def _events_prefetch() -> Prefetch:
    return Prefetch(
        "events",
        queryset=TimelineEvent.objects.published()
        .only("id", "slug", "title", "date", "date_precision", "date_end")
        .order_by("date", "id"),
        to_attr="public_events",
    )


@endpoint("/", "index", schemas.Index, tag="index")
def index(request):
    """Where everything is: the schema, its documentation and each list."""
    links = Links(request)
    return {
        "openapi": links.api("openapi-json"),
        "documentation": links.api("openapi-view"),
        "lists": {
            name: links.api(f"{name[:-1]}_list")
            for name in ("posts", "articles", "accounts", "outlets", "events")
        },
        "search": links.api("search"),
        "timeline": links.api("timeline"),
    }


# --- posts ------------------------------------------------------------------------------------


@endpoint("/posts", "post_list", schemas.PostPage, tag="posts")
def post_list(request, params: Query[schemas.ListParams]):
    """Published posts, oldest id first."""
    links = Links(request)
    rows = list(
        Post.objects.published()
        .select_related("account")
        .only(*POST_FIELDS)
        .filter(pk__gt=_after(params.cursor))
        .order_by("pk")[: params.limit + 1]
    )
    return _page(request, rows, params.limit, lambda post: presenting.post_out(post, links))


def _public_post(pk: int) -> Post:
    return get_public_or_gone(
        Post.objects.select_related("account")
        .only(*POST_FIELDS)
        .prefetch_related(_events_prefetch(), citations.public_captures_prefetch(Post)),
        pk=pk,
    )


@endpoint("/posts/{id}", "post_detail", schemas.PostDetail, tag="posts", answers=GONE_AND_MISSING)
def post_detail(request, id: int = EntryId):
    post = _public_post(id)
    links = Links(request)
    return {
        **presenting.post_out(post, links),
        "events": [presenting.event_ref(e, links) for e in post.public_events],
        "captures": [presenting.capture_out(c, links) for c in post.public_captures],
        "citations_url": links.api("post_citations", post.pk),
    }


# --- articles ---------------------------------------------------------------------------------


@endpoint("/articles", "article_list", schemas.ArticlePage, tag="articles")
def article_list(request, params: Query[schemas.ListParams]):
    """Published articles, oldest id first."""
    links = Links(request)
    rows = list(
        SourceArticle.objects.published()
        .select_related("outlet")
        .only(*ARTICLE_FIELDS)
        .filter(pk__gt=_after(params.cursor))
        .order_by("pk")[: params.limit + 1]
    )
    return _page(
        request, rows, params.limit, lambda article: presenting.article_out(article, links)
    )


def _public_article(pk: int) -> SourceArticle:
    return get_public_or_gone(
        SourceArticle.objects.select_related("outlet")
        .only(*ARTICLE_FIELDS)
        .prefetch_related(_events_prefetch(), citations.public_captures_prefetch(SourceArticle)),
        pk=pk,
    )


@endpoint(
    "/articles/{id}",
    "article_detail",
    schemas.ArticleDetail,
    tag="articles",
    answers=GONE_AND_MISSING,
)
def article_detail(request, id: int = EntryId):
    article = _public_article(id)
    links = Links(request)
    return {
        **presenting.article_out(article, links),
        "events": [presenting.event_ref(e, links) for e in article.public_events],
        "captures": [presenting.capture_out(c, links) for c in article.public_captures],
        "citations_url": links.api("article_citations", article.pk),
    }


# --- accounts and outlets -----------------------------------------------------------------------


@endpoint("/accounts", "account_list", schemas.AccountPage, tag="accounts")
def account_list(request, params: Query[schemas.ListParams]):
    """Published accounts that have a public page: public figures and people who let their
    handle be shown. A private person's account is named on their posts by its pseudonym."""
    links = Links(request)
    rows = list(
        Account.objects.published()
        .with_public_page()
        .filter(pk__gt=_after(params.cursor))
        .order_by("pk")[: params.limit + 1]
    )
    return _page(request, rows, params.limit, lambda a: presenting.account_out(a, links))


@endpoint(
    "/accounts/{id}", "account_detail", schemas.Account, tag="accounts", answers=GONE_AND_MISSING
)
def account_detail(request, id: int = EntryId):
    account = get_public_or_gone(Account.objects.with_public_page(), pk=id)
    return presenting.account_out(account, Links(request))


@endpoint("/outlets", "outlet_list", schemas.OutletPage, tag="outlets")
def outlet_list(request, params: Query[schemas.ListParams]):
    links = Links(request)
    rows = list(
        Outlet.objects.published()
        .filter(pk__gt=_after(params.cursor))
        .order_by("pk")[: params.limit + 1]
    )
    return _page(request, rows, params.limit, lambda o: presenting.outlet_detail_out(o, links))


@endpoint("/outlets/{id}", "outlet_detail", schemas.Outlet, tag="outlets", answers=GONE_AND_MISSING)
def outlet_detail(request, id: int = EntryId):
    outlet = get_public_or_gone(Outlet.objects.all(), pk=id)
    return presenting.outlet_detail_out(outlet, Links(request))


# --- timeline events ----------------------------------------------------------------------------


@endpoint("/events", "event_list", schemas.EventPage, tag="timeline")
def event_list(request, params: Query[schemas.ListParams]):
    """Published timeline events, oldest id first (``/timeline`` gives them in story order)."""
    links = Links(request)
    rows = list(
        TimelineEvent.objects.published()
        .select_related("chapter")
        .filter(pk__gt=_after(params.cursor))
        .order_by("pk")[: params.limit + 1]
    )
    return _page(request, rows, params.limit, lambda e: presenting.event_out(e, links))


@endpoint(
    "/events/{slug}", "event_detail", schemas.EventDetail, tag="timeline", answers=GONE_AND_MISSING
)
def event_detail(request, slug: str = Path(..., max_length=200)):
    event = get_public_or_gone(TimelineEvent.objects.with_evidence(), slug=slug)
    links = Links(request)
    return {
        **presenting.event_detail_out(event, links),
        "citations_url": links.api("event_citations", event.slug),
    }


# --- citations ---------------------------------------------------------------------------------


def _citations(request, entry, kind: str) -> dict:
    archive_url = request.build_absolute_uri(entry.get_absolute_url())
    source = citations.source_for(
        entry, kind=kind, archive_url=archive_url, today=datetime.datetime.now(datetime.UTC).date()
    )
    return {
        "styles": citations.all_styles(source),
        "bibtex": citations.bibtex(source),
        "csl_json": citations.csl_items(source),
        "bibtex_url": request.build_absolute_uri(
            reverse("search:cite_bibtex", args=[kind, entry.pk])
        ),
        "csl_json_url": request.build_absolute_uri(
            reverse("search:cite_csl", args=[kind, entry.pk])
        ),
    }


@endpoint(
    "/posts/{id}/citations",
    "post_citations",
    schemas.Citations,
    tag="citations",
    answers=GONE_AND_MISSING,
)
def post_citations(request, id: int = EntryId):
    """The post cited in APA, MLA, Chicago and Bluebook, as BibTeX and as CSL-JSON."""
    return _citations(request, _public_post(id), "post")


@endpoint(
    "/articles/{id}/citations",
    "article_citations",
    schemas.Citations,
    tag="citations",
    answers=GONE_AND_MISSING,
)
def article_citations(request, id: int = EntryId):
    return _citations(request, _public_article(id), "article")


@endpoint(
    "/events/{slug}/citations",
    "event_citations",
    schemas.Citations,
    tag="citations",
    answers=GONE_AND_MISSING,
)
def event_citations(request, slug: str = Path(..., max_length=200)):
    return _citations(request, get_public_or_gone(TimelineEvent.objects.all(), slug=slug), "event")


# --- search and timeline -------------------------------------------------------------------------


def _cache_key(prefix: str, request, version: str, params: dict) -> str:
    signature = repr((request.scheme, request.get_host(), sorted(params.items())))
    return f"{prefix}:{version}:{hashlib.sha256(signature.encode()).hexdigest()}"


def _kept_answer(key: str, schema: type[Schema], compute) -> HttpResponse:
    """The answer kept under ``key``, else ``compute()``'s, checked against ``schema`` once and
    kept as the bytes sent: a kept answer is sent as it is, as the pages' cache sends a page
    (checking it again on every call cost three times the rest of a repeated search)."""
    kept = settings.PUBLIC_PAGE_CACHE  # the pages' switch (off: every answer computed afresh)
    body = cache_get(key) if kept else None
    if body is None:
        body = orjson.dumps(schema.model_validate(compute()).model_dump())
        if kept:
            cache_set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type="application/json")


def _search_result(result, links: Links) -> dict:
    entry = result.entry
    if result.kind == "post":
        summary, title = presenting.post_out(entry, links, full=False), ""
    elif result.kind == "article":
        summary = presenting.article_out(entry, links, full=False)
        title = presenting.plain_snippet(result.title) if result.title else entry.title
    elif result.kind == "event":
        summary = presenting.event_out(entry, links, full=False)
        title = presenting.plain_snippet(result.title) if result.title else entry.title
    else:
        summary = {**presenting.account_ref(entry, links), "kind": "account"}
        title = entry.public_name
    return {
        "kind": result.kind,
        "id": entry.pk,
        "date": result.date,
        "title": title,
        "snippet": presenting.plain_snippet(result.snippet),
        "snippet_html": result.snippet,
        "entry": summary,
    }


@endpoint("/search", "search", schemas.Search, tag="search")
def search(request, params: Query[schemas.SearchParams]):
    """The search page's search: the same query language, filters, orders and counts. Newest
    and oldest first page by cursor (follow `next`); relevance by page number, within the
    newest 500 matches when more match."""
    version = content_version()  # before anything else is read
    query = params.as_query()
    paging = {"cursor": params.cursor, "page": str(params.page)}
    key = _cache_key("api-search", request, version, {**query, **paging})
    return _kept_answer(
        key, schemas.Search, lambda: _search_answer(request, params, query, version)
    )


def _search_answer(request, params, query: dict, version: str) -> dict:
    filterset = SearchFilterSet(query, queryset=SearchEntry.objects.all())
    page = search_run(filterset, cursor=params.cursor, page=params.page, version=version)
    links = Links(request)
    next_url = None
    if page.next_cursor or page.next_page:
        step = {"cursor": page.next_cursor} if page.next_cursor else {"page": page.next_page}
        next_url = links.api("search") + "?" + urlencode({**query, **step})
    return {
        "query": query,
        "understood_as": filterset.parsed.explain(),
        "notes": [*filterset.parsed.notes, *filterset.problems()],
        "count": page.count,
        "count_capped": page.count_capped,
        "order": page.order,
        "results": [_search_result(result, links) for result in page.results],
        "next": next_url,
        "facets": [
            {"name": facet.name, "label": facet.label, "options": facet.options}
            for facet in page.facets
        ],
        "page_url": links.path(reverse("search:search")) + "?" + urlencode(query),
    }


@endpoint("/timeline", "timeline", schemas.Timeline, tag="timeline")
def timeline(request, params: Query[schemas.TimelineParams]):
    """The timeline at any zoom: the volume of matching entries (posts unless `kind` says
    otherwise) per bar, and the published events in the period, in story order. With no
    `period`, bars by year; zoom in with a bar's `period` (and `by` for finer bars)."""
    version = content_version()  # before anything else is read
    query = params.as_query()
    zoom_params = {"period": params.period, "by": params.by or ""}
    key = _cache_key("api-timeline", request, version, {**query, **zoom_params})
    return _kept_answer(
        key, schemas.Timeline, lambda: _timeline_answer(request, params, query, version)
    )


def _timeline_answer(request, params, query: dict, version: str) -> dict:
    filterset = SearchFilterSet(query, queryset=SearchEntry.objects.all())
    zoom = volume.parse_zoom(params.period, params.by)
    bars = _timeline_bars(filterset, zoom, version)
    links = Links(request)
    zoom_params = {"period": zoom.period, "by": params.by or ""}
    return {
        "period": zoom.period,
        "by": zoom.by,
        "label": zoom.label,
        "notes": [*zoom.notes, *filterset.parsed.notes, *filterset.problems()],
        "total": sum(bar["count"] for bar in bars),
        "bars": bars,
        "events": _timeline_events(request, filterset, zoom, links),
        "page_url": links.path(reverse("timeline:timeline"))
        + "?"
        + urlencode({**query, **{k: v for k, v in zoom_params.items() if v}}),
    }


def _timeline_bars(filterset, zoom, version: str) -> list[dict]:
    """Every bar of the zoom, kept under the public content version as the page keeps its
    chart: a month by hour is 744 of them."""
    signature = volume.counts_signature(filterset, zoom)
    key = f"api-timeline-bars:{version}:{zoom.by}:{signature}"
    bars = cache_get(key)
    if bars is None:
        counts = volume.volume_counts(filterset, zoom)
        bars = [
            {
                "start": bar.start,
                "period": volume.period_of(bar.start, zoom.by),
                "label": bar.label,
                "count": bar.count,
            }
            for bar in volume.volume_bars(counts, zoom)
        ]
        cache_set(key, bars, CACHE_SECONDS)
    return bars


def _timeline_events(request, filterset, zoom, links: Links) -> list[dict]:
    """The published events of the period that the query matches, in story order, kept under
    the story's own version as the timeline page keeps its events (new posts elsewhere leave
    them alone)."""
    key = _cache_key(
        "api-timeline-events",
        request,
        story_version(),
        {"period": zoom.period, "tsquery": filterset.tsquery},
    )
    found = cache_get(key)
    if found is None:
        events = TimelineEvent.objects.published().select_related("chapter").in_order()
        if zoom.start is not None:
            events = events.filter(date__gte=zoom.start.date(), date__lt=zoom.end.date())
        if filterset.tsquery:
            events = events.filter(pk__in=filterset.qs.filter(kind="event").values("entry_id"))
        found = [presenting.event_out(event, links) for event in events]
        cache_set(key, found, CACHE_SECONDS)
    return found
