"""The search index's public interface for the rest of the archive, and its upkeep.

The index is kept in step by the write services, and only by them: every service that changes
what an entry's document or the public pages show (curation's services, ingestion's writer and
article fetcher, the story's seeding, the admin, which saves through curation's services) calls
:func:`sync_entries`, :func:`sync_edited` or :func:`apps.core.content.content_changed` itself,
once, inside its own transaction, so that a withdrawn entry leaves the index in the transaction
that withdrew it.
There are no model signals: a row saved through the ORM by anything else (a shell, a test's
factory) is not indexed until one of these is called.

The index is written in SQL straight from the entries' tables: one ``INSERT ... SELECT`` per
batch, whatever its size, with the per-month, per-day and per-hour volume counts adjusted by the
rows that left and the rows that arrived in the same statement (the ORM would bring every row
into Python and back). What goes into each weight of an entry's document is decided here
(``_ENTRY_SELECT``); how words become lexemes is decided by the ``search_document()`` SQL
function (migration 0001).

Statements are composed with ``psycopg.sql`` once, on import: in a template, ``{p}`` is the
table of the model given as ``p`` and ``{p.text}`` the column of its field ``text`` (both
quoted identifiers from the model's ``_meta``); moderation states and ids are parameters
(``%(published)s``, ``%(ids)s``); kinds and granularities are literals from their enums.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models, transaction
from psycopg import sql

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core import identifiers
from apps.core.content import content_changed, version_counters_exist
from apps.core.moderation import EntryKind, ModerationState
from apps.search.models import Granularity, SearchEntry, VolumeCount
from apps.timeline.models import TimelineEvent

KINDS = ("post", "article", "event", "account")  # the kinds of entry the index holds
PUBLISHED = {"published": ModerationState.PUBLISHED}

# Fields of an account or outlet that the documents of its posts or articles contain: an edit
# of any other field re-indexes the account or outlet alone.
ACCOUNT_FIELDS_IN_POSTS = frozenset(
    {"handle", "display_name", "is_public_figure", "handle_visible"}
)
OUTLET_FIELDS_IN_ARTICLES = frozenset({"name", "slug"})


def _names(**aliases: type[models.Model]) -> dict[str, sql.Composable]:
    """The placeholders of a statement's template, for each ``alias=Model``: ``alias`` is the
    model's table and ``alias.field`` its field's column qualified by the alias (``field`` is
    the field's name, or its attname: ``p.account`` and ``p.account_id`` alike)."""
    names: dict[str, sql.Composable] = {}
    for alias, model in aliases.items():
        names[alias] = identifiers.table(model)
        for field in model._meta.concrete_fields:
            column = sql.Identifier(alias, field.column)
            names[f"{alias}.{field.name}"] = names[f"{alias}.{field.attname}"] = column
    return names


# The tables of every statement below, and the links between events and their evidence.
NAMES = _names(
    p=Post, a=Account, s=SourceArticle, o=Outlet, e=TimelineEvent, i=SearchEntry, v=VolumeCount,
    lp=TimelineEvent.posts.through, la=TimelineEvent.articles.through,
)  # fmt: skip
# The index's columns written for every row, in this order, by each kind's SELECT below.
INDEX_FIELDS = (
    "kind", "entry_id", "date", "platform", "account_id", "outlet_id", "hashtags", "language",
    "document",
)  # fmt: skip
INDEX_COLUMNS = identifiers.columns(SearchEntry, INDEX_FIELDS)
# What a row added or removed tells the volume counts, and the key of a count.
VOLUME_FIELDS = ("kind", "date", "platform", "language")
VOLUME_KEY = ("granularity", "bucket", "kind", "platform", "language")

_SHOWS_HANDLE = sql.SQL("({a.is_public_figure} OR {a.handle_visible})").format(**NAMES)

# One SELECT per kind, its columns in INDEX_FIELDS' order: only published entries ever reach
# the index. `{where}` narrows it to a batch. Private people's handles are never indexed: their
# posts are shown under a pseudonym, and a search by handle must not tie the two together.
_ENTRY_SELECT = {
    EntryKind.POST: """
        SELECT {kind}, {p.id}, coalesce({p.posted_at}, {p.created_at}), {p.platform},
               {p.account_id}, NULL,
               ARRAY(SELECT DISTINCT lower(ltrim(h, '#')) FROM unnest({p.hashtags}) AS h
                     WHERE ltrim(h, '#') <> ''),
               {p.language},
               search_document(
                   CASE WHEN {shows_handle} THEN concat_ws(' ', {a.handle}, {a.display_name}) END,
                   NULL,
                   {p.media_text},
                   {p.text},
                   ARRAY(SELECT '#' || ltrim(h, '#') FROM unnest({p.hashtags}) AS h)
                   || ARRAY(SELECT '@' || ltrim(m, '@') FROM unnest({p.mentions}) AS m)
                   || CASE WHEN {shows_handle}
                           THEN ARRAY['@' || {a.handle}, 'from:' || {a.handle}]
                           ELSE ARRAY[]::text[] END
               )
        FROM {p} AS p LEFT JOIN {a} AS a ON {a.id} = {p.account_id}
        WHERE {p.moderation_state} = %(published)s AND {where}
    """,
    EntryKind.ARTICLE: """
        SELECT {kind}, {s.id}, coalesce({s.published_at}, {s.created_at}), '', NULL,
               {s.outlet_id}, ARRAY[]::varchar[], {s.language},
               search_document(
                   {s.title},
                   concat_ws(' ', array_to_string({s.authors}, ' '), {o.name}),
                   {s.excerpt},
                   {s.text},
                   ARRAY['outlet:' || {o.slug}]
               )
        FROM {s} AS s LEFT JOIN {o} AS o ON {o.id} = {s.outlet_id}
        WHERE {s.moderation_state} = %(published)s AND {where}
    """,
    EntryKind.EVENT: """
        SELECT {kind}, {e.id}, {e.date}::timestamp AT TIME ZONE 'UTC', '', NULL, NULL,
               ARRAY[]::varchar[], 'en',
               search_document({e.title}, NULL, {e.summary}, {e.confidence_note}, NULL)
        FROM {e} AS e
        WHERE {e.moderation_state} = %(published)s AND {where}
    """,
    EntryKind.ACCOUNT: """
        SELECT {kind}, {a.id}, {a.created_at}, {a.platform}, {a.id}, NULL, ARRAY[]::varchar[],
               '',
               search_document(
                   concat_ws(' ', {a.handle}, {a.display_name}), NULL, {a.description}, NULL,
                   ARRAY['@' || {a.handle}]
               )
        FROM {a} AS a
        WHERE {a.moderation_state} = %(published)s AND {shows_handle} AND {where}
    """,
}


def _entry_select(kind: str, where: str) -> sql.Composed:
    """The published entries of ``kind`` that ``where`` (a template, see :func:`_names`)
    picks, as index rows."""
    return sql.SQL(_ENTRY_SELECT[kind]).format(
        kind=sql.Literal(kind),
        where=sql.SQL(where).format(**NAMES),
        shows_handle=_SHOWS_HANDLE,
        **NAMES,
    )


def _volume_delta(rows: sql.Composable, sign: int) -> sql.Composed:
    """Adds (or, with ``sign`` -1, removes) a set of index rows (``rows``, aliased ``i``) to the
    per-month, per-day and per-hour counts. Buckets are taken in UTC whatever the session's
    time zone; rows are upserted in key order so that two transactions touching the same
    buckets lock them in the same order."""
    return sql.SQL("""
        INSERT INTO {v} AS v ({columns})
        SELECT g.granularity, date_trunc(g.granularity, {i.date}, 'UTC'), {i.kind},
               {i.platform}, {i.language}, {sign} * count(*)
        FROM {rows} AS i CROSS JOIN (VALUES {granularities}) AS g (granularity)
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ({key}) DO UPDATE SET {n} = {v.n} + EXCLUDED.{n}
    """).format(
        columns=identifiers.columns(VolumeCount, (*VOLUME_KEY, "n")),
        key=identifiers.columns(VolumeCount, VOLUME_KEY),
        n=identifiers.column(VolumeCount, "n"),
        granularities=sql.SQL(", ").join(
            sql.SQL("({})").format(sql.Literal(g.value)) for g in Granularity
        ),
        sign=sql.Literal(sign),
        rows=rows,
        **NAMES,
    )  # fmt: skip


def _remove(where: str) -> sql.Composed:
    """Delete the index rows ``where`` (a template over ``i``) picks, and count them out."""
    return sql.SQL("""
        WITH gone AS (DELETE FROM {i} AS i WHERE {where} RETURNING {returning})
        {delta}
    """).format(
        where=sql.SQL(where).format(**NAMES),
        returning=identifiers.columns(SearchEntry, VOLUME_FIELDS),
        delta=_volume_delta(sql.Identifier("gone"), -1),
        **NAMES,
    )


def _add(kind: str, where: str) -> sql.Composed:
    """Index the published entries of ``kind`` that ``where`` picks, and count them in."""
    return sql.SQL("""
        WITH added AS (
            INSERT INTO {i} ({columns}) {select} RETURNING {returning}
        )
        {delta}
    """).format(
        columns=INDEX_COLUMNS,
        select=_entry_select(kind, where),
        returning=identifiers.columns(SearchEntry, VOLUME_FIELDS),
        delta=_volume_delta(sql.Identifier("added"), 1),
        **NAMES,
    )


# The statements each sync runs, composed once. Parameters: %(ids)s, %(kind)s, %(published)s.
_REMOVE_BY_ID = _remove("{i.kind} = %(kind)s AND {i.entry_id} = ANY(%(ids)s)")
_ADD_BY_ID = {
    kind: _add(kind, f"{{{alias}.id}} = ANY(%(ids)s)")
    for kind, alias in (
        (EntryKind.POST, "p"), (EntryKind.ARTICLE, "s"), (EntryKind.EVENT, "e"),
        (EntryKind.ACCOUNT, "a"),
    )
}  # fmt: skip
_REMOVE_POSTS_OF_ACCOUNTS = _remove(
    "{i.kind} = %(kind)s AND {i.entry_id} IN "
    "(SELECT {p.id} FROM {p} AS p WHERE {p.account_id} = ANY(%(ids)s))"
)
_ADD_POSTS_OF_ACCOUNTS = _add(EntryKind.POST, "{p.account_id} = ANY(%(ids)s)")
_REMOVE_ARTICLES_OF_OUTLETS = _remove("{i.kind} = %(kind)s AND {i.outlet_id} = ANY(%(ids)s)")
_ADD_ARTICLES_OF_OUTLETS = _add(EntryKind.ARTICLE, "{s.outlet_id} = ANY(%(ids)s)")

# The text index, as the model declares it: a bulk rebuild drops it and builds it again.
TEXT_INDEX = next(index for index in SearchEntry._meta.indexes if index.name == "search_entry_gin")

# --- which changes the curated story shows --------------------------------------------------

_IN_STORY = {
    kind: sql.SQL("SELECT EXISTS ({})").format(sql.SQL(exists).format(**NAMES))
    for kind, exists in (
        ("post", "SELECT 1 FROM {lp} AS lp WHERE {lp.post} = ANY(%(ids)s)"),
        ("article", "SELECT 1 FROM {la} AS la WHERE {la.sourcearticle} = ANY(%(ids)s)"),
        ("account", "SELECT 1 FROM {lp} AS lp JOIN {p} AS p ON {p.id} = {lp.post} "
                    "WHERE {p.account} = ANY(%(ids)s)"),
        ("outlet", "SELECT 1 FROM {la} AS la JOIN {s} AS s ON {s.id} = {la.sourcearticle} "
                   "WHERE {s.outlet} = ANY(%(ids)s)"),
    )
}  # fmt: skip


def _touches_story(cursor, kind: str, ids: list[int]) -> bool:
    """Whether entries of a kind appear in the curated story: events always, posts and articles
    linked to an event, accounts with such a post, outlets with such an article."""
    if kind not in _IN_STORY:
        return True
    cursor.execute(_IN_STORY[kind], {"ids": ids})
    return cursor.fetchone()[0]


# --- keeping the index in step ---------------------------------------------------------------


def _ids(ids: Iterable[int]) -> list[int]:
    return sorted({int(pk) for pk in ids})


def sync_entries(kind: str, ids: Iterable[int], *, cascade: bool = True) -> None:
    """Bring the index rows for these entries in line with the entries: (re)index the published
    ones, remove every other one, and move the public content version. Safe to call for ids
    that no longer exist; does nothing for kinds the index does not hold.

    Accounts also re-index their posts (a handle's visibility decides whether their posts can
    be found by it) unless ``cascade`` is false: pass it when nothing the posts' documents
    take from the account changed (its moderation state, say)."""
    if kind not in KINDS:
        return
    ids = _ids(ids)
    if not ids:
        return
    params = {"ids": ids, "kind": kind, **PUBLISHED}
    with transaction.atomic(), connection.cursor() as cursor:
        content_changed(story=_touches_story(cursor, kind, ids))
        cursor.execute(_REMOVE_BY_ID, params)
        cursor.execute(_ADD_BY_ID[kind], params)
        if kind == EntryKind.ACCOUNT and cascade:
            params["kind"] = EntryKind.POST
            cursor.execute(_REMOVE_POSTS_OF_ACCOUNTS, params)
            cursor.execute(_ADD_POSTS_OF_ACCOUNTS, params)


def sync_outlet_articles(outlet_ids: Iterable[int]) -> None:
    """Re-index the articles of these outlets (their name is part of each article's document)."""
    ids = _ids(outlet_ids)
    if not ids:
        return
    params = {"ids": ids, "kind": EntryKind.ARTICLE, **PUBLISHED}
    with transaction.atomic(), connection.cursor() as cursor:
        content_changed(story=_touches_story(cursor, "outlet", ids))
        cursor.execute(_REMOVE_ARTICLES_OF_OUTLETS, params)
        cursor.execute(_ADD_ARTICLES_OF_OUTLETS, params)


def sync_edited(kind: str, ids: Iterable[int], fields: Iterable[str]) -> None:
    """Bring the index and the public content version in step after an edit of ``fields`` of
    these entries (of any kind: outlets too): an account's posts and an outlet's articles are
    re-indexed only when the edit changed what their documents take from it."""
    fields = set(fields)
    if kind == "outlet":
        if fields & OUTLET_FIELDS_IN_ARTICLES:
            sync_outlet_articles(ids)
        else:
            with connection.cursor() as cursor:
                content_changed(story=_touches_story(cursor, "outlet", _ids(ids)))
    elif kind in KINDS:
        sync_entries(kind, ids, cascade=bool(fields & ACCOUNT_FIELDS_IN_POSTS))
    else:
        content_changed()


# --- rebuilding -----------------------------------------------------------------------------

_REBUILD_INSERT = sql.SQL("""
    WITH added AS (
        INSERT INTO {i} AS i ({columns})
        SELECT * FROM ({entries}) AS entry ORDER BY 3, 1, 2
        RETURNING {i.kind}
    )
    SELECT {i.kind}, count(*) FROM added AS i GROUP BY 1
""").format(
    columns=INDEX_COLUMNS,
    entries=sql.SQL(" UNION ALL ").join(
        sql.SQL("({})").format(_entry_select(kind, "TRUE")) for kind in KINDS
    ),
    **NAMES,
)
_REBUILD_VOLUME = _volume_delta(NAMES["i"], 1)
_TRUNCATE = sql.SQL("TRUNCATE {}, {}").format(NAMES["i"], NAMES["v"])


def index_rebuild(*, bulk: bool = False) -> dict[str, int]:
    """Empty the index and the volume counts and build both again from the published entries,
    in one transaction (searches keep seeing the old index until it commits). Returns the
    number of rows indexed per kind.

    ``bulk`` drops the text index while the rows go in and builds it once at the end, several
    times faster for a large corpus, but it locks searches out until the rebuild commits: for
    loading a fresh database, not for a live site."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(_TRUNCATE)
        # Migration 0004 rebuilds before 0005 and 0007 have created the version counters.
        if version_counters_exist():
            content_changed()
        if bulk:
            with connection.schema_editor() as editor:
                editor.remove_index(SearchEntry, TEXT_INDEX)
        # Written in date order, so that the table's pages follow the date index: a
        # newest-first search walking that index reads neighbouring rows from a few pages
        # instead of one page per row (at a million rows, 3.7 ms instead of 10.6 for a pair of
        # words thin among the newest entries). Entries indexed later are appended; the next
        # rebuild puts them in order again.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_REBUILD_INSERT, PUBLISHED)
        counts = dict.fromkeys(KINDS, 0) | dict(cursor.fetchall())
        cursor.execute(_REBUILD_VOLUME)
        if bulk:
            with connection.schema_editor() as editor:
                editor.add_index(SearchEntry, TEXT_INDEX)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(NAMES["i"]))
        cursor.execute(sql.SQL("ANALYZE {}").format(NAMES["v"]))
    return counts
