"""Running a search: counts, the page of results, facets and snippets, in a fixed number of
queries, choosing the plan PostgreSQL would get wrong.

Known traps at a million rows, and what is done about each:

* exact counts of common terms are slow: counting stops at ``SEARCH_COUNT_CAP`` ("1,000+");
* newest-first with a rare term tempts the planner to walk the date index backwards looking for
  matches: the capped count tells us how many rows match, and when they are few they are
  fetched through the text index first (a materialised CTE) and sorted, never by the date walk;
* newest-first with words that are many overall but thin among the newest entries makes that
  walk long too: the walk stops after the nearest ``SEARCH_NEAREST_WALK`` entries, then windows
  of days are searched through the text index (its ``day`` key skips to the part of each
  posting list a window covers), and only then is the date index walked to the end;
* within one account, one outlet, or one platform in one language, that subset's own date
  index is walked (the text index would decode the filters' long posting lists);
* ranking every match of a common term is slow: relevance ranks at most ``SEARCH_RANK_WINDOW``
  matches (all of them when there are fewer, the newest ones otherwise) and says so;
* OFFSET pages slow down with depth: date orders page by keyset (date, id) cursors, relevance
  pages stay within the bounded window.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.search.caching import cache_get, cache_set
from apps.search.filters import Order, SearchFilterSet
from apps.search.indexing import content_version
from apps.timeline.models import TimelineEvent

FACET_SIZE = 10
# How long counts and facets may be reused. Any change to public content moves the version in
# their key at once (apps.search.indexing.content_changed); this only bounds what an edit made
# behind the ORM's back could leave in place.
FACET_CACHE_SECONDS = 300
# Private-use characters ts_headline puts around matches; swapped for <mark> after escaping.
MARK_START, MARK_END = "\ue000", "\ue001"
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


@dataclass
class Result:
    kind: str
    entry: object
    date: datetime.datetime | None
    snippet: str = ""
    title: str = ""


@dataclass
class Facet:
    name: str
    label: str
    options: list[dict] = field(default_factory=list)


@dataclass
class SearchPage:
    results: list[Result]
    count: int
    count_capped: bool
    order: str
    next_cursor: str | None = None
    next_page: int | None = None
    page: int = 1
    rank_window_note: str = ""
    facets: list[Facet] = field(default_factory=list)
    facets_sampled: bool = False


def mark_safe_snippet(raw: str | None) -> str:
    """Escape a headline built from third-party text; only our <mark> survives.

    After ``html.escape`` the text holds no markup at all; each sentinel ts_headline put
    around a match (or found in the text itself) becomes <mark> or </mark> only where that
    keeps them balanced and unnested, and an open one is closed at the end. A property test
    checks that nh3 (ammonia) would leave every result unchanged; it is not run here, since a
    page has twenty snippets and it cost more than the rest of their markup."""
    if not raw:
        return ""
    escaped = html.escape(raw, quote=True)
    if MARK_START not in escaped and MARK_END not in escaped:
        return escaped
    parts, is_open = [], False
    for piece in _SENTINELS.split(escaped):
        if piece == MARK_START:
            if not is_open:
                parts.append("<mark>")
                is_open = True
        elif piece == MARK_END:
            if is_open:
                parts.append("</mark>")
                is_open = False
        else:
            parts.append(piece)
    if is_open:
        parts.append("</mark>")
    return "".join(parts)


_SENTINELS = re.compile(f"({MARK_START}|{MARK_END})")


def encode_cursor(date: datetime.datetime, pk: int) -> str:
    return f"{date.astimezone(datetime.UTC).strftime('%Y%m%dT%H%M%S.%f')}_{pk}"


def decode_cursor(value: str | None) -> tuple[datetime.datetime, int] | None:
    if not value:
        return None
    try:
        stamp, pk = value.split("_", 1)
        date = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f").replace(tzinfo=datetime.UTC)
        pk = int(pk)
    except (ValueError, OverflowError):
        return None
    return (date, pk) if 0 <= pk < 2**63 else None


def _base_sql(filterset: SearchFilterSet, columns: tuple[str, ...]) -> tuple[str, list]:
    """The index rows the search matches, as a statement of their own."""
    where, params = filterset.where()
    return f"SELECT {', '.join(columns)} FROM search_searchentry WHERE {where}", list(params)  # noqa: S608


def search_run(
    filterset: SearchFilterSet, *, cursor: str = "", page: int = 1, version: str | None = None
) -> SearchPage:
    """One page of results. ``version`` is the public content version, if the caller has
    already read it (before anything else: see cached_count_and_facets)."""
    cap = settings.SEARCH_COUNT_CAP
    size = settings.SEARCH_PAGE_SIZE
    window = settings.SEARCH_RANK_WINDOW
    sample = settings.SEARCH_FACET_SAMPLE
    if version is None:
        version = content_version()
    base_sql, params = _base_sql(filterset, ("id", "kind", "entry_id", "date", "document"))
    count, facets = cached_count_and_facets(
        filterset, limit=max(cap, window, sample) + 1, version=version, matching=(base_sql, params)
    )
    few = count <= cap  # few enough to fetch through the text index and sort
    # Within one account, one outlet, or one platform in one language, an index gives the
    # subset in date order: walking it is bounded by the subset, so the planner may choose.
    cleaned = filterset.cleaned
    narrow = (
        cleaned.get("account") is not None
        or cleaned.get("outlet") is not None
        or bool(cleaned.get("platform") and cleaned.get("language"))
    )
    order = filterset.effective_order
    if order == Order.RELEVANCE and not filterset.tsquery:
        order = Order.NEWEST

    sql_params: list = []
    fallback = hint_key = None  # for date orders: see _date_order_statements
    next_cursor = next_page = None
    note = ""
    if order == Order.RELEVANCE:
        rank_all = count <= window
        ranked = count if rank_all else window  # how many rows relevance order pages through
        page = max(1, min(page, -(-ranked // size) or 1))
        if rank_all:
            ctes = f"m AS MATERIALIZED ({base_sql})"
        elif few:  # through the text index first, as for date orders below
            ctes = (
                f"f AS MATERIALIZED ({base_sql}), m AS MATERIALIZED "  # noqa: S608
                f"(SELECT * FROM f ORDER BY date DESC, id DESC LIMIT {window})"
            )
        else:
            ctes = f"m AS MATERIALIZED ({base_sql} ORDER BY date DESC, id DESC LIMIT {window})"
        if not rank_all:
            note = (
                f"More than {window:,} entries match: relevance order ranks the "
                f"{window:,} newest of them. Narrow the search to rank them all."
            )
        sql = (
            f"WITH {ctes} "  # noqa: S608
            "SELECT id, kind, entry_id, date, ts_rank(document, %s::tsquery, 1) AS rank FROM m "
            "ORDER BY rank DESC, date DESC, id DESC "
            f"LIMIT {size + 1} OFFSET {(page - 1) * size}"
        )
        sql_params = params + [filterset.tsquery]
        page_order = "page.rank DESC, page.date DESC, page.id DESC"
    else:
        descending = order == Order.NEWEST
        direction = "DESC" if descending else "ASC"
        position = decode_cursor(cursor)
        (sql, sql_params), fallback, hint_key = _date_order_statements(
            filterset, base_sql, params, few=few, narrow=narrow, descending=descending,
            position=position, version=version, size=size,
        )  # fmt: skip
        page_order = f"page.date {direction}, page.id {direction}"
    rows = _page_rows(sql, sql_params, page_order, filterset.highlight_tsquery)
    if fallback is not None:
        short = len(rows) <= size
        if short:
            rows = _page_rows(*fallback, page_order, filterset.highlight_tsquery)
        if hint_key:
            cache_set(hint_key, "windows" if short else "nearest", FACET_CACHE_SECONDS)
    has_more = len(rows) > size
    rows = rows[:size]
    if has_more:
        if order == Order.RELEVANCE:
            if page * size < ranked:
                next_page = page + 1
        else:
            last = rows[-1]
            next_cursor = encode_cursor(last[3], last[0])

    results = _load_entries(rows, filterset.highlight_tsquery)
    return SearchPage(
        results=results,
        count=min(count, cap),
        count_capped=count > cap,
        order=order,
        next_cursor=next_cursor,
        next_page=next_page,
        page=page,
        rank_window_note=note,
        facets=facets,
        facets_sampled=count > sample,
    )


def _date_order_statements(
    filterset: SearchFilterSet,
    base_sql: str,
    params: list,
    *,
    few: bool,
    narrow: bool,
    descending: bool,
    position: tuple[datetime.datetime, int] | None,
    version: str,
    size: int,
) -> tuple[tuple[str, list], tuple[str, list] | None, str | None]:
    """How a newest- or oldest-first page is read: its statement, another to run if the
    first one's page falls short (or None), and the key under which to remember whether it
    did (or None)."""
    direction = "DESC" if descending else "ASC"
    keyset = ""
    if position is not None:
        keyset = f"WHERE (date, id) {'<' if descending else '>'} (%s, %s)"
    outer_params = list(position) if position else []
    order = f"ORDER BY date {direction}, id {direction} LIMIT {size + 1}"
    walk = (
        f"SELECT id, kind, entry_id, date FROM ({base_sql}) AS m {keyset} {order}",  # noqa: S608
        params + outer_params,
    )
    if few and not narrow:
        # Few matches: find them all through the text index, then sort. Left to itself the
        # planner may walk the whole date index looking for them.
        return (
            (
                f"WITH m AS MATERIALIZED ({base_sql}) "  # noqa: S608
                f"SELECT id, kind, entry_id, date FROM m {keyset} {order}",
                params + outer_params,
            ),
            None,
            None,
        )
    if few or narrow or filterset.has_date_range or not filterset.matches_text:
        return walk, None, None
    # Words with many matches: the nearest entries first, and the windows only if they fall
    # short of a page. A first page remembers, under the content version, which it took: next
    # time it takes the windows at once, or walks the date index knowing that the walk stops
    # among the nearest entries (and then needs no windows at all).
    hint_key = _plan_hint_key(version, base_sql, params, direction) if position is None else None
    hint = cache_get(hint_key) if hint_key else None
    if hint == "nearest":
        return walk, None, None
    windows = date_windows(
        descending=descending, start=position[0] if position else None, version=version
    )
    if not windows:
        return walk, None, None
    windowed = _windowed_sql(
        filterset, windows, descending=descending, keyset=keyset,
        keyset_params=outer_params, size=size,
    )  # fmt: skip
    if hint == "windows":
        return windowed, None, None
    nearest = _nearest_sql(
        filterset, descending=descending, keyset=keyset, keyset_params=outer_params, size=size
    )
    return nearest, windowed, hint_key


DAY = 86400  # seconds


def _plan_hint_key(version: str, base_sql: str, params: list, direction: str) -> str:
    signature = repr((base_sql, params, direction))
    return f"search-plan:{version}:{hashlib.sha256(signature.encode()).hexdigest()}"


def _month_profile(version: str) -> list[tuple[int, int]]:
    """(first day of the month as a day number, entries indexed in it) for every month of the
    index, oldest first: read from the volume counts (a few hundred rows), kept under the
    content version."""
    key = f"search-month-profile:{version}"
    profile = cache_get(key)
    if profile is None:
        with connection.cursor() as db:
            db.execute(
                "SELECT (extract(epoch FROM bucket) / %s)::int, sum(n) FROM search_volumecount "
                "WHERE granularity = 'month' GROUP BY bucket HAVING sum(n) > 0 ORDER BY bucket",
                [DAY],
            )
            profile = [(day, int(rows)) for day, rows in db.fetchall()]
        cache_set(key, profile, FACET_CACHE_SECONDS)
    return profile


def date_windows(*, descending: bool, start: datetime.datetime | None, version: str) -> list[int]:
    """Where the windows of a date-ordered search end, nearest first: for newest first, the
    first day of the month by which about ``SEARCH_DATE_WINDOWS[k]`` entries lie between
    ``start`` (the cursor, or the newest entry) and it; for oldest first, the first day of the
    month after it. Empty when the index is small enough for one walk of the date index."""
    profile = _month_profile(version)
    if start is not None:
        start_day = int(start.timestamp() // DAY)
        if descending:
            profile = [month for month in profile if month[0] <= start_day]
        else:  # the cursor's month and later ones
            later = [index for index, month in enumerate(profile) if month[0] > start_day]
            profile = profile[max(0, later[0] - 1) if later else len(profile) - 1 :]
    months = list(reversed(profile)) if descending else profile
    sizes = iter(settings.SEARCH_DATE_WINDOWS)
    size = next(sizes, None)
    bounds: list[int] = []
    seen = 0
    for index, (first_day, rows) in enumerate(months):
        seen += rows
        if size is None:
            break
        if seen >= size and index + 1 < len(months):  # the last month needs no window
            bound = first_day if descending else months[index + 1][0]
            if not bounds or bound != bounds[-1]:
                bounds.append(bound)
            while size is not None and seen >= size:
                size = next(sizes, None)
    return bounds


# The index's columns a search's conditions read (apps.search.filters.SearchFilterSet.where).
_CONDITION_COLUMNS = "id, kind, entry_id, date, document, platform, language, account_id, outlet_id"


def _nearest_sql(
    filterset: SearchFilterSet, *, descending: bool, keyset: str, keyset_params: list, size: int
) -> tuple[str, list]:
    """A page of matches among the nearest ``SEARCH_NEAREST_WALK`` entries (after the
    cursor), walked in date order: enough for a common word, and cheaper than any window. A
    whole page from it is the answer (every nearer entry was looked at); a short one is not,
    and :func:`_windowed_sql` takes over."""
    where, params = filterset.where()
    direction = "DESC" if descending else "ASC"
    order = f"ORDER BY date {direction}, id {direction}"
    sql = (
        f"SELECT id, kind, entry_id, date FROM (SELECT {_CONDITION_COLUMNS} "  # noqa: S608
        f"FROM search_searchentry {keyset} {order} LIMIT {settings.SEARCH_NEAREST_WALK}) AS m "
        f"WHERE {where} {order} LIMIT {size + 1}"
    )
    return sql, [*keyset_params, *params]


def _windowed_sql(
    filterset: SearchFilterSet,
    windows: list[int],
    *,
    descending: bool,
    keyset: str,
    keyset_params: list,
    size: int,
) -> tuple[str, list]:
    """A date-ordered page that looks at the nearest days first, when the nearest entries
    (:func:`_nearest_sql`) held less than a page.

    Walking the date index to find the newest matches of words that are thin among the
    newest entries reads every entry on the way (some 10,000 for a pair of words in a million
    posts). Instead each window (its days, a key of the text index) is searched through the
    text index, which skips to the part of each word's posting list the window covers. The
    first window holding a whole page is the answer, since every entry nearer than its
    matches lies within it; if none does, the date index is walked to the end as before. One
    statement: each window runs only if the ones before it fell short."""
    where, params = filterset.where()
    direction = "DESC" if descending else "ASC"
    bound = ">=" if descending else "<"
    order = f"ORDER BY date {direction}, id {direction} LIMIT {size + 1}"
    ctes, sql_params, names = [], [], []
    for number, window in enumerate(windows):
        ctes.append(
            f"m{number} AS MATERIALIZED (SELECT id, kind, entry_id, date FROM search_searchentry "  # noqa: S608
            f"WHERE {where} AND day {bound} %s), "
            f"w{number} AS MATERIALIZED (SELECT * FROM m{number} {keyset} {order})"
        )
        sql_params += [*params, window, *keyset_params]
        names.append(f"w{number}")
    ctes.append(
        f"walk AS MATERIALIZED (SELECT id, kind, entry_id, date FROM (SELECT id, kind, "  # noqa: S608
        f"entry_id, date FROM search_searchentry WHERE {where}) AS m {keyset} {order})"
    )
    sql_params += [*params, *keyset_params]
    names.append("walk")
    # Names and sizes are ours; every value from the request is a parameter.
    short = [f"(SELECT count(*) FROM {name}) <= {size}" for name in names]  # noqa: S608
    branches = []
    for number, name in enumerate(names):
        conditions = short[:number]
        if name != "walk":
            conditions.append(f"(SELECT count(*) FROM {name}) > {size}")  # noqa: S608
        branches.append(f"SELECT * FROM {name} WHERE {' AND '.join(conditions)}")  # noqa: S608
    return f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches), sql_params


def _headline(column_sql: str, tsquery: str) -> tuple[str, list]:
    if not tsquery:
        return "NULL::text", []
    return (
        f"ts_headline('metoo_simple', {column_sql}, %s::tsquery, %s)",
        [tsquery, HEADLINE_OPTIONS],
    )


def _listed_fields(model, names: tuple[str, ...]) -> list[str]:
    """``names`` in the model's own field order, as ``Model.from_db`` takes them."""
    wanted = set(names)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


