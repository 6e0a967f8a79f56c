"""Loading the curated story (the data files in ``apps/timeline/data/``, read and checked by
:mod:`apps.timeline.storydata`) into the database, idempotently.

Everything is upserted by its natural key: outlets by domain, articles by canonical URL, accounts
by (platform, handle), posts by (platform, platform id), chapters and events by slug, an event's
sources by URL and its dated claims by (date, source name). A second run finds every row as the
story describes it and changes nothing.

Two things a re-run never does: it never changes a row's moderation state (a curator's withdrawal
or takedown stands; new rows start published), and it never removes links, sources or claims a
curator added.

A data file that fails its checks, or a seed article's text that cannot be read, stops the
seed before its first write; the whole seed is one transaction besides, and brings the search
index and the public content version in step before it commits (each changed entry indexed
once; a run that changes nothing touches neither).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from apps.archive.models import Account, Outlet, Post, SourceArticle
from apps.archive.moments import TimePrecision
from apps.core.content import content_changed
from apps.core.moderation import ModerationState
from apps.search.indexing import sync_entries
from apps.timeline.models import Chapter, DatedClaim, EventSource, TimelineEvent
from apps.timeline.storydata import DATA_DIR, StoryDataError, moment_datetime, story_load

SEED_ARTICLES_DIR = Path(__file__).resolve().parent / "fixtures" / "seed_articles"

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"

# The order the report lists kinds in.
KINDS = (
    "outlets",
    "articles",
    "accounts",
    "posts",
    "chapters",
    "events",
    "event sources",
    "dated claims",
)


@dataclass
class SeedReport:
    """How many rows of each kind the seed created, updated or found unchanged."""

    counts: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    # The ids of the entries created or updated, by kind ("post", "outlet", ...).
    changed_ids: dict[str, set[int]] = field(default_factory=dict)

    def add(self, kind: str, outcome: str) -> None:
        self.counts[kind][outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def created(self) -> int:
        return self.total(CREATED)

    @property
    def updated(self) -> int:
        return self.total(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.total(UNCHANGED)

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)

    def note_change(self, kind: str, entry: models.Model, outcome: str) -> None:
        """Remember an entry the seed created or updated, for the search index."""
        if outcome != UNCHANGED:
            self.changed_ids.setdefault(kind, set()).add(entry.pk)

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c[CREATED]} created, {c[UPDATED]} updated, {c[UNCHANGED]} unchanged"
            for kind, c in self.counts.items()
        ]


def _upsert(
    model: type[models.Model],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    moderated: bool = True,
) -> tuple[models.Model, str]:
    """Create the row named by ``lookup`` or bring its ``values`` up to date.

    ``values`` use attribute names (``outlet_id``, not ``outlet``), so comparing never loads a
    related row. A new moderated row starts published; an existing one keeps its state."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        extra = {}
        if moderated:
            extra = {"moderation_state": ModerationState.PUBLISHED, "moderated_at": timezone.now()}
        return model.objects.create(**lookup, **values, **extra), CREATED
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, UNCHANGED
    for name in changed:
        setattr(obj, name, values[name])
    update_fields = changed + (["updated_at"] if moderated else [])
    obj.save(update_fields=update_fields)
    return obj, UPDATED


def _link(manager, targets: list[models.Model]) -> bool:
    """Add the missing ``targets`` to a many-to-many relation; True when any were missing."""
    present = set(manager.values_list("pk", flat=True))
    missing = [target for target in targets if target.pk not in present]
    if missing:
        manager.add(*missing)
    return bool(missing)


def _settle(report: SeedReport, kind: str, outcome: str, *, linked: bool) -> None:
    """Record an outcome; an unchanged row that gained links counts as updated."""
    report.add(kind, UPDATED if outcome == UNCHANGED and linked else outcome)


