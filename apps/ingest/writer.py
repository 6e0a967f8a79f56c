"""Batched, idempotent upserts of adapter records by their natural keys.

Posts are keyed by (platform, platform_id), accounts by (platform, handle), articles by their
canonical URL. Each batch is one transaction of a handful of set-based statements. One indexed
lookup tells which of the batch's posts (and of the posts they reply to or quote) are stored:

- posts whose key is new are COPYed straight into the posts table, with ids taken from its
  sequence beforehand, so that their capture links and the replies to posts of the same batch
  are COPYed too (no stage, no conflict handling). If another writer stored one of those keys
  in the meantime, the COPY fails, the batch's savepoint is rolled back and the batch goes the
  safe way below: correct under concurrent runs and double deliveries;
- the others are COPYed into a temporary stage, then ``INSERT ... SELECT ... ON CONFLICT DO
  UPDATE ... WHERE ... IS DISTINCT FROM ... RETURNING`` writes them, so a row is written only
  when something in it changed: the same input twice reports everything unchanged the second
  time, and a message delivered twice creates nothing twice.

Authors are upserted once per run, not once per batch (a bounded cache of their ids), in a
short transaction of their own before the batch. Batches commit one by one (a failure keeps
the batches before it; re-running is safe), optionally from a second thread (:class:`_Pipeline`)
while the reading thread parses and formats the next one.

New rows are pending. An upsert never overwrites a field a curator edited (the entry's
``edited_fields``), and a published entry whose public fields the source changed goes back to
the queue, held, with the values before and after kept as a ``SourceRevision``. Then, in the
batch's transaction: posts a granted takedown covers are withdrawn or held, the publication
rules run over the batch's pending entries (held ones aside), and entries that were already
published and changed are re-synced with the search index.

Statements are composed with ``psycopg.sql``: tables, and the columns a Python value names,
are identifiers from the models' ``_meta``; every value, moderation states included, is a
parameter. The COPY rows of new posts (and of the stage) are formatted here as COPY text
(:func:`_post_body`, :meth:`PreparedPost.stage_line`) rather than by psycopg's
``copy.write_row``: measured with ``benchmarks/ingest_twarc.py --rows 200000`` (2 December
2026, alternating runs, load 1.4-1.8), ``write_row`` took the ingest from 30,600-33,100 to
21,600-26,900 posts/s (its array dumper is Python, called twice a row, in the writing
thread), and still 29,000 posts/s with the arrays passed pre-formatted: over the 5% allowed.
The values are escaped by ``_copy_text`` (or found to need none by ``_needs_care``, which a
property test holds to the escaping rules), so the lines cannot break out of their column.
"""

from __future__ import annotations

import dataclasses
import itertools
import queue
import re
import threading
import urllib.parse

import orjson
import psycopg
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg import sql

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.core import identifiers
from apps.core.moderation import EntryKind, ModerationState
from apps.curation.models import PublicationRule, RuleScope
from apps.curation.services import (
    entries_source_revise,
    posts_hold_for_takedowns,
    publication_rules_apply,
    takedowns_in_force,
)
from apps.ingest.adapters import ArticleRecord, ItemError, PostRecord, canonical_url, clean_text
from apps.ingest.models import CapturedArticle, CapturedPost, IngestFailure, IngestRun
from apps.search.indexing import sync_entries

SEPARATOR = "\x1f"  # joins an article's authors into one value (string_to_array splits it)


# Every statement below is composed with psycopg.sql: the tables, and the columns a Python
# value chooses, are identifiers taken from the models; every value (moderation states
# included, from the enum) is a parameter. The rest is constant SQL text.
POST = identifiers.table(Post)
ACCOUNT = identifiers.table(Account)
ARTICLE = identifiers.table(SourceArticle)
OUTLET = identifiers.table(Outlet)
CAPTURED_POST = identifiers.table(CapturedPost)
CAPTURED_ARTICLE = identifiers.table(CapturedArticle)
# The values every statement can use, named (see the statements' %(name)s placeholders).
STATES = {"pending": ModerationState.PENDING, "published": ModerationState.PUBLISHED}


def _fit(value: str, limit: int) -> str:
    return value[:limit] if value and len(value) > limit else value


def _joined(values: list[str], limit: int) -> str:
    return SEPARATOR.join(
        _fit(clean_text(v).replace(SEPARATOR, ""), limit)
        for v in values
        if v and isinstance(v, str)
    )


@dataclasses.dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


STAGE_POST = "ingest_stage_post"

# The fields public pages show, whose change by the source sends a published entry back to
# the queue (a change to the others, or to an entry not yet published, is simply written).
REVIEWED_POST_FIELDS = ("text", "url", "language", "hashtags", "mentions")
REVIEWED_ARTICLE_FIELDS = ("title", "authors", "excerpt", "language")


def _kept(model, alias: str, field: str) -> sql.Composed:
    """What an upsert writes to the ``field``'s column: the source's value, unless a curator
    edited the field (``edited_fields`` holds field names)."""
    column = identifiers.column(model, field)
    return sql.SQL("CASE WHEN {field} = ANY({alias}.edited_fields) THEN {alias}.{column} "
                   "ELSE EXCLUDED.{column} END").format(
        field=sql.Literal(field), alias=sql.Identifier(alias), column=column
    )  # fmt: skip


def _revision(model, alias: str, fields: tuple[str, ...]) -> sql.Composed:
    """A RETURNING expression (PostgreSQL 18's ``old``): for a published row whose reviewed
    ``fields`` this upsert changed, a JSON array of their values before, then after; else
    NULL, so unchanged and unpublished rows cost nothing."""
    columns = [identifiers.column(model, field) for field in fields]
    before = sql.SQL(", ").join(sql.SQL("old.{}").format(c) for c in columns)
    after = sql.SQL(", ").join(sql.SQL("{}.{}").format(sql.Identifier(alias), c) for c in columns)
    return sql.SQL(
        "CASE WHEN old.moderation_state = %(published)s AND ({before}) IS DISTINCT FROM "
        "({after}) THEN jsonb_build_array({before}, {after}) END"
    ).format(before=before, after=after)


# An article's full text (kept for search, not shown) is replaced only by a non-empty one.
_TEXT_KEPT = sql.SQL(
    "CASE WHEN 'text' = ANY(a.edited_fields) OR EXCLUDED.text = '' THEN a.text "
    "ELSE EXCLUDED.text END"
)


