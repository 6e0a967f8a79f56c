"""What the Atom feeds list: published posts, articles and events as plain items.

Both feeds read a bounded number of rows in a fixed number of queries: the newest ``limit`` of
each kind (the new-entries feed), or the newest ``limit`` matching index rows and then their
entries, one query per kind (the search feed), each loading only the columns an item shows.
Everything is read from ``published()``, so an entry withdrawn while the index still listed it
is left out rather than shown.

An item says what its page says and no more: a private person's post is "by" their pseudonym,
with neither handle nor original address; a post behind a content warning shows the warning,
not its text; dates are written at the precision they are known to (a post known only to the
day has no clock time).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from django.utils.text import Truncator

from apps.archive.models import Account, Post, SourceArticle
from apps.search.exports import url_pattern
from apps.search.filters import SearchFilterSet
from apps.timeline.models import TimelineEvent

TITLE_WORDS_CHARS = 80

# Characters XML 1.0 cannot carry (Django's XML writer refuses them with an error): text from
# the outside world may hold them, and a feed must still be written.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


@dataclass
class FeedItem:
    kind: str
    pk: int
    path: str
    title: str
    summary: str
    author: str | None
    published: datetime.datetime | None  # when the archive published it
    updated: datetime.datetime | None
    categories: list[str] = field(default_factory=list)
    sort_key: tuple = ()


def _when(entry) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(published, updated): when the archive published the entry (a curator or a rule), and
    the later of that and its last edit (a state change is written by ``update()``, which
    leaves ``updated_at`` alone)."""
    published = entry.moderated_at or entry.created_at
    updated = max(filter(None, (entry.updated_at, entry.moderated_at)), default=published)
    return published, updated


POST_FIELDS = (
    "id", "platform", "text", "posted_at", "posted_at_precision", "posted_at_zone", "hashtags",
    "hydrated", "content_warning", "moderated_at", "created_at", "updated_at",
    "account__id", "account__platform", "account__handle", "account__is_public_figure",
    "account__handle_visible", "account__pseudonym",
)  # fmt: skip
ARTICLE_FIELDS = (
    "id", "title", "authors", "published_at", "excerpt", "moderated_at", "created_at",
    "updated_at", "outlet__id", "outlet__name",
)  # fmt: skip
EVENT_FIELDS = (
    "id", "slug", "title", "summary", "date", "date_precision", "date_end", "moderated_at",
    "created_at", "updated_at",
)  # fmt: skip
ACCOUNT_FIELDS = (
    "id", "platform", "handle", "display_name", "description", "is_public_figure",
    "handle_visible", "pseudonym", "moderated_at", "created_at", "updated_at",
)  # fmt: skip


def _posts():
    return Post.objects.published().select_related("account").only(*POST_FIELDS)


def _articles():
    return SourceArticle.objects.published().select_related("outlet").only(*ARTICLE_FIELDS)


def _events():
    return TimelineEvent.objects.published().only(*EVENT_FIELDS)


def _accounts():
    return Account.objects.published().with_public_page().only(*ACCOUNT_FIELDS)


def post_item(post: Post, path: str) -> FeedItem:
    name = post.account.public_name if post.account else "an unknown account"
    moment = post.moment
    heading = f"{post.get_platform_display()}" + (f", {moment}" if moment else "")
    if not post.hydrated:
        body = "Only this post's identifier is known to the archive."
        words = ""
    elif post.content_warning:
        # The page keeps the text folded behind the warning; a feed reader cannot.
        body = f"Content warning: {post.content_warning}. Open the post to read it."
        words = f"content warning: {post.content_warning}"
    else:
        body = post.text
        words = post.text
    title = f"Post by {name}"
    if words.strip():
        title += ": " + Truncator(" ".join(words.split())).chars(TITLE_WORDS_CHARS)
    return FeedItem(
        "post", post.pk, path, title, f"{heading}\n\n{body}", name, *_when(post),
        categories=[f"#{tag}" for tag in post.hashtags],
    )  # fmt: skip


def article_item(article: SourceArticle, path: str) -> FeedItem:
    outlet = article.outlet.name if article.outlet else ""
    # The day, as the article's page shows it (articles carry no time precision).
    day = f"{timezone.localtime(article.published_at):%-d %B %Y}" if article.published_at else ""
    heading = ", ".join(filter(None, (outlet, day)))
    author = ", ".join(article.authors) or outlet or None
    return FeedItem(
        "article", article.pk, path, article.title, f"{heading}\n\n{article.excerpt}".strip(),
        author, *_when(article),
    )  # fmt: skip


def event_item(event: TimelineEvent) -> FeedItem:
    return FeedItem(
        "event", event.pk, event.get_absolute_url(), f"{event.display_date}: {event.title}",
        event.summary, None, *_when(event),
    )  # fmt: skip


def account_item(account: Account) -> FeedItem:
    title = f"Account {account.public_name}" + (
        f" ({account.display_name})" if account.display_name else ""
    )
    return FeedItem(
        "account", account.pk, account.get_absolute_url(), title, account.description,
        account.public_name, *_when(account),
    )  # fmt: skip


def _newest_published(queryset, limit: int):
    # The moment a curator or a rule published it; entries published before that was
    # recorded (no moderated_at) come last.
    return queryset.order_by(F("moderated_at").desc(nulls_last=True), "-id")[:limit]


def newly_published(*, limit: int) -> list[FeedItem]:
    """The ``limit`` entries published last (posts, articles, events), newest first: the
    newest ``limit`` of each kind, merged (three queries)."""
    post_url, article_url = url_pattern("archive:post"), url_pattern("archive:article")
    items = [post_item(p, post_url.format(p.pk)) for p in _newest_published(_posts(), limit)]
    items += [
        article_item(a, article_url.format(a.pk)) for a in _newest_published(_articles(), limit)
    ]
    items += [event_item(e) for e in _newest_published(_events(), limit)]
    never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    items.sort(key=lambda item: (item.published or never, item.pk), reverse=True)
    return items[:limit]


def search_matches(filterset: SearchFilterSet, *, limit: int) -> list[FeedItem]:
    """The newest ``limit`` entries a search matches (by the date the index files them under:
    posted, published or happened), newest first: one query for the index rows, one per
    kind found among them, as ``apps.search.exports.export_rows`` reads them."""
    rows = list(filterset.qs.order_by("-date", "-id").values_list("kind", "entry_id")[:limit])
    ids: dict[str, list[int]] = {}
    for kind, entry_id in rows:
        ids.setdefault(kind, []).append(entry_id)
    found: dict[tuple[str, int], FeedItem] = {}
    if ids.get("post"):
        pattern = url_pattern("archive:post")
        for post in _posts().filter(pk__in=ids["post"]):
            found["post", post.pk] = post_item(post, pattern.format(post.pk))
    if ids.get("article"):
        pattern = url_pattern("archive:article")
        for article in _articles().filter(pk__in=ids["article"]):
            found["article", article.pk] = article_item(article, pattern.format(article.pk))
    if ids.get("event"):
        for event in _events().filter(pk__in=ids["event"]):
            found["event", event.pk] = event_item(event)
    if ids.get("account"):
        for account in _accounts().filter(pk__in=ids["account"]):
            found["account", account.pk] = account_item(account)
    return [found[key] for key in rows if key in found]