class _Listing:
    """How one kind of entry is read for a page of results: its table and the one it names
    (a post's account, an article's outlet), the fields a result shows of each, in model field
    order as ``Model.from_db`` takes them, and the columns ts_headline marks (snippet, then
    title). One hand-written statement per kind present on the page: compiling the same
    through the ORM cost more than the query itself."""

    def __init__(self, kind, model, alias, fields, *, marks, named=None, date_field=""):
        self.model_kind, self.model, self.alias = kind, model, alias
        self.fields = _listed_fields(model, fields)
        self.marks, self.date_field = marks, date_field
        self.named = None  # (relation, model, alias, fields)
        if named:
            relation, named_model, named_alias, named_fields = named
            named_fields = _listed_fields(named_model, named_fields)
            self.named = (relation, named_model, named_alias, named_fields)

    def columns(self, highlight: str) -> tuple[str, str, list]:
        """The columns read (with the headline parameters they take) and the join to the
        named table."""
        alias = self.alias
        columns = [f"{alias}.{name}" for name in self.fields]
        joins = ""
        if self.named:
            relation, named_model, named_alias, named_fields = self.named
            columns += [f"{named_alias}.{name}" for name in named_fields]
            joins = (
                f" LEFT JOIN {named_model._meta.db_table} AS {named_alias}"
                f" ON {named_alias}.id = {alias}.{relation}_id"
            )
        params: list = []
        for column_sql in self.marks:
            sql, values = _headline(column_sql, highlight)
            columns.append(sql)
            params += values
        return ", ".join(columns), joins, params

    def statement(self, highlight: str) -> tuple[str, list]:
        """The SELECT, taking the headline parameters it returns and then the entries' ids."""
        columns, joins, params = self.columns(highlight)
        alias, table = self.alias, self.model._meta.db_table
        sql = (
            f"SELECT {columns} FROM {table} AS {alias}{joins} "  # noqa: S608
            f"WHERE {alias}.id = ANY(%s) AND {alias}.moderation_state = 'published'"
        )
        return sql, params

    def page_join(self, highlight: str) -> tuple[str, str, list]:
        """The columns and joins that read this kind's entries beside a page of index rows
        (``page``) in the same statement; NULL on rows of other kinds.

        Lateral subqueries (fenced by OFFSET 0) rather than plain joins: each is a lookup by
        id for each of the page's twenty rows, and planning the plain joins (costing hash and
        merge joins against a million posts) took longer than running them."""
        columns, _, params = self.columns(highlight)
        alias, table = self.alias, self.model._meta.db_table
        joins = (
            f" LEFT JOIN LATERAL (SELECT * FROM {table} WHERE id = page.entry_id AND "  # noqa: S608
            f"page.kind = '{self.model_kind}' AND moderation_state = 'published' OFFSET 0) "
            f"AS {alias} ON true"
        )
        if self.named:
            relation, named_model, named_alias, _ = self.named
            joins += (
                f" LEFT JOIN LATERAL (SELECT * FROM {named_model._meta.db_table} "  # noqa: S608
                f"WHERE id = {alias}.{relation}_id OFFSET 0) AS {named_alias} ON true"
            )
        return columns, joins, params

    def results(self, rows) -> dict[int, Result]:
        """Results from rows of :meth:`columns`, by entry id."""
        kind, width = self.model_kind, len(self.fields)
        found = {}
        for row in rows:
            entry = self.model.from_db("default", self.fields, row[:width])
            at = width
            if self.named:
                relation, named_model, _, named_fields = self.named
                values = row[at : at + len(named_fields)]
                at += len(named_fields)
                named = named_model.from_db("default", named_fields, values)
                getattr(self.model, relation).field.set_cached_value(
                    entry, named if values[0] is not None else None
                )
            marked = [mark_safe_snippet(value) for value in row[at:]]
            title = marked[1] if len(marked) > 1 else ""
            date = getattr(entry, self.date_field) if self.date_field else None
            found[entry.pk] = Result(kind, entry, date, marked[0], title)
        return found


