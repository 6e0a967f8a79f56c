"""Whole search and timeline pages are kept for anonymous visitors until public content
changes: a change must show on the very next request, and nobody signed in is served or
stored."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.page_cache import CACHE_HEADER, release_fingerprint
from apps.curation.services import entries_transition
from tests.factories import PostFactory, TimelineEventFactory, public_change

pytestmark = pytest.mark.django_db

SEARCH = reverse("search:search") + "?q=weinstein"
PAGES = [SEARCH, reverse("timeline:timeline"), reverse("timeline:home")]


def test_a_repeated_search_is_answered_from_the_cache_in_one_query(client):
    PostFactory(published=True, text="Weinstein fired")
    first = client.get(SEARCH)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(SEARCH)
    assert first[CACHE_HEADER] == "miss" and again[CACHE_HEADER] == "hit"
    assert again.content == first.content
    assert len(queries) == 1  # the content version
    assert client.get(SEARCH + "&order=newest")[CACHE_HEADER] == "miss"


@pytest.mark.parametrize("url", PAGES[:2])
def test_a_withdrawn_post_is_gone_from_the_next_page(client, url):
    post = PostFactory(published=True, text="Weinstein fired")
    TimelineEventFactory(published=True).posts.add(post)
    assert post.get_absolute_url() in client.get(url).content.decode()
    assert client.get(url)[CACHE_HEADER] == "hit"
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn", reason="takedown")
    after = client.get(url)
    assert after[CACHE_HEADER] == "miss"
    assert post.get_absolute_url() not in after.content.decode()


def test_the_home_page_counts_a_withdrawn_post_out_at_once(client):
    post = PostFactory(published=True)
    assert client.get(PAGES[2]).context["counts"]["posts"] == 1
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn", reason="takedown")
    assert client.get(PAGES[2]).context["counts"]["posts"] == 0


def test_a_withdrawn_event_saved_through_the_orm_is_gone_from_the_next_timeline(client):
    event = TimelineEventFactory(published=True, title="An event to withdraw")
    url = reverse("timeline:timeline")
    assert "An event to withdraw" in client.get(url).content.decode()
    event.moderation_state = "withdrawn"
    event.save()
    public_change(event)  # what every write service does after it writes
    assert "An event to withdraw" not in client.get(url).content.decode()


def test_signed_in_visitors_are_neither_served_nor_stored(client, django_user_model):
    PostFactory(published=True, text="Weinstein fired")
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 20))
    assert CACHE_HEADER not in client.get(SEARCH)
    assert CACHE_HEADER not in client.get(SEARCH)
    client.logout()
    client.cookies.clear()
    assert client.get(SEARCH)[CACHE_HEADER] == "miss"


def test_a_visitor_with_messages_waiting_gets_a_fresh_page(client):
    client.cookies["messages"] = "pending"
    assert CACHE_HEADER not in client.get(SEARCH)


def test_the_page_cache_can_be_turned_off(client, settings):
    settings.PUBLIC_PAGE_CACHE = False
    client.get(SEARCH)
    assert CACHE_HEADER not in client.get(SEARCH)


def test_pages_stored_by_another_release_are_not_served(client, settings, tmp_path):
    PostFactory(published=True, text="Weinstein fired")
    assert client.get(SEARCH)[CACHE_HEADER] == "miss"
    assert client.get(SEARCH)[CACHE_HEADER] == "hit"
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "page.html"
    template.write_text("one")
    settings.BASE_DIR = tmp_path
    release_fingerprint.cache_clear()
    try:
        first = release_fingerprint()
        assert client.get(SEARCH)[CACHE_HEADER] == "miss"  # a deploy of other files
        template.write_text("two")
        release_fingerprint.cache_clear()  # a new process, or runserver seeing the edit
        assert release_fingerprint() != first
    finally:
        release_fingerprint.cache_clear()


def test_runserver_noticing_an_edited_file_forgets_the_release(tmp_path):
    from django.utils.autoreload import file_changed

    before = release_fingerprint()
    release_fingerprint.cache_clear()
    release_fingerprint()  # cached again
    file_changed.send(sender=None, file_path=tmp_path / "x.html")
    assert release_fingerprint.cache_info().currsize == 0
    assert release_fingerprint() == before


@pytest.mark.parametrize("url", PAGES)
def test_pages_are_served_without_the_cache_when_it_cannot_be_reached(
    client, settings, caplog, url
):
    PostFactory(published=True, text="Weinstein fired")
    settings.CACHES = {  # a Redis nobody listens for
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    with caplog.at_level("WARNING", logger="apps.core.caching"):
        response = client.get(url)
    assert response.status_code == 200
    assert response[CACHE_HEADER] == "miss"  # computed, and not kept
    assert "cache unreachable (ConnectionError)" in caplog.text
