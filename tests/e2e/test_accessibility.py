"""Every public page passes axe-core's WCAG 2.2 AA rules in a real Chromium."""

import pytest

from apps.archive.models import Account, Post, SourceArticle
from apps.timeline.models import TimelineEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_pages_meet_wcag_aa(page, assert_accessible):
    from apps.timeline.seeding import story_seed

    story_seed()
    event = TimelineEvent.objects.published().filter(claims__isnull=False).first()
    post = Post.objects.published().first()
    article = SourceArticle.objects.published().first()
    account = Account.objects.published().filter(is_public_figure=True).first()
    paths = [
        "/",
        "/timeline/",
        event.get_absolute_url(),
        post.get_absolute_url(),
        article.get_absolute_url(),
        account.get_absolute_url(),
    ]
    for path in paths:
        page.goto(path)
        assert_accessible(page)


def test_keyboard_users_can_skip_to_the_content_and_see_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"