LISTINGS = {
    "post": _Listing(
        "post",
        Post,
        "p",
        ("id", "platform", "platform_id", "account_id", "posted_at", "posted_at_precision",
         "posted_at_zone", "url", "content_warning", "moderation_state"),
        marks=("concat_ws(' ', p.text, p.media_text)",),
        named=("account", Account, "pa",
               ("id", "platform", "handle", "display_name", "is_public_figure", "handle_visible",
                "pseudonym")),
        date_field="posted_at",
    ),
    "article": _Listing(
        "article",
        SourceArticle,
        "s",
        ("id", "title", "canonical_url", "outlet_id", "published_at", "date_note", "excerpt"),
        marks=("s.excerpt", "s.title"),
        named=("outlet", Outlet, "o", ("id", "name")),
        date_field="published_at",
    ),
    "event": _Listing(
        "event",
        TimelineEvent,
        "e",
        ("id", "slug", "title", "date", "date_precision", "date_end", "summary"),
        marks=("e.summary", "e.title"),
    ),
    "account": _Listing(
        "account",
        Account,
        "a",
        ("id", "platform", "handle", "display_name", "is_public_figure", "handle_visible",
         "pseudonym"),
        marks=("a.description",),
    ),
}  # fmt: skip


def _page_rows(page_sql: str, params: list, order: str, highlight: str) -> list[tuple]:
    """A page of index rows (``page_sql`` selects their id, kind, entry_id and date, and the
    keys of ``order``) with the posts among them read in the same statement (most pages are
    all posts: one statement saves a round trip and a plan). Returns (id, kind, entry_id,
    date, post's Result or None) per row, in ``order``."""
    listing = LISTINGS["post"]
    columns, joins, join_params = listing.page_join(highlight)
    sql = (
        f"WITH page AS MATERIALIZED ({page_sql}) "  # noqa: S608
        f"SELECT page.id, page.kind, page.entry_id, page.date, {columns} FROM page{joins} "
        f"ORDER BY {order}"
    )
    with connection.cursor() as db:
        db.execute(sql, params + join_params)
        fetched = db.fetchall()
    posts = listing.results(row[4:] for row in fetched if row[4] is not None)
    return [(*row[:4], posts.get(row[2]) if row[1] == "post" else None) for row in fetched]