def _revisions(rows, columns: tuple[str, ...]) -> list[tuple[int, dict, dict]]:
    """(id, the changed fields as published, as the source now has them) from the rows'
    (id, revision) pairs (see _revision)."""
    found, n = [], len(columns)
    for pk, values in rows:
        if values is not None:
            values = orjson.loads(values)  # Django's connection reads jsonb as text
            changed = [i for i in range(n) if values[i] != values[n + i]]
            found.append(
                (
                    pk,
                    {columns[i]: values[i] for i in changed},
                    {columns[i]: values[n + i] for i in changed},
                )
            )
    return found


# Accounts by natural key, from rows of (platform, handle, display name, profile URL, and the
# columns a new account starts with), in key order so that concurrent runs lock them in the
# same order. An account is written again only when a non-empty name or its profile URL changed:
# the same input twice changes nothing. Both ways of storing posts use it.
_ACCOUNT_UPSERT = """
    INSERT INTO {account} AS a ({columns})
    {rows}
    ON CONFLICT (platform, handle) DO UPDATE SET
        display_name = EXCLUDED.display_name,
        profile_url = EXCLUDED.profile_url,
        updated_at = EXCLUDED.updated_at
    WHERE EXCLUDED.display_name <> ''
      AND (a.display_name, a.profile_url)
          IS DISTINCT FROM (EXCLUDED.display_name, EXCLUDED.profile_url)
"""
_ACCOUNT_COLUMNS = (
    "platform handle display_name profile_url description is_public_figure handle_visible "
    "moderation_state created_at updated_at"
)


def _account_upsert(rows: sql.Composable) -> sql.Composed:
    return sql.SQL(_ACCOUNT_UPSERT).format(
        account=ACCOUNT, columns=identifiers.columns(Account, _ACCOUNT_COLUMNS), rows=rows
    )


# The rows: a batch's authors as a JSON list of [platform, handle, name, profile URL], or those
# of the staged posts.
_JSON_AUTHORS = _account_upsert(
    sql.SQL(
        "SELECT s->>0, s->>1, s->>2, s->>3, '', false, false, %(pending)s, %(now)s, %(now)s "
        "FROM json_array_elements(%(authors)s::json) AS s ORDER BY 1, 2"
    )
) + sql.SQL(" RETURNING a.id, a.platform, a.handle")
STAGE_POST = sql.Identifier("ingest_stage_post")
_STAGED_AUTHORS = _account_upsert(
    sql.SQL(
        "SELECT DISTINCT ON (s.platform, s.handle) s.platform, s.handle, s.display_name, "
        "s.profile_url, '', false, false, %(pending)s, %(now)s, %(now)s FROM {stage} s "
        "ORDER BY s.platform, s.handle"
    ).format(stage=STAGE_POST)
)

# The stage's columns: the author's, then the post's body (BODY_FIELDS, in their order).
STAGE_POST_COLUMNS = sql.SQL(
    "handle text, display_name text, profile_url text, platform text, platform_id text, "
    "text text, url text, language text, hashtags text[], mentions text[], reply_pid text, "
    "quote_pid text, posted_at timestamptz"
)
# The posts columns a row's prepared body fills, in its order (the stage's last ten columns).
# The posts fields a row's prepared body fills, in its order (the stage's last ten columns).
BODY_FIELDS = (
    "platform platform_id text url language hashtags mentions in_reply_to_platform_id "
    "quote_of_platform_id posted_at"
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(value: str) -> str:
    """A value in COPY's text format (backslash, newline, return and tab escaped)."""
    if value.isalnum():
        return value
    return value.translate(_COPY_ESCAPES)


def _array(values: list[str], limit: int) -> str:
    """A ``text[]`` literal (before COPY's own escaping) of the non-empty strings, each cut to
    ``limit`` characters. Hashtags and mentions are almost always plain words: those are
    checked and joined by a few C-level string operations rather than element by element."""
    if not values:
        return "{}"
    try:
        plain = "".join(values)
    except TypeError:  # not all strings: the careful path drops the others
        plain = None
    if (
        plain is not None
        and all(values)
        and plain.isprintable()
        and '"' not in plain
        and "\\" not in plain
        and max(map(len, values)) <= limit
    ):
        return '{"' + '","'.join(values) + '"}'
    elements = [
        _fit(clean_text(v), limit).replace("\\", "\\\\").replace('"', '\\"')
        for v in values
        if v and isinstance(v, str)
    ]
    return "{" + ",".join(f'"{e}"' for e in elements) + "}"


# What COPY text must escape (backslash, newline, carriage return) or clean_text removes (the
# other control characters but the tab, which separates the columns).
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\\]")
_NEEDS_CARE_BYTES = bytes([*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F, 0x5C])  # the same


def _needs_care(line: str) -> bool:
    """Whether the line holds a character _NEEDS_CARE names. An ASCII line (most) is checked
    on its bytes, in C, three times faster than the pattern."""
    if line.isascii():
        return len(line.encode("ascii").translate(None, _NEEDS_CARE_BYTES)) != len(line)
    return _NEEDS_CARE.search(line) is not None


def _post_body(p: PostRecord) -> str:
    """The post's own columns (BODY_FIELDS) as COPY text. Most posts need no escaping at all:
    one check of the joined line replaces escaping each value (a fifth of the reading
    thread's time went to that)."""
    fields = (
        p.platform,
        p.platform_id,
        p.text,
        p.url if len(p.url) <= 500 else "",
        _fit(p.language, 16),
        _array(p.hashtags, 140),
        _array(p.mentions, 255),
        p.in_reply_to_platform_id,
        p.quote_of_platform_id,
    )
    line = "\t".join(fields)
    if line.count("\t") != 8 or _needs_care(line):
        # PostgreSQL refuses a NUL anywhere in the COPY: one in a language or a URL must cost
        # that post its noise, not the batch.
        line = "\t".join([_copy_text(clean_text(f)) for f in fields])
    return line + "\t" + (p.posted_at.isoformat() if p.posted_at else "\\N")


