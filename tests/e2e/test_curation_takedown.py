"""The takedown path end to end in a real Chromium: a visitor asks, a curator grants, and the
entry is gone from the public archive: its page answers 410 Gone with a notice, the timeline
and search no longer show it, and the CSV export lacks its row."""

import re

import pytest
from django.core.management import call_command

from tests.curation.conftest import PASSWORD
from tests.factories import AccountFactory, PostFactory, TimelineEventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def empty_cache():
    """The takedown form's rate limit counts in the cache: start from zero."""
    from django.core.cache import cache

    cache.clear()


def test_a_visitor_files_a_request_a_curator_grants_it_and_the_post_is_gone(
    page, live_server, django_user_model, assert_accessible
):
    import io

    from django.contrib.auth.models import Group

    call_command("curation_groups", stdout=io.StringIO())
    curator = django_user_model.objects.create_user("carla", password=PASSWORD)
    curator.groups.add(Group.objects.get(name="Curator"))
    event = TimelineEventFactory(published=True, title="The hashtag spreads")
    post = PostFactory(
        published=True,
        account=AccountFactory(published=True),
        text="My own story, which I no longer want online.",
    )
    event.posts.add(post)
    post_url = f"{live_server.url}{post.get_absolute_url()}"

    # Before: search finds the post and the export has its row.
    page.goto("/search/?q=%22no+longer+want+online%22")
    assert f'href="{post.get_absolute_url()}"' in page.content()
    assert page.locator("#result-count").inner_text() == "1"
    export = page.request.get("/search/export.csv?q=%22no+longer+want+online%22").text()
    assert "My own story" in export

    # The visitor finds the post, then the removal form from the footer.
    page.goto(post.get_absolute_url())
    assert "My own story" in page.content()
    page.get_by_role("link", name="Report or request removal").click()
    assert_accessible(page)
    page.get_by_label("Link to the entry").fill(post_url)
    page.get_by_label("Your name").fill("Jane Doe")
    page.get_by_label("I wrote or posted it").check()
    page.get_by_label("Why it should be withdrawn").fill("I did not consent to this.")
    page.get_by_label("Your email address").fill("jane@example.org")
    page.get_by_role("button", name="Send the request").click()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(r"TD-[A-Z2-9]{8}", reference)
    assert_accessible(page)

    # A curator signs in, finds the request in the queue and grants it.
    page.context.clear_cookies()
    page.goto("/curate/login/")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/curate/$"))
    page.get_by_role("link", name="Takedown requests").click()
    row = page.get_by_role("row").filter(has_text=reference)
    assert "Received" in row.inner_text()
    row.get_by_role("link", name=reference).click()
    assert_accessible(page)
    page.get_by_role("button", name="Grant: withdraw the entry everywhere").click()
    assert "granted: the entry is withdrawn" in page.content()

    # The public archive no longer shows it; its old link explains why.
    page.context.clear_cookies()
    response = page.goto(post.get_absolute_url())
    assert response.status == 410
    assert page.get_by_role("heading", name="This entry has been withdrawn").is_visible()
    assert "My own story" not in page.content()
    page.goto(event.get_absolute_url())
    assert "The hashtag spreads" in page.content()
    assert "My own story" not in page.content()
    page.goto("/timeline/")
    assert "My own story" not in page.content()
    # Search finds nothing, and the export lacks the row.
    page.goto("/search/?q=%22no+longer+want+online%22")
    assert f'href="{post.get_absolute_url()}"' not in page.content()
    assert page.locator("#result-count").inner_text() == "0"
    assert page.get_by_text("Nothing in the archive matches this search.").is_visible()
    export = page.request.get("/search/export.csv?q=%22no+longer+want+online%22")
    assert export.status == 200
    assert "My own story" not in export.text()
    assert str(post.pk) not in [line.split(",")[1] for line in export.text().splitlines()[1:]]
    # The visitor looks the request up with its reference.
    page.goto("/takedown/status/")
    page.get_by_label("Reference number").fill(reference)
    page.get_by_label("Your email address").fill("jane@example.org")
    page.get_by_role("button", name="Look it up").click()
    assert page.get_by_role("heading", name=f"Request {reference}: granted").is_visible()
    assert_accessible(page)