def _load_entries(rows, highlight: str) -> list[Result]:
    """The entries behind a page of rows of :func:`_page_rows`: those not read there, one
    query per kind present, with snippets. In index order; an entry unpublished since the
    index was read is simply left out."""
    wanted: dict[str, list[int]] = {}
    for _, kind, entry_id, _, _ in rows:
        if kind != "post":
            wanted.setdefault(kind, []).append(entry_id)
    loaded: dict[tuple[str, int], Result] = {}
    with connection.cursor() as db:
        for kind, entry_ids in wanted.items():
            listing = LISTINGS[kind]
            sql, params = listing.statement(highlight)
            db.execute(sql, [*params, entry_ids])
            for pk, result in listing.results(db.fetchall()).items():
                loaded[kind, pk] = result
    results = []
    for _, kind, entry_id, _, post in rows:
        result = post if kind == "post" else loaded.get((kind, entry_id))
        if result is not None:
            results.append(result)
    return results


FACETS = (
    ("kind", "Kind"),
    ("platform", "Platform"),
    ("outlet", "Outlet"),
    ("account", "Account"),
    ("hashtag", "Hashtag"),
    ("language", "Language"),
)


def cached_count_and_facets(
    filterset: SearchFilterSet, *, limit: int, version: str, matching: tuple[str, list]
) -> tuple[int, list[Facet]]:
    """:func:`count_and_facets`, kept for the next page or the next visitor asking the same,
    until anything public changes. The key holds the content version (``content_version()``,
    read before anything else, so that what is cached under it was read no earlier than it
    was committed) and the matching query (``_base_sql``) as PostgreSQL would receive it."""
    signature = repr((*matching, limit, FACET_SIZE, filterset.has_date_range))
    key = f"search-facets:{version}:{hashlib.sha256(signature.encode()).hexdigest()}"
    found = cache_get(key)
    if found is None:
        found = count_and_facets(filterset, limit=limit)
        cache_set(key, found, FACET_CACHE_SECONDS)
    return found


