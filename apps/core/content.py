"""The public content version: what every cache of public pages is keyed by.

Two versions, each a committed row beside a sequence: the content version moves with every
change to an entry, its evidence or their moderation state; the story version only with the
changes the curated story shows (events, their chapters, sources and claims, the posts and
articles linked to them as evidence, their accounts and outlets). The write services call
:func:`content_changed`; readers take :func:`content_version` or :func:`story_version` before
they read anything else and keep what they read under it.

The table and sequences keep the names the search app's migrations 0005 and 0007 gave them
when the version lived there (``search_contentversion``, ``search_content_change``,
``search_story_change``; a table with no model): renaming them would buy a migration and
nothing else, and the archive app's migration 0005 moves the version by that name.
"""

from __future__ import annotations

from django.db import connection, transaction
from psycopg import sql

# The rows of the version table, each beside its sequence.
CONTENT, STORY = 1, 2
_VERSION_TABLE = sql.Identifier("search_contentversion")
_CONTENT_SEQUENCE = sql.Identifier("search_content_change")
_STORY_SEQUENCE = sql.Identifier("search_story_change")
_NEXT_CONTENT = sql.SQL("SELECT nextval({})").format(sql.Literal("search_content_change"))
_NEXT_CONTENT_AND_STORY = sql.SQL("SELECT nextval({}), nextval({})").format(
    sql.Literal("search_content_change"), sql.Literal("search_story_change")
)
_BUMP_COMMITTED = sql.SQL(
    "INSERT INTO {t} (id, n) SELECT id, 1 FROM unnest(%s::smallint[]) AS id "
    "ON CONFLICT (id) DO UPDATE SET n = {t}.n + 1"
).format(t=_VERSION_TABLE)
_VERSION = {
    row: sql.SQL("SELECT (SELECT n FROM {t} WHERE id = %s), last_value FROM {sequence}").format(
        t=_VERSION_TABLE, sequence=sequence
    )
    for row, sequence in ((CONTENT, _CONTENT_SEQUENCE), (STORY, _STORY_SEQUENCE))
}
_COUNTERS_EXIST = sql.SQL("SELECT to_regclass({}) IS NOT NULL").format(
    sql.Literal("search_story_change")
)


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
        cursor.execute(_NEXT_CONTENT_AND_STORY if story else _NEXT_CONTENT)
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
        cursor.execute(_BUMP_COMMITTED, [[CONTENT, STORY] if story else [CONTENT]])


def _bump_content() -> None:
    _bump_committed(story=False)


def _bump_content_and_story() -> None:
    _bump_committed(story=True)


def content_version() -> str:
    """The current version of the public content, in one query (see :func:`content_changed`)."""
    return _version(CONTENT)


def story_version() -> str:
    """The current version of the curated story (events, their chapters, sources and claims,
    the posts and articles linked to them), in one query; it moves with a subset of the changes
    that move :func:`content_version`."""
    return _version(STORY)


def _version(row: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION[row], [row])
        committed, changes = cursor.fetchone()
    return f"{committed}.{changes}"


def version_counters_exist() -> bool:
    """Whether the version's table and sequences exist yet: a data migration that runs before
    the search app's migrations 0005 and 0007 has no version to move."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTERS_EXIST)
        return cursor.fetchone()[0]