@dataclasses.dataclass(slots=True)
class PreparedPost:
    """A hydrated post as the writing thread needs it: its natural key, its account, its
    parents' ids, and its columns already formatted. The reading thread prepares it: its
    Python work overlaps the database's, the writing thread's does not."""

    platform: str
    platform_id: str
    handle: str
    display_name: str
    profile_url: str
    reply_pid: str
    quote_pid: str
    body: str
    key: tuple[str, str]  # (platform, platform_id)
    author: tuple[str, str]  # (platform, handle)
    author_hash: int  # of the name and profile URL, for the account cache

    @classmethod
    def of(cls, p: PostRecord) -> PreparedPost:
        name = _fit(clean_text(p.display_name), 255)
        profile = clean_text(p.profile_url) if len(p.profile_url) <= 500 else ""
        return cls(
            p.platform,
            p.platform_id,
            p.handle,
            name,
            profile,
            p.in_reply_to_platform_id,
            p.quote_of_platform_id,
            _post_body(p),
            (p.platform, p.platform_id),
            (p.platform, p.handle),
            hash((name, profile)),
        )

    def stage_line(self) -> str:
        """A line for the stage (STAGE_POST_COLUMNS)."""
        return (
            f"{_copy_text(self.handle)}\t{_copy_text(self.display_name)}\t"
            f"{_copy_text(self.profile_url)}\t{self.body}"
        )


@dataclasses.dataclass
class PostBatch:
    hydrated: list[PreparedPost]
    bare: list[PostRecord]  # ids known without their content
    keys: list[tuple[str, str]]  # every post's natural key, for the publication rules
    lookup: dict[str, str]  # platform -> JSON list of the ids (posts' and parents') to look up
    # The authors this run already wrote with the same name and profile URL, with their ids,
    # and the others, each with its last post in the batch (the freshest), to be upserted.
    known_author_ids: dict[tuple[str, str], int]
    authors_to_write: dict[tuple[str, str], PreparedPost]

    @classmethod
    def of(cls, posts: list[PostRecord], account_cache: dict) -> PostBatch:
        """Prepared by the reading thread, so that the writing thread, which the database
        waits for, does not loop over every post. ``account_cache`` is the writing thread's
        (BatchWriter.accounts), only read here: an id read just before that thread dropped it
        is still the account's, and one made stale by a deletion makes the batch's COPY fail
        and go the safe way."""
        hydrated = [PreparedPost.of(p) for p in posts if p.hydrated]
        wanted = (
            {p.key for p in hydrated}
            | {(p.platform, p.reply_pid) for p in hydrated if p.reply_pid}
            | {(p.platform, p.quote_pid) for p in hydrated if p.quote_pid}
        )
        known, to_write = {}, {}
        for p in {p.author: p for p in hydrated}.values():
            cached = account_cache.get(p.author)
            if cached is not None and cached[1] == p.author_hash:
                known[p.author] = cached[0]
            else:
                to_write[p.author] = p
        return cls(
            hydrated=hydrated,
            bare=[p for p in posts if not p.hydrated],
            keys=[(p.platform, p.platform_id) for p in posts],
            lookup=_lookup_texts(wanted),
            known_author_ids=known,
            authors_to_write=to_write,
        )


# The stored posts among a platform's ids (a JSON list: see _lookup_texts).
_LOOKUP = sql.SQL(
    "SELECT id, platform_id FROM {post} WHERE platform = %(platform)s "
    "AND platform_id = ANY(ARRAY(SELECT json_array_elements_text(%(ids)s::json)))"
).format(post=POST)

# The accounts among a JSON list of authors (see _JSON_AUTHORS) that an upsert left unchanged.
_ACCOUNTS_FOUND = sql.SQL(
    "SELECT a.id, a.platform, a.handle FROM {account} a "
    "JOIN json_array_elements(%(authors)s::json) AS s ON a.platform = s->>0 AND a.handle = s->>1"
).format(account=ACCOUNT)

# New posts with their ids, their account's and their parents', the values every new post
# starts with, then their body (see BatchWriter._copy_new).
_COPY_POSTS = sql.SQL("COPY {post} ({columns}) FROM STDIN").format(
    post=POST,
    columns=identifiers.columns(
        Post,
        "id account in_reply_to quote_of media_text hydrated content_warning captured_at "
        f"capture_sha256 moderation_state created_at updated_at {BODY_FIELDS}",
    ),
)
_COPY_CAPTURED_POSTS = sql.SQL("COPY {} ({}) FROM STDIN").format(
    CAPTURED_POST, identifiers.columns(CapturedPost, "capture post")
)


# Ids known but not hydrated, recorded once (see BatchWriter._write_bare).
_BARE_INSERT = sql.SQL("""
    INSERT INTO {post} ({columns})
    SELECT s.platform, s.platform_id, '', '', '', '', '{{}}', '{{}}', '', '', false, '',
        %(now)s, %(sha256)s, %(pending)s, %(now)s, %(now)s
    FROM unnest(%(platforms)s::text[], %(ids)s::text[]) AS s(platform, platform_id)
    ON CONFLICT (platform, platform_id) DO NOTHING
    RETURNING id
""").format(
    post=POST,
    columns=identifiers.columns(
        Post,
        "platform platform_id text media_text url language hashtags mentions "
        "in_reply_to_platform_id quote_of_platform_id hydrated content_warning captured_at "
        "capture_sha256 moderation_state created_at updated_at",
    ),
)

# Outlets by domain (named after it until a curator names them), then their ids.
_OUTLET_INSERT = sql.SQL("""
    INSERT INTO {outlet} ({columns})
    SELECT s.domain, s.slug, s.domain, 'https://' || s.domain || '/', %(pending)s, %(now)s,
        %(now)s
    FROM unnest(%(domains)s::text[], %(slugs)s::text[]) AS s(domain, slug)
    ON CONFLICT DO NOTHING
""").format(
    outlet=OUTLET,
    columns=identifiers.columns(
        Outlet, "name slug domain homepage moderation_state created_at updated_at"
    ),
)
_OUTLETS_FOUND = sql.SQL("SELECT id, domain FROM {} WHERE domain = ANY(%(domains)s)").format(OUTLET)

