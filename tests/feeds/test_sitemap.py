import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.feeds import sitemaps
from tests.factories import (
    AccountFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)
from tests.feeds.conftest import publish, set_state

pytestmark = pytest.mark.django_db

LOC = re.compile(r"<loc>([^<]*)</loc>")
STATIC = {"http://testserver/", "http://testserver/timeline/", "http://testserver/search/"}


def locations(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    body = response.content.decode()
    assert 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"' in body
    return [html.unescape(loc) for loc in LOC.findall(body)]


def every_listed_url(client) -> list[str]:
    found = []
    for page in locations(client, "/sitemap.xml"):
        found += locations(client, page.removeprefix("http://testserver"))
    return found


def published_world():
    figure = AccountFactory(published=True, is_public_figure=True, handle="figure")
    private = AccountFactory(published=True, handle="zz_private_person")
    posts = [
        PostFactory(published=True, account=figure),
        PostFactory(published=True, account=private),
    ]
    articles = [SourceArticleFactory(published=True)]
    events = [TimelineEventFactory(published=True)]
    return [*posts, *articles, *events, figure]


def test_the_sitemap_lists_exactly_the_published_pages(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 2)  # several pages per section
    shown = published_world()
    shown += [PostFactory(published=True) for _ in range(4)]

    listed = every_listed_url(client)

    assert len(listed) == len(set(listed))
    assert set(listed) == STATIC | {f"http://testserver{e.get_absolute_url()}" for e in shown}
    assert not any("zz_private_person" in url for url in listed)


def test_the_index_pages_each_section_by_ranges_of_ids(client, monkeypatch):
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 3)
    posts = [PostFactory(published=True) for _ in range(5)]
    index = locations(client, "/sitemap.xml")
    lowest, highest = posts[0].pk, posts[-1].pk
    pages = [url for url in index if "sitemap-posts.xml" in url]
    assert pages[0] == "http://testserver/sitemap-posts.xml"
    # Ranges of three ids, aligned to multiples of three, from the one holding the first post.
    assert len(pages) == (highest - 1) // 3 - (lowest - 1) // 3 + 1
    assert pages[1:] == [
        f"http://testserver/sitemap-posts.xml?p={n}" for n in range(2, len(pages) + 1)
    ]


def test_pages_start_at_the_first_published_id_and_keep_their_ranges(client, monkeypatch):
    """However high the ids have climbed (a database that has seen millions of rows), the
    section starts at the range of its first published entry: no run of empty pages before
    it. A range with no published entry in between is still a page, empty, so that the pages
    after it keep their numbers."""
    monkeypatch.setattr(sitemaps, "PAGE_SIZE", 10)
    base = (PostFactory(published=False).pk // 10 + 1_000) * 10  # far above every id so far
    first = PostFactory(published=True, id=base + 1)
    last = PostFactory(published=True, id=base + 25)
    PostFactory(published=False, id=base + 15)

    pages = [u for u in locations(client, "/sitemap.xml") if "sitemap-posts.xml" in u]
    assert pages == [
        "http://testserver/sitemap-posts.xml",
        "http://testserver/sitemap-posts.xml?p=2",
        "http://testserver/sitemap-posts.xml?p=3",
    ]
    assert locations(client, "/sitemap-posts.xml") == [
        f"http://testserver{first.get_absolute_url()}"
    ]
    assert locations(client, "/sitemap-posts.xml?p=2") == []
    assert locations(client, "/sitemap-posts.xml?p=3") == [
        f"http://testserver{last.get_absolute_url()}"
    ]
    assert client.get("/sitemap-posts.xml?p=4").status_code == 404


@pytest.mark.parametrize("state", ["pending", "rejected", "withdrawn"])
def test_unpublished_entries_are_in_no_feed_and_not_in_the_sitemap(client, state):
    published_world()
    account = AccountFactory(is_public_figure=True, handle=f"zz_{state}_account")
    hidden = [
        PostFactory(text=f"zz {state} post text", account=account),
        SourceArticleFactory(title=f"zz {state} article title", excerpt=f"zz {state} excerpt"),
        TimelineEventFactory(title=f"zz {state} event title", summary=f"zz {state} summary"),
        account,
    ]
    for entry in hidden:
        publish(entry)
        if state != "published":
            set_state(entry, state)

    bodies = [client.get(url).content.decode() for url in ("/feeds/new.atom", "/sitemap.xml")]
    bodies += [client.get("/feeds/search.atom", {"q": f"zz {state}"}).content.decode()]
    bodies += [client.get("/feeds/search.atom", {"kind": kind}).content.decode()
               for kind in ("post", "article", "event", "account")]  # fmt: skip
    listed = every_listed_url(client)
    for entry in hidden:
        path = entry.get_absolute_url()
        assert not any(path in body for body in bodies), path
        assert f"http://testserver{path}" not in listed
    assert not any(f"zz {state}" in body or f"zz_{state}" in body for body in bodies)


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


@pytest.mark.parametrize(
    "url",
    [
        "/sitemap.xml",
        "/sitemap-pages.xml",
        "/sitemap-posts.xml",
        "/sitemap-articles.xml",
        "/sitemap-events.xml",
        "/sitemap-accounts.xml",
    ],
)
def test_a_sitemap_page_costs_the_same_queries_however_many_entries(client, url):
    def make(n):
        for _ in range(n):
            PostFactory(published=True)
            SourceArticleFactory(published=True)
            TimelineEventFactory(published=True)
            AccountFactory(published=True, is_public_figure=True)

    make(3)
    few = _queries(client, url)
    make(27)
    many = _queries(client, url)
    assert len(few) == len(many) <= 6


def test_a_sitemap_page_loads_only_the_columns_of_its_addresses(client):
    PostFactory(published=True, text="kept out of the sitemap's query")
    statements = " ".join(_queries(client, "/sitemap-posts.xml"))
    assert '"archive_post"."updated_at"' in statements
    assert '"archive_post"."text"' not in statements
    assert '"archive_post"."platform_id"' not in statements


@pytest.mark.parametrize(
    "url",
    ["/sitemap-posts.xml?p=abc", "/sitemap-posts.xml?p=0", "/sitemap-posts.xml?p=999999",
     "/sitemap-nothing.xml"],
)  # fmt: skip
def test_a_missing_sitemap_page_is_not_found(client, url):
    PostFactory(published=True)
    assert client.get(url).status_code == 404


def test_the_sitemap_is_kept_until_content_changes(client):
    first = PostFactory(published=True)
    assert client.get("/sitemap-posts.xml")["X-Page-Cache"] == "miss"
    assert client.get("/sitemap-posts.xml")["X-Page-Cache"] == "hit"
    set_state(first, "withdrawn")
    response = client.get("/sitemap-posts.xml")
    assert response["X-Page-Cache"] == "miss"
    assert first.get_absolute_url() not in response.content.decode()


def test_robots_txt_points_crawlers_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode().splitlines()


def test_the_replay_origin_serves_neither_sitemap_nor_robots_of_the_archive(client):
    for url in ("/robots.txt", "/sitemap.xml", "/feeds/new.atom"):
        assert client.get(url, HTTP_HOST="replay.localhost").status_code == 404


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_sites_icon(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
    assert finders.find("img/favicon.svg")
