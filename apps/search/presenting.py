"""Turning a search into what its page shows: links for every state (facets, orders, next page,
exports, the citation permalink) and the filter controls' values, prepared here so that the
templates (templates/search/) only print them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format

from apps.search import citations, volume
from apps.search.filters import Order, SearchFilterSet
from apps.search.models import SearchEntry
from apps.search.searching import Result, SearchPage
from metoo_archive.context_processors import reverse_once

# Parameters that describe a position in the results, not the search itself.
POSITION_PARAMS = ("cursor", "page", "at")


def search_params(request) -> QueryDict:
    """The search's own parameters (no paging, no citation time), empty values dropped."""
    params = QueryDict(mutable=True)
    for key, values in request.GET.lists():
        if key in POSITION_PARAMS:
            continue
        kept = [value for value in values if value.strip()]
        if kept:
            params.setlist(key, kept[:1])
    return params


def with_params(base: QueryDict, **changes) -> str:
    """``?`` and the search's parameters with some changed (None removes one)."""
    return ParamLinks(base)(**changes)


class ParamLinks:
    """Links to the search with some of its parameters changed, many from the same
    parameters (a search page makes some sixty): each parameter is encoded once, as
    ``urlencode`` writes it, and each link encodes only what it changes (a speed-up kept:
    see apps.search.searching's docstring)."""

    def __init__(self, base: QueryDict):
        # One value each (search_params keeps one).
        self.encoded = {key: urlencode({key: base[key]}) for key in base}

    def __call__(self, **changes) -> str:
        encoded = self.encoded.copy()
        for key, value in changes.items():
            if value is None:
                encoded.pop(key, None)
            else:  # as urlencode() writes one pair
                encoded[key] = f"{quote_plus(key)}={quote_plus(str(value))}"
        joined = "&".join(encoded.values())
        return f"?{joined}" if joined else "?"

    def changing(self, key: str):
        """``lambda value: self(**{key: value})``, with the parameters around ``key`` joined
        once: a facet's ten links differ only in its value."""
        keys = list(self.encoded)
        if key in self.encoded:
            at = keys.index(key)
            before = [self.encoded[name] for name in keys[:at]]
            after = [self.encoded[name] for name in keys[at + 1 :]]
        else:
            before, after = list(self.encoded.values()), []
        removed = "&".join(before + after)
        head = "&".join(before) + "&" if before else ""
        tail = "&" + "&".join(after) if after else ""
        quoted_key = quote_plus(key)

        def link(value) -> str:
            if value is None:
                return f"?{removed}" if removed else "?"
            return f"?{head}{quoted_key}={quote_plus(str(value))}{tail}"

        return link