# The articles' values, one array parameter per name (see BatchWriter._write_articles).
_ARTICLE_ROW = (
    "canonical_url", "url", "outlet", "title", "authors", "published_at", "excerpt", "text",
    "language",
)  # fmt: skip
_ARTICLE_UPSERT = sql.SQL("""
    INSERT INTO {article} AS a ({columns})
    SELECT s.canonical_url, s.url, s.outlet, s.title, string_to_array(s.authors, %(separator)s),
        s.published_at, '', s.excerpt, s.text, s.language, %(now)s, %(sha256)s, %(pending)s,
        %(now)s, %(now)s
    FROM unnest(%(canonical_url)s::text[], %(url)s::text[], %(outlet)s::bigint[],
                %(title)s::text[], %(authors)s::text[], %(published_at)s::timestamptz[],
                %(excerpt)s::text[], %(text)s::text[], %(language)s::text[])
        AS s(canonical_url, url, outlet, title, authors, published_at, excerpt, text, language)
    ON CONFLICT (canonical_url) DO UPDATE SET
        outlet_id = COALESCE(a.outlet_id, EXCLUDED.outlet_id),
        title = {kept_title},
        authors = {kept_authors},
        published_at = COALESCE(EXCLUDED.published_at, a.published_at),
        excerpt = {kept_excerpt},
        text = {text_kept},
        language = {kept_language},
        captured_at = EXCLUDED.captured_at,
        capture_sha256 = EXCLUDED.capture_sha256,
        updated_at = EXCLUDED.updated_at
    WHERE (a.title, a.authors::text[], a.published_at, a.excerpt, a.language, a.text)
        IS DISTINCT FROM ({kept_title}, ({kept_authors})::text[],
           COALESCE(EXCLUDED.published_at, a.published_at), {kept_excerpt},
           {kept_language}, {text_kept})
    RETURNING a.id, (a.xmax = 0) AS inserted, a.moderation_state, a.text = '', {revision}
""").format(
    article=ARTICLE,
    columns=identifiers.columns(
        SourceArticle,
        "canonical_url url outlet title authors published_at date_note excerpt text language "
        "captured_at capture_sha256 moderation_state created_at updated_at",
    ),
    text_kept=_TEXT_KEPT,
    revision=_revision(SourceArticle, "a", REVIEWED_ARTICLE_FIELDS),
    **{f"kept_{field}": _kept(SourceArticle, "a", field) for field in REVIEWED_ARTICLE_FIELDS},
)


def _post_upsert(*, linked: bool) -> sql.Composed:
    """The staged posts, joined to their accounts and to parents already stored, upserted
    (see BatchWriter._upsert_hydrated); if ``linked``, each written post is linked to the
    capture in the same statement."""
    link = sql.SQL(
        ", links AS (INSERT INTO {captured_post} ({columns}) "
        "SELECT %(capture)s, id FROM written ON CONFLICT DO NOTHING)"
    ).format(captured_post=CAPTURED_POST, columns=identifiers.columns(CapturedPost, "capture post"))
    kept = {f"kept_{field}": _kept(Post, "p", field) for field in REVIEWED_POST_FIELDS}
    return sql.SQL("""
        WITH written AS (
        INSERT INTO {post} AS p ({columns})
        SELECT s.platform, s.platform_id, acc.id, s.text, '', s.posted_at, s.url,
            s.language, s.hashtags, s.mentions, s.reply_pid, r.id, s.quote_pid, q.id, true, '',
            %(now)s, %(sha256)s, %(pending)s, %(now)s, %(now)s
        FROM {stage} s
        JOIN {account} acc ON acc.platform = s.platform AND acc.handle = s.handle
        LEFT JOIN {post} r
          ON r.platform = s.platform AND r.platform_id = NULLIF(s.reply_pid, '')
        LEFT JOIN {post} q
          ON q.platform = s.platform AND q.platform_id = NULLIF(s.quote_pid, '')
        ON CONFLICT (platform, platform_id) DO UPDATE SET
            account_id = EXCLUDED.account_id,
            text = {kept_text},
            posted_at = COALESCE(EXCLUDED.posted_at, p.posted_at),
            url = {kept_url},
            language = {kept_language},
            hashtags = {kept_hashtags},
            mentions = {kept_mentions},
            in_reply_to_platform_id = EXCLUDED.in_reply_to_platform_id,
            in_reply_to_id = COALESCE(EXCLUDED.in_reply_to_id, p.in_reply_to_id),
            quote_of_platform_id = EXCLUDED.quote_of_platform_id,
            quote_of_id = COALESCE(EXCLUDED.quote_of_id, p.quote_of_id),
            hydrated = true,
            captured_at = EXCLUDED.captured_at,
            capture_sha256 = EXCLUDED.capture_sha256,
            updated_at = EXCLUDED.updated_at
        WHERE (p.account_id, p.text, p.posted_at, p.url, p.language, p.hashtags::text[],
               p.mentions::text[], p.in_reply_to_platform_id, p.quote_of_platform_id,
               p.hydrated)
            IS DISTINCT FROM
              (EXCLUDED.account_id, {kept_text},
               COALESCE(EXCLUDED.posted_at, p.posted_at), {kept_url},
               {kept_language}, ({kept_hashtags})::text[], ({kept_mentions})::text[],
               EXCLUDED.in_reply_to_platform_id, EXCLUDED.quote_of_platform_id, true)
        RETURNING p.id, (p.xmax = 0) AS inserted, p.moderation_state,
            (p.in_reply_to_id IS NULL AND p.in_reply_to_platform_id <> '')
            OR (p.quote_of_id IS NULL AND p.quote_of_platform_id <> '') AS dangling,
            {revision} AS revision
        ){link}
        SELECT id, inserted, moderation_state, dangling, revision FROM written
    """).format(
        post=POST,
        account=ACCOUNT,
        stage=STAGE_POST,
        columns=identifiers.columns(
            Post,
            "platform platform_id account text media_text posted_at url language hashtags "
            "mentions in_reply_to_platform_id in_reply_to quote_of_platform_id quote_of "
            "hydrated content_warning captured_at capture_sha256 moderation_state created_at "
            "updated_at",
        ),
        revision=_revision(Post, "p", REVIEWED_POST_FIELDS),
        link=link if linked else sql.SQL(""),
        **kept,
    )


_POST_UPSERT = _post_upsert(linked=False)
_POST_UPSERT_LINKED = _post_upsert(linked=True)


