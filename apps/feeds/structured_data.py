"""schema.org descriptions of entry and event pages, as dicts for ``{% json_ld %}``.

Search engines and other archives read these instead of the page, so they say no more than the
page does: a private person's post names its author by pseudonym only, with no handle, no
original address and no platform id (the page shows none of them); a date known only to the
day, month or year is written at that precision, never with an invented time.

Each function takes the entry as its page loaded it (``public_captures`` and the published
``events`` prefetched by the archive's views, ``public_posts`` and ``public_articles`` by
``TimelineEvent.objects.with_evidence()``) and the site's origin (``https://host``), so that no
query runs while the page renders.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from apps.archive.models import Account, Post, SourceArticle
from apps.archive.templatetags.archive_tags import http_url
from apps.timeline.models import DatePrecision, TimelineEvent

CONTEXT = "https://schema.org"
HEADLINE_CHARS = 110  # what search engines show of a headline


def _compact(data: dict) -> dict:
    """Leave out what is unknown: an empty value in JSON-LD still asserts something."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def _archive(origin: str) -> dict:
    return {"@type": "Organization", "name": settings.SITE_NAME, "url": origin + "/"}


def _archived_at(entry, origin: str) -> str:
    """The newest public web capture's page, when the view prefetched any."""
    captures = getattr(entry, "public_captures", None) or []
    if not captures:
        return ""
    return origin + reverse("captures:detail", args=[captures[0].pk])


def _events_about(entry, origin: str) -> list[dict]:
    # ``events`` is prefetched with only the published events (apps.archive.views).
    return [
        {"@type": "Event", "name": event.title, "url": origin + event.get_absolute_url()}
        for event in entry.events.all()
    ]


def account_author(account: Account | None, origin: str) -> dict:
    """The author of a post as the page names them: a private person by pseudonym alone."""
    if account is None:
        return {}
    if not account.shows_handle:
        return {"@type": "Person", "name": account.public_name}
    return _compact(
        {
            "@type": "Person",
            "name": account.display_name or account.public_name,
            "alternateName": account.public_name,
            "url": origin + account.get_absolute_url(),
            "sameAs": http_url(account.profile_url),
        }
    )


def post_headline(post: Post) -> str:
    name = post.account.public_name if post.account else "an unknown account"
    return f"Post by {name} on {post.get_platform_display()}"


def post_data(post: Post, *, origin: str) -> dict:
    account = post.account
    named = bool(account and account.shows_handle)
    permalink = origin + post.get_absolute_url()
    moment = post.moment
    original = http_url(post.url) if named else ""
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "SocialMediaPosting",
            "@id": permalink,
            "url": permalink,
            "mainEntityOfPage": permalink,
            "headline": Truncator(post_headline(post)).chars(HEADLINE_CHARS),
            # A content warning folds the text on the page; a search engine's snippet would not.
            "articleBody": post.text if post.hydrated and not post.content_warning else "",
            "datePublished": moment.machine if moment else "",
            "author": account_author(account, origin),
            "inLanguage": post.language,
            "keywords": [f"#{tag}" for tag in post.hashtags],
            # The original and its id name a private person: only a named account's are given.
            "isBasedOn": original,
            "sameAs": original,
            "identifier": (
                {"@type": "PropertyValue", "propertyID": post.platform, "value": post.platform_id}
                if named
                else None
            ),
            "archivedAt": _archived_at(post, origin) if named else "",
            "about": _events_about(post, origin),
            "provider": _archive(origin),
        }
    )


def _day(value) -> str:
    """An article's date as its page shows it: the day, in the site's time zone."""
    return timezone.localtime(value).date().isoformat() if value else ""


def article_data(article: SourceArticle, *, origin: str) -> dict:
    permalink = origin + article.get_absolute_url()
    outlet = article.outlet
    original = http_url(article.url or article.canonical_url)
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "NewsArticle",
            "@id": permalink,
            "url": permalink,
            "mainEntityOfPage": permalink,
            "headline": Truncator(article.title).chars(HEADLINE_CHARS),
            "name": article.title,
            "description": article.excerpt,
            "datePublished": _day(article.published_at),
            "author": [{"@type": "Person", "name": name} for name in article.authors],
            "publisher": (
                _compact(
                    {"@type": "Organization", "name": outlet.name, "url": http_url(outlet.homepage)}
                )
                if outlet
                else None
            ),
            "inLanguage": article.language,
            "isBasedOn": original,
            "sameAs": original,
            "archivedAt": _archived_at(article, origin),
            "about": _events_about(article, origin),
            "provider": _archive(origin),
        }
    )


def _event_start(event: TimelineEvent) -> str:
    # "2006", "2017-10" or "2017-10-15": ISO 8601 at the precision the date is known to.
    return event.machine_date


def _event_end(event: TimelineEvent) -> str:
    if event.date_precision == DatePrecision.RANGE and event.date_end:
        return event.date_end.isoformat()
    return ""


def event_data(event: TimelineEvent, *, origin: str) -> dict:
    permalink = origin + event.get_absolute_url()
    evidence = [
        _compact(
            {
                "@type": "SocialMediaPosting",
                "url": origin + post.get_absolute_url(),
                "headline": post_headline(post),
                # The listing loads no profile address: the name alone, as the cards show it.
                "author": (
                    {"@type": "Person", "name": post.account.public_name} if post.account else None
                ),
            }
        )
        for post in getattr(event, "public_posts", [])
    ] + [
        _compact(
            {
                "@type": "NewsArticle",
                "url": origin + article.get_absolute_url(),
                "headline": article.title,
                "publisher": (
                    {"@type": "Organization", "name": article.outlet.name}
                    if article.outlet
                    else None
                ),
            }
        )
        for article in getattr(event, "public_articles", [])
    ]
    return _compact(
        {
            "@context": CONTEXT,
            "@type": "Event",
            "@id": permalink,
            "url": permalink,
            "name": event.title,
            "description": event.summary,
            "startDate": _event_start(event),
            "endDate": _event_end(event),
            "subjectOf": evidence,
            "inLanguage": "en",
            "provider": _archive(origin),
        }
    )


def entry_data(entry, *, origin: str) -> dict:
    """The description of a post, an article or an event."""
    if isinstance(entry, Post):
        return post_data(entry, origin=origin)
    if isinstance(entry, SourceArticle):
        return article_data(entry, origin=origin)
    if isinstance(entry, TimelineEvent):
        return event_data(entry, origin=origin)
    raise TypeError(f"No structured data for {type(entry).__name__}.")
