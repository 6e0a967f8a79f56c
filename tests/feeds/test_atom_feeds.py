import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.archive.moments import TimePrecision
from tests.factories import (
    AccountFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)
from tests.feeds.conftest import atom, publish, set_state

pytestmark = pytest.mark.django_db

NEW = "/feeds/new.atom"
SEARCH = "/feeds/search.atom"
OCT = datetime.datetime(2017, 10, 15, 12, 0, tzinfo=datetime.UTC)

SECRET_HANDLE = "zz_private_handle_91"
SECRET_URL = "https://twitter.com/zz_private_handle_91/status/777000111"
SECRET_PLATFORM_ID = "777000111222333"


def links(feed) -> list[str]:
    return [entry.link for entry in feed.entries]


def test_the_new_entries_feed_lists_what_was_published_last_first(client):
    figure = AccountFactory(published=True, is_public_figure=True, handle="Alyssa_Milano")
    post = PostFactory(account=figure, text="Me too.", hashtags=["MeToo"])
    article = SourceArticleFactory(title="Harvey Weinstein paid off accusers", authors=["J. K."])
    event = TimelineEventFactory(title="The hashtag spreads")
    publish(article, post, event)

    feed = atom(client, NEW)

    assert feed.feed.title == "The #MeToo Archive: newly published"
    assert links(feed) == [
        f"http://testserver{event.get_absolute_url()}",
        f"http://testserver{post.get_absolute_url()}",
        f"http://testserver{article.get_absolute_url()}",
    ]
    assert [entry.id for entry in feed.entries] == links(feed)
    shown_event, shown_post, shown_article = feed.entries
    assert shown_event.title == f"15 October 2017: {event.title}"
    assert shown_event.summary == event.summary
    assert shown_post.title == "Post by @Alyssa_Milano: Me too."
    assert shown_post.author == "@Alyssa_Milano"
    assert shown_post.summary == "Twitter/X, 16 October 2017, 09:30 UTC\n\nMe too."
    assert [tag.term for tag in shown_post.tags] == ["#MeToo"]
    assert shown_article.title == "Harvey Weinstein paid off accusers"
    assert shown_article.author == "J. K."
    assert shown_post.published_parsed and shown_post.updated_parsed


def test_the_new_entries_feed_carries_feed_items_entries(client, settings):
    settings.FEED_ITEMS = 2
    posts = [PostFactory() for _ in range(3)]
    publish(*posts)
    assert links(atom(client, NEW)) == [
        f"http://testserver{post.get_absolute_url()}" for post in reversed(posts[1:])
    ]


def test_summaries_are_plain_text_never_markup(client):
    text = '<img src=x onerror="alert(1)"> <b>bold</b> & more'
    post = PostFactory(text=text)
    publish(post)
    response = client.get(NEW)
    assert b'<summary type="text">' in response.content
    assert b"<img" not in response.content
    (entry,) = atom(client, NEW).entries
    assert entry.summary_detail.type == "text/plain"
    assert entry.summary.endswith(text)


def test_characters_xml_cannot_carry_do_not_break_a_feed(client):
    post = PostFactory(text="bell\x07 and form feed\x0c kept out")
    publish(post)
    (entry,) = atom(client, NEW).entries
    assert entry.summary.endswith("bell and form feed kept out")


def test_a_post_behind_a_content_warning_shows_the_warning_not_its_text(client):
    post = PostFactory(text="the distressing account itself", content_warning="assault")
    publish(post)
    client_body = client.get(NEW).content.decode()
    assert "the distressing account itself" not in client_body
    (entry,) = atom(client, NEW).entries
    assert "Content warning: assault" in entry.summary


def test_a_post_known_only_to_the_day_shows_no_time(client):
    post = PostFactory(posted_at=OCT, posted_at_precision=TimePrecision.DAY, text="day only")
    publish(post)
    (entry,) = atom(client, NEW).entries
    assert entry.summary.startswith("Twitter/X, 15 October 2017\n\n")


