from django.db.models import Prefetch
from django.shortcuts import render

from apps.archive.models import Account, Post, SourceArticle
from apps.core.public import get_public_or_gone

ACCOUNT_POSTS_SHOWN = 50


def _published_events():
    """The published events an entry is evidence for. The timeline app, above this one,
    declares the link (``TimelineEvent.posts``), so its model is reached through it rather
    than imported."""
    event_model = Post.events.field.model
    return event_model.objects.published().only(
        "id", "slug", "title", "date", "date_precision", "date_end"
    )


def _public_captures(model) -> Prefetch:
    """An entry's public web captures (finished, the entry published), newest first, with their
    files, into ``public_captures``: its citations cite the newest (apps.search.citations reads
    that attribute). The captures app sits above this one, so its model is reached through the
    relation it declares (``captures``)."""
    capture_model = model.captures.rel.related_model
    files = capture_model.files.rel.related_model.objects.only("id", "capture_id", "kind", "sha256")
    return Prefetch(
        "captures",
        queryset=capture_model.objects.public()
        .only("id", "article_id", "post_id", "status", "captured_at", "url")
        .order_by("-captured_at", "-id")
        .prefetch_related(Prefetch("files", queryset=files)),
        to_attr="public_captures",
    )


def post_detail(request, pk: int):
    post = get_public_or_gone(
        Post.objects.select_related("account").prefetch_related(
            Prefetch("events", queryset=_published_events()),
            Prefetch(
                "quoted_in_articles",
                queryset=SourceArticle.objects.published().for_listing(),
            ),
            _public_captures(Post),
        ),
        pk=pk,
    )
    return render(request, "archive/post_detail.html", {"post": post})


def article_detail(request, pk: int):
    article = get_public_or_gone(
        SourceArticle.objects.select_related("outlet")
        .defer("text")
        .prefetch_related(
            Prefetch("events", queryset=_published_events()),
            Prefetch("quoted_posts", queryset=Post.objects.published().for_listing()),
            _public_captures(SourceArticle),
        ),
        pk=pk,
    )
    return render(request, "archive/article_detail.html", {"article": article})


def account_detail(request, platform: str, handle: str):
    # A private person's account has no page under their handle: the handle is what we protect.
    account = get_public_or_gone(
        Account.objects.with_public_page(),
        platform=platform,
        handle=handle,
    )
    posts = list(
        Post.objects.published()
        .for_listing()
        .filter(account=account)
        .order_by("posted_at", "id")[: ACCOUNT_POSTS_SHOWN + 1]
    )
    return render(
        request,
        "archive/account_detail.html",
        {
            "account": account,
            "posts": posts[:ACCOUNT_POSTS_SHOWN],
            "more_posts": len(posts) > ACCOUNT_POSTS_SHOWN,
        },
    )
