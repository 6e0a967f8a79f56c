"""The curator's page of an entry lists every web capture of it, pending ones included, and lets a
curator capture a link written in a post: that link and no other address."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.captures.models import CaptureStatus, WebCapture
from apps.captures.storage import url_key
from apps.curation.models import ModerationDecision
from apps.curation.services import CurationError, post_link_capture, post_links
from tests.factories import PostFactory, SourceArticleFactory

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2017, 10, 16, 12, 0, tzinfo=datetime.UTC)
LINK = "https://www.nytimes.com/2017/10/05/us/harvey-weinstein.html"
TEXT = f"Read this: {LINK}. And (https://en.wikipedia.org/wiki/Me_Too_(movement)) ftp://x.org/f"


def capture(status, **fields) -> WebCapture:
    defaults = {"url": LINK, "url_key": url_key(LINK), "status": status}
    return WebCapture.objects.create(**{**defaults, **fields})


def entry_page(client, kind, entry) -> str:
    response = client.get(reverse("curation:entry", args=[kind, entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("kind", ["article", "post"])
def test_a_curator_sees_every_capture_of_a_pending_entry_with_its_state(curator_client, kind):
    entry = SourceArticleFactory() if kind == "article" else PostFactory()
    assert entry.moderation_state == "pending"
    done = capture("done", captured_at=WHEN, http_status=410, **{kind: entry})
    queued = capture("queued", **{kind: entry})
    running = capture("running", **{kind: entry})
    failed = capture("failed", error="The host refused the connection", **{kind: entry})
    other = capture("done", captured_at=WHEN, http_status=200)  # another entry's

    html = entry_page(curator_client, kind, entry)
    for shown in (done, queued, running, failed):
        assert f'id="web-capture-{shown.pk}"' in html
        assert f'href="/captures/{shown.pk}/"' in html
    assert f'id="web-capture-{other.pk}"' not in html
    for label in ("Captured", "Queued", "Capturing", "Failed"):
        assert f">{label}</span>" in html
    assert "The host refused the connection" in html
    assert "<td>410</td>" in html and "16 Oct 2017 12:00" in html


def test_the_entry_page_lists_captures_in_a_fixed_number_of_queries(curator_client):
    post = PostFactory(text=TEXT)
    capture("done", captured_at=WHEN, post=post)
    url = reverse("curation:entry", args=["post", post.pk])
    with CaptureQueriesContext(connection) as one:
        curator_client.get(url)
    for status in ("queued", "running", "failed", "done"):
        capture(status, post=post)
    with CaptureQueriesContext(connection) as many:
        html = curator_client.get(url).content.decode()
    assert html.count('id="web-capture-') == 5
    assert len(many) == len(one)


def test_the_post_page_offers_to_capture_only_the_http_links_of_its_text(curator_client):
    post = PostFactory(text=TEXT + " javascript:alert(1) https://t.co/abc…")
    html = entry_page(curator_client, "post", post)
    assert f'name="url" value="{LINK}"' in html
    assert 'value="https://en.wikipedia.org/wiki/Me_Too_(movement)"' in html
    assert 'value="https://t.co/abc"' in html
    assert "ftp://" not in html.split('id="capture-link-title"')[1].split("</section>")[0]
    assert 'value="javascript:' not in html
    assert html.count("Capture this link") == 3


def test_a_curator_captures_a_link_of_a_post_and_the_audit_log_says_so(curator_client, curator):
    post = PostFactory(text=TEXT)
    response = curator_client.post(
        reverse("curation:post_capture_link", args=[post.pk]), {"url": LINK}, follow=True
    )
    queued = WebCapture.objects.get()
    assert (queued.url, queued.post, queued.status) == (LINK, post, CaptureStatus.QUEUED)
    assert f"A capture of {LINK} was asked for" in response.content.decode()
    note = ModerationDecision.objects.get(entry_kind="post", entry_id=post.pk)
    assert note.actor == curator and note.reason == f"Capture asked: {LINK}"
    assert f'id="web-capture-{queued.pk}"' in response.content.decode()


@pytest.mark.parametrize(
    "forged",
    [
        "http://127.0.0.1:8000/admin/",  # an address of the curator's choosing
        "https://www.nytimes.com/2017/10/05/us/harvey-weinstein.html?x=1",  # near the real one
        "file:///etc/passwd",
        "javascript:alert(document.cookie)",
        "ftp://x.org/f",  # in the text, but not http(s)
        "https://elsewhere.example/only-in-another-post",
    ],
)
def test_a_forged_link_is_refused_and_nothing_is_captured(curator_client, forged):
    PostFactory(text="https://elsewhere.example/only-in-another-post")
    post = PostFactory(text=TEXT)
    response = curator_client.post(
        reverse("curation:post_capture_link", args=[post.pk]), {"url": forged}, follow=True
    )
    assert "Only a link written in the post can be captured." in response.content.decode()
    assert not WebCapture.objects.exists()
    assert not ModerationDecision.objects.exists()


def test_the_service_refuses_a_link_that_is_not_in_the_post_whatever_the_caller(curator):
    post = PostFactory(text=TEXT)
    with pytest.raises(CurationError, match="Only a link written in the post"):
        post_link_capture(post_id=post.pk, url="http://127.0.0.1/secret", actor=curator)
    assert not WebCapture.objects.exists()


def test_a_withdrawn_post_gets_no_new_capture(curator):
    post = PostFactory(text=TEXT, moderation_state="withdrawn")
    with pytest.raises(CurationError, match="withdrawn"):
        post_link_capture(post_id=post.pk, url=LINK, actor=curator)
    assert not WebCapture.objects.exists()


def test_an_address_already_being_captured_is_not_queued_twice(curator_client):
    article = SourceArticleFactory()
    already = capture("queued", article=article)
    post = PostFactory(text=TEXT)
    response = curator_client.post(
        reverse("curation:post_capture_link", args=[post.pk]), {"url": LINK}, follow=True
    )
    assert WebCapture.objects.get() == already
    assert "already being captured" in response.content.decode()


def test_capturing_a_link_needs_the_permission_a_signed_in_session_and_the_csrf_token(
    client, outsider, curator
):
    post = PostFactory(text=TEXT)
    url = reverse("curation:post_capture_link", args=[post.pk])
    assert client.post(url, {"url": LINK})["Location"].startswith(reverse("curation:login"))
    client.force_login(outsider)
    assert client.post(url, {"url": LINK}).status_code == 403
    assert client.get(url).status_code in (403, 405)
    csrf_checked = Client(enforce_csrf_checks=True)
    csrf_checked.force_login(curator)
    assert csrf_checked.post(url, {"url": LINK}).status_code == 403
    assert not WebCapture.objects.exists()


def test_the_links_of_a_text_leave_out_the_punctuation_around_them():
    text = "See https://a.example/x, https://a.example/x! and https://b.example/(y))."
    assert post_links(text) == [
        "https://a.example/x",
        "https://b.example/(y)",
    ]
    assert post_links("“https://c.example/q?a=1&b=2” (https://d.example/p)") == [
        "https://c.example/q?a=1&b=2",
        "https://d.example/p",
    ]
    assert post_links("no links, javascript:alert(1), http://, www.example.org") == []