def private_post(**fields):
    account = AccountFactory(
        published=True, handle=SECRET_HANDLE, display_name="Jane Q. Private",
        profile_url=f"https://twitter.com/{SECRET_HANDLE}",
    )  # fmt: skip
    return PostFactory(account=account, url=SECRET_URL, platform_id=SECRET_PLATFORM_ID, **fields)


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "whistleblower"}, {"q": f"@{SECRET_HANDLE}"}, {"q": f"from:{SECRET_HANDLE}"}],
)
def test_a_private_persons_handle_url_and_id_never_appear_in_a_feed(client, params):
    post = private_post(text="A whistleblower speaks")
    publish(post)
    path = SEARCH if params else NEW
    body = client.get(path, params).content.decode()
    assert SECRET_PLATFORM_ID not in body
    assert SECRET_URL not in body
    assert "Jane Q. Private" not in body
    # The handle may only be what the reader typed, in the feed's own title and links.
    entries = body.split("<entry>", 1)[1] if "<entry>" in body else ""
    assert SECRET_HANDLE not in entries
    if not params or params["q"] == "whistleblower":
        (entry,) = atom(client, path, **params).entries
        assert entry.author == post.account.pseudonym


def search_links(client, **params) -> list[str]:
    return [
        link.removeprefix("http://testserver") for link in links(atom(client, SEARCH, **params))
    ]


def test_the_search_feed_honours_phrases_exclusions_and_hashtags(client):
    says_it = PostFactory(published=True, text="Me too. I was 15.", posted_at=OCT)
    not_a_phrase = PostFactory(published=True, text="Too late for me to go", posted_at=OCT)
    film = PostFactory(
        published=True, text="Harassment in the film industry", hashtags=["MeToo"],
        posted_at=OCT + datetime.timedelta(days=1),
    )  # fmt: skip
    harassed = PostFactory(
        published=True, text="She was harassed at work", posted_at=OCT + datetime.timedelta(days=2)
    )

    assert search_links(client, q='"me too"') == [says_it.get_absolute_url()]
    assert search_links(client, q="harassment") == [
        harassed.get_absolute_url(),
        film.get_absolute_url(),
    ]
    assert search_links(client, q="harassment -film") == [harassed.get_absolute_url()]
    assert search_links(client, q="#metoo") == [film.get_absolute_url()]
    assert search_links(client, hashtag="MeToo") == [film.get_absolute_url()]
    assert not_a_phrase.get_absolute_url() in search_links(client, q="me")


def test_the_search_feed_lists_the_newest_matches_of_every_kind_first(client, settings):
    settings.FEED_ITEMS = 3
    old = PostFactory(published=True, text="weinstein old", posted_at=OCT)
    article = SourceArticleFactory(
        published=True, title="Weinstein story", published_at=OCT + datetime.timedelta(days=3)
    )
    event = TimelineEventFactory(
        published=True, title="Weinstein reported", date=datetime.date(2017, 10, 20)
    )
    newest = PostFactory(
        published=True, text="weinstein newest", posted_at=OCT + datetime.timedelta(days=9)
    )
    feed = atom(client, SEARCH, q="weinstein")
    assert [link.removeprefix("http://testserver") for link in links(feed)] == [
        newest.get_absolute_url(),
        event.get_absolute_url(),
        article.get_absolute_url(),
    ]
    assert old.get_absolute_url() not in str(feed)


