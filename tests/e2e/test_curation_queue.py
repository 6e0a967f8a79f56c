"""The queue in a real Chromium: keyboard shortcuts with JavaScript, plain buttons without."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from apps.archive.models import Post
from tests.curation.conftest import PASSWORD
from tests.factories import PostFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def empty_cache():
    """The takedown form's rate limit counts in the cache: start from zero."""
    from django.core.cache import cache

    cache.clear()


def _sign_in(page, django_user_model, group="Curator"):
    call_command("curation_groups", stdout=io.StringIO())
    curator = django_user_model.objects.create_user("carla", password=PASSWORD)
    curator.groups.add(Group.objects.get(name=group))
    page.goto("/curate/login/")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/curate/$"))


def test_a_curator_works_the_queue_from_the_keyboard(page, django_user_model, assert_accessible):
    first, second, third = PostFactory.create_batch(3, content_warning="")
    _sign_in(page, django_user_model)
    page.reload()
    assert_accessible(page)

    page.keyboard.press("j")  # the oldest entry
    with page.expect_navigation():
        page.keyboard.press("a")  # approve it
    expect(page.locator(".messages")).to_contain_text(f"Post {first.pk} approved")
    page.keyboard.press("j")  # now the second post heads the queue
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.keyboard.type("Spam")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(f"Post {third.pk} rejected")
    states = dict(Post.objects.values_list("pk", "moderation_state"))
    assert states == {first.pk: "published", second.pk: "pending", third.pk: "rejected"}

    # The entry's own curator view, with its history, passes the same accessibility checks.
    page.goto(f"/curate/post/{third.pk}/")
    assert page.get_by_role("cell", name="Spam").is_visible()
    assert_accessible(page)


def test_the_queue_works_without_javascript(browser, live_server, django_user_model):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        posts = PostFactory.create_batch(2)
        _sign_in(page, django_user_model)
        page.get_by_label(f"Select post {posts[1].pk}").check()
        page.get_by_role("button", name="Approve", exact=True).first.click()
        assert "Approved 1 entry." in page.content()
        assert Post.objects.get(pk=posts[1].pk).moderation_state == "published"
        assert Post.objects.get(pk=posts[0].pk).moderation_state == "pending"
    finally:
        context.close()


def test_an_editor_trusts_an_account_and_approves_the_rest_in_the_background(
    page, django_user_model, assert_accessible
):
    from apps.curation.models import BulkAction
    from apps.curation.services import bulk_action_run
    from tests.factories import AccountFactory

    figure = AccountFactory(handle="public_voice", published=True, is_public_figure=True)
    by_figure = PostFactory.create_batch(2, account=figure)
    others = PostFactory.create_batch(3)
    _sign_in(page, django_user_model, group="Editor")

    page.goto("/curate/rules/")
    page.get_by_label("Scope").select_option("account")
    page.get_by_label("Target").fill("@public_voice")
    page.get_by_label("Description").fill("Public figure")
    page.get_by_role("button", name="Save the rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule saved")
    page.get_by_role("button", name="Apply to the queue").click()
    expect(page.locator(".messages")).to_contain_text("2 published")
    assert_accessible(page)

    page.goto("/curate/")
    page.get_by_label("All 3 matching entries").check()
    page.get_by_role("button", name="Approve", exact=True).first.click()
    page.wait_for_url(re.compile(r"/curate/bulk/\d+/$"))
    assert_accessible(page)
    # No worker runs in this test: carry the job out as the worker would; the page, polling,
    # shows it done without a reload.
    bulk_action_run(job_id=BulkAction.objects.get().pk)
    expect(page.locator("#job-status")).to_contain_text("3 of 3 processed")
    expect(page.get_by_role("link", name="Back to the queue")).to_be_visible()
    states = set(
        Post.objects.filter(pk__in=[p.pk for p in by_figure + others]).values_list(
            "moderation_state", flat=True
        )
    )
    assert states == {"published"}
