"""The search index's public interface for the rest of the archive, and its upkeep.

Other apps call :func:`sync_entries` after they change entries in bulk (ingestion batches,
curators' bulk actions, takedowns), inside the same transaction, so that a withdrawn entry
leaves the index in the transaction that withdrew it. Saves through the ORM are also picked up
by signals registered in ``apps.search.signals``.

The index is written in SQL straight from the entries' tables: one ``INSERT ... SELECT`` per
batch, whatever its size, with the per-month, per-day and per-hour volume counts adjusted by the
rows that left and the rows that arrived in the same statement. What goes into each weight of an
entry's document is decided here (:data:`ENTRY_SQL`); how words become lexemes is decided by the
``search_document()`` SQL function (migration 0001).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

KINDS = ("post", "article", "event", "account")

# Columns written for every row, in this order, by each kind's SELECT below.
COLUMNS = "kind, entry_id, date, platform, account_id, outlet_id, hashtags, language, document"

_SHOWS_HANDLE = "(a.is_public_figure OR a.handle_visible)"

# One SELECT per kind: only published entries ever reach the index. `{where}` narrows it to a
# batch. Private people's handles are never indexed: their posts are shown under a pseudonym,
# and a search by handle must not tie the two together.
ENTRY_SQL = {
    "post": f"""
        SELECT 'post', p.id, coalesce(p.posted_at, p.created_at), p.platform, p.account_id, NULL,
               ARRAY(SELECT DISTINCT lower(ltrim(h, '#')) FROM unnest(p.hashtags) AS h
                     WHERE ltrim(h, '#') <> ''),
               p.language,
               search_document(
                   CASE WHEN {_SHOWS_HANDLE} THEN concat_ws(' ', a.handle, a.display_name) END,
                   NULL,
                   p.media_text,
                   p.text,
                   ARRAY(SELECT '#' || ltrim(h, '#') FROM unnest(p.hashtags) AS h)
                   || ARRAY(SELECT '@' || ltrim(m, '@') FROM unnest(p.mentions) AS m)
                   || CASE WHEN {_SHOWS_HANDLE}
                           THEN ARRAY['@' || a.handle, 'from:' || a.handle]
                           ELSE ARRAY[]::text[] END
               )
        FROM archive_post AS p LEFT JOIN archive_account AS a ON a.id = p.account_id
        WHERE p.moderation_state = 'published' AND {{where}}
    """,  # noqa: S608
    "article": """
        SELECT 'article', s.id, coalesce(s.published_at, s.created_at), '', NULL, s.outlet_id,
               '{{}}'::varchar[], s.language,
               search_document(
                   s.title,
                   concat_ws(' ', array_to_string(s.authors, ' '), o.name),
                   s.excerpt,
                   s.text,
                   ARRAY['outlet:' || o.slug]
               )
        FROM archive_sourcearticle AS s LEFT JOIN archive_outlet AS o ON o.id = s.outlet_id
        WHERE s.moderation_state = 'published' AND {where}
    """,
    "event": """
        SELECT 'event', e.id, e.date::timestamp AT TIME ZONE 'UTC', '', NULL, NULL,
               '{{}}'::varchar[], 'en',
               search_document(e.title, NULL, e.summary, e.confidence_note, NULL)
        FROM timeline_timelineevent AS e
        WHERE e.moderation_state = 'published' AND {where}
    """,
    "account": f"""
        SELECT 'account', a.id, a.created_at, a.platform, a.id, NULL, '{{{{}}}}'::varchar[], '',
               search_document(
                   concat_ws(' ', a.handle, a.display_name), NULL, a.description, NULL,
                   ARRAY['@' || a.handle]
               )
        FROM archive_account AS a
        WHERE a.moderation_state = 'published' AND {_SHOWS_HANDLE} AND {{where}}
    """,  # noqa: S608
}
# As declared on the model (migration 0002); rebuilt by hand after a bulk load.
GIN_INDEX_SQL = (
    "CREATE INDEX search_entry_gin ON search_searchentry USING gin "
    "(document, kind, platform, language, account_id, outlet_id, day)"
)
_ALIAS = {"post": "p", "article": "s", "event": "e", "account": "a"}

# Adds (or, with sign -1, removes) a set of index rows to the per-month, per-day and per-hour
# counts.
# Buckets are taken in UTC whatever the session's time zone; rows are upserted in key order so
# that two transactions touching the same buckets lock them in the same order.
_VOLUME_DELTA = """
    INSERT INTO search_volumecount (granularity, bucket, kind, platform, language, n)
    SELECT g.granularity, date_trunc(g.granularity, r.date, 'UTC'), r.kind, r.platform,
           r.language, {sign} * count(*)
    FROM {rows} AS r CROSS JOIN (VALUES ('month'), ('day'), ('hour')) AS g (granularity)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (granularity, bucket, kind, platform, language)
    DO UPDATE SET n = search_volumecount.n + EXCLUDED.n
