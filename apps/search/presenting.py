"""Turning a search into what its page shows: links for every state (facets, orders, next page,
exports, the citation permalink), built here so that templates only print."""

from __future__ import annotations

import datetime
import functools
import html
from urllib.parse import quote_plus, urlencode

from django.http import QueryDict
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe

from apps.archive.models import Platform
from apps.search import citations
from apps.search.filters import Order, SearchFilterSet
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
    ``urlencode`` writes it, and each link encodes only what it changes."""

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


@functools.lru_cache(maxsize=16)
def _control_parts(form_class, language: str) -> tuple:
    """Each filter control's markup around its value, built once per form class and
    language: (name, label, options as (value, markup, markup selected)) for a select,
    (name, label, markup before the value, markup after it) for an input."""
    esc = html.escape
    parts = []
    for name, field in form_class.base_fields.items():
        if name == "q":
            continue
        label = f'<label for="id_{name}">{esc(str(field.label))}</label>'
        if hasattr(field, "choices"):
            options = tuple(
                (
                    str(option),
                    f'<option value="{esc(str(option))}">{esc(str(text))}</option>',
                    f'<option value="{esc(str(option))}" selected>{esc(str(text))}</option>',
                )
                for option, text in field.choices
            )
            parts.append((name, label, options))
        else:
            kind = "date" if name in ("date_from", "date_to") else "text"
            numeric = ' inputmode="numeric"' if name in ("account", "outlet") else ""
            parts.append(
                (name, label, f'<input type="{kind}" name="{name}" id="id_{name}" value="',
                 f'"{numeric}>')
            )  # fmt: skip
    return tuple(parts)


def filter_controls_html(filterset: SearchFilterSet) -> SafeString:
    """The filter form's controls (each a label and its select or input), built here:
    Django's widget templates, or a template loop over the controls, cost more to render than
    the rest of the page. Values and labels are escaped as Django's autoescaping does."""
    data = filterset.form.data
    html_parts = []
    for name, label, *control in _control_parts(type(filterset.form), translation.get_language()):
        value = data.get(name, "") or ""
        if len(control) == 1:
            options = "".join(
                selected if option == value else plain for option, plain, selected in control[0]
            )
            select = f'<select name="{name}" id="id_{name}">{options}</select>'
            html_parts.append(f"<p>{label}{select}</p>")
        else:
            before, after = control
            html_parts.append(f"<p>{label}{before}{html.escape(value)}{after}</p>")
    return mark_safe("\n".join(html_parts))  # noqa: S308 -- escaped parts


def _facet_option_html(url: str, label: str, shown_count: str, active: bool) -> str:
    """One facet link, built here rather than in a template loop (some 60 links a page).
    ``html.escape`` escapes as Django's ``escape`` does; the count is digits and commas."""
    url, label = html.escape(url), html.escape(label)
    if active:
        return mark_safe(  # noqa: S308 -- escaped parts
            f'<li><a href="{url}" aria-current="true" class="facet-active">{label} '
            f'<span class="count">({shown_count})</span><span class="visually-hidden">, '
            "selected; select to remove</span></a></li>"
        )
    return mark_safe(  # noqa: S308 -- escaped parts
        f'<li><a href="{url}">{label} <span class="count">({shown_count})</span></a></li>'
    )


