import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.archive.moments import TimePrecision
from apps.timeline.models import DatePrecision
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)

# Distinctive strings that must never leave the archive for a private person.
SECRET_HANDLE = "zz_private_handle_91"
SECRET_URL = "https://twitter.com/zz_private_handle_91/status/777000111"
SECRET_PLATFORM_ID = "777000111222333"
SECRET_PROFILE = "https://twitter.com/zz_private_handle_91"


def json_ld(response) -> dict:
    html = response.content.decode()
    blocks = LD_JSON.findall(html)
    assert len(blocks) == 1, html
    return json.loads(blocks[0])


def _web_capture(**entry):
    from apps.captures.models import WebCapture

    return WebCapture.objects.create(
        url="https://www.example.org/a", url_key="org,example)/a", status="done",
        captured_at=datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC), **entry,
    )  # fmt: skip


def private_post(**fields):
    account = AccountFactory(
        published=True, handle=SECRET_HANDLE, display_name="Jane Q. Private",
        profile_url=SECRET_PROFILE,
    )  # fmt: skip
    return PostFactory(
        published=True, account=account, url=SECRET_URL, platform_id=SECRET_PLATFORM_ID, **fields
    )


def test_a_post_page_describes_a_social_media_posting(client):
    figure = AccountFactory(
        published=True, is_public_figure=True, handle="Alyssa_Milano",
        profile_url="https://twitter.com/Alyssa_Milano",
    )  # fmt: skip
    event = TimelineEventFactory(published=True, title="Milano's tweet")
    post = PostFactory(
        published=True, account=figure, text="If you've been harassed, write me too",
        hashtags=["MeToo"], language="en", url="https://twitter.com/Alyssa_Milano/status/1",
        platform_id="1", posted_at=datetime.datetime(2017, 10, 16, 5, 30, tzinfo=datetime.UTC),
        posted_at_zone="America/Los_Angeles",
    )  # fmt: skip
    event.posts.add(post)
    capture = _web_capture(post=post)

    data = json_ld(client.get(post.get_absolute_url()))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "SocialMediaPosting"
    assert data["url"] == f"http://testserver/posts/{post.pk}/"
    assert data["datePublished"] == "2017-10-15T22:30:00-07:00"
    assert data["articleBody"] == "If you've been harassed, write me too"
    assert data["keywords"] == ["#MeToo"]
    assert data["inLanguage"] == "en"
    assert data["author"]["alternateName"] == "@Alyssa_Milano"
    assert data["author"]["url"] == "http://testserver/accounts/twitter/Alyssa_Milano/"
    assert data["author"]["sameAs"] == "https://twitter.com/Alyssa_Milano"
    assert data["isBasedOn"] == data["sameAs"] == "https://twitter.com/Alyssa_Milano/status/1"
    assert data["identifier"]["value"] == "1"
    assert data["archivedAt"] == f"http://testserver/captures/{capture.pk}/"
    assert data["about"] == [
        {
            "@type": "Event",
            "name": "Milano's tweet",
            "url": f"http://testserver/events/{event.slug}/",
        }
    ]


def test_a_private_persons_post_names_its_author_by_pseudonym_only(client):
    post = private_post()

    response = client.get(post.get_absolute_url())
    data = json_ld(response)

    assert data["author"] == {"@type": "Person", "name": post.account.pseudonym}
    block = LD_JSON.search(response.content.decode()).group(1)
    for secret in (SECRET_HANDLE, SECRET_PLATFORM_ID, "Jane Q. Private", "twitter.com"):
        assert secret not in block
    assert not {"isBasedOn", "sameAs", "identifier", "archivedAt"} & set(data)


def test_a_post_known_only_to_the_day_has_a_date_without_a_time(client):
    post = PostFactory(
        published=True, posted_at=datetime.datetime(2017, 10, 15, 12, tzinfo=datetime.UTC),
        posted_at_precision=TimePrecision.DAY,
    )  # fmt: skip
    assert json_ld(client.get(post.get_absolute_url()))["datePublished"] == "2017-10-15"


def test_text_that_closes_the_script_element_cannot_break_out(client):
    attack = "</script><script>alert(1)</script>"
    post = PostFactory(published=True, text=attack, hashtags=[attack])
    html = client.get(post.get_absolute_url()).content.decode()
    assert "</script><script>" not in html
    assert json_ld_text(html)["articleBody"] == attack


