"""Entries as the API shows them: what their public pages show, and nothing those pages withhold.

A post's account is named by its public name (``@handle`` for a public figure or a person who
let their handle be shown, else the account's pseudonym); only then do the handle, the profile,
the post's platform id and its original address appear. An article's full text is kept for
search and never shown, here as on its page.

Each function reads only fields its caller loaded (the querysets in apps.api.routes), so a list
costs the same number of queries whatever its length.
"""

from __future__ import annotations

import html

from django.urls import reverse

from apps.search.exports import url_pattern

# Each entry's page, by model, and the attribute its address is built from.
PAGES = {
    "post": ("archive:post", "pk"),
    "sourcearticle": ("archive:article", "pk"),
    "timelineevent": ("timeline:event", "slug"),
}
# Each address reversed once per request and filled in per row (exports.url_pattern): a list
# of a hundred entries would otherwise reverse two hundred addresses (3 ms of a timeline's 13,
# measured).
SLUG_STAND_IN = "slug-stand-in"


class Links:
    """Absolute addresses, built from one site prefix and one reversed pattern per address
    name per request, rather than per row."""

    def __init__(self, request):
        self.site = f"{request.scheme}://{request.get_host()}"
        self._patterns: dict[str, str] = {}

    def _fill(self, name: str, value) -> str:
        if name not in self._patterns:
            stand_in = 987654321 if isinstance(value, int) else SLUG_STAND_IN
            self._patterns[name] = self.site + url_pattern(name, stand_in)
        return self._patterns[name].format(value)

    def page(self, entry) -> str:
        found = PAGES.get(entry._meta.model_name)
        if found is None:
            return self.site + entry.get_absolute_url()
        name, attribute = found
        return self._fill(name, getattr(entry, attribute))

    def api(self, name: str, *args) -> str:
        if len(args) == 1:
            return self._fill(f"api:{name}", args[0])
        return self.site + reverse(f"api:{name}", args=args)

    def path(self, path: str) -> str:
        return self.site + path


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def account_ref(account, links: Links) -> dict | None:
    if account is None:
        return None
    shown = account.shows_handle
    return {
        "id": account.pk,
        "name": account.public_name,
        "platform": account.platform,
        "handle": account.handle if shown else None,
        "display_name": account.display_name if shown else None,
        "is_public_figure": account.is_public_figure,
        "url": links.page(account) if shown else None,
        "api_url": links.api("account_detail", account.pk) if shown else None,
    }


def account_out(account, links: Links) -> dict:
    return {
        **account_ref(account, links),
        "kind": "account",
        "profile_url": account.profile_url or None,
        "description": account.description,
    }


def post_out(post, links: Links, *, full: bool = True) -> dict:
    """The post; ``full=False`` for a listing's fields only (search results, an event's
    evidence)."""
    account = post.account
    shown = bool(account and account.shows_handle)
    moment = post.moment
    data = {
        "kind": "post",
        "id": post.pk,
        "url": links.page(post),
        "api_url": links.api("post_detail", post.pk),
        "platform": post.platform,
        "platform_id": post.platform_id if shown else None,
        "original_url": (post.url or None) if shown else None,
        "account": account_ref(account, links),
        "posted_at": moment.machine if moment else None,
        "posted_at_precision": post.posted_at_precision if moment else None,
        "content_warning": post.content_warning,
    }
    if full:
        data.update(
            text=post.text,
            media_text=post.media_text,
            language=post.language,
            hashtags=list(post.hashtags),
            captured_at=_iso(post.captured_at),
            content_sha256=post.capture_sha256 or None,
        )
    return data


def outlet_out(outlet, links: Links) -> dict | None:
    if outlet is None:
        return None
    return {
        "id": outlet.pk,
        "name": outlet.name,
        "api_url": links.api("outlet_detail", outlet.pk),
    }


def outlet_detail_out(outlet, links: Links) -> dict:
    return {
        **outlet_out(outlet, links),
        "slug": outlet.slug,
        "domain": outlet.domain,
        "homepage": outlet.homepage or None,
    }


def article_out(article, links: Links, *, full: bool = True) -> dict:
    data = {
        "kind": "article",
        "id": article.pk,
        "url": links.page(article),
        "api_url": links.api("article_detail", article.pk),
        "title": article.title,
        "outlet": outlet_out(article.outlet, links),
        "published_at": _iso(article.published_at),
        "date_note": article.date_note,
        "original_url": article.canonical_url,
    }
    if full:
        data.update(
            authors=list(article.authors),
            excerpt=article.excerpt,
            language=article.language,
            captured_at=_iso(article.captured_at),
            content_sha256=article.capture_sha256 or None,
        )
    return data


def event_out(event, links: Links, *, full: bool = True) -> dict:
    """The event; ``full=False`` leaves out its chapter (search results do not read it)."""
    chapter = event.chapter if full and event.chapter_id else None
    return {
        "kind": "event",
        "id": event.pk,
        "slug": event.slug,
        "url": links.page(event),
        "api_url": links.api("event_detail", event.slug),
        "title": event.title,
        "date": event.machine_date,
        "date_end": _iso(event.date_end),
        "date_precision": event.date_precision,
        "display_date": event.display_date,
        "summary": event.summary,
        "chapter": chapter.title if chapter else None,
    }


def event_detail_out(event, links: Links) -> dict:
    return {
        **event_out(event, links),
        "time_note": event.time_note,
        "confidence": event.confidence,
        "confidence_note": event.confidence_note,
        "sources": [{"name": s.name, "url": s.url} for s in event.source_list],
        "dated_claims": [
            {
                "date": claim.date.isoformat(),
                "date_precision": claim.date_precision,
                "display_date": claim.display_date,
                "source_name": claim.source_name,
                "source_url": claim.source_url or None,
                "note": claim.note,
                "is_preferred": claim.is_preferred,
            }
            for claim in event.claim_list
        ],
        "posts": [post_out(post, links, full=False) for post in event.public_posts],
        "articles": [article_out(article, links, full=False) for article in event.public_articles],
    }


def event_ref(event, links: Links) -> dict:
    return {
        "id": event.pk,
        "slug": event.slug,
        "title": event.title,
        "date": event.machine_date,
        "url": links.page(event),
        "api_url": links.api("event_detail", event.slug),
    }


def capture_out(capture, links: Links) -> dict:
    from apps.search.citations import capture_path

    files = {f.kind: f for f in capture.files.all()}
    wacz = files.get("wacz")
    return {
        "id": capture.pk,
        "url": links.path(capture_path(capture.pk)),
        "original_url": capture.url,
        "captured_at": _iso(capture.captured_at),
        "wacz_url": links.path(reverse("captures:wacz", args=[capture.pk])) if wacz else None,
        "wacz_sha256": wacz.sha256 if wacz else None,
        "wacz_bytes": wacz.size if wacz else None,
    }


def plain_snippet(marked: str) -> str:
    """The search page's snippet (escaped text with ``<mark>``) as plain text."""
    return html.unescape(marked.replace("<mark>", "").replace("</mark>", ""))