def parse_run_at(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(datetime.UTC)
    except ValueError:
        return None


@dataclass
class ResultItem:
    """What the results template prints of one result: plain text (escaped by the template)
    except ``marked_title`` and ``snippet``, which come escaped with only <mark> kept
    (``searching.mark_safe_snippet``)."""

    kind: str
    url: str
    title: str
    meta: str
    marked_title: str = ""
    time_machine: str = ""
    time_text: str = ""
    snippet: str = ""
    content_warning: str = ""


def result_items(results: list[Result]) -> list[ResultItem]:
    """The page's results as the template prints them, in order."""
    items = []
    for result in results:
        entry, kind = result.entry, result.kind
        item = ResultItem(kind, entry.get_absolute_url(), "", "", snippet=result.snippet)
        if kind == "post":
            name = entry.account.public_name if entry.account else "an unknown account"
            item.title = f"Post by {name}"
            item.meta = f"Post on {entry.get_platform_display()}"
            if moment := entry.moment:
                item.time_machine, item.time_text = moment.machine, str(moment)
            item.content_warning = entry.content_warning
        elif kind == "article":
            item.title, item.marked_title = entry.title, result.title
            item.meta = f"Article in {entry.outlet.name}" if entry.outlet else "Article"
            if entry.published_at:
                day = timezone.localtime(entry.published_at)
                item.time_machine, item.time_text = f"{day:%Y-%m-%d}", date_format(day, "j F Y")
        elif kind == "event":
            item.title, item.marked_title = entry.title, result.title
            item.meta = f"Timeline event · {entry.display_date}"
        else:
            item.title = entry.public_name
            item.meta = f"Account on {entry.get_platform_display()}"
            if entry.display_name:
                item.meta += f" · {entry.display_name}"
        items.append(item)
    return items


def filter_controls(filterset: SearchFilterSet) -> list[dict]:
    """The filter form's controls as plain data for the template (templates/search/search.html):
    name, label, the value sent, and for a select its options with the one sent marked. The
    markup stays in the template; Django's widget templates would write the label with a colon
    and the attributes in another order."""
    data = filterset.form.data
    controls = []
    for name, field in filterset.form.fields.items():
        if name == "q":
            continue
        value = data.get(name, "") or ""
        control = {"name": name, "label": field.label, "value": value}
        if hasattr(field, "choices"):
            control["options"] = [
                {"value": str(option), "label": text, "selected": str(option) == value}
                for option, text in field.choices
            ]
        else:
            control["type"] = "date" if name in ("date_from", "date_to") else "text"
            control["numeric"] = name in ("account", "outlet")
        controls.append(control)
    return controls


def search_context(request, filterset: SearchFilterSet, page: SearchPage) -> dict:
    base = search_params(request)
    link = ParamLinks(base)
    cleaned = filterset.cleaned
    facets = []
    for facet in page.facets:
        current = cleaned.get(facet.name)
        current = "" if current is None else str(current).lower()
        options = []
        facet_link = link.changing(facet.name)
        for option in facet.options:
            value = str(option["value"])
            active = current != "" and current == value.lower()
            url = facet_link(None if active else value)
            shown_count = f"{option['count']:,}"
            options.append(
                {
                    **option,
                    "shown_count": shown_count,
                    "active": active,
                    "url": url,
                }
            )
        facets.append({"name": facet.name, "label": facet.label, "options": options})

    now = timezone.now().replace(microsecond=0)
    cited_at = parse_run_at(request.GET.get("at"))
    run_at = cited_at or now
    permalink = request.build_absolute_uri(
        reverse_once("search:search") + link(at=run_at.strftime("%Y-%m-%dT%H:%M:%SZ"))
    )
    query_text = cleaned.get("q") or ""
    active_filters = [
        {
            "label": filterset.form.fields[name].label,
            "value": value,
            "remove_url": link(**{name: None}),
        }
        for name, value in cleaned.items()
        if name not in ("q", "order") and value not in (None, "")
    ]
    orders = [
        {
            "value": value,
            "label": label,
            "current": page.order == value,
            "url": link(order=value),
        }
        for value, label in Order.CHOICES
        if value != Order.RELEVANCE or filterset.tsquery
    ]
    kinds = next((facet.options for facet in page.facets if facet.name == "kind"), [])
    return {
        # The articles' web captures as one WACZ: offered when articles are among the matches
        # (or may be, past the facets' sample); the download itself says when none is captured.
        "offers_articles_wacz": page.facets_sampled
        or any(option["value"] == "article" for option in kinds),
        "filterset": filterset,
        "controls": filter_controls(filterset),
        "page": page,
        "results": result_items(page.results),
        "query_text": query_text,
        "understood": filterset.parsed.explain(),
        "notes": list(dict.fromkeys(filterset.parsed.notes + filterset.problems())),
        "facets": facets,
        "active_filters": active_filters,
        "orders": orders,
        "next_url": (
            link(cursor=page.next_cursor)
            if page.next_cursor
            else link(page=page.next_page)
            if page.next_page
            else None
        ),
        "first_url": link() if (request.GET.get("cursor") or page.page > 1) else None,
        "export_csv_url": reverse_once("search:export_csv") + link(),
        "export_json_url": reverse_once("search:export_json") + link(),
        "data_package_url": reverse_once("datasets:new") + link(order=None, variant=None),
        "data_package_full_url": reverse_once("datasets:new") + link(order=None, variant="full"),
        "timeline_url": reverse_once("timeline:timeline") + link(),
        "permalink": permalink,
        "cited_at": cited_at,
        "search_citation": citations.search_citation(
            query_text=query_text, url=permalink, run_at=run_at
        ),
    }


@dataclass
class TimelineSearch:
    """What the timeline page takes from search: its query and filters, the period it zooms
    to, and the volume chart of the matching posts."""

    filterset: SearchFilterSet
    zoom: volume.Zoom
    filtered: bool  # narrowed by a query, a filter or a period
    context: dict  # what timeline/timeline.html prints of the search

    def matching_event_ids(self):
        """The ids of the events the query matches (a subquery), or None when no words were
        given and every event in the period is shown."""
        if not self.filterset.tsquery:
            return None
        return self.filterset.qs.filter(kind="event").values("entry_id")


def timeline_search(request, *, version: str) -> TimelineSearch:
    """The search the timeline runs: the search page's query and filters, plus ``period``
    (YYYY, YYYY-MM or YYYY-MM-DD) and ``by`` (year, month, day or hour) to zoom. The chart is
    kept under ``version``, the public content version, read before anything else."""
    filterset = SearchFilterSet(request.GET, queryset=SearchEntry.objects.all())
    zoom = volume.parse_zoom(request.GET.get("period"), request.GET.get("by"))
    base = search_params(request)
    filtered = bool(base) or bool(zoom.period)
    chart = volume.volume_chart(filterset, zoom, base, version=version)
    context = {
        "chart": chart,
        "zoom": zoom,
        "zoom_links": volume.zoom_links(zoom, base),
        "filterset": filterset,
        "query_text": filterset.cleaned.get("q") or "",
        "understood": filterset.parsed.explain(),
        "notes": list(dict.fromkeys(zoom.notes + filterset.parsed.notes + filterset.problems())),
        "search_url": reverse_once("search:search") + with_params(base),
        "filtered": filtered,
    }
    return TimelineSearch(filterset=filterset, zoom=zoom, filtered=filtered, context=context)