def test_a_post_behind_a_content_warning_keeps_its_text_out_of_the_description(client):
    post = PostFactory(published=True, text="the distressing account", content_warning="assault")
    data = json_ld(client.get(post.get_absolute_url()))
    assert "articleBody" not in data
    assert "the distressing account" not in str(data)


def json_ld_text(html: str) -> dict:
    return json.loads(LD_JSON.search(html).group(1))


def test_an_article_page_describes_a_news_article_with_its_publisher(client):
    outlet = OutletFactory(name="E! Online", homepage="https://www.eonline.com/")
    article = SourceArticleFactory(
        published=True, outlet=outlet, title="Alyssa Milano on #MeToo", authors=["A. Writer"],
        published_at=datetime.datetime(2017, 10, 16, 23, 50, tzinfo=datetime.UTC),
        url="https://www.eonline.com/news/1", language="en", excerpt="A short passage.",
    )  # fmt: skip
    capture = _web_capture(article=article)

    data = json_ld(client.get(article.get_absolute_url()))

    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Alyssa Milano on #MeToo"
    assert data["datePublished"] == "2017-10-16"  # the day the page shows, no time
    assert data["publisher"] == {
        "@type": "Organization", "name": "E! Online", "url": "https://www.eonline.com/",
    }  # fmt: skip
    assert data["author"] == [{"@type": "Person", "name": "A. Writer"}]
    assert data["isBasedOn"] == "https://www.eonline.com/news/1"
    assert data["archivedAt"] == f"http://testserver/captures/{capture.pk}/"
    assert data["description"] == "A short passage."


@pytest.mark.parametrize(
    ("precision", "date", "end", "start_date", "end_date"),
    [
        (DatePrecision.DAY, datetime.date(2017, 10, 15), None, "2017-10-15", None),
        (DatePrecision.MONTH, datetime.date(2017, 10, 1), None, "2017-10", None),
        (DatePrecision.YEAR, datetime.date(2006, 1, 1), None, "2006", None),
        (
            DatePrecision.RANGE, datetime.date(2017, 10, 14), datetime.date(2017, 10, 16),
            "2017-10-14", "2017-10-16",
        ),
    ],
)  # fmt: skip
def test_an_event_page_gives_its_dates_at_their_precision(
    client, precision, date, end, start_date, end_date
):
    event = TimelineEventFactory(published=True, date=date, date_precision=precision, date_end=end)
    data = json_ld(client.get(event.get_absolute_url()))
    assert data["@type"] == "Event"
    assert data["name"] == event.title
    assert data["description"] == event.summary
    assert data["startDate"] == start_date
    assert data.get("endDate") == end_date


def test_an_event_links_its_published_evidence_by_pseudonym(client):
    event = TimelineEventFactory(published=True)
    shown = private_post()
    hidden = PostFactory(published=False, text="pending evidence")
    article = SourceArticleFactory(published=True, title="The story")
    event.posts.add(shown, hidden)
    event.articles.add(article)

    response = client.get(event.get_absolute_url())
    data = json_ld(response)

    urls = [item["url"] for item in data["subjectOf"]]
    assert urls == [
        f"http://testserver/posts/{shown.pk}/",
        f"http://testserver/articles/{article.pk}/",
    ]
    assert data["subjectOf"][0]["author"] == {"@type": "Person", "name": shown.account.pseudonym}
    block = LD_JSON.search(response.content.decode()).group(1)
    assert SECRET_HANDLE not in block and SECRET_PLATFORM_ID not in block


@pytest.mark.parametrize("kind", ["post", "article", "event"])
def test_structured_data_adds_no_query_to_a_page(client, kind, monkeypatch):
    figure = AccountFactory(published=True, is_public_figure=True)
    post = PostFactory(published=True, account=figure)
    article = SourceArticleFactory(published=True)
    event = TimelineEventFactory(published=True)
    event.posts.add(post)
    event.articles.add(article)
    _web_capture(post=post)
    url = {"post": post, "article": article, "event": event}[kind].get_absolute_url()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(LD_JSON.findall(response.content.decode())) == 1
    # The same page without the block: the tag reads only what the view loaded.
    monkeypatch.setattr("apps.feeds.templatetags.feeds.entry_data", lambda entry, origin: {})
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    assert len(queries) == len(without)
