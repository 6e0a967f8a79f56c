"""A capture's page on the archive: its facts, what a reader gets without JavaScript, its WACZ
(with byte ranges) and screenshot, and who may see it: everyone when its entry is published, no
one (410) when the entry was withdrawn, curators only when it is pending."""

import datetime
import hashlib
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from apps.captures.models import FileKind
from apps.captures.storage import capture_dir, record_file
from tests.factories import PostFactory, SourceArticleFactory, public_change

pytestmark = pytest.mark.django_db

URL = "https://news.example.org/2017/10/metoo.html"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def with_screenshot(capture):
    path = capture_dir(capture) / "screenshot.png"
    path.write_bytes(PNG)
    record_file(capture, FileKind.SCREENSHOT, path)
    return capture


@pytest.fixture
def article():
    return SourceArticleFactory(published=True, title="Women say #MeToo", canonical_url=URL)


@pytest.fixture
def capture(make_capture, article):
    capture = make_capture(
        URL, article=article, text="First paragraph.\n\nSecond paragraph about #MeToo."
    )
    capture.final_url = URL + "?amp=1"
    capture.save(update_fields=["final_url"])
    return with_screenshot(capture)


@pytest.fixture
def curator_client(client, django_user_model):
    call_command("curation_groups", stdout=io.StringIO())
    carla = django_user_model.objects.create_user("carla", password="x" * 20)
    carla.groups.add(Group.objects.get(name="Curator"))
    client.force_login(carla)
    return client


def set_state(entry, state):
    entry.moderation_state = state
    entry.save(update_fields=["moderation_state"])
    public_change(entry)


def wacz_bytes(capture) -> bytes:
    return (settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path).read_bytes()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- the page --------------------------------------------------------------------------------