def _lookup_texts(keys) -> dict[str, str]:
    """Natural keys grouped by platform, each group's ids as one JSON text (psycopg builds a
    list parameter element by element, in Python; one text costs next to nothing)."""
    by_platform: dict[str, list[str]] = {}
    for platform, pid in keys:
        by_platform.setdefault(platform, []).append(pid)
    return {platform: orjson.dumps(pids).decode() for platform, pids in by_platform.items()}


def _stage(cursor, table: sql.Identifier, columns: sql.SQL, lines: list[str]) -> None:
    """COPY the batch into a session's temporary table (emptied at commit): much cheaper than
    binding tens of thousands of parameters, and the upsert then reads it as a table. The
    lines are COPY text (see _copy_lines)."""
    cursor.execute(
        sql.SQL("CREATE TEMPORARY TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS").format(
            table, columns
        )
    )
    # A batch that did not commit (a test's) leaves rows behind.
    cursor.execute(sql.SQL("DELETE FROM {}").format(table))
    with cursor.copy(sql.SQL("COPY {} FROM STDIN").format(table)) as copy:
        copy.write("\n".join(lines) + "\n")


def raw_cursor():
    """A plain psycopg cursor on Django's connection (so inside Django's transaction) that
    binds parameters on the server: Django's own cursor interpolates them in Python and, with
    DEBUG on, keeps every statement's text, which for 5,000-row arrays is slow and grows."""
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


