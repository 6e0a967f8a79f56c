"""Memento (RFC 7089) for the archive's captures, and the lookup of an address's captures.

Every public capture (``WebCapture.objects.public()``) is a Memento of the address it captured;
its URI-M is the capture page, ``/captures/<id>/``. Per original address (URI-R) the archive
answers, at Perma.cc's paths:

- ``/timegate/<URI-R>``: a TimeGate, 302-style with the TimeGate apart from the original
  resource (RFC 7089 section 4.2.1, pattern 2.1): ``Accept-Datetime`` picks the capture
  closest in time, none picks the latest;
- ``/timemap/link/<URI-R>``: the TimeMap in ``application/link-format`` (section 5.1.1);
- ``/timemap/json/<URI-R>``: the same TimeMap as JSON, in the shape Perma.cc and the Memento
  aggregators (Time Travel, MemGator) give it.

Captures of an address are found by its SURT key (:func:`apps.captures.storage.url_key`), so
``http://www.Example.org/a?b=2&a=1`` finds captures of ``https://example.org/a?a=1&b=2``.
The capture page adds :func:`memento_headers` to its response. ``/captures/?url=<address>`` shows
a visitor every capture of an address on a calendar.
"""

from __future__ import annotations

import calendar
import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q, Value
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.encoding import iri_to_uri
from django.utils.http import http_date, parse_http_date
from django.views.decorators.http import require_safe

from apps.captures.models import WebCapture
from apps.captures.storage import url_key
from apps.core.limits import rate_limit_wait

MAX_ADDRESS_LENGTH = 2000  # WebCapture.url's max_length: a longer address was never captured

LINK_FORMAT = "application/link-format"
JSON_FORMAT = "application/json"

# An address arrives as a path: proxies and servers that merge slashes turn "https://" into
# "https:/", and a visitor may paste it without a scheme.
_SCHEME_SLASHES = re.compile(r"^(https?):/*", re.IGNORECASE)
_ANY_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_validate_web_url = URLValidator(schemes=["http", "https"])


EMPTY_ADDRESS = "Enter the address of a web page, such as https://example.org/news/a."


class AddressError(ValueError):
    """Not a web address the archive could have captured; the message says why, for a person."""


def original_address(text: str) -> str:
    """The web address ``text`` names, written as an absolute http(s) URL.

    Repairs a scheme whose slashes were merged (``https:/example.org``) and adds ``https://``
    to a bare ``example.org/a``; anything else that is not an http(s) URL raises
    :class:`AddressError`.
    """
    text = (text or "").strip()
    if not text:
        raise AddressError(EMPTY_ADDRESS)
    if len(text) > MAX_ADDRESS_LENGTH:
        raise AddressError(f"That address is longer than {MAX_ADDRESS_LENGTH} characters.")
    repaired = _SCHEME_SLASHES.sub(lambda m: f"{m[1].lower()}://", text, count=1)
    if repaired == text and not _ANY_SCHEME.match(text):
        repaired = f"https://{text}"
    try:
        _validate_web_url(repaired)
    except ValidationError:
        raise AddressError(
            "That is not a web address. Enter one that starts with http:// or https://, "
            "such as https://example.org/news/a."
        ) from None
    return repaired


def requested_address(request, url: str) -> str:
    """The original address of a Memento request: the path after the endpoint's prefix (``url``,
    as resolved) and the whole query string, which belongs to the original address, not to the
    archive. :func:`original_address` repairs and checks it."""
    query = request.META.get("QUERY_STRING", "")
    return original_address(f"{url}?{query}" if query else url)


# --- Mementos -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Memento:
    pk: int
    datetime: datetime.datetime

    @property
    def path(self) -> str:
        return reverse("captures:detail", args=[self.pk])


def _public_of(key: str):
    return WebCapture.objects.public().of_url_key(key).filter(captured_at__isnull=False)


def mementos_of(key: str) -> list[Memento]:
    """Every public capture of the address whose SURT key is ``key``, oldest first (one query)."""
    rows = _public_of(key).order_by("captured_at", "pk").values_list("pk", "captured_at")
    return [Memento(pk, when) for pk, when in rows]


_OLDEST_FIRST = ("captured_at", "pk")
_NEWEST_FIRST = ("-captured_at", "-pk")


