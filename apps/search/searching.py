"""Running a search: counts, the page of results, facets and snippets, in a fixed number of
queries, choosing the plan PostgreSQL would get wrong.

The plans, and when each is chosen (:func:`search_run`):

* **Counting** always comes first, and stops at ``SEARCH_COUNT_CAP`` ("1,000+"): exact counts
  of common terms are slow. The capped count, kept with the facets until public content
  changes (:func:`cached_count_and_facets`), tells the plans below how many rows match.
* **Few matches** (the count is under the cap), newest or oldest first: every match is
  fetched through the text index (a materialised CTE) and then sorted. Left to itself the
  planner may walk the date index backwards looking for a rare word's few matches.
* **A narrow filter** (one account, one outlet, or one platform in one language): that
  subset's own date index is walked (``search_entry_account``, ``search_entry_outlet``,
  ``search_entry_platform_lang``), bounded by the subset; the planner is left to choose.
* **Many matches**, newest or oldest first: the date index is walked until a page of matches
  is found (a common word is met at once); pages after the first continue from a keyset
  cursor (date, id), so deep pages cost what the first one does.
* **Relevance** ranks every match when there are at most ``SEARCH_RANK_WINDOW`` of them
  (fetched through the text index when they are few); otherwise it ranks the newest
  ``SEARCH_RANK_WINDOW`` and says so. Its pages are numbered, within that window.

Statements are composed with ``psycopg.sql``: table and column names from the models'
``_meta``, every value (the query, filters, moderation states, kinds) a parameter, only our own
integers (page size, limits) written as literals.

Speed-ups kept because the benchmark (``benchmarks/search_queries.py``, page cache off) shows
each saving more than a millisecond at p95 on a fresh page (``benchmarks/RESULTS.md``):

* counts and facets in one statement, kept under the public content version (the same search
  in another order, or its next page, does not count again);
* a page's posts, with their accounts and snippets, read in the page's own statement through
  lateral lookups, and other kinds by one hand-written statement per kind, made into model
  instances with ``Model.from_db`` (:class:`_Listing`): compiling the same through the ORM on
  every search cost more than running it;
* the query's tsqueries remembered per process (``apps.search.filters._compiled``): a round
  trip and a plan fewer on every search;
* the page's sixty-odd links (facets, orders, pages, exports) built from the search's
  parameters encoded once (``apps.search.presenting.ParamLinks``): 0.04 ms a page against
  1.3 ms through ``QueryDict.copy()`` and ``urlencode()`` per link;
* the timeline's volume chart kept rendered under the content version
  (``apps.search.volume.volume_chart``): a month by hour is 744 bars;
* drawn afresh, the chart's bars and its table's rows are written by Django's
  ``format_html_join`` (``apps.search.volume.bars_markup``: every value escaped, two format
  strings, the rest of the chart in its template): the same two loops in the template, over
  prepared strings, cost 4-5 ms more at p95 on the timeline with every cache empty (44.5 → 37
  ms at 200k posts, the template loops alone 41-42 ms).

Everything a page shows is rendered by templates (``templates/search/``), and the search form
is plain django-filter: sharing its filters and fields between requests instead of Django's and
django-filter's deep copies saved 0.4 ms a page, under the threshold, and was removed.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core import identifiers
from apps.core.caching import cache_get, cache_set
from apps.core.content import content_version
from apps.core.moderation import EntryKind, ModerationState
from apps.search.filters import INDEX_TABLE, Order, SearchFilterSet, as_text, column
from apps.timeline.models import TimelineEvent

FACET_SIZE = 10
# How long counts and facets may be reused. Any change to public content moves the version in
# their key at once (apps.core.content.content_changed); this only bounds what an edit made
# behind the ORM's back could leave in place.
FACET_CACHE_SECONDS = 300
# Private-use characters ts_headline puts around matches; swapped for <mark> after escaping.
MARK_START, MARK_END = "\ue000", "\ue001"
HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=35, MinWords=15, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
# A title is shown whole, its matches marked: fragments would cut its first words.
TITLE_HEADLINE_OPTIONS = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'


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


# The index's columns, by name, for the statements below (their names on the model, quoted as
# identifiers by psycopg).
_C = {
    name: column(name)
    for name in (
        "id", "kind", "entry_id", "date", "document", "platform", "language", "outlet_id",
        "account_id", "hashtags",
    )
}  # fmt: skip
_PAGE_COLUMNS = ("id", "kind", "entry_id", "date")
_DIRECTION = {True: sql.SQL("DESC"), False: sql.SQL("ASC")}


def matching_rows(
    filterset: SearchFilterSet, columns: tuple[str, ...]
) -> tuple[sql.Composed, list]:
    """The index rows the search matches (``columns`` of them), as a statement of their own."""
    where, params = filterset.where()
    statement = sql.SQL("SELECT {columns} FROM {table} WHERE {where}").format(
        columns=sql.SQL(", ").join(column(name) for name in columns),
        table=INDEX_TABLE,
        where=where,
    )
    return statement, list(params)


def search_run(
    filterset: SearchFilterSet, *, cursor: str = "", page: int = 1, version: str | None = None
) -> SearchPage:
    """One page of results, by the plan the module's docstring describes. ``version`` is the
    public content version, if the caller has already read it (before anything else: see
    cached_count_and_facets)."""
    cap = settings.SEARCH_COUNT_CAP
    size = settings.SEARCH_PAGE_SIZE
    window = settings.SEARCH_RANK_WINDOW
    sample = settings.SEARCH_FACET_SAMPLE
    if version is None:
        version = content_version()
    matching, params = matching_rows(filterset, (*_PAGE_COLUMNS, "document"))
    count, facets = cached_count_and_facets(
        filterset, limit=max(cap, window, sample) + 1, version=version, matching=(matching, params)
    )
    few = count <= cap
    cleaned = filterset.cleaned
    narrow = (
        cleaned.get("account") is not None
        or cleaned.get("outlet") is not None
        or bool(cleaned.get("platform") and cleaned.get("language"))
    )
    order = filterset.effective_order
    if order == Order.RELEVANCE and not filterset.tsquery:
        order = Order.NEWEST

    next_cursor = next_page = None
    note = ""
    if order == Order.RELEVANCE:
        rank_all = count <= window
        ranked = count if rank_all else window  # how many rows relevance order pages through
        page = max(1, min(page, -(-ranked // size) or 1))
        statement = _relevance_page(
            matching, rank_all=rank_all, few=few, window=window, size=size, page=page
        )
        statement_params = [*params, filterset.tsquery]
        page_order = sql.SQL("page.rank DESC, page.{date} DESC, page.{id} DESC").format(**_C)
        if not rank_all:
            note = (
                f"More than {window:,} entries match: relevance order ranks the "
                f"{window:,} newest of them. Narrow the search to rank them all."
            )
    else:
        descending = order == Order.NEWEST
        position = decode_cursor(cursor)
        statement = _date_page(
            matching, through_text_index=few and not narrow, descending=descending,
            after=position is not None, size=size,
        )  # fmt: skip
        statement_params = [*params, *(position or ())]
        page_order = sql.SQL("page.{date} {direction}, page.{id} {direction}").format(
            direction=_DIRECTION[descending], **_C
        )
    rows = _page_rows(statement, statement_params, page_order, filterset.highlight_tsquery)
    has_more = len(rows) > size
    rows = rows[:size]
    if has_more:
        if order == Order.RELEVANCE:
            if page * size < ranked:
                next_page = page + 1
        else:
            last = rows[-1]
            next_cursor = encode_cursor(last[3], last[0])

    return SearchPage(
        results=_load_entries(rows, filterset.highlight_tsquery),
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


def _relevance_page(
    matching: sql.Composed, *, rank_all: bool, few: bool, window: int, size: int, page: int
) -> sql.Composed:
    """A page in relevance order (taking the matching rows' parameters, then the tsquery):
    every match ranked, or the newest ``window`` of them (through the text index first when
    they are few, as for date orders)."""
    if rank_all:
        ranked = sql.SQL("m AS MATERIALIZED ({matching})")
    elif few:
        ranked = sql.SQL(
            "f AS MATERIALIZED ({matching}), "
            "m AS MATERIALIZED (SELECT * FROM f ORDER BY {date} DESC, {id} DESC LIMIT {window})"
        )
    else:
        ranked = sql.SQL(
            "m AS MATERIALIZED ({matching} ORDER BY {date} DESC, {id} DESC LIMIT {window})"
        )
    return sql.SQL(
        "WITH {ranked} "
        "SELECT {id}, {kind}, {entry_id}, {date}, "
        "ts_rank({document}, {tsquery}::tsquery, 1) AS rank "
        "FROM m ORDER BY rank DESC, {date} DESC, {id} DESC LIMIT {limit} OFFSET {offset}"
    ).format(
        ranked=ranked.format(matching=matching, window=sql.Literal(window), **_C),
        tsquery=sql.Placeholder(),
        limit=sql.Literal(size + 1),
        offset=sql.Literal((page - 1) * size),
        **_C,
    )


def _date_page(
    matching: sql.Composed, *, through_text_index: bool, descending: bool, after: bool, size: int
) -> sql.Composed:
    """A newest- or oldest-first page (taking the matching rows' parameters, then the
    cursor's date and id when ``after``): every match fetched through the text index and
    sorted, or the walk of a date index the planner chooses."""
    keyset = sql.SQL("")
    if after:
        keyset = sql.SQL("WHERE ({date}, {id}) {op} ({}, {})").format(
            sql.Placeholder(), sql.Placeholder(), op=sql.SQL("<" if descending else ">"), **_C
        )
    if through_text_index:
        template = "WITH m AS MATERIALIZED ({matching}) SELECT {columns} FROM m {keyset} {order}"
    else:
        template = "SELECT {columns} FROM ({matching}) AS m {keyset} {order}"
    direction = _DIRECTION[descending]
    return sql.SQL(template).format(
        matching=matching,
        columns=sql.SQL(", ").join(_C[name] for name in _PAGE_COLUMNS),
        keyset=keyset,
        order=sql.SQL("ORDER BY {date} {direction}, {id} {direction} LIMIT {limit}").format(
            direction=direction, limit=sql.Literal(size + 1), **_C
        ),
    )


def _headline(
    marked: sql.Composable, tsquery: str, options: str = HEADLINE_OPTIONS
) -> tuple[sql.Composable, list]:
    if not tsquery:
        return sql.SQL("NULL::text"), []
    return (
        sql.SQL("ts_headline('metoo_simple', {}, {}::tsquery, {})").format(
            marked, sql.Placeholder(), sql.Placeholder()
        ),
        [tsquery, options],
    )


def _listed_fields(model, names: tuple[str, ...]) -> list[str]:
    """``names`` in the model's own field order, as ``Model.from_db`` takes them."""
    wanted = set(names)
    return [field.attname for field in model._meta.concrete_fields if field.attname in wanted]


class _Listing:
    """How one kind of entry is read for a page of results: its table and the one it names
    (a post's account, an article's outlet), the fields a result shows of each, in model field
    order as ``Model.from_db`` takes them, and the fields ts_headline marks (snippet, then
    title; a tuple of fields is marked as their text joined). One hand-written statement per
    kind present on the page: compiling the same through the ORM cost more than the query
    itself."""

    def __init__(self, kind, model, alias, fields, *, marks, named=None, date_field=""):
        self.model_kind, self.model, self.alias = kind, model, alias
        self.fields = _listed_fields(model, fields)
        self.marks, self.date_field = marks, date_field
        self.named = None  # (relation, model, alias, fields)
        if named:
            relation, named_model, named_alias, named_fields = named
            named_fields = _listed_fields(named_model, named_fields)
            self.named = (relation, named_model, named_alias, named_fields)

    def columns(self, highlight: str) -> tuple[sql.Composed, list]:
        """The columns read (and the headline parameters they take)."""
        alias, model = self.alias, self.model
        columns = [identifiers.column(model, name, alias) for name in self.fields]
        if self.named:
            _, named_model, named_alias, named_fields = self.named
            columns += [identifiers.column(named_model, name, named_alias) for name in named_fields]
        params: list = []
        for names in self.marks:
            texts = [identifiers.column(model, name, alias) for name in names]
            marked = (
                texts[0]
                if len(texts) == 1
                else sql.SQL("concat_ws(' ', {})").format(sql.SQL(", ").join(texts))
            )
            options = TITLE_HEADLINE_OPTIONS if names == ("title",) else HEADLINE_OPTIONS
            headline, values = _headline(marked, highlight, options)
            columns.append(headline)
            params += values
        return sql.SQL(", ").join(columns), params

    def statement(self, highlight: str, ids: list[int]) -> tuple[sql.Composed, list]:
        """The SELECT of these entries, the published ones among ``ids``, with its parameters."""
        columns, params = self.columns(highlight)
        alias, model = self.alias, self.model
        joins = sql.SQL("")
        if self.named:
            relation, named_model, named_alias, _ = self.named
            joins = sql.SQL(" LEFT JOIN {table} AS {alias} ON {key} = {reference}").format(
                table=identifiers.table(named_model),
                alias=sql.Identifier(named_alias),
                key=sql.Identifier(named_alias, named_model._meta.pk.column),
                reference=identifiers.column(model, relation, alias),
            )
        statement = sql.SQL(
            "SELECT {columns} FROM {table} AS {alias}{joins} WHERE {key} = ANY({}) AND {state} = {}"
        ).format(
            sql.Placeholder(),
            sql.Placeholder(),
            columns=columns,
            table=identifiers.table(model),
            alias=sql.Identifier(alias),
            joins=joins,
            key=sql.Identifier(alias, model._meta.pk.column),
            state=identifiers.column(model, "moderation_state", alias),
        )
        return statement, [*params, ids, ModerationState.PUBLISHED.value]

    def page_join(self, highlight: str) -> tuple[sql.Composed, list, sql.Composed, list]:
        """The columns (with their parameters) and the joins (with theirs) that read this
        kind's entries beside a page of index rows (``page``) in the same statement; NULL on
        rows of other kinds.

        Lateral subqueries (fenced by OFFSET 0) rather than plain joins: each is a lookup by
        id for each of the page's twenty rows, and planning the plain joins (costing hash and
        merge joins against a million posts) took longer than running them."""
        columns, params = self.columns(highlight)
        model = self.model
        joins = sql.SQL(
            " LEFT JOIN LATERAL (SELECT * FROM {table} WHERE {key} = page.{entry_id} AND "
            "page.{kind} = {} AND {state} = {} OFFSET 0) AS {alias} ON true"
        ).format(
            sql.Placeholder(),
            sql.Placeholder(),
            table=identifiers.table(model),
            key=sql.Identifier(model._meta.pk.column),
            state=identifiers.column(model, "moderation_state"),
            alias=sql.Identifier(self.alias),
            **_C,
        )
        join_params = [self.model_kind, ModerationState.PUBLISHED.value]
        if self.named:
            relation, named_model, named_alias, _ = self.named
            joins += sql.SQL(
                " LEFT JOIN LATERAL (SELECT * FROM {table} WHERE {key} = {reference} OFFSET 0)"
                " AS {alias} ON true"
            ).format(
                table=identifiers.table(named_model),
                key=sql.Identifier(named_model._meta.pk.column),
                reference=identifiers.column(model, relation, self.alias),
                alias=sql.Identifier(named_alias),
            )
        return columns, params, joins, join_params

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
    EntryKind.POST: _Listing(
        EntryKind.POST.value,
        Post,
        "p",
        ("id", "platform", "platform_id", "account_id", "posted_at", "posted_at_precision",
         "posted_at_zone", "url", "content_warning", "moderation_state"),
        marks=(("text", "media_text"),),
        named=("account", Account, "pa",
               ("id", "platform", "handle", "display_name", "is_public_figure", "handle_visible",
                "pseudonym")),
        date_field="posted_at",
    ),
    EntryKind.ARTICLE: _Listing(
        EntryKind.ARTICLE.value,
        SourceArticle,
        "s",
        ("id", "title", "canonical_url", "outlet_id", "published_at", "date_note", "excerpt"),
        marks=(("excerpt",), ("title",)),
        named=("outlet", Outlet, "o", ("id", "name")),
        date_field="published_at",
    ),
    EntryKind.EVENT: _Listing(
        EntryKind.EVENT.value,
        TimelineEvent,
        "e",
        ("id", "slug", "title", "date", "date_precision", "date_end", "summary"),
        marks=(("summary",), ("title",)),
    ),
    EntryKind.ACCOUNT: _Listing(
        EntryKind.ACCOUNT.value,
        Account,
        "a",
        ("id", "platform", "handle", "display_name", "is_public_figure", "handle_visible",
         "pseudonym"),
        marks=(("description",),),
    ),
}  # fmt: skip


def _page_rows(
    page_sql: sql.Composed, params: list, order: sql.Composed, highlight: str
) -> list[tuple]:
    """A page of index rows (``page_sql`` selects their id, kind, entry_id and date, and the
    keys of ``order``) with the posts among them read in the same statement (most pages are
    all posts: one statement saves a round trip and a plan). Returns (id, kind, entry_id,
    date, post's Result or None) per row, in ``order``."""
    listing = LISTINGS[EntryKind.POST]
    columns, column_params, joins, join_params = listing.page_join(highlight)
    statement = sql.SQL(
        "WITH page AS MATERIALIZED ({page_sql}) "
        "SELECT page.{id}, page.{kind}, page.{entry_id}, page.{date}, {columns} "
        "FROM page{joins} ORDER BY {order}"
    ).format(page_sql=page_sql, columns=columns, joins=joins, order=order, **_C)
    with connection.cursor() as db:
        db.execute(as_text(statement), [*params, *column_params, *join_params])
        fetched = db.fetchall()
    posts = listing.results(row[4:] for row in fetched if row[4] is not None)
    return [(*row[:4], posts.get(row[2]) if row[1] == EntryKind.POST else None) for row in fetched]


def _load_entries(rows, highlight: str) -> list[Result]:
    """The entries behind a page of rows of :func:`_page_rows`: those not read there, one
    query per kind present, with snippets. In index order; an entry unpublished since the
    index was read is simply left out."""
    wanted: dict[str, list[int]] = {}
    for _, kind, entry_id, _, _ in rows:
        if kind != EntryKind.POST:
            wanted.setdefault(kind, []).append(entry_id)
    loaded: dict[tuple[str, int], Result] = {}
    with connection.cursor() as db:
        for kind, entry_ids in wanted.items():
            listing = LISTINGS[kind]
            statement, params = listing.statement(highlight, entry_ids)
            db.execute(as_text(statement), params)
            for pk, result in listing.results(db.fetchall()).items():
                loaded[kind, pk] = result
    results = []
    for _, kind, entry_id, _, post in rows:
        result = post if kind == EntryKind.POST else loaded.get((kind, entry_id))
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
    filterset: SearchFilterSet, *, limit: int, version: str, matching: tuple[sql.Composed, list]
) -> tuple[int, list[Facet]]:
    """:func:`count_and_facets`, kept for the next page or the next visitor asking the same,
    until anything public changes. The key holds the content version (``content_version()``,
    read before anything else, so that what is cached under it was read no earlier than it
    was committed) and the matching query (:func:`matching_rows`) as PostgreSQL would
    receive it."""
    statement, params = matching
    signature = repr((as_text(statement), params, limit, FACET_SIZE, filterset.has_date_range))
    key = f"search-facets:{version}:{hashlib.sha256(signature.encode()).hexdigest()}"
    found = cache_get(key)
    if found is None:
        found = count_and_facets(filterset, limit=limit)
        cache_set(key, found, FACET_CACHE_SECONDS)
    return found