class _ResultMarkup:
    """One page of results as HTML, built here rather than in a template loop: each result's
    branches, filters and links cost the template engine more than the rest of the page
    (twenty results a page, on every search). Every value from an entry is escaped with
    ``html.escape`` (what Django's autoescaping does); snippets and marked titles come already
    escaped from ``searching.mark_safe_snippet``; links are built from one reversed URL per
    kind."""

    def __init__(self):
        # Made once per language, time zone and script prefix (see _markup_for): translated
        # names, the time zone, and each kind's link, reversed with a stand-in id split out.
        self.months = [""] + [str(MONTHS[number]) for number in range(1, 13)]
        self.platforms = {value: str(label) for value, label in Platform.choices}
        self.zone = timezone.get_current_timezone()
        self.link = {
            kind: reverse(name, args=[stand_in]).rpartition(str(stand_in))[::2]
            for kind, name, stand_in in (
                ("post", "archive:post", 1),
                ("article", "archive:article", 1),
                ("event", "timeline:event", "x"),
            )
        }

    @classmethod
    def current(cls) -> _ResultMarkup:
        """The markup for the active language, time zone and script prefix."""
        return _markup_for(
            translation.get_language(), timezone.get_current_timezone_name(), get_script_prefix()
        )

    def url(self, kind: str, key) -> str:
        before, after = self.link[kind]
        return f"{before}{key}{after}"

    def day(self, moment) -> str:
        return f"{moment.day} {self.months[moment.month]} {moment.year}"

    def render(self, result: Result) -> str:
        entry, esc = result.entry, html.escape
        if result.kind == "post":
            name = entry.account.public_name if entry.account else "an unknown account"
            head = (
                f'<h3 class="result-title"><a href="{self.url("post", entry.pk)}">'
                f"Post by {esc(name)}</a></h3>"
            )
            meta = f"Post on {esc(self.platforms.get(entry.platform, entry.platform))}"
            moment = entry.moment
            if moment:
                meta += f' · <time datetime="{moment.machine}">{esc(str(moment))}</time>'
            body = f'<p class="meta">{meta}</p>'
            if entry.content_warning:
                body += (
                    '<details class="content-warning"><summary>Content warning: '
                    f"{esc(entry.content_warning)}. Show the excerpt</summary>"
                    f'<p class="snippet">{result.snippet}</p></details>'
                )
                return head + body
        elif result.kind == "article":
            title = result.title or esc(entry.title)
            head = (
                f'<h3 class="result-title"><a href="{self.url("article", entry.pk)}">'
                f"{title}</a></h3>"
            )
            meta = "Article"
            if entry.outlet:
                meta += f" in {esc(entry.outlet.name)}"
            if entry.published_at:
                moment = entry.published_at.astimezone(self.zone)
                meta += f' · <time datetime="{moment:%Y-%m-%d}">{self.day(moment)}</time>'
            body = f'<p class="meta">{meta}</p>'
        elif result.kind == "event":
            title = result.title or esc(entry.title)
            head = (
                f'<h3 class="result-title"><a href="{esc(self.url("event", entry.slug))}">'
                f"{title}</a></h3>"
            )
            body = f'<p class="meta">Timeline event · {esc(entry.display_date)}</p>'
        else:
            head = (
                f'<h3 class="result-title"><a href="{esc(entry.get_absolute_url())}">'
                f"{esc(entry.public_name)}</a></h3>"
            )
            meta = f"Account on {esc(self.platforms.get(entry.platform, entry.platform))}"
            if entry.display_name:
                meta += f" · {esc(entry.display_name)}"
            body = f'<p class="meta">{meta}</p>'
        if result.snippet:
            body += f'<p class="snippet">{result.snippet}</p>'
        return head + body


@functools.lru_cache(maxsize=32)
def _markup_for(language: str, zone_name: str, script_prefix: str) -> _ResultMarkup:
    """The markup made under the active language, time zone and script prefix, which the
    arguments name (they are the cache's key)."""
    return _ResultMarkup()


def results_html(results: list[Result]) -> SafeString:
    """The page's result list items (see :class:`_ResultMarkup`), in order."""
    markup = _ResultMarkup.current()
    return mark_safe(  # noqa: S308 -- escaped parts
        "".join(
            f'<li class="result result-{result.kind}">{markup.render(result)}</li>'
            for result in results
        )
    )


def search_context(request, filterset: SearchFilterSet, page: SearchPage) -> dict:
    base = search_params(request)
    link = ParamLinks(base)
    cleaned = filterset.cleaned
    facets, facets_html = [], []
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
                    "html": _facet_option_html(url, str(option["label"]), shown_count, active),
                }
            )
        facets.append({"name": facet.name, "label": facet.label, "options": options})
        if options:
            label = html.escape(facet.label)
            facets_html.append(
                f'<nav aria-label="{label}" class="facet"><h3>{label}</h3>'
                f"<ul>{''.join(option['html'] for option in options)}</ul></nav>"
            )

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
    return {
        "filterset": filterset,
        "controls_html": filter_controls_html(filterset),
        "page": page,
        "results_html": results_html(page.results),
        "query_text": query_text,
        "understood": filterset.parsed.explain(),
        "notes": list(dict.fromkeys(filterset.parsed.notes + filterset.problems())),
        "facets": facets,
        "facets_html": mark_safe("\n".join(facets_html)),  # noqa: S308 -- escaped parts
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
        "timeline_url": reverse_once("timeline:timeline") + link(),
        "permalink": permalink,
        "cited_at": cited_at,
        "search_citation": citations.search_citation(
            query_text=query_text, url=permalink, run_at=run_at
        ),
    }
