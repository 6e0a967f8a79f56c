"""Liveness re-checks against a real local HTTP server: each state, the back-off schedule, the
new capture a change asks for, the beat task's batch, and the panel on the article page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.captures import liveness, tasks
from apps.captures.capturing import extract_text
from apps.captures.models import CaptureStatus, Liveness, WatchedURL, WebCapture
from apps.captures.storage import url_key
from tests.captures.conftest import Reply
from tests.factories import SourceArticleFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC)
PARAGRAPHS = [
    "Alyssa Milano asked her followers to reply with two words if they had been harassed.",
    "Within a day the phrase had been used hundreds of thousands of times across the world.",
    "Tarana Burke had started the movement a decade earlier, in 2006, to support survivors.",
]


def page(paragraphs=PARAGRAPHS) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html><head><title>The story</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>The story</h1>{body}</article><footer>Copyright</footer></body></html>"
    ).encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}
CHANGED = page([*PARAGRAPHS[:2], "The paragraph about Tarana Burke was rewritten entirely."])


@pytest.fixture
def captured(http_server, make_capture):
    """An article whose page at /story was captured, and the watched row of that address."""

    def make(path: str = "/story", *, url: str | None = None) -> WatchedURL:
        url = url or http_server.url(path)
        article = SourceArticleFactory(published=True, canonical_url=url)
        make_capture(url, page().decode(), article=article, text=extract_text(page(), url))
        return liveness.watch_url(url=url)

    return make


def check(watched: WatchedURL, now=NOW) -> WatchedURL:
    return liveness.watched_url_check(watched_id=watched.pk, now=now)


def queued_captures(watched: WatchedURL) -> int:
    return WebCapture.objects.filter(url_key=watched.url_key, status=CaptureStatus.QUEUED).count()


# --- the states ---------------------------------------------------------------------------


def test_an_address_still_showing_the_captured_text_is_live(http_server, captured):
    http_server.routes["/story"] = Reply(200, page(), HTML)
    watched = check(captured())
    assert watched.state == Liveness.LIVE
    assert watched.last_status == 200 and watched.failures == 0
    assert watched.checked_at == watched.state_since == NOW
    assert queued_captures(watched) == 0


def test_checks_are_sent_with_the_capture_user_agent(http_server, captured, settings):
    settings.CAPTURE_USER_AGENT = "MeTooArchiveBot/test (liveness; archive@example.org)"
    http_server.routes["/story"] = Reply(200, page(), HTML)
    check(captured())
    assert http_server.requests[-1][1]["user-agent"] == settings.CAPTURE_USER_AGENT


def test_an_address_whose_text_changed_is_changed_and_queues_exactly_one_new_capture(
    http_server, captured
):
    http_server.routes["/story"] = Reply(200, CHANGED, HTML)
    watched = captured()
    watched = check(watched)
    assert watched.state == Liveness.CHANGED
    assert queued_captures(watched) == 1
    article = WebCapture.objects.get(url_key=watched.url_key, status=CaptureStatus.QUEUED).article
    assert article is not None and article.canonical_url == watched.url

    check(watched, now=NOW + datetime.timedelta(days=1))  # still changed: no second capture
    assert queued_captures(watched) == 1


def test_a_page_whose_text_differs_on_every_load_is_not_captured_again_and_again(
    http_server, captured
):
    http_server.routes["/story"] = Reply(200, CHANGED, HTML)
    watched = check(captured())
    recapture = WebCapture.objects.get(url_key=watched.url_key, status=CaptureStatus.QUEUED)
    # The new capture ran, and caught yet another version of the page (a clock, a counter).
    WebCapture.objects.filter(pk=recapture.pk).update(
        status=CaptureStatus.DONE, captured_at=NOW, text="Loaded at 09:00:01."
    )
    for day in range(1, 4):
        watched = check(watched, now=NOW + datetime.timedelta(days=day))
    assert watched.state == Liveness.CHANGED
    assert WebCapture.objects.filter(url_key=watched.url_key).count() == 2


def test_a_page_whose_layout_changed_but_not_its_text_is_still_live(http_server, captured):
    relaid = page().replace(b"<footer>Copyright</footer>", b"<aside>Newsletter</aside>")
    http_server.routes["/story"] = Reply(200, relaid.replace(b"<p>", b"<p>\n  "), HTML)
    assert check(captured()).state == Liveness.LIVE


def test_a_redirect_to_another_page_is_moved_records_where_and_queues_a_capture(
    http_server, captured
):
    new_home = http_server.url("/2017/10/story-renamed")
    http_server.routes["/story"] = Reply(301, b"", {"Location": "/2017/10/story-renamed"})
    http_server.routes["/2017/10/story-renamed"] = Reply(200, page(), HTML)
    watched = check(captured())
    assert watched.state == Liveness.MOVED
    assert watched.moved_to == new_home
    assert queued_captures(watched) == 1


def test_a_redirect_to_the_same_address_with_a_slash_is_not_a_move(http_server, captured):
    http_server.routes["/story"] = Reply(301, b"", {"Location": "/story/"})
    http_server.routes["/story/"] = Reply(200, page(), HTML)
    assert check(captured()).state == Liveness.LIVE


def test_a_redirect_to_the_sites_home_page_counts_as_gone(http_server, captured):
    http_server.routes["/story"] = Reply(302, b"", {"Location": "/"})
    http_server.routes["/"] = Reply(
        200, page(["Today's headlines, none of them this story."]), HTML
    )
    watched = check(captured())
    assert watched.state == Liveness.GONE
    assert watched.moved_to == http_server.url("/")
    assert queued_captures(watched) == 0


@pytest.mark.parametrize("status", [404, 410])
def test_not_found_and_gone_answers_are_gone(http_server, captured, status):
    http_server.routes["/story"] = Reply(status, b"<h1>Not here</h1>", HTML)
    watched = check(captured())
    assert watched.state == Liveness.GONE
    assert watched.last_status == status and watched.moved_to == ""
    assert queued_captures(watched) == 0


def test_a_redirect_to_a_page_that_is_not_found_is_gone_and_says_where_it_led(
    http_server, captured
):
    http_server.routes["/story"] = Reply(301, b"", {"Location": "/archive/story"})
    watched = check(captured())
    assert (watched.state, watched.last_status) == (Liveness.GONE, 404)
    assert watched.moved_to == http_server.url("/archive/story")


def test_a_domain_that_no_longer_resolves_is_gone(captured):
    watched = check(captured(url="http://gone.invalid/2017/10/story"))
    assert watched.state == Liveness.GONE
    assert watched.last_status is None and watched.moved_to == ""


def test_a_timeout_is_unreachable_and_stays_unreachable_however_often_it_happens(
    http_server, captured, settings
):
    settings.INGEST_READ_TIMEOUT = 0.2
    http_server.routes["/story"] = Reply(200, page(), HTML, delay=0.6)
    watched = captured()
    for day in range(4):
        watched = check(watched, now=NOW + datetime.timedelta(days=day))
    assert watched.state == Liveness.UNREACHABLE
    assert watched.failures == 4
    assert watched.state_since == NOW


def test_a_server_error_is_unreachable_and_the_next_good_answer_clears_the_failures(
    http_server, captured
):
    http_server.routes["/story"] = [Reply(500, b"oops"), Reply(200, page(), HTML)]
    watched = check(captured())
    assert (watched.state, watched.last_status, watched.failures) == (Liveness.UNREACHABLE, 500, 1)
    watched = check(watched, now=NOW + datetime.timedelta(days=1))
    assert (watched.state, watched.failures) == (Liveness.LIVE, 0)


def test_checks_go_through_the_address_guard(http_server, captured, settings):
    """A captured address whose name now points inside the network is not fetched."""
    watched = captured()
    settings.INGEST_ALLOWED_NETWORKS = []
    http_server.routes["/story"] = Reply(200, page(), HTML)
    watched = check(watched)
    assert watched.state == Liveness.UNREACHABLE
    assert http_server.requests == []


# --- the schedule -------------------------------------------------------------------------


def test_the_interval_doubles_while_nothing_changes_up_to_the_cap_and_a_change_resets_it(
    http_server, captured, settings
):
    settings.LIVENESS_FIRST_HOURS = 24
    settings.LIVENESS_MAX_HOURS = 100
    http_server.routes["/story"] = [Reply(200, page(), HTML)] * 4 + [Reply(200, CHANGED, HTML)]
    watched = captured()
    seen = []
    when = NOW
    for _ in range(5):
        watched = check(watched, now=when)
        seen.append((watched.state, watched.interval_hours))
        assert watched.next_check_at == when + datetime.timedelta(hours=watched.interval_hours)
        when = watched.next_check_at
    assert seen == [
        (Liveness.LIVE, 24),
        (Liveness.LIVE, 48),
        (Liveness.LIVE, 96),
        (Liveness.LIVE, 100),
        (Liveness.CHANGED, 24),
    ]
    assert watched.state_since == NOW + datetime.timedelta(hours=24 + 48 + 96 + 100)


def test_a_new_address_is_first_checked_a_first_interval_after_its_capture(captured, settings):
    settings.LIVENESS_FIRST_HOURS = 6
    capture_time = datetime.datetime(2017, 10, 16, 12, 0, tzinfo=datetime.UTC)
    watched = captured()
    WatchedURL.objects.all().delete()
    assert liveness.watched_urls_ensure() == 1
    watched = WatchedURL.objects.get(url_key=watched.url_key)
    assert watched.state == Liveness.UNCHECKED
    assert watched.next_check_at == capture_time + datetime.timedelta(hours=6)
    assert watched.interval_hours == 6


# --- the beat task ------------------------------------------------------------------------


def test_the_due_task_watches_new_addresses_and_checks_only_a_batch_of_the_due_ones(
    http_server, make_capture, settings
):
    settings.LIVENESS_BATCH_SIZE = 2
    settings.LIVENESS_FIRST_HOURS = 24
    for name in ("a", "b", "c", "d"):
        http_server.routes[f"/{name}"] = Reply(200, page(), HTML)
        url = http_server.url(f"/{name}")
        make_capture(url, page().decode(), text=extract_text(page(), url))
    assert not WatchedURL.objects.exists()

    liveness.watched_urls_ensure()
    rows = {w.url.rsplit("/", 1)[1]: w for w in WatchedURL.objects.all()}
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for offset, name in enumerate(("c", "a", "b")):  # due, oldest first: c, a, b
        rows[name].next_check_at = long_ago + datetime.timedelta(days=offset)
        rows[name].save()
    rows["d"].next_check_at = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)  # not due
    rows["d"].save()

    assert tasks.check_due_urls() == 2
    assert sorted(http_server.paths()) == ["/a", "/c"]
    states = dict(WatchedURL.objects.values_list("url", "state"))
    assert states[http_server.url("/b")] == Liveness.UNCHECKED  # its turn comes next run
    assert states[http_server.url("/d")] == Liveness.UNCHECKED

    assert tasks.check_due_urls() == 1  # b; d is not due
    assert sorted(http_server.paths()) == ["/a", "/b", "/c"]


def test_a_claimed_row_is_not_claimed_again_by_an_overlapping_run(captured):
    watched = captured()
    WatchedURL.objects.filter(pk=watched.pk).update(next_check_at=NOW - datetime.timedelta(hours=1))
    assert liveness.watched_urls_claim_due(limit=10, now=NOW) == [watched.pk]
    assert liveness.watched_urls_claim_due(limit=10, now=NOW) == []


# --- the article page ---------------------------------------------------------------------


def watch_state(url: str, **fields) -> None:
    WatchedURL.objects.update_or_create(url_key=url_key(url), defaults={"url": url, **fields})


def test_the_article_page_shows_the_state_with_its_date_and_links_the_comparison(
    client, make_capture
):
    url = "https://www.example.org/news/metoo.html"
    article = SourceArticleFactory(published=True, canonical_url=url)
    first = make_capture(url, article=article, text="Before.")
    latest = make_capture(
        url, article=article, text="After.", when=NOW - datetime.timedelta(days=30)
    )
    pending = make_capture(url, article=article, text="Pending.", when=NOW)
    WebCapture.objects.filter(pk=pending.pk).update(status=CaptureStatus.QUEUED)
    watch_state(url, state=Liveness.GONE, last_status=410, state_since=NOW, checked_at=NOW)

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Gone</strong> (HTTP 410) since" in html
    assert "2 Dec 2026" in html
    assert reverse("captures:compare", args=[first.pk, latest.pk]) in html
    assert html.count("Captured on") == 2  # the queued capture is not public


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"state": Liveness.LIVE, "checked_at": NOW}, "Live</strong> as of"),
        ({"state": Liveness.CHANGED, "state_since": NOW}, "Changed</strong> since captured on"),
        (
            {
                "state": Liveness.MOVED,
                "moved_to": "https://elsewhere.example/x",
                "state_since": NOW,
            },
            'Moved</strong> to <a href="https://elsewhere.example/x"',
        ),
        ({"state": Liveness.GONE, "state_since": NOW}, "its domain no longer resolves"),
        (
            {
                "state": Liveness.GONE,
                "moved_to": "https://www.example.org/",
                "last_status": 200,
                "state_since": NOW,
            },
            'leads to the site\'s home page, <a href="https://www.example.org/"',
        ),
        ({"state": Liveness.UNREACHABLE, "checked_at": NOW, "failures": 3}, "3 checks in a row"),
    ],
)
def test_the_article_page_says_each_state(client, make_capture, fields, shown):
    url = "https://www.example.org/news/metoo.html"
    article = SourceArticleFactory(published=True, canonical_url=url)
    make_capture(url, article=article)
    watch_state(url, **fields)
    html = client.get(article.get_absolute_url()).content.decode()
    assert shown in html
    assert "2 Dec 2026" in html


def test_the_article_page_shows_captures_in_a_fixed_number_of_queries(client, make_capture):
    url = "https://www.example.org/news/metoo.html"
    article = SourceArticleFactory(published=True, canonical_url=url)
    make_capture(url, article=article)
    with CaptureQueriesContext(connection) as few:
        assert client.get(article.get_absolute_url()).status_code == 200
    for day in range(1, 5):
        make_capture(url, article=article, when=NOW - datetime.timedelta(days=day))
    make_capture("https://other.example.org/copy", article=article)
    watch_state(url, state=Liveness.LIVE, checked_at=NOW)
    with CaptureQueriesContext(connection) as many:
        html = client.get(article.get_absolute_url()).content.decode()
    assert html.count("Captured on") == 6
    assert len(many) == len(few)


def test_the_panel_reads_captures_and_their_liveness_in_one_query(
    make_capture, django_assert_num_queries
):
    article = SourceArticleFactory(published=True)
    for day in range(3):
        url = f"https://www.example.org/news/{day}.html"
        make_capture(url, article=article, when=NOW - datetime.timedelta(days=day))
        watch_state(url, state=Liveness.LIVE, checked_at=NOW)
    with django_assert_num_queries(1):
        panel = liveness.entry_panel(article)
        assert [c.watch_state for c in panel.captures] == [Liveness.LIVE] * 3
        assert panel.previous.captured_at < panel.latest.captured_at
