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


def post_detail(request, pk: int):
    post = get_public_or_gone(
        Post.objects.select_related("account").prefetch_related(
            Prefetch("events", queryset=_published_events()),
            Prefetch(
                "quoted_in_articles",
                queryset=SourceArticle.objects.published().for_listing(),
            ),
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