# Top values per facet are chosen in SQL, and only those are joined to their names. The CASEs
# keep the casts from ever seeing another facet's values.
_FACETS_SQL = """
    WITH s AS MATERIALIZED ({matching} LIMIT {limit}),
    f AS (
        SELECT 'kind' AS facet, {kind} AS value, count(*) AS n FROM s GROUP BY {kind}
        UNION ALL SELECT 'platform', {platform}, count(*) FROM s
            WHERE {platform} <> '' AND {kind} = {post} GROUP BY {platform}
        UNION ALL SELECT 'language', {language}, count(*) FROM s
            WHERE {language} <> '' GROUP BY {language}
        UNION ALL SELECT 'outlet', {outlet_id}::text, count(*) FROM s
            WHERE {outlet_id} IS NOT NULL GROUP BY {outlet_id}
        UNION ALL SELECT 'account', {account_id}::text, count(*) FROM s
            WHERE {account_id} IS NOT NULL AND {kind} = {post} GROUP BY {account_id}
        UNION ALL SELECT 'hashtag', tag, count(*) FROM s, unnest(s.{hashtags}) AS tag
            GROUP BY tag
    ),
    ranked AS (
        SELECT facet, value, n, row_number() OVER (PARTITION BY facet ORDER BY n DESC, value) AS r
        FROM f
    )
    SELECT 'total', NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL FROM s
    UNION ALL
    SELECT ranked.facet, ranked.value, ranked.n, {outlet_name},
           {account_platform}, {handle}, {is_public_figure}, {handle_visible}, {pseudonym}
    FROM ranked
    LEFT JOIN {outlet_table} AS o
        ON {outlet_key} = CASE WHEN ranked.facet = 'outlet' THEN ranked.value::bigint END
    LEFT JOIN {account_table} AS a
        ON {account_key} = CASE WHEN ranked.facet = 'account' THEN ranked.value::bigint END
    WHERE ranked.r <= {facet_size}
"""