def _landmarks(key: str, *, before: Q | None, after: Q | None, itself: int | None = None):
    """The first and last public captures of ``key``, the latest one matching ``before`` and the
    earliest one matching ``after`` (and capture ``itself`` when asked, to learn whether it is
    public), in one query: a union of one-row selects, each walking the (url_key, captured_at)
    index, however many captures the address has."""
    public = _public_of(key)
    parts = {"first": public.order_by(*_OLDEST_FIRST), "last": public.order_by(*_NEWEST_FIRST)}
    if before is not None:
        parts["prev"] = public.filter(before).order_by(*_NEWEST_FIRST)
    if after is not None:
        parts["next"] = public.filter(after).order_by(*_OLDEST_FIRST)
    if itself is not None:
        parts["self"] = public.filter(pk=itself).order_by()
    selects = [
        qs.annotate(role=Value(role)).values_list("role", "pk", "captured_at")[:1]
        for role, qs in parts.items()
    ]
    rows = selects[0].union(*selects[1:], all=True)
    return {role: Memento(pk, when) for role, pk, when in rows}


def http_datetime(when: datetime.datetime) -> str:
    """RFC 1123 form, as Memento-Datetime and the Link ``datetime`` parameter want it."""
    return http_date(when.timestamp())


def json_datetime(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_accept_datetime(value: str) -> datetime.datetime:
    """``Accept-Datetime``'s moment; ValueError when it is not an HTTP date."""
    return datetime.datetime.fromtimestamp(parse_http_date(value.strip()), tz=datetime.UTC)


def closest(prev: Memento | None, next_: Memento | None, moment: datetime.datetime) -> Memento:
    """The nearer in time of the captures just before (or at) and just after ``moment``; the
    earlier on a tie. At least one of them is given."""
    if prev is None or next_ is None:
        return prev or next_
    return prev if moment - prev.datetime <= next_.datetime - moment else next_


# --- Links ----------------------------------------------------------------------------------


@dataclass
class Link:
    uri: str
    rels: list[str]
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        # iri_to_uri percent-encodes what may not stand between <> or in a header (spaces,
        # quotes, angle brackets, line breaks, non-ASCII) and leaves escapes already made.
        value = f'<{iri_to_uri(self.uri)}>; rel="{" ".join(self.rels)}"'
        for name, param in self.params.items():
            value += f'; {name}="{param}"'
        return value


def memento_link(uri: str, memento: Memento, *rels: str) -> Link:
    return Link(uri, [*rels, "memento"], {"datetime": http_datetime(memento.datetime)})


def merged(links: list[Link]) -> list[Link]:
    """One link per URI carrying the relations of all of them (RFC 8288 section 3.3), in the
    order first given: an address captured once has ``rel="first last memento"``, written the
    way RFC 7089 writes combined relations, "memento" last."""
    by_uri: dict[str, Link] = {}
    for link in links:
        seen = by_uri.setdefault(link.uri, Link(link.uri, [], {}))
        seen.rels = list(dict.fromkeys(seen.rels + link.rels))
        seen.params.update(link.params)
    for link in by_uri.values():
        if "memento" in link.rels:
            link.rels = [rel for rel in link.rels if rel != "memento"] + ["memento"]
    return list(by_uri.values())


def header_value(links: list[Link]) -> str:
    return ", ".join(str(link) for link in links)


def endpoint_path(view_name: str, original: str) -> str:
    """``/timegate/<original>`` and the like. ``reverse`` would escape the original address's
    ``?`` and ``%``, which are part of it, so only the prefix comes from the URLconf."""
    prefix = reverse(view_name, kwargs={"url": "_"})[:-1]
    return prefix + iri_to_uri(original)


class _Paths:
    """The URIs of one original address's Memento resources, absolute when a request says
    which host the archive answers as."""

    def __init__(self, original: str, request=None):
        self.original = original
        self._root = request.build_absolute_uri("/")[:-1] if request is not None else ""

    def absolute(self, path: str) -> str:
        return self._root + path

    def timegate(self) -> str:
        return self.absolute(endpoint_path("captures:timegate", self.original))

    def timemap(self, kind: str) -> str:
        return self.absolute(endpoint_path(f"captures:timemap_{kind}", self.original))

    def memento(self, memento: Memento) -> str:
        return self.absolute(memento.path)

    def timemap_links(self, first: Memento, last: Memento) -> list[Link]:
        span = {"from": http_datetime(first.datetime), "until": http_datetime(last.datetime)}
        return [
            Link(self.timemap("link"), ["timemap"], {"type": LINK_FORMAT, **span}),
            Link(self.timemap("json"), ["timemap"], {"type": JSON_FORMAT, **span}),
        ]


def memento_headers(capture: WebCapture, *, request=None) -> dict[str, str]:
    """The headers that make a capture's page a Memento (RFC 7089 sections 2.1.2 and 2.2):
    ``Memento-Datetime`` and a ``Link`` to the original address, its TimeGate and TimeMaps,
    and its first, last, previous and next captures. One query; nothing for a capture that is
    not public (a curator looking at a pending entry's capture). With ``request``, the URIs are
    absolute."""
    if capture.captured_at is None:
        return {}
    when, pk = capture.captured_at, capture.pk
    marks = _landmarks(
        capture.url_key,
        before=Q(captured_at__lt=when) | Q(captured_at=when, pk__lt=pk),
        after=Q(captured_at__gt=when) | Q(captured_at=when, pk__gt=pk),
        itself=pk,
    )
    if "self" not in marks:
        return {}
    paths = _Paths(capture.url, request)
    links = [
        Link(capture.url, ["original"]),
        Link(paths.timegate(), ["timegate"]),
        *paths.timemap_links(marks["first"], marks["last"]),
    ]
    for role in ("first", "prev", "next", "last"):
        if role in marks:
            links.append(memento_link(paths.memento(marks[role]), marks[role], role))
    return {
        "Memento-Datetime": http_datetime(when),
        "Link": header_value(merged(links)),
    }


# --- TimeGate and TimeMaps ------------------------------------------------------------------


def _plain(text: str, *, status: int, **headers) -> HttpResponse:
    response = HttpResponse(f"{text}\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _over_the_limit(request) -> int | None:
    """The seconds this client must wait, past ``MEMENTO_RATE_LIMIT`` (the TimeGate, the
    TimeMaps and the lookup page counted together: each is a query a crawler could repeat for
    every address it knows), else None."""
    return rate_limit_wait(request, group="memento", rate=settings.MEMENTO_RATE_LIMIT)


def _too_many(wait: int) -> HttpResponse:
    return _plain(
        f"Too many lookups from your address: try again in {wait} seconds.",
        status=429,
        Retry_After=str(wait),
    )


def _not_captured(original: str, **headers) -> HttpResponse:
    return _plain(
        f"This archive has no public capture of {original}",
        status=404,
        Link=str(Link(original, ["original"])),
        **headers,
    )


@require_safe
def timegate(request, url: str):
    if wait := _over_the_limit(request):
        return _too_many(wait)
    try:
        original = requested_address(request, url)
    except AddressError as error:
        return _plain(str(error), status=400, Vary="accept-datetime")
    moment = None
    if accept := request.headers.get("Accept-Datetime"):
        try:
            moment = parse_accept_datetime(accept)
        except ValueError:
            return _plain(
                "Accept-Datetime must be an HTTP date in RFC 1123 form, such as "
                '"Thu, 31 May 2007 20:35:00 GMT" (RFC 7089, section 2.1.1).',
                status=400,
                Vary="accept-datetime",
            )
    key = url_key(original)
    if moment is None:
        marks = _landmarks(key, before=None, after=None)
        chosen = marks.get("last")
    else:
        marks = _landmarks(key, before=Q(captured_at__lte=moment), after=Q(captured_at__gt=moment))
        chosen = closest(marks.get("prev"), marks.get("next"), moment) if marks else None
    if chosen is None:
        return _not_captured(original, Vary="accept-datetime")
    paths = _Paths(original, request)
    links = [
        Link(original, ["original"]),
        *paths.timemap_links(marks["first"], marks["last"]),
        memento_link(paths.memento(marks["first"]), marks["first"], "first"),
        memento_link(paths.memento(chosen), chosen),
        memento_link(paths.memento(marks["last"]), marks["last"], "last"),
    ]
    response = HttpResponseRedirect(paths.memento(chosen))
    response["Vary"] = "accept-datetime"
    response["Link"] = header_value(merged(links))
    return response


def _timemap(request, url: str):
    """The original address and its public captures, or the response that says why not."""
    if wait := _over_the_limit(request):
        return None, None, _too_many(wait)
    try:
        original = requested_address(request, url)
    except AddressError as error:
        return None, None, _plain(str(error), status=400)
    mementos = mementos_of(url_key(original))
    if not mementos:
        return None, None, _not_captured(original)
    return original, mementos, None


@require_safe
def timemap_link(request, url: str):
    original, mementos, refusal = _timemap(request, url)
    if refusal:
        return refusal
    paths = _Paths(original, request)
    first, last = mementos[0], mementos[-1]
    span = {"from": http_datetime(first.datetime), "until": http_datetime(last.datetime)}
    links = [
        Link(original, ["original"]),
        Link(paths.timemap("link"), ["self"], {"type": LINK_FORMAT, **span}),
        Link(paths.timegate(), ["timegate"]),
    ]
    for index, memento in enumerate(mementos):
        rels = (["first"] if index == 0 else []) + (["last"] if memento is last else [])
        links.append(memento_link(paths.memento(memento), memento, *rels))
    body = ",\n".join(str(link) for link in links) + "\n"
    response = HttpResponse(body, content_type=LINK_FORMAT)
    response["X-Memento-Count"] = str(len(mementos))
    return response


@require_safe
def timemap_json(request, url: str):
    original, mementos, refusal = _timemap(request, url)
    if refusal:
        return refusal
    paths = _Paths(original, request)

    def entry(memento: Memento) -> dict[str, str]:
        return {"datetime": json_datetime(memento.datetime), "uri": paths.memento(memento)}

    document = {
        "original_uri": original,
        "timegate_uri": paths.timegate(),
        "timemap_uri": {"link_format": paths.timemap("link"), "json_format": paths.timemap("json")},
        "mementos": {
            "first": entry(mementos[0]),
            "last": entry(mementos[-1]),
            "list": [entry(memento) for memento in mementos],
        },
    }
    response = HttpResponse(json.dumps(document, indent=1), content_type=JSON_FORMAT)
    response["X-Memento-Count"] = str(len(mementos))
    return response


# --- Lookup by address ----------------------------------------------------------------------


class LookupForm(forms.Form):
    url = forms.CharField(
        label="Address of the page",
        max_length=MAX_ADDRESS_LENGTH,
        error_messages={"required": EMPTY_ADDRESS},
    )

    def clean_url(self) -> str:
        try:
            return original_address(self.cleaned_data["url"])
        except AddressError as error:
            raise ValidationError(str(error)) from None


@dataclass
class CaptureDay:
    date: datetime.date
    mementos: list[Memento]

    @property
    def anchor(self) -> str:
        return f"day-{self.date.isoformat()}"

    @property
    def href(self) -> str:
        """A day with one capture links to it; a day with several, to its list on this page."""
        return self.mementos[0].path if len(self.mementos) == 1 else f"#{self.anchor}"


@dataclass
class Year:
    year: int
    count: int
    href: str
    current: bool


_WEEKS = calendar.Calendar(firstweekday=calendar.MONDAY)
WEEKDAYS = [(calendar.day_name[day], calendar.day_abbr[day][:2]) for day in _WEEKS.iterweekdays()]


def utc_date(memento: Memento) -> datetime.date:
    """Capture times are kept and shown in UTC; so are the calendar's days."""
    return memento.datetime.astimezone(datetime.UTC).date()


def capture_calendar(mementos: list[Memento], year: int) -> tuple[list[dict], list[CaptureDay]]:
    """Twelve month grids of ``year`` and its days with captures. A grid is a list of weeks
    from Monday; a cell is None outside the month, else the day's date and its
    :class:`CaptureDay` (None when nothing was captured that day)."""
    days: dict[datetime.date, CaptureDay] = {}
    for memento in mementos:
        date = utc_date(memento)
        if date.year == year:
            days.setdefault(date, CaptureDay(date, [])).mementos.append(memento)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in _WEEKS.monthdatescalendar(year, month):
            weeks.append(
                [
                    {"date": date, "captures": days.get(date)} if date.month == month else None
                    for date in week
                ]
            )
        months.append({"first_day": datetime.date(year, month, 1), "weeks": weeks})
    return months, list(days.values())


def _asked_year(request) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and len(value) == 4 else None


@require_safe
def lookup(request):
    """``/captures/?url=<address>``: every public capture of an address on a calendar (its years,
    then the twelve months of one), with a plain list of that year's captures. One query for an
    address, none for a bad one (400, with the form saying what is wrong)."""
    context = {"form": LookupForm(), "weekdays": WEEKDAYS}
    if "url" not in request.GET:
        return render(request, "captures/lookup.html", context)
    if wait := _over_the_limit(request):
        response = render(request, "captures/lookup_limited.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    form = context["form"] = LookupForm(request.GET)
    if not form.is_valid():
        return render(request, "captures/lookup.html", context, status=400)
    address = form.cleaned_data["url"]
    mementos = mementos_of(url_key(address))
    context.update(address=address, mementos=mementos)
    if not mementos:
        return render(request, "captures/lookup.html", context)
    counts = Counter(utc_date(memento).year for memento in mementos)
    asked = _asked_year(request)
    year = asked if asked in counts else max(counts)
    here = reverse("captures:lookup")
    years = [
        Year(y, n, f"{here}?{urlencode({'url': address, 'year': y})}", y == year)
        for y, n in sorted(counts.items())
    ]
    months, days = capture_calendar(mementos, year)
    paths = _Paths(address)
    context.update(
        year=year,
        years=years,
        months=months,
        days=days,
        year_count=counts[year],
        first=mementos[0],
        last=mementos[-1],
        timemap_link=paths.timemap("link"),
        timemap_json=paths.timemap("json"),
    )
    return render(request, "captures/lookup.html", context)