class _Pipeline:
    """Writes batches in a thread of its own (with its own database connection) while the
    reading thread parses the next one: parsing and the database's work overlap on two
    cores. At most one batch waits, so memory stays flat."""

    def __init__(self, write):
        self.write = write
        # (The run shortens the interpreter's switch interval meanwhile, so that this
        # thread gets the interpreter back soon after the database answers: see
        # services.ingest_tuning.)
        self.queue: queue.Queue = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while (batch := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        self.write(*batch)
                    except BaseException as exc:  # handed to the reading thread
                        self.error = exc
        finally:
            connection.close()

    def submit(self, batch, articles) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((batch, articles))

    def finish(self, *, raise_errors: bool) -> None:
        self.queue.put(None)
        self.thread.join()
        if raise_errors and self.error is not None:
            raise self.error


class BatchWriter:
    """Collects records and writes them in batches; call :meth:`close` at the end of the run."""

    def __init__(
        self,
        *,
        run: IngestRun,
        capture_id: int | None,
        capture_sha256: str = "",
        feed_id: int | None = None,
        batch_size: int = 2000,
        threaded: bool = False,
        captured_at=None,
    ):
        self.run = run
        self.capture_id = capture_id
        self.capture_sha256 = capture_sha256
        self.feed_id = feed_id
        self.batch_size = batch_size
        self.captured_at = captured_at or timezone.now()  # the capture's fetch time
        self.read_counts = Counts()  # kept by the reading thread: repeats and bad items
        self.db_counts = Counts()  # kept by whichever thread writes: what the database did
        self.posts: dict[tuple[str, str], PostRecord] = {}
        self.articles: dict[str, ArticleRecord] = {}
        self.failures: list[IngestFailure] = []
        self.new_article_ids: list[int] = []
        self.rules_exist = self._rules_exist()
        self.dangling: list[int] = []  # posts whose parent was not stored when they were
        self.dangling_overflow = False
        # (platform, handle) -> (id, hash of the name and profile URL last written), kept by
        # the writing thread; see _account_ids.
        self.accounts: dict[tuple[str, str], tuple[int, int]] = {}
        self.post_sequence: str | None = None
        self._pipeline = _Pipeline(self._write_batch) if threaded else None

    def _rules_exist(self) -> bool:
        rules = PublicationRule.objects.active()
        if self.feed_id is None:
            rules = rules.exclude(scope=RuleScope.FEED)
        return rules.exists()

    # -- collecting --

    def add(self, record: PostRecord | ArticleRecord | ItemError) -> None:
        if isinstance(record, ItemError):
            self.fail(record.position, record.reason, record.excerpt)
        elif isinstance(record, PostRecord):
            problem = self._check_post(record)
            if problem:
                self.fail(record.position, problem, record.text[:200])
            else:
                # Later records for the same key win: within a file, the later capture of a
                # tweet is the fresher one (and one statement may not touch a row twice).
                key = (record.platform, record.platform_id)
                if key in self.posts:
                    # The same post twice in one batch (a tweet and its retweet's copy of it):
                    # counted as a repeat, as it would be if it fell in the next batch.
                    self.read_counts.unchanged += 1
                    if not record.hydrated:
                        return
                self.posts[key] = record
        elif isinstance(record, ArticleRecord):
            try:
                key = canonical_url(record.url)
            except ValueError as exc:
                self.fail(record.position, str(exc), record.title[:200])
                return
            if len(key) > 1000:
                self.fail(record.position, "the article URL is longer than 1000 characters")
                return
            if not (key + record.url).isprintable():  # the natural key is never cleaned
                self.fail(record.position, "the article URL has control characters")
                return
            if key in self.articles:
                self.read_counts.unchanged += 1
            self.articles[key] = record
        if len(self.posts) + len(self.articles) >= self.batch_size:
            self.flush()

    def _check_post(self, record: PostRecord) -> str:
        if not record.platform_id or len(record.platform_id) > 64:
            return f"the post id {record.platform_id[:80]!r} is empty or longer than 64 characters"
        if record.hydrated and not record.handle:
            return "the post has no author handle"
        if len(record.handle) > 255:
            return "the author handle is longer than 255 characters"
        if len(record.in_reply_to_platform_id) > 64 or len(record.quote_of_platform_id) > 64:
            return "a replied-to or quoted id is longer than 64 characters"
        # Natural keys are never cleaned (two different ones could become the same): one with a
        # control character (a NUL cannot be stored at all) is refused, not its whole batch.
        keys = (
            record.platform_id,
            record.handle,
            record.in_reply_to_platform_id,
            record.quote_of_platform_id,
        )
        if not "".join(keys).isprintable():
            return "the post id, author handle or a replied-to or quoted id has control characters"
        return ""

    def fail(self, position: str, reason: str, excerpt: str = "") -> None:
        self.read_counts.failed += 1
        self.failures.append(
            IngestFailure(
                run=self.run,
                position=_fit(position, 100),
                reason=clean_text(reason),
                excerpt=clean_text(excerpt[:500]),
            )
        )
        if len(self.failures) >= 500:
            self._write_failures()

    def _write_failures(self) -> None:
        if self.failures:
            IngestFailure.objects.bulk_create(self.failures)
            self.failures = []

    # -- writing --

    def flush(self) -> None:
        posts, articles = list(self.posts.values()), list(self.articles.items())
        self.posts, self.articles = {}, {}
        if not posts and not articles:
            return
        # The reading thread prepares the batch, so the writing thread mostly waits on the
        # database and the two overlap.
        batch = PostBatch.of(posts, self.accounts)
        if self._pipeline is not None:
            self._pipeline.submit(batch, articles)
        else:
            self._write_batch(batch, articles)

    def _write_batch(self, batch: PostBatch, articles) -> None:
        accounts = {}
        if batch.hydrated:
            accounts = self._account_ids(batch.known_author_ids, batch.authors_to_write)
        with transaction.atomic(), raw_cursor() as cursor:
            # A crash may lose the last batches' commit; the raw capture is kept and a re-run
            # is idempotent, so waiting for the disk at every batch buys nothing.
            cursor.execute("SET LOCAL synchronous_commit = off")
            post_ids, published_post_ids, post_revisions = [], [], []
            if batch.hydrated:
                published_post_ids, post_revisions = self._write_hydrated(
                    cursor, batch.hydrated, accounts, batch.lookup
                )
            if batch.bare:
                post_ids = self._write_bare(cursor, batch.bare)
            article_ids, published_article_ids, article_revisions = self._write_articles(
                cursor, articles
            )
            if self.capture_id is not None:
                self._link_capture(cursor, post_ids, article_ids)
            for kind, revisions in (
                (EntryKind.POST, post_revisions),
                (EntryKind.ARTICLE, article_revisions),
            ):
                if revisions:
                    entries_source_revise(
                        kind=kind,
                        revisions=revisions,
                        captured_at=self.captured_at,
                        capture_sha256=self.capture_sha256,
                    )
            # Before the rules, and checked in every batch: a takedown granted during the run
            # holds the rest of it.
            batch_post_ids = None
            if batch.hydrated and takedowns_in_force():
                batch_post_ids = list(self._known_ids(cursor, set(batch.keys)).values())
                posts_hold_for_takedowns(post_ids=batch_post_ids)
            if self.rules_exist:
                self._apply_rules(cursor, batch.keys, articles, batch_post_ids)
            if published_post_ids:
                sync_entries("post", published_post_ids)
            if published_article_ids:
                sync_entries("article", published_article_ids)
            # The run's counts so far, committed with the batch: a run whose worker is killed
            # still says what it wrote, so the counts of all runs add up to what is stored.
            IngestRun.objects.filter(pk=self.run.pk).update(
                **{f"{name}_count": value for name, value in self.counts.as_dict().items()}
            )

    def close(self) -> Counts:
        self.flush()
        self.stop(raise_errors=True)
        self._write_failures()
        with transaction.atomic(), raw_cursor() as cursor:
            self._resolve_links(cursor)
        return self.counts

    def stop(self, *, raise_errors: bool = False) -> None:
        """Wait for the batch being written, if any, and end the writing thread."""
        if self._pipeline is not None:
            pipeline, self._pipeline = self._pipeline, None
            pipeline.finish(raise_errors=raise_errors)

    @property
    def counts(self) -> Counts:
        return Counts(
            **{
                name: getattr(self.read_counts, name) + getattr(self.db_counts, name)
                for name in ("created", "updated", "unchanged", "failed")
            }
        )

    def _known_ids(self, cursor, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
        return self._lookup(cursor, _lookup_texts(keys))

    def _lookup(self, cursor, lookup: dict[str, str]) -> dict[tuple[str, str], int]:
        """The ids of the stored posts among these natural keys (see _lookup_texts): one
        index scan per platform."""
        known = {}
        for platform, pids in lookup.items():
            cursor.execute(_LOOKUP, {"platform": platform, "ids": pids})
            known.update(((platform, pid), pk) for pk, pid in cursor.fetchall())
        return known

    def _write_hydrated(
        self, cursor, posts: list[PreparedPost], accounts: dict, lookup: dict[str, str]
    ) -> tuple[list[int], list]:
        """Posts whose natural key is new are COPYed straight into the posts table (the fast
        path: what most of a first read of an export is); the others, and any the fast path
        could not take (another writer inserted them meanwhile), are upserted. ``accounts``
        maps each author to its account id, ``lookup`` names the posts and parents to look
        up. Returns the ids of published posts that changed and the revisions of those the
        source changed for review (see _revisions)."""
        known = self._lookup(cursor, lookup)
        if known:
            new = [p for p in posts if p.key not in known]
            existing = [p for p in posts if p.key in known]
        else:
            new, existing = posts, []
        if new and not self._copy_new(cursor, new, known, accounts):
            existing = posts  # raced by another writer: the safe way for the whole batch
        return self._upsert_hydrated(cursor, existing) if existing else ([], [])

    def _account_ids(
        self, known: dict[tuple[str, str], int], wanted: dict[tuple[str, str], PreparedPost]
    ) -> dict[tuple[str, str], int]:
        """The account id of each author: ``known`` are those this run already wrote with
        the same name and profile URL (from the cache, see PostBatch.of),
        ``wanted`` the others (each with its last post in the batch, the freshest), which are
        upserted here. The cache (platform, handle) -> (id, hash of what was written) makes
        that once per account per run rather than once per batch. It is bounded
        (ACCOUNT_CACHE_LIMIT, the oldest half dropped when full), so memory stays flat; a
        dropped account is simply upserted again."""
        if not wanted:
            return known
        ids = dict(known)
        cache = self.accounts
        # Committed before the batch, in a transaction of their own: a concurrent run that
        # needs the same account then waits for that transaction only, not for a whole batch,
        # and the cache only ever holds committed ids. An account left without posts by a
        # batch that fails is harmless (and what a re-run would write anyway).
        with transaction.atomic(), raw_cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")  # as for the batches
            found = self._accounts_upsert(cursor, wanted)
        if len(cache) + len(found) > ACCOUNT_CACHE_LIMIT:
            for key in list(itertools.islice(cache, len(cache) // 2 + 1)):
                del cache[key]
        for key, p in wanted.items():
            pk = found[key]
            ids[key] = pk
            cache.pop(key, None)  # re-inserted: now among the newest
            cache[key] = (pk, p.author_hash)
        return ids

    def _accounts_upsert(self, cursor, wanted: dict[tuple[str, str], PreparedPost]) -> dict:
        values = orjson.dumps(
            [(p.platform, p.handle, p.display_name, p.profile_url) for p in wanted.values()]
        ).decode()
        now = self.captured_at
        cursor.execute(_JSON_AUTHORS, {**STATES, "now": now, "authors": values})
        found = {(platform, handle): pk for pk, platform, handle in cursor.fetchall()}
        if len(found) < len(wanted):  # existing and unchanged: not returned by the upsert
            cursor.execute(_ACCOUNTS_FOUND, {"authors": values})
            found.update(((platform, handle), pk) for pk, platform, handle in cursor.fetchall())
        return found

    def _copy_new(self, cursor, posts: list[PreparedPost], known: dict, accounts: dict) -> bool:
        """COPY posts whose natural key was not stored a moment ago straight into the posts
        table, with ids taken from its sequence beforehand so that their capture links (and
        replies to posts of the same batch) are COPYed too: no stage, no conflict handling.
        Returns False, having written nothing, if another writer stored one of the keys in
        the meantime (the caller then upserts the batch the safe way)."""
        # Taken from the sequence as one text: the ids only go back into COPY lines.
        if self.post_sequence is None:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", [Post._meta.db_table, Post._meta.pk.column]
            )
            self.post_sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT string_agg(nextval(%s::regclass)::text, ',') FROM generate_series(1, %s)",
            [self.post_sequence, len(posts)],
        )
        allocated = cursor.fetchone()[0].split(",")
        ids = {p.key: pk for p, pk in zip(posts, allocated, strict=True)}
        now = self.captured_at.isoformat()
        # The columns every new post starts with, as COPY text (see _COPY_POSTS): none needs
        # escaping (a hex digest, an ISO date, the state's value).
        tail = "\t".join(
            ["", "", "t", "", now, self.capture_sha256, ModerationState.PENDING, now, now]
        )
        dangling = []

        def parent_id(p: PreparedPost, parent_pid: str, pk: str) -> str | int:
            """The id of the post replied to or quoted, if stored or in this batch; else the
            post is linked at the end of the run."""
            parent = ids.get((p.platform, parent_pid)) or known.get((p.platform, parent_pid))
            if parent is None:
                dangling.append(pk)
                return "\\N"
            return parent

        def rows():
            for p in posts:
                pk = ids[p.key]
                reply = parent_id(p, p.reply_pid, pk) if p.reply_pid else "\\N"
                quote = parent_id(p, p.quote_pid, pk) if p.quote_pid else "\\N"
                yield f"{pk}\t{accounts[p.author]}\t{reply}\t{quote}{tail}\t{p.body}\n"

        # The posts' references are checked at the end of the COPY (migration archive 0004),
        # inside the savepoint: an account a curator deleted since the cache learnt it sends
        # the batch the safe way too.
        cursor.execute("SAVEPOINT ingest_new_posts")
        try:
            with cursor.copy(_COPY_POSTS) as copy:
                # Sent a few hundred rows at a time: the server stores the first rows while
                # the next are formatted.
                lines = rows()
                while chunk := "".join(itertools.islice(lines, COPY_CHUNK_ROWS)):
                    copy.write(chunk)
            if self.capture_id is not None:
                with cursor.copy(_COPY_CAPTURED_POSTS) as copy:
                    copy.write("".join(f"{int(self.capture_id)}\t{pk}\n" for pk in ids.values()))
        except (psycopg.errors.UniqueViolation, psycopg.errors.ForeignKeyViolation,
                psycopg.errors.DeadlockDetected):  # fmt: skip
            cursor.execute("ROLLBACK TO SAVEPOINT ingest_new_posts")
            self.accounts.clear()
            return False
        cursor.execute("RELEASE SAVEPOINT ingest_new_posts")
        self.db_counts.created += len(posts)
        self._note_dangling(int(pk) for pk in dangling)
        return True

    def _note_dangling(self, ids) -> None:
        if not self.dangling_overflow:
            self.dangling.extend(ids)
            if len(self.dangling) > DANGLING_LIMIT:
                self.dangling_overflow, self.dangling = True, []

    def _upsert_hydrated(self, cursor, posts: list[PreparedPost]) -> tuple[list[int], list]:
        """Stage the posts, upsert their accounts, then the posts (joined to their accounts and
        to parents already stored), linking each written post to the capture: four statements
        for the whole batch. Returns the ids of published posts that changed, and the
        revisions of those whose reviewed fields changed (which go back to the queue)."""
        _stage(cursor, STAGE_POST, STAGE_POST_COLUMNS, [p.stage_line() for p in posts])
        now = self.captured_at
        cursor.execute(_STAGED_AUTHORS, {**STATES, "now": now})
        cursor.execute(
            _POST_UPSERT_LINKED if self.capture_id is not None else _POST_UPSERT,
            {**STATES, "now": now, "sha256": self.capture_sha256, "capture": self.capture_id},
        )
        rows = cursor.fetchall()
        self._note_dangling(row[0] for row in rows if row[3])
        _, published, revisions = self._tally(
            [row[:3] for row in rows], len(posts), [(r[0], r[4]) for r in rows],
            REVIEWED_POST_FIELDS,
        )  # fmt: skip
        return published, revisions

    def _tally(self, rows, total: int, revised, columns) -> tuple[list[int], list[int], list]:
        """Count the written rows (id, inserted, state); return their ids, those of the
        published ones and the revisions of those going back to the queue (``revised``: (id,
        revision) of the reviewed ``columns``, see _revision)."""
        revisions = _revisions(revised, columns)
        back = {pk for pk, _, _ in revisions}
        ids, published = [], []
        for pk, inserted, state in rows:
            ids.append(pk)
            if inserted:
                self.db_counts.created += 1
            else:
                self.db_counts.updated += 1
                if state == ModerationState.PUBLISHED and pk not in back:
                    published.append(pk)
        self.db_counts.unchanged += total - len(rows)
        return ids, published, revisions

    def _write_bare(self, cursor, posts: list[PostRecord]) -> list[int]:
        """Ids known but not hydrated: recorded once, never overwriting a hydrated post."""
        now = self.captured_at
        cursor.execute(
            _BARE_INSERT,
            {
                **STATES, "now": now, "sha256": self.capture_sha256,
                "platforms": [p.platform for p in posts], "ids": [p.platform_id for p in posts],
            },
        )  # fmt: skip
        ids = [row[0] for row in cursor.fetchall()]
        self.db_counts.created += len(ids)
        self.db_counts.unchanged += len(posts) - len(ids)
        return ids

    def _write_outlets(self, cursor, hosts: set[str]) -> dict[str, int]:
        if not hosts:
            return {}
        hosts_list = sorted(hosts)
        cursor.execute(
            _OUTLET_INSERT,
            {
                **STATES, "now": self.captured_at, "domains": hosts_list,
                "slugs": [slugify(h.replace(".", "-"))[:200] or "outlet" for h in hosts_list],
            },
        )  # fmt: skip
        cursor.execute(_OUTLETS_FOUND, {"domains": hosts_list})
        return {domain: pk for pk, domain in cursor.fetchall()}

    def _write_articles(
        self, cursor, articles: list[tuple[str, ArticleRecord]]
    ) -> tuple[list[int], list[int], list]:
        """Upsert the articles by canonical URL. Returns the ids written, those of published
        ones and the revisions of those going back to the queue (as for posts)."""
        if not articles:
            return [], [], []
        hosts = {urllib.parse.urlsplit(key).hostname or "" for key, _ in articles} - {""}
        outlets = self._write_outlets(cursor, {h for h in hosts if len(h) <= 253})
        now = self.captured_at
        rows = [
            (
                key,
                a.url if len(a.url) <= 1000 else key,
                outlets.get(urllib.parse.urlsplit(key).hostname or ""),
                _fit(clean_text(a.title), 500) or key[:500],
                _joined(a.authors, 200),
                a.published_at,
                clean_text(a.excerpt),
                clean_text(a.text),
                _fit(clean_text(a.language), 16),
            )
            for key, a in articles
        ]
        columns = dict(zip(_ARTICLE_ROW, zip(*rows, strict=True), strict=True))
        cursor.execute(
            _ARTICLE_UPSERT,
            {
                **STATES, **{name: list(values) for name, values in columns.items()},
                "separator": SEPARATOR, "now": now, "sha256": self.capture_sha256,
            },
        )  # fmt: skip
        result = cursor.fetchall()
        self.new_article_ids.extend(r[0] for r in result if r[3])
        return self._tally(
            [r[:3] for r in result], len(articles), [(r[0], r[4]) for r in result],
            REVIEWED_ARTICLE_FIELDS,
        )  # fmt: skip

    def _link_capture(self, cursor, post_ids: list[int], article_ids: list[int]) -> None:
        for model, field, ids in (
            (CapturedPost, "post", post_ids),
            (CapturedArticle, "article", article_ids),
        ):
            if ids:
                cursor.execute(
                    sql.SQL(
                        "INSERT INTO {} ({}) SELECT %(capture)s, unnest(%(ids)s::bigint[]) "
                        "ON CONFLICT DO NOTHING"
                    ).format(
                        identifiers.table(model), identifiers.columns(model, f"capture {field}")
                    ),
                    {"capture": self.capture_id, "ids": ids},
                )

    def _apply_rules(
        self, cursor, keys: list[tuple[str, str]], articles, post_ids: list[int] | None
    ) -> None:
        """Rules cover every pending entry the batch touched, including unchanged ones, so a
        rule a curator adds takes effect on the next poll of the feed. ``post_ids``: the
        batch's posts' ids if already looked up."""
        if post_ids is None:
            post_ids = list(self._known_ids(cursor, set(keys)).values())
        article_ids = list(
            SourceArticle.objects.filter(canonical_url__in=[key for key, _ in articles])
            .pending()
            .values_list("pk", flat=True)
        )
        publication_rules_apply(post_ids=post_ids, article_ids=article_ids, feed_id=self.feed_id)

    def _resolve_links(self, cursor) -> None:
        """Link this run's replies and quotes whose parent came later in the run (or in the
        same batch): by their ids, a few index lookups. A run with very many (a big export)
        links everything in one set-based pass instead."""
        if self.dangling_overflow:
            links_resolve_all(cursor)
            return
        for start in range(0, len(self.dangling), 10000):
            ids = self.dangling[start : start + 10000]
            for statement in _LINKS_OF:
                cursor.execute(statement, {"ids": ids})


COPY_CHUNK_ROWS = 500  # rows formatted and sent to the server at a time
ACCOUNT_CACHE_LIMIT = 100_000  # accounts remembered per run (~280 bytes each: <= 28 MiB)
DANGLING_LIMIT = 200_000  # ids kept per run (8 bytes each); past it, one pass over the table


def _links(where: str) -> list[sql.Composed]:
    """For replies, then quotes: link the posts ``where`` chooses (``c``), not yet linked, to
    their parent (``p``) if stored."""
    return [
        sql.SQL(
            "UPDATE {post} c SET {fk} = p.id FROM {post} p "
            "WHERE {where} AND c.{fk} IS NULL AND c.{key} <> '' "
            "AND p.platform = c.platform AND p.platform_id = c.{key}"
        ).format(
            post=POST,
            where=sql.SQL(where),
            fk=identifiers.column(Post, fk),
            key=identifiers.column(Post, key),
        )
        for fk, key in (
            ("in_reply_to", "in_reply_to_platform_id"),
            ("quote_of", "quote_of_platform_id"),
        )
    ]


_LINKS_OF = _links("c.id = ANY(%(ids)s)")  # the posts of these ids
_LINKS_ALL = _links("true")  # every post


def links_resolve_all(cursor) -> int:
    """Link every reply and quote whose parent is now stored, whenever it arrived: one pass
    over the posts table (run by the hourly ``ingest.link_replies`` task). Returns how many
    links were made."""
    linked = 0
    for statement in _LINKS_ALL:
        cursor.execute(statement)
        linked += cursor.rowcount
    return linked