def test_the_banner_gives_address_time_status_final_address_fixity_and_entry(client, capture):
    response = client.get(f"/captures/{capture.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{URL}"' in html
    assert '<time datetime="2017-10-16T12:00:00Z">16 October 2017, 12:00:00 UTC</time>' in html
    assert "<dt>HTTP status</dt>\n      <dd>200</dd>" in html
    assert URL + "?amp=1" in html
    assert capture.file(FileKind.WACZ).sha256 in html
    assert capture.payload_digest in html
    assert f'<a href="/articles/{capture.article_id}/">Women say #MeToo</a>' in html
    assert f'href="/captures/{capture.pk}/capture.wacz"' in html


def test_without_javascript_a_reader_gets_the_screenshot_the_text_and_the_wacz(client, capture):
    html = client.get(f"/captures/{capture.pk}/").content.decode()
    outside_the_frame = re.sub(r"<iframe.*?</iframe>", "", html, flags=re.S)
    assert f'src="/captures/{capture.pk}/screenshot.png"' in outside_the_frame
    assert "<p>Second paragraph about #MeToo.</p>" in outside_the_frame
    assert f'href="/captures/{capture.pk}/capture.wacz" download' in outside_the_frame


def test_the_replay_is_a_sandboxed_titled_frame_from_the_replay_origin(client, capture):
    html = client.get(f"/captures/{capture.pk}/").content.decode()
    frames = re.findall(r"<iframe[^>]*>", html)
    assert len(frames) == 1
    assert f'src="http://replay.localhost/replay/{capture.pk}/"' in frames[0]
    assert 'sandbox="allow-scripts allow-same-origin allow-forms"' in frames[0]
    assert 'title="Replay of the captured page' in frames[0]


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_the_page_may_frame_the_replay_origin_and_nothing_else(client, capture):
    directives = policy(client.get(f"/captures/{capture.pk}/"))
    assert directives["frame-src"] == "http://replay.localhost"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_in_production_the_page_frames_the_configured_replay_origin(client, capture, settings):
    settings.REPLAY_ORIGIN = "https://replay.archive.example.org"
    settings.REPLAY_HOST = "replay.archive.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "replay.archive.example.org"]
    response = client.get(f"/captures/{capture.pk}/")
    assert policy(response)["frame-src"] == "https://replay.archive.example.org"
    assert f'src="https://replay.archive.example.org/replay/{capture.pk}/"' in (
        response.content.decode()
    )


def test_other_public_captures_of_the_address_are_listed_and_unpublished_ones_are_not(
    client, capture, make_capture
):
    later = make_capture(
        "https://NEWS.example.org/2017/10/metoo.html",
        article=SourceArticleFactory(published=True),
        when=datetime.datetime(2018, 1, 2, 3, 4, tzinfo=datetime.UTC),
    )
    pending = make_capture(URL, article=SourceArticleFactory())
    elsewhere = make_capture("https://other.example.org/", article=capture.article)
    html = client.get(f"/captures/{capture.pk}/").content.decode()
    assert f'href="/captures/{later.pk}/"' in html
    assert "2 January 2018, 03:04 UTC" in html
    assert f'href="/captures/{pending.pk}/"' not in html
    assert f'href="/captures/{elsewhere.pk}/"' not in html


def test_the_page_is_a_memento(client, capture):
    response = client.get(f"/captures/{capture.pk}/")
    assert response["Memento-Datetime"] == "Mon, 16 Oct 2017 12:00:00 GMT"
    assert f'<{URL}>; rel="original"' in response["Link"]


def test_the_public_page_costs_the_same_queries_however_many_captures_the_address_has(
    client, capture, make_capture, django_assert_num_queries
):
    # the capture with its entry; its files; the other captures; the Memento landmarks
    with django_assert_num_queries(4):
        assert client.get(f"/captures/{capture.pk}/").status_code == 200
    for day in range(1, 4):
        make_capture(
            URL,
            article=SourceArticleFactory(published=True),
            when=datetime.datetime(2018, 1, day, tzinfo=datetime.UTC),
        )
    with django_assert_num_queries(4):
        assert client.get(f"/captures/{capture.pk}/").status_code == 200


def test_a_post_s_capture_names_the_post_as_its_page_does(client, make_capture):
    post = PostFactory(published=True, account__handle="someone", account__is_public_figure=True)
    capture = make_capture("https://blog.example.org/story", post=post)
    html = client.get(f"/captures/{capture.pk}/").content.decode()
    assert f'<a href="/posts/{post.pk}/">Post by @someone</a>' in html


def test_a_private_person_s_post_s_capture_is_not_public(client, make_capture):
    # Its address could name them (apps.captures.models.WebCaptureQuerySet.public).
    post = PostFactory(published=True, account__handle="someone", account__is_public_figure=False)
    capture = make_capture("https://social.example.org/@someone/1", post=post)
    assert client.get(f"/captures/{capture.pk}/").status_code == 404
    assert client.get(f"/replay/{capture.pk}/", HTTP_HOST="replay.localhost").status_code == 404


# --- the WACZ and the screenshot -------------------------------------------------------------


def test_the_wacz_downloads_whole_with_its_type_name_and_sha256(client, capture):
    response = client.get(f"/captures/{capture.pk}/capture.wacz")
    data = wacz_bytes(capture)
    assert response.status_code == 200
    assert body(response) == data
    assert response["Content-Type"] == "application/wacz"
    assert response["Content-Disposition"] == f'attachment; filename="capture-{capture.pk}.wacz"'
    assert response["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize(
    ("asked", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-100", -100, None),
        ("bytes=10-999999999", 10, None),
        ("bytes=-999999999", 0, None),
    ],
)
def test_a_range_of_the_wacz_answers_206_with_those_bytes(client, capture, asked, first, last):
    data = wacz_bytes(capture)
    expected = data[first : (last + 1 if last is not None else None)]
    start = first if first >= 0 else len(data) + first
    response = client.get(f"/captures/{capture.pk}/capture.wacz", HTTP_RANGE=asked)
    assert response.status_code == 206
    assert body(response) == expected
    assert response["Content-Range"] == f"bytes {start}-{start + len(expected) - 1}/{len(data)}"
    assert response["Content-Length"] == str(len(expected))


@pytest.mark.parametrize("asked", ["bytes={size}-", "bytes={size}-{size}", "bytes=-0"])
def test_a_range_beyond_the_wacz_answers_416(client, capture, asked):
    size = len(wacz_bytes(capture))
    response = client.get(
        f"/captures/{capture.pk}/capture.wacz", HTTP_RANGE=asked.format(size=size)
    )
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"


@pytest.mark.parametrize("asked", ["bytes=5-2", "bytes=0-1,5-9", "items=0-9", "bytes=x-y"])
def test_a_range_it_does_not_serve_gets_the_whole_file(client, capture, asked):
    response = client.get(f"/captures/{capture.pk}/capture.wacz", HTTP_RANGE=asked)
    assert response.status_code == 200
    assert body(response) == wacz_bytes(capture)


def test_a_range_for_an_older_version_gets_the_whole_file(client, capture):
    response = client.get(
        f"/captures/{capture.pk}/capture.wacz", HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"older"'
    )
    assert response.status_code == 200
    assert body(response) == wacz_bytes(capture)


def test_a_client_holding_the_wacz_revalidates_with_its_etag(client, capture):
    etag = f'"{capture.file(FileKind.WACZ).sha256}"'
    response = client.get(f"/captures/{capture.pk}/capture.wacz", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["Cache-Control"] == "no-cache"


def test_head_gives_the_wacz_s_length_without_its_bytes(client, capture):
    response = client.head(f"/captures/{capture.pk}/capture.wacz", HTTP_RANGE="bytes=0-9")
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_the_screenshot_is_served_as_png(client, capture):
    response = client.get(f"/captures/{capture.pk}/screenshot.png")
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["ETag"] == f'"{hashlib.sha256(PNG).hexdigest()}"'


def test_a_capture_without_a_screenshot_has_none_to_serve_or_show(client, make_capture, article):
    capture = make_capture(URL, article=article)
    assert client.get(f"/captures/{capture.pk}/screenshot.png").status_code == 404
    assert "screenshot.png" not in client.get(f"/captures/{capture.pk}/").content.decode()


def test_a_capture_s_files_can_never_run_as_a_page_of_the_archive(client, capture):
    for path in ("capture.wacz", "screenshot.png"):
        response = client.get(f"/captures/{capture.pk}/{path}")
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert response["X-Content-Type-Options"] == "nosniff"


# --- who may see it --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "capture.wacz", "screenshot.png"])
def test_a_withdrawn_entry_s_capture_is_gone(client, capture, path):
    set_state(capture.article, "withdrawn")
    response = client.get(f"/captures/{capture.pk}/{path}")
    assert response.status_code == 410
    assert "This entry has been withdrawn" in response.content.decode()
    assert capture.text not in response.content.decode()


@pytest.mark.parametrize("path", ["", "capture.wacz", "screenshot.png"])
def test_a_pending_entry_s_capture_is_not_found_by_the_public(client, capture, path):
    set_state(capture.article, "pending")
    assert client.get(f"/captures/{capture.pk}/{path}").status_code == 404


@pytest.mark.parametrize("path", ["", "capture.wacz", "screenshot.png"])
def test_a_capture_of_no_entry_is_not_public(client, make_capture, path):
    capture = with_screenshot(make_capture(URL))
    assert client.get(f"/captures/{capture.pk}/{path}").status_code == 404


def test_a_curator_sees_a_pending_entry_s_capture_without_its_replay(curator_client, capture):
    set_state(capture.article, "pending")
    response = curator_client.get(f"/captures/{capture.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<iframe" not in html
    assert "shown to curators only" in html
    assert f'src="/captures/{capture.pk}/screenshot.png"' in html
    assert response["Cache-Control"] == "private, no-store"
    assert "Memento-Datetime" not in response
    wacz = curator_client.get(f"/captures/{capture.pk}/capture.wacz")
    assert wacz.status_code == 200
    assert wacz["Cache-Control"] == "private, no-store"


def test_a_curator_s_password_alone_shows_no_pending_capture(curator_client, capture, settings):
    settings.CURATOR_REQUIRE_2FA = True
    set_state(capture.article, "pending")
    assert curator_client.get(f"/captures/{capture.pk}/").status_code == 404


def test_a_signed_in_reader_without_the_permission_sees_no_pending_capture(
    client, capture, django_user_model
):
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 20))
    set_state(capture.article, "pending")
    assert client.get(f"/captures/{capture.pk}/").status_code == 404


def test_an_unknown_id_and_one_beyond_the_database_s_range_are_not_found(client):
    assert client.get(reverse("captures:detail", args=[10**17])).status_code == 404
    assert client.get("/captures/" + "9" * 30 + "/").status_code == 404


def test_an_article_s_page_and_a_post_s_page_link_to_their_public_captures(
    client, capture, make_capture
):
    post = PostFactory(published=True, account__is_public_figure=True)
    of_post = make_capture("https://blog.example.org/story", post=post)
    article_page = client.get(capture.article.get_absolute_url()).content.decode()
    assert f'href="/captures/{capture.pk}/"' in article_page
    assert f'href="/captures/{of_post.pk}/"' in client.get(post.get_absolute_url()).content.decode()