def count_and_facets(filterset: SearchFilterSet, *, limit: int) -> tuple[int, list[Facet]]:
    """How many entries match (counting stops at ``limit``) and the counts per value of each
    filter among them, with the names facets show, in one query. Past the limit the facets are
    counted over the first ``limit`` matches, and the page says so."""
    matching, params = matching_rows(
        filterset, ("kind", "platform", "language", "outlet_id", "account_id", "hashtags")
    )
    statement = sql.SQL(_FACETS_SQL).format(
        matching=matching,
        limit=sql.Literal(limit),
        post=sql.Placeholder(),
        outlet_name=identifiers.column(Outlet, "name", "o"),
        account_platform=identifiers.column(Account, "platform", "a"),
        handle=identifiers.column(Account, "handle", "a"),
        is_public_figure=identifiers.column(Account, "is_public_figure", "a"),
        handle_visible=identifiers.column(Account, "handle_visible", "a"),
        pseudonym=identifiers.column(Account, "pseudonym", "a"),
        outlet_table=identifiers.table(Outlet),
        outlet_key=sql.Identifier("o", Outlet._meta.pk.column),
        account_table=identifiers.table(Account),
        account_key=sql.Identifier("a", Account._meta.pk.column),
        facet_size=sql.Literal(FACET_SIZE),
        **_C,
    )
    with transaction.atomic(), connection.cursor() as db:
        if filterset.tsquery and filterset.has_date_range:
            # Words within a date range: hoping to meet enough matches early, the planner
            # scans the table in physical order, and reads tens of thousands of rows when the
            # matches are spread thin. Either index (text or date) answers far faster.
            db.execute("SET LOCAL enable_seqscan = off")
        db.execute(as_text(statement), [*params, EntryKind.POST.value, EntryKind.POST.value])
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