"""


def _remove_sql(kind_where: str) -> str:
    return f"""
        WITH gone AS (
            DELETE FROM search_searchentry WHERE {kind_where}
            RETURNING kind, date, platform, language
        )
        {_VOLUME_DELTA.format(sign=-1, rows="gone")}
    """  # noqa: S608


def _add_sql(kind: str, where: str) -> str:
    return f"""
        WITH added AS (
            INSERT INTO search_searchentry ({COLUMNS})
            {ENTRY_SQL[kind].format(where=where)}
            RETURNING kind, date, platform, language
        )
        {_VOLUME_DELTA.format(sign=1, rows="added")}
    """


# The rows of search_contentversion, each beside its sequence (search_content_change and
# search_story_change).
CONTENT, STORY = 1, 2


def content_changed(*, story: bool = True) -> None:
    """Say that something public may have changed (an entry, its evidence, their moderation
    state): every fragment cached under :func:`content_version` goes stale, and, unless
    ``story`` is false, every fragment cached under :func:`story_version` too. Pass
    ``story=False`` only when the change cannot show in the curated story: no event, and no
    post or article linked to one as evidence (nor their accounts or outlets).

    Two counters move for each version. The sequence at once, outside any transaction, so that
    the version seen by this very transaction changes too; the committed row right after the
    commit, so that a page read between the first bump and the commit (old content, new
    version) is never served afterwards. A reader takes the version before it reads anything
    else, so whatever it caches under a version was read no earlier than that version was
    committed. The row is also what a streaming replica shows in step with the data (a sequence
    is logged ahead)."""
    with connection.cursor() as cursor:
        if story:
            cursor.execute(
                "SELECT nextval('search_content_change'), nextval('search_story_change')"
            )
        else:
            cursor.execute("SELECT nextval('search_content_change')")
    if not connection.in_atomic_block:
        _bump_committed(story=story)
        return
    pending = {func for _, func, _ in connection.run_on_commit}
    # robust: a failure is logged, not raised after the commit; the cached fragments then
    # expire on their own (minutes, see their timeouts).
    if story and _bump_content_and_story not in pending:
        transaction.on_commit(_bump_content_and_story, robust=True)
    elif not story and not pending & {_bump_content, _bump_content_and_story}:
        transaction.on_commit(_bump_content, robust=True)


def _bump_committed(*, story: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_contentversion (id, n) SELECT id, 1 FROM unnest(%s::smallint[]) "
            "AS id ON CONFLICT (id) DO UPDATE SET n = search_contentversion.n + 1",
            [[CONTENT, STORY] if story else [CONTENT]],
        )


def _bump_content() -> None:
    _bump_committed(story=False)


def _bump_content_and_story() -> None:
    _bump_committed(story=True)


def content_version() -> str:
    """The current version of the public content, in one query (see :func:`content_changed`)."""
    return _version(CONTENT, "search_content_change")


def story_version() -> str:
    """The current version of the curated story (events, their chapters, sources and claims,
    the posts and articles linked to them), in one query; it moves with a subset of the changes
    that move :func:`content_version`."""
    return _version(STORY, "search_story_change")


def _version(row: int, sequence: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT n FROM search_contentversion WHERE id = %s), last_value "  # noqa: S608
            f"FROM {sequence}",
            [row],
        )
        committed, changes = cursor.fetchone()
    return f"{committed}.{changes}"


def _touches_story(cursor, kind: str, ids: list[int]) -> bool:
    """Whether entries of a kind appear in the curated story: events always, posts and articles
    linked to an event, accounts with such a post."""
    from apps.timeline.models import TimelineEvent

    if kind not in ("post", "article", "account"):
        return True
    through = TimelineEvent.posts.through if kind != "article" else TimelineEvent.articles.through
    link_column = "post_id" if kind != "article" else "sourcearticle_id"
    table = through._meta.db_table
    if kind == "account":
        sql = (
            f"SELECT EXISTS (SELECT 1 FROM {table} AS l JOIN archive_post AS p "  # noqa: S608
            "ON p.id = l.post_id WHERE p.account_id = ANY(%s))"
        )
    else:
        sql = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {link_column} = ANY(%s))"  # noqa: S608
    cursor.execute(sql, [ids])
    return cursor.fetchone()[0]


def sync_entries(kind: str, ids: Iterable[int], *, cascade: bool = True) -> None:
    """Bring the index rows for these entries in line with the entries: (re)index the published
    ones, remove every other one. Safe to call for ids that no longer exist.

    Accounts also re-index their posts (a handle's visibility decides whether their posts can
    be found by it) unless ``cascade`` is false."""
    if kind not in KINDS:
        return
    ids = sorted({int(pk) for pk in ids})
    if not ids:
        return
    alias = _ALIAS[kind]
    with transaction.atomic(), connection.cursor() as cursor:
        content_changed(story=_touches_story(cursor, kind, ids))
        cursor.execute(_remove_sql("kind = %s AND entry_id = ANY(%s)"), [kind, ids])
        cursor.execute(_add_sql(kind, f"{alias}.id = ANY(%s)"), [ids])
        if kind == "account" and cascade:
            _sync_posts_where(cursor, "account_id = ANY(%s)", [ids])


def sync_account_only(ids: Iterable[int]) -> None:
    sync_entries("account", ids, cascade=False)


def sync_outlet_articles(outlet_ids: Iterable[int]) -> None:
    """Re-index the articles of these outlets (their name is part of each article's document)."""
    ids = sorted({int(pk) for pk in outlet_ids})
    if ids:
        with transaction.atomic(), connection.cursor() as cursor:
            content_changed(story=_outlets_in_story(cursor, ids))
            cursor.execute(
                _remove_sql("kind = 'article' AND outlet_id = ANY(%s)"),
                [ids],
            )
            cursor.execute(_add_sql("article", "s.outlet_id = ANY(%s)"), [ids])


def _sync_posts_where(cursor, post_where: str, params: list) -> None:
    cursor.execute(
        _remove_sql(
            f"kind = 'post' AND entry_id IN (SELECT id FROM archive_post WHERE {post_where})"  # noqa: S608
        ),
        params,
    )
    cursor.execute(_add_sql("post", f"p.{post_where}"), params)


def _outlets_in_story(cursor, outlet_ids: list[int]) -> bool:
    from apps.timeline.models import TimelineEvent

    table = TimelineEvent.articles.through._meta.db_table
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {table} AS l JOIN archive_sourcearticle AS s "  # noqa: S608
        "ON s.id = l.sourcearticle_id WHERE s.outlet_id = ANY(%s))",
        [outlet_ids],
    )
    return cursor.fetchone()[0]