def _article_texts(base_dir: Path, articles) -> dict[str, str]:
    """Every seed article's text, read before anything is written."""
    texts = {}
    for key, data in articles.items():
        try:
            texts[key] = (base_dir / data.seed_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise StoryDataError(
                "articles.json",
                f"cannot read {base_dir / data.seed_file}: {error}",
                record=key,
                field="seed_file",
            ) from error
    return texts


@transaction.atomic
def story_seed(
    *, base_dir: Path | str = SEED_ARTICLES_DIR, data_dir: Path | str = DATA_DIR
) -> SeedReport:
    """Load the curated story from ``data_dir``; ``base_dir`` holds the seed articles' text
    files. Raises :class:`~apps.timeline.storydata.StoryDataError`, having written nothing,
    when a data file or an article's text is wrong."""
    story = story_load(data_dir)
    texts = _article_texts(Path(base_dir), story.articles)
    report = SeedReport()

    outlets: dict[str, Outlet] = {}
    for domain, data in story.outlets.items():
        outlet, outcome = _upsert(
            Outlet,
            {"domain": domain},
            {"name": data.name, "slug": data.slug, "homepage": data.homepage},
        )
        outlets[domain] = outlet
        report.add("outlets", outcome)
        report.note_change("outlet", outlet, outcome)

    articles: dict[str, SourceArticle] = {}
    article_outcomes: dict[str, str] = {}
    for key, data in story.articles.items():
        article, outcome = _upsert(
            SourceArticle,
            {"canonical_url": data.canonical_url},
            {
                "url": data.canonical_url,
                "outlet_id": outlets[data.outlet].pk,
                "title": data.title,
                "authors": data.authors,
                "published_at": moment_datetime(data.published),
                "date_note": data.date_note,
                "excerpt": data.excerpt,
                "text": texts[key],
                "language": "en",
            },
        )
        articles[key] = article
        article_outcomes[key] = outcome  # settled once its quoted posts are linked
        report.note_change("article", article, outcome)

    accounts: dict[str, Account] = {}
    for handle, data in story.accounts.items():
        account, outcome = _upsert(
            Account,
            {"platform": data.platform, "handle": handle},
            {
                "display_name": data.display_name,
                "profile_url": data.profile_url,
                "description": data.description,
                "is_public_figure": data.is_public_figure,
            },
        )
        accounts[handle] = account
        report.add("accounts", outcome)
        report.note_change("account", account, outcome)

    posts: dict[str, Post] = {}
    for platform_id, data in story.posts.items():
        parent = posts.get(data.in_reply_to)
        moment = data.posted
        post, outcome = _upsert(
            Post,
            {"platform": data.platform, "platform_id": platform_id},
            {
                "account_id": accounts[data.account].pk,
                "text": data.text,
                "media_text": data.media_text,
                "posted_at": moment_datetime(moment) if moment else None,
                "posted_at_precision": moment.precision if moment else TimePrecision.MINUTE,
                "posted_at_zone": moment.zone if moment else "",
                "url": "",
                "language": "en",
                "hashtags": data.hashtags,
                "hydrated": data.hydrated,
                "in_reply_to_id": parent.pk if parent else None,
                "in_reply_to_platform_id": parent.platform_id if parent else "",
            },
        )
        posts[platform_id] = post
        report.add("posts", outcome)
        report.note_change("post", post, outcome)

    # Which articles quote which posts, recorded on the article.
    quoting: dict[str, list[Post]] = {key: [] for key in articles}
    for platform_id, data in story.posts.items():
        for key in data.quoted_in:
            quoting[key].append(posts[platform_id])
    for key, article in articles.items():
        linked = _link(article.quoted_posts, quoting[key])
        _settle(report, "articles", article_outcomes[key], linked=linked)

    chapters: dict[str, Chapter] = {}
    for slug, data in story.chapters.items():
        chapter, outcome = _upsert(
            Chapter,
            {"slug": slug},
            {
                "title": data.title,
                "period": data.period,
                "introduction": data.introduction,
                "position": data.position,
            },
            moderated=False,
        )
        chapters[slug] = chapter
        report.add("chapters", outcome)

    for slug, data in story.events.items():
        event, outcome = _upsert(
            TimelineEvent,
            {"slug": slug},
            {
                "title": data.title,
                "summary": data.summary,
                "date": data.date,
                "date_precision": data.date_precision,
                "date_end": data.date_end,
                "time_note": data.time_note,
                "position": data.position,
                "chapter_id": chapters[data.chapter].pk if data.chapter else None,
                "confidence": data.confidence,
                "confidence_note": data.confidence_note,
                "is_highlight": data.is_highlight,
            },
        )
        report.note_change("event", event, outcome)
        cited = []
        for position, source in enumerate(data.sources):
            article = articles[source.article] if source.article else None
            if article:
                cited.append(article)
            _source, source_outcome = _upsert(
                EventSource,
                {"event": event, "url": source.url},
                {
                    "name": source.name,
                    "position": position,
                    "article_id": article.pk if article else None,
                },
                moderated=False,
            )
            report.add("event sources", source_outcome)
        for claim in data.claims:
            _claim, claim_outcome = _upsert(
                DatedClaim,
                {"event": event, "date": claim.date, "source_name": claim.source_name},
                {
                    "date_precision": claim.date_precision,
                    "source_url": claim.source_url,
                    "note": claim.note,
                    "is_preferred": claim.is_preferred,
                },
                moderated=False,
            )
            report.add("dated claims", claim_outcome)
        linked_articles = _link(event.articles, cited)
        linked_posts = _link(event.posts, [posts[platform_id] for platform_id in data.posts])
        _settle(report, "events", outcome, linked=linked_articles or linked_posts)

    _public_content_sync(report)
    return report


def _public_content_sync(report: SeedReport) -> None:
    """Index each entry the seed created or changed once, with the posts of a changed account
    and the articles of a changed outlet (their documents hold its name), and move the public
    content version for the rest (chapters, sources, claims, links are in no document)."""
    if not report.changed_anything:
        return
    changed = report.changed_ids
    accounts, outlets = changed.get("account", set()), changed.get("outlet", set())
    posts = changed.get("post", set()) | set(
        Post.objects.filter(account_id__in=accounts).values_list("pk", flat=True)
    )
    articles = changed.get("article", set()) | set(
        SourceArticle.objects.filter(outlet_id__in=outlets).values_list("pk", flat=True)
    )
    sync_entries("account", accounts, cascade=False)
    sync_entries("post", posts)
    sync_entries("article", articles)
    sync_entries("event", changed.get("event", set()))
    content_changed()