def count_and_facets(filterset: SearchFilterSet, *, limit: int) -> tuple[int, list[Facet]]:
    """How many entries match (counting stops at ``limit``) and the counts per value of each
    filter among them, with the names facets show, in one query. Past the limit the facets are
    counted over the first ``limit`` matches, and the page says so."""
    base_sql, params = _base_sql(
        filterset, ("kind", "platform", "language", "outlet_id", "account_id", "hashtags")
    )
    # Top values per facet are chosen in SQL, and only those are joined to their names. The
    # CASEs keep the casts from ever seeing another facet's values.
    sql = f"""
        WITH s AS MATERIALIZED ({base_sql} LIMIT {limit}),
        f AS (
            SELECT 'kind' AS facet, kind AS value, count(*) AS n FROM s GROUP BY kind
            UNION ALL SELECT 'platform', platform, count(*) FROM s
                WHERE platform <> '' AND kind = 'post' GROUP BY platform
            UNION ALL SELECT 'language', language, count(*) FROM s
                WHERE language <> '' GROUP BY language
            UNION ALL SELECT 'outlet', outlet_id::text, count(*) FROM s
                WHERE outlet_id IS NOT NULL GROUP BY outlet_id
            UNION ALL SELECT 'account', account_id::text, count(*) FROM s
                WHERE account_id IS NOT NULL AND kind = 'post' GROUP BY account_id
            UNION ALL SELECT 'hashtag', tag, count(*) FROM s, unnest(s.hashtags) AS tag
                GROUP BY tag
        ),
        ranked AS (
            SELECT facet, value, n,
                   row_number() OVER (PARTITION BY facet ORDER BY n DESC, value) AS r
            FROM f
        )
        SELECT 'total', NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM s
        UNION ALL
        SELECT ranked.facet, ranked.value, ranked.n, o.name,
               a.platform, a.handle, a.is_public_figure, a.handle_visible, a.pseudonym
        FROM ranked
        LEFT JOIN archive_outlet AS o
            ON o.id = CASE WHEN ranked.facet = 'outlet' THEN ranked.value::bigint END
        LEFT JOIN archive_account AS a
            ON a.id = CASE WHEN ranked.facet = 'account' THEN ranked.value::bigint END
        WHERE ranked.r <= {FACET_SIZE}
    """  # noqa: S608
    with transaction.atomic(), connection.cursor() as db:
        if filterset.tsquery and filterset.has_date_range:
            # Words within a date range: hoping to meet enough matches early, the planner
            # scans the table in physical order, and reads tens of thousands of rows when the
            # matches are spread thin. Either index (text or date) answers far faster.
            db.execute("SET LOCAL enable_seqscan = off")
        db.execute(sql, params)
        rows = db.fetchall()
    platform_names = dict(Post._meta.get_field("platform").choices)
    kind_names = {"post": "Posts", "article": "Articles", "event": "Events", "account": "Accounts"}
    total = 0
    by_facet: dict[str, list[dict]] = {}
    for facet, value, n, outlet_name, platform, handle, public_figure, visible, pseudonym in rows:
        if facet == "total":
            total = n
            continue
        if facet == "kind":
            label = kind_names.get(value, value)
        elif facet == "platform":
            label = platform_names.get(value, value)
        elif facet == "outlet":
            label = outlet_name or "Unknown outlet"
        elif facet == "account":
            label = (
                Account(
                    platform=platform,
                    handle=handle,
                    is_public_figure=public_figure,
                    handle_visible=visible,
                    pseudonym=pseudonym,
                ).public_name
                if handle
                else "Unknown account"
            )
        elif facet == "hashtag":
            label = f"#{value}"
        else:
            label = value
        by_facet.setdefault(facet, []).append({"value": value, "label": label, "count": n})
    facets = []
    for name, title in FACETS:
        options = sorted(by_facet.get(name, []), key=lambda o: (-o["count"], o["value"]))
        facets.append(Facet(name, title, options))
    return total, facets