def index_rebuild(*, bulk: bool = False) -> dict[str, int]:
    """Empty the index and the volume counts and build both again from the published entries,
    in one transaction (searches keep seeing the old index until it commits). Returns the
    number of rows indexed per kind.

    ``bulk`` drops the text index while the rows go in and builds it once at the end, several
    times faster for a large corpus, but it locks searches out until the rebuild commits: for
    loading a fresh database, not for a live site."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("TRUNCATE search_searchentry, search_volumecount")
        # Migration 0004 rebuilds before 0005 and 0007 have created the version counters.
        cursor.execute("SELECT to_regclass('search_story_change') IS NOT NULL")
        if cursor.fetchone()[0]:
            content_changed()
        if bulk:
            cursor.execute("DROP INDEX search_entry_gin")
        # Written in date order, so that the table's pages follow the date index: a
        # newest-first search walking that index reads neighbouring rows from a few pages
        # instead of one page per row (at a million rows, 3.7 ms instead of 10.6 for a pair of
        # words thin among the newest entries). Entries indexed later are appended; the next
        # rebuild puts them in order again.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        entries = " UNION ALL ".join(f"({ENTRY_SQL[kind].format(where='TRUE')})" for kind in KINDS)
        cursor.execute(
            f"WITH added AS (INSERT INTO search_searchentry ({COLUMNS}) "  # noqa: S608
            f"SELECT * FROM ({entries}) AS entry ORDER BY 3, 1, 2 RETURNING kind) "
            "SELECT kind, count(*) FROM added GROUP BY kind"
        )
        counts = dict.fromkeys(KINDS, 0) | dict(cursor.fetchall())
        cursor.execute(_VOLUME_DELTA.format(sign=1, rows="search_searchentry"))
        if bulk:
            cursor.execute(GIN_INDEX_SQL)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry")
        cursor.execute("ANALYZE search_volumecount")
    return counts
