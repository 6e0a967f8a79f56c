"""The timeline's rendered events are cached under the public content version: whatever
changes what they show (moderation, edits, evidence) must show on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.content import content_changed, content_version, story_version
from apps.curation.services import (
    account_visibility_set,
    entries_transition,
    entry_links_update,
    evidence_link,
)
from apps.search.indexing import sync_entries, sync_outlet_articles
from tests.factories import (
    AccountFactory,
    EventSourceFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
    public_change,
)

pytestmark = pytest.mark.django_db

URLS = [reverse("timeline:timeline"), reverse("timeline:timeline") + "?period=2017"]


def make_event(**kwargs):
    event = TimelineEventFactory(published=True, date="2017-10-05", **kwargs)
    EventSourceFactory(event=event, name="A dating source")
    post = PostFactory(published=True, text="Evidence post text")
    event.posts.add(post)
    return event, post


def pages(client) -> list[str]:
    return [client.get(url).content.decode() for url in URLS]


def test_a_cached_page_runs_fewer_queries_and_shows_the_same_events(client):
    event, _ = make_event(title="Cached event title")
    with CaptureQueriesContext(connection) as first:
        html = client.get(URLS[0]).content.decode()
    with CaptureQueriesContext(connection) as second:
        again = client.get(URLS[0]).content.decode()
    assert "Cached event title" in html
    assert again == html
    assert len(second) < len(first)


def test_post_withdrawn_through_the_service_is_gone_from_a_cached_page(client):
    _, post = make_event()
    assert all("Evidence post text" in html for html in pages(client))
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")
    assert not any("Evidence post text" in html for html in pages(client))


def test_event_withdrawn_through_the_service_is_gone_from_a_cached_page(client):
    event, _ = make_event(title="Soon withdrawn event")
    assert all("Soon withdrawn event" in html for html in pages(client))
    entries_transition(kind="event", ids=[event.pk], to_state="withdrawn")
    assert not any("Soon withdrawn event" in html for html in pages(client))


def test_post_withdrawn_by_saving_it_is_gone_from_a_cached_page(client):
    _, post = make_event()
    assert all("Evidence post text" in html for html in pages(client))
    post.moderation_state = "withdrawn"
    post.save()
    public_change(post)  # what every write service does after it writes
    assert not any("Evidence post text" in html for html in pages(client))


def test_event_withdrawn_by_saving_it_is_gone_from_a_cached_page(client):
    event, _ = make_event(title="Saved as withdrawn")
    assert all("Saved as withdrawn" in html for html in pages(client))
    event.moderation_state = "withdrawn"
    event.save()
    public_change(event)  # what every write service does after it writes
    assert not any("Saved as withdrawn" in html for html in pages(client))


def test_edited_evidence_and_links_show_at_once(client):
    event, post = make_event()
    assert all("A dating source" in html for html in pages(client))
    source = event.sources.get()
    source.name = "A corrected source"
    source.save()  # as the admin's inline form does, before it calls the service
    entry_links_update(kind="event", entry=event, actor=None, links=["sources"])
    assert all("A corrected source" in html for html in pages(client))
    evidence_link(event_id=event.pk, kind="post", entry_id=post.pk, actor=None, linked=False)
    assert not any("Evidence post text" in html for html in pages(client))


def test_version_moves_before_and_again_after_the_commit(django_capture_on_commit_callbacks):
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        content_changed()
        content_changed()
        during = content_version()
    after = content_version()
    # One post-commit bump however many changes the transaction made.
    assert len(callbacks) == 1
    assert before != during != after


def test_a_post_published_outside_the_story_keeps_the_rendered_events(client):
    make_event(title="A story event")
    outside = PostFactory(text="Not evidence", posted_at="2017-10-15T12:00:00Z")
    with CaptureQueriesContext(connection) as first:
        client.get(URLS[0])
    story = story_version()
    entries_transition(kind="post", ids=[outside.pk], to_state="published")
    assert story_version() == story
    with CaptureQueriesContext(connection) as again:
        response = client.get(URLS[0])
    # The page is built again (the chart has a new post) but not the events.
    assert response.context["chart"].total == 2
    assert "A story event" in response.content.decode()
    assert len(again) < len(first)


def test_changes_to_evidence_move_the_story_and_others_do_not():
    event, post = make_event()
    article = SourceArticleFactory(published=True, outlet=OutletFactory())
    event.articles.add(article)
    outside_post = PostFactory(published=True, account=AccountFactory(published=True))
    outside_outlet = OutletFactory()

    def moves(change) -> bool:
        before = story_version()
        change()
        return story_version() != before

    assert not moves(lambda: sync_entries("post", [outside_post.pk]))
    assert not moves(lambda: sync_entries("account", [outside_post.account_id]))
    assert not moves(lambda: sync_outlet_articles([outside_outlet.pk]))
    assert moves(lambda: sync_entries("post", [post.pk]))
    assert moves(lambda: sync_entries("account", [post.account_id]))
    assert moves(lambda: sync_entries("article", [article.pk]))
    assert moves(lambda: sync_outlet_articles([article.outlet_id]))
    assert moves(lambda: sync_entries("event", [event.pk]))
    assert moves(lambda: content_changed())


def test_an_evidence_account_made_private_shows_its_pseudonym_at_once(client):
    _, post = make_event()
    account = post.account
    account_visibility_set(account_id=account.pk, actor=None, is_public_figure=True)
    assert f"@{account.handle}" in pages(client)[0]
    account_visibility_set(account_id=account.pk, actor=None, is_public_figure=False)
    html = pages(client)[0]
    assert f"@{account.handle}" not in html and account.pseudonym in html
