import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import (
    ChapterFactory,
    DatedClaimFactory,
    EventSourceFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


def make_event_with_evidence(**kwargs):
    event = TimelineEventFactory(published=True, **kwargs)
    EventSourceFactory(event=event)
    event.posts.add(PostFactory(published=True))
    event.articles.add(SourceArticleFactory(published=True))
    return event


def test_home_page_shows_the_numbers_and_the_way_into_the_timeline(client):
    make_event_with_evidence()
    response = client.get(reverse("timeline:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'href="/timeline/"' in html
    assert response.context["counts"] == {"events": 1, "posts": 1, "articles": 1, "accounts": 1}


def test_home_page_counts_only_published_entries(client):
    make_event_with_evidence()
    TimelineEventFactory()  # pending
    PostFactory()  # pending
    PostFactory(withdrawn=True)
    response = client.get(reverse("timeline:home"))
    assert response.context["counts"]["events"] == 1
    assert response.context["counts"]["posts"] == 1


def test_timeline_lists_published_events_in_date_order(client):
    chapter = ChapterFactory()
    later = TimelineEventFactory(
        published=True, chapter=chapter, date=datetime.date(2017, 10, 15), title="Later event"
    )
    earlier = TimelineEventFactory(
        published=True,
        chapter=chapter,
        date=datetime.date(2006, 1, 1),
        date_precision="year",
        title="Earlier event",
    )
    TimelineEventFactory(chapter=chapter, title="Pending event")
    TimelineEventFactory(chapter=chapter, withdrawn=True, title="Withdrawn event")

    html = client.get(reverse("timeline:timeline")).content.decode()

    assert html.index(earlier.title) < html.index(later.title)
    assert "Pending event" not in html
    assert "Withdrawn event" not in html
    assert '<time datetime="2006">2006</time>' in html


def test_timeline_shows_a_contested_date_as_disputed_with_each_claim(client):
    event = TimelineEventFactory(
        published=True, date=datetime.date(2006, 1, 1), date_precision="year"
    )
    DatedClaimFactory(event=event, date=datetime.date(2006, 1, 1), source_name="Wikipedia")
    DatedClaimFactory(event=event, date=datetime.date(2007, 1, 1), source_name="Ebony")

    html = client.get(reverse("timeline:timeline")).content.decode()

    assert "Date disputed" in html
    assert "Wikipedia" in html and "Ebony" in html


def test_an_event_whose_claims_agree_is_not_disputed(client):
    event = TimelineEventFactory(published=True)
    DatedClaimFactory(event=event, date=event.date, source_name="One")
    DatedClaimFactory(event=event, date=event.date, source_name="Two")
    assert "Date disputed" not in client.get(reverse("timeline:timeline")).content.decode()


def test_timeline_does_not_show_unpublished_evidence(client):
    event = TimelineEventFactory(published=True)
    event.posts.add(PostFactory(text="a pending post text"))
    event.articles.add(SourceArticleFactory(withdrawn=True, title="A withdrawn article"))
    html = client.get(reverse("timeline:timeline")).content.decode()
    assert "a pending post text" not in html
    assert "A withdrawn article" not in html


@pytest.mark.parametrize("url_name", ["timeline:home", "timeline:timeline"])
def test_page_query_count_does_not_grow_with_the_data(client, url_name):
    make_event_with_evidence()
    # Measure with one event, then with many: the count must not change.
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(url_name)).status_code == 200
    for _ in range(8):
        make_event_with_evidence()
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(url_name)).status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many]


def test_timeline_renders_in_a_fixed_number_of_queries(client, django_assert_num_queries):
    for _ in range(5):
        make_event_with_evidence()
    # the content version (the page's cache key), the volume chart's counts, the story version
    # (the events' cache key), the events with their chapters, and one prefetch each for
    # sources, claims, posts and articles
    with django_assert_num_queries(8):
        client.get(reverse("timeline:timeline"))


def test_event_page_shows_its_evidence_and_sources(client, django_assert_num_queries):
    event = make_event_with_evidence()
    source = event.sources.get()
    post = event.posts.get()
    article = event.articles.get()
    with django_assert_num_queries(5):
        response = client.get(event.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert source.url in html
    assert post.get_absolute_url() in html
    assert article.title in html


def test_pending_event_is_not_found_and_withdrawn_event_is_gone(client):
    pending = TimelineEventFactory()
    withdrawn = TimelineEventFactory(withdrawn=True, title="Secret title")
    assert client.get(pending.get_absolute_url()).status_code == 404
    response = client.get(withdrawn.get_absolute_url())
    assert response.status_code == 410
    assert "Secret title" not in response.content.decode()
    assert client.get(reverse("timeline:event", args=["no-such-event"])).status_code == 404


def test_home_page_lists_chapters_in_their_order(client):
    late = ChapterFactory(position=5, title="Late chapter")
    early = ChapterFactory(position=1, title="Early chapter")
    TimelineEventFactory(published=True, chapter=late)
    TimelineEventFactory(published=True, chapter=early)
    chapters = client.get(reverse("timeline:home")).context["chapters"]
    assert [c.title for c in chapters] == ["Early chapter", "Late chapter"]


def test_home_page_numbers_are_kept_until_public_content_changes(client):
    from apps.curation.services import entries_transition

    post = PostFactory(published=True)
    url = reverse("timeline:home")
    assert client.get(url).context["counts"]["posts"] == 1
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert not any('FROM "archive_post"' in q["sql"] for q in cached.captured_queries)

    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")
    assert client.get(url).context["counts"]["posts"] == 0


@pytest.mark.parametrize(
    "url_name", ["timeline:home", "timeline:timeline", "search:search", "ingest:sources",
                 "curation:takedown_form", "curation:login"],
)  # fmt: skip
def test_every_page_links_to_the_site_s_sections_and_marks_the_current_one(client, url_name):
    html = client.get(reverse(url_name)).content.decode()
    for target in ("timeline:home", "timeline:timeline", "search:search", "ingest:sources",
                   "curation:takedown_form"):  # fmt: skip
        assert f'href="{reverse(target)}"' in html
    if url_name in ("timeline:timeline", "search:search", "ingest:sources"):
        assert f'href="{reverse(url_name)}" aria-current="page"' in html
