"""The timeline's volume chart: how many matching posts per year, month, day or hour, drawn
as server-side SVG with a text equivalent, each bar a link into its period.

Without a text query (and with at most kind, platform, language and date filters) the counts
come from the maintained per-day and per-hour table, a few thousand rows at most; a
``date_trunc`` over every post costs far more. With a query, only the matching index rows
in the period are grouped.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from psycopg import sql

from apps.core import identifiers
from apps.core.caching import cache_get, cache_set
from apps.core.moderation import EntryKind
from apps.search.filters import SearchFilterSet, as_text, column
from apps.search.models import VolumeCount
from apps.search.searching import matching_rows

GRANULARITIES = ("year", "month", "day", "hour")
FINER = {"year": "month", "month": "day", "day": "hour"}
CHART_WIDTH, CHART_HEIGHT, AXIS = 960, 220, 28
LABEL_MARGIN = 24  # half the width of a label like "1 Oct", in chart units
# How long a drawn chart may be kept. Anything public that changes moves the content version
# in the key at once; the limit bounds what an edit behind the ORM's back could leave in place.
VOLUME_CACHE_SECONDS = 600
# Filters the counts table can answer (it is keyed by kind, platform and language).
TABLE_FILTERS = {"kind", "platform", "language", "date_from", "date_to", "order"}


@dataclass
class Zoom:
    """A period (all time, a year, a month or a day) and the size of its bars."""

    period: str  # "", "2017", "2017-10" or "2017-10-15"
    by: str  # "year", "month", "day" or "hour"
    start: datetime.datetime | None
    end: datetime.datetime | None
    label: str
    notes: list[str] = field(default_factory=list)


def _utc(year: int, month: int = 1, day: int = 1) -> datetime.datetime:
    return datetime.datetime(year, month, day, tzinfo=datetime.UTC)


def parse_zoom(period: str | None, by: str | None) -> Zoom:
    period = (period or "").strip()
    notes = []
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", period)
    start = end = None
    level, label = "all", "All years"
    if period and not match:
        notes.append(f"“{period}” is not a period (use YYYY, YYYY-MM or YYYY-MM-DD).")
    elif match:
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            if day is not None:
                start = _utc(year, month, day)
                end, level = start + datetime.timedelta(days=1), "day"
                label = f"{day} {calendar.month_name[month]} {year}"
            elif month is not None:
                start = _utc(year, month)
                end = _utc(year + (month == 12), month % 12 + 1)
                level, label = "month", f"{calendar.month_name[month]} {year}"
            else:
                start, end, level, label = _utc(year), _utc(year + 1), "year", f"{year}"
        except (ValueError, IndexError, OverflowError):
            notes.append(f"“{period}” is not a date in the calendar.")
            start = end = None
            level, label = "all", "All years"
    if start is None:
        period = ""
    else:
        period = {"year": f"{start:%Y}", "month": f"{start:%Y-%m}", "day": f"{start:%Y-%m-%d}"}[
            level
        ]
    default_by = {"all": "year", "year": "month", "month": "day", "day": "hour"}[level]
    allowed = GRANULARITIES[GRANULARITIES.index(default_by) :]
    if by and by not in allowed:
        notes.append(f"Bars by {by} don't fit this period; shown by {default_by}.")
        by = None
    return Zoom(period, by or default_by, start, end, label, notes)


# English month names, looked up once: ``calendar.month_name[n]`` formats a date on every call,
# and a month by hour labels 744 bars.
MONTH_NAMES = tuple(calendar.month_name)
MONTH_ABBRS = tuple(calendar.month_abbr)


def period_of(moment: datetime.datetime, by: str) -> str:
    """The ``period`` parameter that zooms into the bar starting at ``moment``."""
    if by == "year":
        return f"{moment.year:04d}"
    if by == "month":
        return f"{moment.year:04d}-{moment.month:02d}"
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return day if by == "day" else f"{day}T{moment.hour:02d}"


def _label(moment: datetime.datetime, by: str) -> str:
    if by == "year":
        return f"{moment.year}"
    if by == "month":
        return f"{MONTH_NAMES[moment.month]} {moment.year}"
    if by == "day":
        return f"{moment.day} {MONTH_NAMES[moment.month]} {moment.year}"
    return f"{moment.day} {MONTH_ABBRS[moment.month]} {moment.year}, {moment.hour:02d}:00 UTC"


def _step(moment: datetime.datetime, by: str) -> datetime.datetime:
    if by == "year":
        return moment.replace(year=moment.year + 1)
    if by == "month":
        return moment.replace(year=moment.year + (moment.month == 12), month=moment.month % 12 + 1)
    return moment + (datetime.timedelta(days=1) if by == "day" else datetime.timedelta(hours=1))


def uses_counts_table(filterset: SearchFilterSet) -> bool:
    present = {name for name, value in filterset.cleaned.items() if value not in (None, "")}
    return not filterset.tsquery and not filterset.parsed.groups and present <= TABLE_FILTERS


# Bars start at UTC boundaries. The same as date_trunc(%s, col, 'UTC'), faster over the tens
# of thousands of per-day counts of the whole timeline (the three-argument form looks the zone
# up for every row). Bars' starts travel as seconds since the epoch: parsing hundreds of
# timestamps costs more than the query that sums them.
_BUCKET_START = (
    "extract(epoch FROM date_trunc({by}, {bucket} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::bigint"
)
_EPOCH = "extract(epoch FROM {bucket})::bigint"
_MATCH_START = "extract(epoch FROM date_trunc({by}, m.{date}, 'UTC'))::bigint"


def _counts_granularity(by: str, cleaned: dict) -> str:
    """The finest rows a chart needs: months add up to years and months, but a date filter
    cuts through months, so it needs days."""
    if by == "hour":
        return "hour"
    if by == "day" or cleaned.get("date_from") or cleaned.get("date_to"):
        return "day"
    return "month"


def counts_signature(filterset: SearchFilterSet, zoom: Zoom) -> str:
    """What the counts of :func:`volume_counts` depend on (the statement as PostgreSQL would
    receive it), for keys of what is kept from them."""
    statement, params = _volume_query(filterset, zoom)
    return hashlib.sha256(repr((as_text(statement), params)).encode()).hexdigest()


def volume_counts(filterset: SearchFilterSet, zoom: Zoom) -> dict[datetime.datetime, int]:
    """Matching entries (posts unless another kind is chosen) per bar, in one query."""
    statement, params = _volume_query(filterset, zoom)
    with connection.cursor() as cursor:
        cursor.execute(as_text(statement), params)
        return {
            datetime.datetime.fromtimestamp(seconds, datetime.UTC): int(n)
            for seconds, n in cursor.fetchall()
        }


def _counts_column(name: str) -> sql.Identifier:
    return identifiers.column(VolumeCount, name)


def _volume_query(filterset: SearchFilterSet, zoom: Zoom) -> tuple[sql.Composed, list]:
    """The statement and parameters of volume_counts: from the counts table when the filters
    allow, else from the search index."""
    filterset.qs  # noqa: B018 -- compiles the query text, if any
    kind = filterset.cleaned.get("kind") or EntryKind.POST.value
    if uses_counts_table(filterset):
        cleaned = filterset.cleaned
        granularity = _counts_granularity(zoom.by, cleaned)
        conditions = [("granularity", "=", granularity), ("kind", "=", kind)]
        for name in ("platform", "language"):
            if cleaned.get(name):
                conditions.append((name, "=", cleaned[name]))
        if cleaned.get("date_from"):
            conditions.append(("bucket", ">=", _utc(*cleaned["date_from"].timetuple()[:3])))
        if cleaned.get("date_to"):
            day_after = _utc(*cleaned["date_to"].timetuple()[:3]) + datetime.timedelta(days=1)
            conditions.append(("bucket", "<", day_after))
        if zoom.start is not None:
            conditions += [("bucket", ">=", zoom.start), ("bucket", "<", zoom.end)]
        bucket = _counts_column("bucket")
        # Rows already as fine as the bars need no truncating.
        exact = granularity == zoom.by
        bar_start = sql.SQL(_EPOCH if exact else _BUCKET_START).format(
            by=sql.Placeholder(), bucket=bucket
        )
        statement = sql.SQL(
            "SELECT {bar_start} AS b, sum({n}) FROM {table} WHERE {where} "
            "GROUP BY b HAVING sum({n}) > 0"
        ).format(
            bar_start=bar_start,
            n=_counts_column("n"),
            table=identifiers.table(VolumeCount),
            where=sql.SQL(" AND ").join(
                sql.SQL("{} {} {}").format(_counts_column(name), sql.SQL(op), sql.Placeholder())
                for name, op, _ in conditions
            ),
        )
        return statement, [*([] if exact else [zoom.by]), *(value for _, _, value in conditions)]
    matching, params = matching_rows(filterset, ("date", "kind"))
    period, period_params = sql.SQL(""), []
    if zoom.start is not None:
        period = sql.SQL(" AND m.{date} >= {} AND m.{date} < {}").format(
            sql.Placeholder(), sql.Placeholder(), date=column("date")
        )
        period_params = [zoom.start, zoom.end]
    statement = sql.SQL(
        "SELECT {bar_start} AS b, count(*) FROM ({matching}) AS m "
        "WHERE m.{kind} = {}{period} GROUP BY b"
    ).format(
        sql.Placeholder(),
        bar_start=sql.SQL(_MATCH_START).format(by=sql.Placeholder(), date=column("date")),
        matching=matching,
        kind=column("kind"),
        period=period,
    )
    return statement, [zoom.by, *params, kind, *period_params]


class Bar(NamedTuple):
    """One period of the chart, drawn or not (a month by hour has hundreds of empty ones)."""

    start: datetime.datetime
    label: str
    count: int


# The markup of one drawn bar and of its row in the table, written by bars_markup(); the rest
# of the chart is templates/search/_volume_chart.html.
BAR_SVG = (
    '<a href="{}" aria-label="{}"><rect class="bar" x="{}" y="{}" width="{}" height="{}">'
    "<title>{}</title></rect></a>"
)
BAR_ROW = '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td></tr>'


def bars_markup(svg_args: list[tuple], row_args: list[tuple]) -> tuple[SafeString, SafeString]:
    """The drawn bars (SVG links) and the table's rows, each value escaped by Django's
    ``format_html_join``. A speed-up kept (apps.search.searching's docstring): a month by hour
    draws up to 744 bars twice, and the same two loops in the template, over tuples of
    prepared strings, cost 4-5 ms more at p95 on the timeline drawn afresh
    (benchmarks/RESULTS.md, 2 December 2026)."""
    return format_html_join("", BAR_SVG, svg_args), format_html_join("", BAR_ROW, row_args)


@dataclass
class Chart:
    zoom: Zoom
    kind_label: str
    bars: list[Bar]
    total: int
    peak: int
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    # The bars with a count, drawn and linked, and their rows in the table (bars_markup).
    bars_svg: str = ""
    bars_table: str = ""
    axis_labels: list[dict] = field(default_factory=list)
    html: str = ""  # the chart rendered (templates/search/_volume_chart.html)

    @property
    def plot_height(self) -> int:
        return self.height - AXIS

    @property
    def label_y(self) -> int:
        return self.height - 8

    def label_place(self, x: float) -> tuple[float, str]:
        """Where an axis label sits: centred under its bar, but kept inside the chart at
        either end (a label centred on the first or last bar would be cut in half)."""
        if x < LABEL_MARGIN:
            return 0, "start"
        if x > self.width - LABEL_MARGIN:
            return self.width, "end"
        return x, "middle"


def _bar_url_maker(base: QueryDict, by: str):
    """A function giving the link of the bar starting at a moment: the query string is encoded
    once, with a placeholder where each bar's dates go (a month by hour is 744 bars)."""
    params = base.copy()
    for key in ("period", "by", "cursor", "page"):
        params.pop(key, None)
    placeholder = f"bar{uuid.uuid4().hex}"  # cannot occur in what a visitor sent
    if by == "hour":
        # The finest bar leads to the search results of its day.
        params["date_from"] = params["date_to"] = placeholder
        parts = ("/search/?" + params.urlencode()).split(placeholder)
        return lambda start: period_of(start, "day").join(parts)
    params["period"] = placeholder
    parts = ("?" + params.urlencode() + "#volume").split(placeholder)
    return lambda start: period_of(start, by).join(parts)


def volume_chart(
    filterset: SearchFilterSet, zoom: Zoom, base: QueryDict, *, version: str | None = None
) -> Chart:
    """The chart of matching entries per period, rendered (``chart.html``). Given the public
    content version (read before anything else, as for the search page's counts), the chart
    is kept, rendered, under it, the counts' query as PostgreSQL would receive it and the
    links' parameters, until anything public changes: a month by hour sums thousands of rows
    and renders 744 bars twice (the SVG and its table), which costs the template engine more
    than the rest of the timeline page (see apps.search.searching's docstring)."""
    if version is None:
        return _volume_chart(filterset, zoom, base)
    statement, params = _volume_query(filterset, zoom)
    signature = repr((as_text(statement), params, zoom.by, zoom.period, sorted(base.lists())))
    key = f"search-volume:{version}:{hashlib.sha256(signature.encode()).hexdigest()}"
    chart = cache_get(key)
    if chart is None:
        chart = _volume_chart(filterset, zoom, base)
        cache_set(key, chart, VOLUME_CACHE_SECONDS)
    return chart


def volume_bars(counts: dict[datetime.datetime, int], zoom: Zoom) -> list[Bar]:
    """Every bar of the zoom's period, empty ones included (for all time: the years from the
    first to the last with a count), at most 1,000."""
    if zoom.start is not None:
        first, stop = zoom.start, zoom.end
    elif counts:
        first = _utc(min(counts).year)
        stop = _utc(max(counts).year + 1)
    else:
        return []
    bars = []
    moment = first
    while moment < stop and len(bars) < 1000:
        bars.append(Bar(moment, _label(moment, zoom.by), counts.get(moment, 0)))
        moment = _step(moment, zoom.by)
    return bars


def _volume_chart(filterset: SearchFilterSet, zoom: Zoom, base: QueryDict) -> Chart:
    counts = volume_counts(filterset, zoom)
    kind = filterset.cleaned.get("kind") or "post"
    kind_label = {"post": "posts", "article": "articles", "event": "events"}.get(kind, "entries")
    by = zoom.by
    bars = volume_bars(counts, zoom)
    peak = max(counts.values(), default=0) if bars else 0
    chart = Chart(zoom, kind_label, bars, sum(counts.values()), peak)
    if bars:
        # Coordinates are machine numbers, written as str() writes them (never localised: a
        # decimal comma would break the SVG).
        plot_height = chart.plot_height
        slot = CHART_WIDTH / len(bars)
        gap = min(2.0, slot * 0.2)
        width = round(max(slot - gap, 0.5), 2)
        shown_width = str(width)
        scale = (plot_height - 4) / peak if peak else 0

        def left(index: int) -> float:
            return round(index * slot + gap / 2, 2)

        bar_url = _bar_url_maker(base, by)
        svg_args, row_args = [], []
        # Only bars with a count are drawn and linked: the others need neither.
        for index, (start, label, count) in enumerate(bars):
            if not count:
                continue
            url = bar_url(start)
            height = max(round(count * scale, 2), 1)
            shown_count = f"{count:,}"
            title = f"{label}: {shown_count}"
            svg_args.append(
                (
                    url,
                    f"{title} {kind_label}",
                    str(left(index)),
                    str(round(plot_height - height, 2)),
                    shown_width,
                    str(height),
                    title,
                )
            )
            row_args.append((url, label, shown_count))
        chart.bars_svg, chart.bars_table = bars_markup(svg_args, row_args)
        every = max(1, len(bars) // 12)
        chart.axis_labels = [
            {"x": x, "anchor": anchor, "text": _short_label(bars[index].start, by)}
            for index in range(0, len(bars), every)
            for x, anchor in [chart.label_place(round(left(index) + width / 2, 2))]
        ]
    chart.html = render_to_string(
        "search/_volume_chart.html", {"chart": chart, "zoom_links": zoom_links(zoom, base)}
    )
    return chart


def _short_label(moment: datetime.datetime, by: str) -> str:
    if by == "year":
        return f"{moment.year}"
    if by == "month":
        return MONTH_ABBRS[moment.month]
    if by == "day":
        return f"{moment.day}"
    return f"{moment.hour:02d}h" if moment.hour else f"{moment.day} {MONTH_ABBRS[moment.month]}"


def zoom_links(zoom: Zoom, base: QueryDict) -> dict:
    """Breadcrumbs up to all years, and the other bar sizes this period allows."""

    def url(period: str = "", by: str = "") -> str:
        params = base.copy()
        for key in ("period", "by", "cursor", "page"):
            params.pop(key, None)
        if period:
            params["period"] = period
        if by:
            params["by"] = by
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"

    crumbs = [{"label": "All years", "url": url()}]
    if zoom.start is not None:
        crumbs.append({"label": f"{zoom.start.year}", "url": url(f"{zoom.start:%Y}")})
        if len(zoom.period) >= 7:
            crumbs.append({"label": _label(zoom.start, "month"), "url": url(f"{zoom.start:%Y-%m}")})
        if len(zoom.period) >= 10:
            crumbs.append({"label": _label(zoom.start, "day"), "url": url(zoom.period)})
    level_by = {0: "year", 4: "month", 7: "day", 10: "hour"}[len(zoom.period)]
    sizes = [
        {"by": by, "url": url(zoom.period, by), "current": by == zoom.by}
        for by in GRANULARITIES[GRANULARITIES.index(level_by) :]
        if by != "year" or not zoom.period
    ]
    return {"crumbs": crumbs, "sizes": sizes if len(sizes) > 1 else []}
