"""The replay origin: a host of its own (replay.localhost in development) that serves the embed
page, ReplayWeb.page's files and public WACZs, and nothing else; that takes and sets no cookie;
that only the archive's pages may frame; while the archive's own hosts serve no replay path."""

import hashlib
import io
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from apps.captures.models import FileKind
from tests.factories import SourceArticleFactory, public_change

pytestmark = pytest.mark.django_db

URL = "https://news.example.org/2017/10/metoo.html"
REPLAY = "replay.localhost"
ENGINE = settings.BASE_DIR / "static" / "vendor" / "replaywebpage"


@pytest.fixture
def capture(make_capture):
    return make_capture(URL, article=SourceArticleFactory(published=True))


def on_replay(client, path, **extra):
    return client.get(path, HTTP_HOST=REPLAY, **extra)


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_embed_page_hands_the_capture_to_replayweb_page(client, capture):
    response = on_replay(client, f"/replay/{capture.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    element = re.search(r"<replay-web-page [^>]*>", html).group(0)
    assert f'source="/replay/{capture.pk}/capture.wacz"' in element
    assert f'url="{URL}"' in element
    assert 'ts="20171016120000"' in element
    assert 'replayBase="/replay/sw/"' in element
    assert '<script src="/replay/sw/ui.js"></script>' in html
    assert '<script src="/replay/embed.js" defer></script>' in html
    assert f'<template id="replay">{element}' in html  # started once the worker is active


def test_the_replay_origin_serves_the_capture_s_wacz_by_ranges(client, capture):
    data = (settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path).read_bytes()
    response = on_replay(client, f"/replay/{capture.pk}/capture.wacz", HTTP_RANGE="bytes=-22")
    assert response.status_code == 206
    assert body(response) == data[-22:]
    assert response["Content-Range"] == f"bytes {len(data) - 22}-{len(data) - 1}/{len(data)}"


def test_the_replay_origin_serves_its_own_starter_script(client):
    response = on_replay(client, "/replay/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert body(response) == (settings.BASE_DIR / "static/captures/replay-embed.js").read_bytes()


@pytest.mark.parametrize("name", ["ui.js", "sw.js"])
def test_the_replay_origin_serves_replayweb_page_as_vendored(client, name):
    response = on_replay(client, f"/replay/sw/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    served = body(response)
    assert served == (ENGINE / name).read_bytes()
    assert f"{name}  sha256 {hashlib.sha256(served).hexdigest()}" in (
        (ENGINE / "VERSION").read_text()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/captures/{pk}/",
        "/captures/{pk}/capture.wacz",
        "/curate/",
        "/admin/login/",
        "/static/css/site.css",
        "/healthz",
        "/replay/",
        "/replay/sw/index.js",
        "/replay/site.css",
    ],
)
def test_the_replay_host_serves_nothing_but_replay(client, capture, path):
    response = on_replay(client, path.format(pk=capture.pk))
    assert response.status_code == 404
    assert "frame-ancestors" in policy(response)


@pytest.mark.parametrize(
    "path",
    [
        "/replay/{pk}/",
        "/replay/{pk}/capture.wacz",
        "/replay/sw/sw.js",
        "/replay/sw/ui.js",
        "/static/vendor/replaywebpage/sw.js",
        "/static/vendor/replaywebpage/ui.js",
    ],
)
def test_the_archive_s_hosts_serve_no_replay_path(client, capture, path):
    for host in ("testserver", "127.0.0.1", "localhost"):
        assert client.get(path.format(pk=capture.pk), HTTP_HOST=host).status_code == 404


@pytest.fixture
def static_files_served(settings):
    """Static files found where development finds them (whitenoise), so that the next test's
    404s are the protection's doing."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


def test_static_files_are_the_archive_s_alone_and_the_replay_engine_the_replay_s_alone(
    client, static_files_served
):
    assert client.get("/static/css/site.css").status_code == 200  # the archive's own
    assert client.get("/static/css/site.css", HTTP_HOST=REPLAY).status_code == 404
    assert client.get("/static/vendor/replaywebpage/sw.js").status_code == 404
    assert client.get("/static/vendor/replaywebpage/sw.js", HTTP_HOST=REPLAY).status_code == 404
    assert client.get("/replay/sw/sw.js", HTTP_HOST=REPLAY).status_code == 200


def test_the_replay_host_s_policy_runs_only_its_own_script_framed_by_the_archive_only(
    client, capture
):
    for path in (f"/replay/{capture.pk}/", "/replay/sw/sw.js"):
        directives = policy(on_replay(client, path))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"
        assert directives["worker-src"] == "'self'"
        assert directives["connect-src"] == "'self'"
        assert set(directives["frame-ancestors"].split()) == {
            "http://127.0.0.1",
            "http://localhost",
            "http://testserver",
        }  # not [::1]: CSP has no source expression for an IPv6 address
        assert "unsafe-eval" not in directives["script-src"]


def test_the_embed_page_may_be_framed_by_its_policy_alone(client, capture):
    response = on_replay(client, f"/replay/{capture.pk}/")
    assert "X-Frame-Options" not in response
    assert response["Referrer-Policy"] == "no-referrer"


def test_in_production_only_the_archive_s_origin_may_frame_the_replay(client, capture, settings):
    settings.SITE_URL = "https://archive.example.org"
    settings.REPLAY_ORIGIN = "https://replay.archive.example.org"
    settings.REPLAY_HOST = "replay.archive.example.org"
    settings.ALLOWED_HOSTS = ["archive.example.org", "replay.archive.example.org"]
    response = client.get(f"/replay/{capture.pk}/", HTTP_HOST="replay.archive.example.org")
    assert response.status_code == 200
    assert policy(response)["frame-ancestors"] == "https://archive.example.org"
    on_archive = client.get(f"/replay/{capture.pk}/", HTTP_HOST="archive.example.org")
    assert on_archive.status_code == 404


@pytest.fixture
def curator_client(client, django_user_model):
    call_command("curation_groups", stdout=io.StringIO())
    carla = django_user_model.objects.create_user("carla", password="x" * 20)
    carla.groups.add(Group.objects.get(name="Curator"))
    client.force_login(carla)
    return client


def test_the_replay_host_ignores_the_archive_s_session_and_sets_no_cookie(curator_client, capture):
    capture.article.moderation_state = "pending"
    capture.article.save(update_fields=["moderation_state"])
    public_change(capture.article)
    curator_client.cookies["csrftoken"] = "a" * 32
    for path in (f"/replay/{capture.pk}/", f"/replay/{capture.pk}/capture.wacz"):
        response = on_replay(curator_client, path)
        assert response.status_code == 404  # the curator's session does not count here
        assert not response.cookies
    response = on_replay(curator_client, "/replay/sw/sw.js")
    assert response.status_code == 200
    assert not response.cookies


def test_a_cookie_sent_to_the_replay_host_is_neither_read_nor_answered(client, capture):
    # Django answers a session cookie it cannot find with a Set-Cookie that deletes it; here the
    # cookie is not even looked at.
    client.cookies["sessionid"] = "bad"
    for path in (f"/replay/{capture.pk}/", "/replay/sw/ui.js", "/nothing-here"):
        response = on_replay(client, path)
        assert not response.cookies, path
        assert "Cookie" not in response.get("Vary", "")


@pytest.mark.parametrize("path", ["/replay/{pk}/", "/replay/{pk}/capture.wacz"])
def test_a_withdrawn_entry_s_capture_is_gone_from_the_replay_origin(client, capture, path):
    capture.article.moderation_state = "withdrawn"
    capture.article.save(update_fields=["moderation_state"])
    public_change(capture.article)
    response = on_replay(client, path.format(pk=capture.pk))
    assert response.status_code == 410
    assert "This entry has been withdrawn" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies


def test_a_pending_entry_s_capture_is_not_replayed(client, make_capture):
    capture = make_capture(URL, article=SourceArticleFactory())
    assert on_replay(client, f"/replay/{capture.pk}/").status_code == 404
    assert on_replay(client, f"/replay/{capture.pk}/capture.wacz").status_code == 404
