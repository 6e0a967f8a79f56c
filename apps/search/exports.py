"""Exports of every published entry a search matches, streamed in batches.

Matching index rows are read through one server-side cursor, ``BATCH`` at a time, and each
batch's entries are loaded with their provenance, so memory stays flat however many rows match.

Columns (CSV header and JSON keys), documented in the README:

kind, id, permalink, date, title, text, author, platform, outlet, language, hashtags,
original_url, captured_at, content_sha256
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.urls import reverse

from apps.archive.models import Account, Post, SourceArticle
from apps.search.filters import SearchFilterSet
from apps.timeline.models import TimelineEvent

BATCH = 500
COLUMNS = [
    "kind",
    "id",
    "permalink",
    "date",
    "title",
    "text",
    "author",
    "platform",
    "outlet",
    "language",
    "hashtags",
    "original_url",
    "captured_at",
    "content_sha256",
]


def index_batches(
    filterset: SearchFilterSet, limit: int | None = None
) -> Iterator[list[tuple[str, int]]]:
    """The matching index rows, oldest first, in batches: one query read through a server-side
    cursor (PostgreSQL sorts the matches once; the client holds one batch at a time)."""
    matches = filterset.qs.order_by("date", "id")
    if limit is not None:
        matches = matches[:limit]
    rows = matches.values_list("kind", "entry_id").iterator(chunk_size=BATCH)
    batch: list[tuple[str, int]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _iso(value) -> str:
    return value.isoformat() if value else ""


def url_pattern(name: str, stand_in: int | str = 987654321) -> str:
    """A detail page's path with ``{}`` for its one argument (an id, or a slug with a slug's
    ``stand_in``): reversed once, not once per row."""
    return reverse(name, args=[stand_in]).replace(str(stand_in), "{}")


POST_FIELDS = ("id", "platform", "text", "posted_at", "posted_at_precision", "posted_at_zone",
               "url", "language", "hashtags",
               "captured_at", "capture_sha256", "account__platform", "account__handle",
               "account__is_public_figure", "account__handle_visible",
               "account__pseudonym")  # fmt: skip


def export_rows(
    filterset: SearchFilterSet, *, site_url: str, limit: int | None = None
) -> Iterator[dict]:
    """Every matching published entry (the oldest ``limit``, if given) as a dict of
    :data:`COLUMNS`, oldest first."""
    post_url = site_url + url_pattern("archive:post")
    article_url = site_url + url_pattern("archive:article")
    for batch in index_batches(filterset, limit):
        ids: dict[str, list[int]] = {}
        for kind, entry_id in batch:
            ids.setdefault(kind, []).append(entry_id)
        rows: dict[tuple[str, int], dict] = {}
        if ids.get("post"):
            for post in (
                Post.objects.published()
                .select_related("account")
                .only(*POST_FIELDS)
                .filter(pk__in=ids["post"])
            ):
                account = post.account
                shows = bool(account and account.shows_handle)
                rows["post", post.pk] = {
                    "kind": "post",
                    "id": post.pk,
                    "permalink": post_url.format(post.pk),
                    "date": post.moment.machine if post.moment else "",
                    "title": "",
                    "text": post.text,
                    "author": account.public_name if account else "",
                    "platform": post.platform,
                    "outlet": "",
                    "language": post.language,
                    "hashtags": " ".join(f"#{tag}" for tag in post.hashtags),
                    "original_url": post.url if shows else "",
                    "captured_at": _iso(post.captured_at),
                    "content_sha256": post.capture_sha256,
                }
        if ids.get("article"):
            for article in (
                SourceArticle.objects.published()
                .select_related("outlet")
                .defer("text", "outlet__homepage")
                .filter(pk__in=ids["article"])
            ):
                rows["article", article.pk] = {
                    "kind": "article",
                    "id": article.pk,
                    "permalink": article_url.format(article.pk),
                    "date": _iso(article.published_at),
                    "title": article.title,
                    "text": article.excerpt,
                    "author": "; ".join(article.authors),
                    "platform": "web",
                    "outlet": article.outlet.name if article.outlet else "",
                    "language": article.language,
                    "hashtags": "",
                    "original_url": article.url or article.canonical_url,
                    "captured_at": _iso(article.captured_at),
                    "content_sha256": article.capture_sha256,
                }
        if ids.get("event"):
            for event in TimelineEvent.objects.published().filter(pk__in=ids["event"]):
                rows["event", event.pk] = {
                    "kind": "event",
                    "id": event.pk,
                    "permalink": site_url + event.get_absolute_url(),
                    "date": event.display_date,
                    "title": event.title,
                    "text": event.summary,
                    **dict.fromkeys(COLUMNS[6:], ""),
                    "language": "en",
                }
        if ids.get("account"):
            # Only public figures and accounts allowed to show their handle are indexed.
            for account in Account.objects.published().filter(pk__in=ids["account"]):
                rows["account", account.pk] = {
                    **dict.fromkeys(COLUMNS, ""),
                    "kind": "account",
                    "id": account.pk,
                    "permalink": site_url + account.get_absolute_url(),
                    "title": account.display_name,
                    "text": account.description,
                    "author": account.public_name,
                    "platform": account.platform,
                    "original_url": account.profile_url if account.shows_handle else "",
                }
        for key in batch:
            if key in rows:
                yield rows[key]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterator[dict]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=COLUMNS, extrasaction="ignore")
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow({key: defuse(value) for key, value in row.items()})


def defuse(value):
    """Spreadsheet formula injection: a cell starting with = + - @ is read as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def json_stream(rows: Iterator[dict], *, meta: dict) -> Iterator[str]:
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    yield head + ', "columns": ' + json.dumps(COLUMNS) + ', "results": ['
    first = True
    for row in rows:
        yield ("" if first else ",") + "\n" + json.dumps(row, ensure_ascii=False)
        first = False
    yield "\n]}\n"