def test_the_search_feed_is_titled_with_the_search_and_links_to_its_page(client):
    feed = atom(client, SEARCH, q='"me too" -film', kind="post", page="3", cursor="x")
    assert feed.feed.title == (
        "The #MeToo Archive search: the exact phrase “me too”; not film; Kind: Posts"
    )
    assert feed.feed.link == "http://testserver/search/?q=%22me+too%22+-film&kind=post"
    assert feed.feed.id.startswith("http://testserver/feeds/search.atom?")


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2017-13-45"},
        {"kind": "nonsense\x0b"},
        {"account": "abc"},
        {"account": "99999999999999999999999"},
        {"q": "x" * 5000},
        {"q": "bad\x00null"},
        {"q": '"unclosed phrase'},
        {"q": "outlet:"},
        {"q": "outlet:nowhere"},
        {"q": "OR OR -"},
    ],
)
def test_a_bad_search_gives_a_feed_that_names_its_problems(client, params):
    PostFactory(published=True, text="unclosed phrase")
    feed = atom(client, SEARCH, **params)
    assert "Problems with the search:" in feed.feed.subtitle


def test_an_index_row_left_behind_lists_nothing_the_pages_would_not_show(client):
    """The index holds only published entries; were a row left behind (an edit behind the
    services' back), the feed still reads the entries through ``published()`` and lists a
    private person's account under no handle."""
    from apps.search.models import SearchEntry

    figure = AccountFactory(published=True, is_public_figure=True, handle="figure")
    private = AccountFactory(published=True, handle=SECRET_HANDLE)
    pending = PostFactory(text="zz pending text")
    for kind, pk in (("account", private.pk), ("post", pending.pk)):
        SearchEntry.objects.create(kind=kind, entry_id=pk, date=OCT, document="")

    body = client.get(SEARCH).content.decode()

    assert figure.get_absolute_url() in body
    assert SECRET_HANDLE not in body
    assert pending.get_absolute_url() not in body and "zz pending text" not in body


def _count_queries(client, path, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (NEW, {}),
        (SEARCH, {}),
        (SEARCH, {"q": "weinstein"}),
        (SEARCH, {"q": "weinstein outlet:Variety"}),
    ],
)
def test_a_feed_costs_the_same_number_of_queries_however_much_it_lists(client, path, params):
    from apps.search.filters import _compiled
    from tests.factories import OutletFactory

    variety = OutletFactory(name="Variety")

    def make(n):
        for i in range(n):
            publish(
                PostFactory(text=f"weinstein {i}"),
                SourceArticleFactory(title=f"Weinstein {i}", outlet=variety),
                TimelineEventFactory(title=f"Weinstein {i}"),
            )

    make(1)
    _compiled.cache_clear()
    few = _count_queries(client, path, params)
    make(10)
    _compiled.cache_clear()
    many = _count_queries(client, path, params)
    assert few == many
    assert many <= 8


def test_a_withdrawn_entry_leaves_a_cached_feed_at_once(client):
    kept, withdrawn = PostFactory(text="kept"), PostFactory(text="to be withdrawn")
    publish(kept, withdrawn)
    for path, params in ((NEW, {}), (SEARCH, {"q": "withdrawn OR kept"})):
        assert client.get(path, params)["X-Page-Cache"] == "miss"
        assert client.get(path, params)["X-Page-Cache"] == "hit"
    set_state(withdrawn, "withdrawn")
    for path, params in ((NEW, {}), (SEARCH, {"q": "withdrawn OR kept"})):
        body = client.get(path, params).content.decode()
        assert withdrawn.get_absolute_url() not in body
        assert "to be withdrawn" not in body
        assert kept.get_absolute_url() in body


def test_feeds_answer_only_reads(client):
    assert client.post(NEW).status_code == 405
    assert client.head(NEW).status_code == 200


def test_the_search_page_can_link_the_feed_of_its_own_search(rf):
    from django.template import Context, Template

    request = rf.get("/search/", {"q": '"me too" <x>', "kind": "post", "cursor": "c", "page": "2"})
    html = Template(
        '{% load feeds %}<a href="{% search_feed_url %}">Follow this search (Atom feed)</a>'
    ).render(Context({"request": request}))
    assert html == (
        '<a href="/feeds/search.atom?q=%22me+too%22+%3Cx%3E&amp;kind=post">'
        "Follow this search (Atom feed)</a>"
    )
