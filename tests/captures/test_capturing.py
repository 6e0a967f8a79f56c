"""Capturing pages over real HTTP from a server on 127.0.0.1: requisites, redirects, error
answers, slow and huge pages, the bounds, the address guard, one capture of an address at a
time, and a screenshot rendered by Chromium from the captured records alone."""

import gzip
import hashlib
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from warcio.archiveiterator import ArchiveIterator

from apps.captures import capturing
from apps.captures.models import CaptureFile, CaptureStatus, FileKind, WebCapture
from apps.captures.services import capture_run, capture_url
from apps.captures.storage import validate_wacz
from apps.core.fetching import TransientFetchError
from tests.captures.conftest import Reply

pytestmark = pytest.mark.django_db

HTML = {"Content-Type": "text/html; charset=utf-8"}
CSS = {"Content-Type": "text/css"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

ARTICLE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8"><title>  Harvey Weinstein Paid Off
  Sexual Harassment Accusers </title>
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/favicon.ico">
<link rel="preload" as="font" href="/static/fonts/serif.woff2" crossorigin>
<script src="/static/app.js" defer></script>
</head><body>
<header><img src="/img/logo.png" alt="The Paper"></header>
<article>
<h1>Harvey Weinstein Paid Off Sexual Harassment Accusers for Decades</h1>
<img src="/img/photo.jpg" srcset="/img/photo-640.jpg 640w, /img/photo-1280.jpg 1280w"
     alt="A photograph">
<p>An investigation found previously undisclosed allegations against the producer stretching
back nearly three decades, documented through interviews, legal records and emails.</p>
<p>Dozens of former and current employees said they knew of inappropriate conduct while they
worked for him, and only a handful said they ever confronted him about it.</p>
<video poster="/media/poster.jpg"><source src="/media/clip.mp4" type="video/mp4"></video>
<a href="/other-story.html">Another story</a>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
</article></body></html>"""

SITE_CSS = b"""@import "print.css";
/* url(/commented-out.png) is not a requisite */
body { background: url('../img/paper.png') repeat; }
@font-face { font-family: Serif; src: url(fonts/serif.woff2) format("woff2"); }
.hero { background-image: url("data:image/png;base64,AAAA"); }"""


def serve_article(server, page="/news/weinstein.html", body=ARTICLE):
    server.routes[page] = Reply(body=body.encode(), headers=HTML)
    server.routes["/static/site.css"] = Reply(body=SITE_CSS, headers=CSS)
    server.routes["/static/print.css"] = Reply(
        body=b"@import 'deeper.css'; h1 { background: url(/img/print.png) }", headers=CSS
    )
    server.routes["/static/deeper.css"] = Reply(body=b"p { color: red }", headers=CSS)
    for path in [
        "/favicon.ico", "/img/logo.png", "/img/photo.jpg", "/img/photo-640.jpg",
        "/img/photo-1280.jpg", "/img/paper.png", "/img/print.png", "/media/poster.jpg",
    ]:  # fmt: skip
        server.routes[path] = Reply(body=PNG, headers={"Content-Type": "image/png"})
    server.routes["/static/fonts/serif.woff2"] = Reply(body=b"wOF2" + b"\0" * 100)
    server.routes["/static/app.js"] = Reply(
        body=b"document.title += '';", headers={"Content-Type": "text/javascript"}
    )
    server.routes["/media/clip.mp4"] = Reply(body=b"\0\0\0\x18ftypmp42")
    return server.url(page)


def warc_responses(capture) -> list:
    path = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    found = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                found.append(
                    (
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.http_headers,
                        record.content_stream().read(),
                    )
                )
    return found


def test_a_page_is_captured_with_its_styles_fonts_images_scripts_and_media(http_server):
    url = serve_article(http_server)
    capture = capture_url(url=url)

    assert capture.status == CaptureStatus.DONE, capture.error
    assert capture.http_status == 200 and capture.final_url == url
    assert capture.title == "Harvey Weinstein Paid Off Sexual Harassment Accusers"
    assert "undisclosed allegations" in capture.text
    assert capture.text_sha256 == hashlib.sha256(capture.text.encode()).hexdigest()
    assert capture.user_agent == settings.CAPTURE_USER_AGENT
    assert capture.content_type.startswith("text/html")
    assert capture.captured_at is not None and capture.attempts == 1
    stored = {uri.removeprefix(http_server.url("")) for uri, _, _ in warc_responses(capture)}
    assert stored == {
        "/news/weinstein.html", "/static/site.css", "/favicon.ico", "/static/fonts/serif.woff2",
        "/static/app.js", "/img/logo.png", "/img/photo.jpg", "/img/photo-640.jpg",
        "/img/photo-1280.jpg", "/media/poster.jpg", "/media/clip.mp4", "/static/print.css",
        "/img/paper.png", "/img/print.png",
    }  # fmt: skip
    assert capture.resource_count == 13
    assert capture.resources_skipped == 1  # deeper.css: an @import two levels down
    assert "/other-story.html" not in http_server.paths()  # a link is not a requisite
    assert "/commented-out.png" not in http_server.paths()
    assert capture.total_bytes == sum(len(body) for _, _, body in warc_responses(capture))
    assert capture.payload_digest.startswith("sha1:")
    agents = {headers["user-agent"] for _, headers in http_server.requests}
    assert agents == {settings.CAPTURE_USER_AGENT}


def test_the_files_pass_warcio_check_and_the_wacz_validator(http_server):
    capture = capture_url(url=serve_article(http_server))
    warc = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(warc)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest fail" not in check.stdout
    assert validate_wacz(settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path)
    for stored in capture.files.all():
        data = (settings.WEB_CAPTURE_DIR / stored.path).read_bytes()
        assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_a_compressed_page_is_stored_decoded_with_its_original_coding_noted(http_server):
    page = b"<html><head><title>Zipped</title></head><body><p>Inflated.</p></body></html>"
    http_server.routes["/zipped.html"] = Reply(
        body=gzip.compress(page), headers={**HTML, "Content-Encoding": "gzip"}
    )
    capture = capture_url(url=http_server.url("/zipped.html"))
    ((_, headers, body),) = warc_responses(capture)
    assert body == page
    assert headers.get_header("Content-Encoding") is None
    assert headers.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert headers.get_header("Content-Length") == str(len(page))


def test_each_redirect_hop_is_recorded_and_the_final_address_kept(http_server):
    http_server.routes["/2017/10/05/story"] = Reply(301, headers={"Location": "/moved/story"})
    http_server.routes["/moved/story"] = Reply(302, headers={"Location": "/news/weinstein.html"})
    final = serve_article(http_server)
    capture = capture_url(url=http_server.url("/2017/10/05/story"))
    assert capture.status == CaptureStatus.DONE
    assert capture.url == http_server.url("/2017/10/05/story")
    assert capture.final_url == final and capture.http_status == 200
    hops = [(uri, headers.get_statuscode()) for uri, headers, _ in warc_responses(capture)][:3]
    assert hops == [
        (http_server.url("/2017/10/05/story"), "301"),
        (http_server.url("/moved/story"), "302"),
        (final, "200"),
    ]


@pytest.mark.parametrize("status", [404, 410])
def test_a_gone_page_is_kept_as_a_capture_of_its_status(http_server, status):
    http_server.routes["/deleted.html"] = Reply(
        status, b"<html><title>Not here</title><body><p>This story was removed.</p></body></html>"
    )
    capture = capture_url(url=http_server.url("/deleted.html"))
    assert capture.status == CaptureStatus.DONE
    assert capture.http_status == status
    ((_, headers, body),) = warc_responses(capture)
    assert headers.get_statuscode() == str(status) and b"removed" in body


def test_a_slow_page_fails_with_a_clear_error_and_nothing_is_written(http_server):
    http_server.routes["/slow.html"] = Reply(body=b"<html></html>", delay=2.5)
    capture = capture_url(url=http_server.url("/slow.html"))
    assert capture.status == CaptureStatus.FAILED
    assert "timed out" in capture.error and "/slow.html" in capture.error
    assert not CaptureFile.objects.exists()
    assert not settings.WEB_CAPTURE_DIR.exists() or not any(settings.WEB_CAPTURE_DIR.rglob("*.*"))


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_a_page_over_the_byte_cap_is_refused_while_it_arrives(http_server, settings, declared):
    settings.CAPTURE_MAX_TOTAL_BYTES = 100_000
    http_server.routes["/huge.html"] = Reply(
        body=b"<html><body>" + b"<p>me too</p>" * 200_000, headers=HTML, length=declared
    )
    capture = capture_url(url=http_server.url("/huge.html"))
    assert capture.status == CaptureStatus.FAILED
    assert "over the 100,000-byte limit" in capture.error
    assert not CaptureFile.objects.exists()


def test_a_page_too_large_to_read_is_kept_without_its_text(http_server, monkeypatch):
    monkeypatch.setattr(capturing, "TEXT_MAX_BYTES", 1_000)
    capture = capture_url(url=serve_article(http_server))
    assert capture.status == CaptureStatus.DONE
    assert capture.text == "" and capture.text_sha256 == ""
    assert capture.title and capture.resource_count == 13


def test_requisites_past_the_count_bound_are_counted_and_not_fetched(http_server, settings):
    settings.CAPTURE_MAX_RESOURCES = 3
    images = "".join(f'<img src="/img/{n}.png">' for n in range(8))
    http_server.routes["/gallery.html"] = Reply(body=f"<html>{images}</html>".encode())
    for n in range(8):
        http_server.routes[f"/img/{n}.png"] = Reply(body=PNG)
    capture = capture_url(url=http_server.url("/gallery.html"))
    assert capture.status == CaptureStatus.DONE
    assert (capture.resource_count, capture.resources_skipped) == (3, 5)
    assert http_server.paths() == ["/gallery.html", "/img/0.png", "/img/1.png", "/img/2.png"]


def test_requisites_past_the_byte_bound_are_counted_and_not_kept(http_server, settings):
    settings.CAPTURE_MAX_TOTAL_BYTES = 25_000
    images = "".join(f'<img src="/img/{n}.jpg">' for n in range(5))
    http_server.routes["/gallery.html"] = Reply(body=f"<html>{images}</html>".encode())
    for n in range(5):
        http_server.routes[f"/img/{n}.jpg"] = Reply(body=b"J" * 10_000)
    capture = capture_url(url=http_server.url("/gallery.html"))
    assert capture.status == CaptureStatus.DONE
    assert capture.total_bytes <= 25_000
    assert capture.resource_count == 2
    assert capture.resources_skipped == 3


def test_a_page_on_a_private_address_is_refused_before_any_request(http_server, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    url = serve_article(http_server)
    capture = capture_url(url=url)
    assert capture.status == CaptureStatus.FAILED
    assert "not a public address" in capture.error
    assert http_server.requests == []


def test_a_requisite_on_a_private_address_is_left_out(http_server, caplog):
    caplog.set_level(logging.INFO, logger="apps.captures.capturing")
    page = f'<html><img src="http://127.0.0.2:{http_server.port}/router-admin.png"></html>'
    http_server.routes["/page.html"] = Reply(body=page.encode(), headers=HTML)
    capture = capture_url(url=http_server.url("/page.html"))
    assert capture.status == CaptureStatus.DONE
    assert (capture.resource_count, capture.resources_skipped) == (0, 1)
    assert "refused to connect to 127.0.0.2" in caplog.text


def test_a_server_error_is_retried_by_the_task_and_fails_the_command(http_server):
    http_server.routes["/broken.html"] = Reply(500, b"oops")
    capture = capture_url(url=http_server.url("/broken.html"))
    assert capture.status == CaptureStatus.FAILED and "HTTP 500" in capture.error

    queued = WebCapture.objects.create(url=capture.url, url_key=capture.url_key)
    with pytest.raises(TransientFetchError):
        capture_run(capture_id=queued.pk, retry_transient=True)
    queued.refresh_from_db()
    assert queued.status == CaptureStatus.QUEUED and queued.attempts == 1
    assert "HTTP 500" in queued.error


def test_only_http_addresses_a_page_loads_are_requisites():
    html = """<base href="https://cdn.example.org/a/">
    <link rel="stylesheet" href="s.css"><link rel="alternate" href="/feed.xml">
    <link rel="apple-touch-icon" href="touch.png"><link rel="mask-icon" href="mask.svg">
    <img src="ftp://example.org/x.png"><img src="javascript:alert(1)"><img src="x.png#top">
    <img srcset="one,1.png 1x, two.png 2x,three.png (max-width: 10px, 1x) 3x">
    <input type="image" src="button.png"><input type="text" src="no.png">
    <iframe src="https://ads.example.org/"></iframe><div style="background:url(bg.gif)"></div>
    <style>h1 { background: url("/h1.png") }</style><title>Mixed &amp; matched</title>"""
    found = capturing.find_requisites(html, "https://www.example.org/news/")
    assert found.title == "Mixed & matched"
    base = "https://cdn.example.org/a/"
    assert found.urls == [
        base + "s.css", base + "touch.png", base + "mask.svg", base + "x.png",
        base + "one,1.png", base + "two.png", base + "three.png", base + "button.png",
        base + "bg.gif", "https://cdn.example.org/h1.png",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_captures_of_one_address_never_run_at_once(http_server, monkeypatch):
    """The second finds the first holding the address's lock and gives up cleanly."""
    http_server.routes["/page.html"] = Reply(body=b"<html><p>Slowly</p></html>", delay=0.6)
    url = http_server.url("/page.html")
    holding = threading.Event()
    results = []

    def first():
        try:
            results.append(capture_url(url=url))
        finally:
            connection.close()

    original = capturing.fetch_hops

    def signalling_fetch(*args, **kwargs):
        holding.set()  # the first capture holds the address's lock from here on
        return original(*args, **kwargs)

    monkeypatch.setattr(capturing, "fetch_hops", signalling_fetch)
    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    second = capture_url(url=url)
    thread.join(20)
    (done,) = results
    assert done.status == CaptureStatus.DONE
    assert second.status == CaptureStatus.FAILED
    assert "another capture" in second.error and second.attempts == 0
    assert http_server.paths() == ["/page.html"]


# --- screenshots --------------------------------------------------------------------------

TRAP = """<!doctype html><html><head><title>Trap</title>
<link rel="stylesheet" href="/site.css"></head>
<body><h1>Captured</h1><img src="/img/photo.png">
<img src="/never-captured.png" onerror="fetch('/beacon?onerror=' + document.cookie)">
<script>
fetch('http://127.0.0.1:PORT/beacon?script=1').catch(() => {});
fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});
try { new WebSocket('ws://127.0.0.1:PORT/socket'); } catch (e) {}
navigator.sendBeacon && navigator.sendBeacon('/beacon?sendbeacon=1', 'x');
</script></body></html>"""


@pytest.mark.e2e
def test_a_screenshot_is_rendered_from_the_captured_records_and_chromium_never_goes_online(
    http_server, settings
):
    settings.CAPTURE_CHROMIUM = "/usr/bin/chromium"
    http_server.routes["/trap.html"] = Reply(
        body=TRAP.replace("PORT", str(http_server.port)).encode(), headers=HTML
    )
    http_server.routes["/site.css"] = Reply(body=b"body { background: #c00 }", headers=CSS)
    http_server.routes["/img/photo.png"] = Reply(body=PNG, headers={"Content-Type": "image/png"})
    http_server.routes["/never-captured.png"] = Reply(404, b"no")
    capture = capture_url(url=http_server.url("/trap.html"))

    assert capture.status == CaptureStatus.DONE, capture.error
    screenshot = capture.file(FileKind.SCREENSHOT)
    assert screenshot is not None
    png = (settings.WEB_CAPTURE_DIR / screenshot.path).read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and screenshot.size == len(png)
    assert int.from_bytes(png[16:20], "big") == 1280  # the IHDR's width
    # Only the fetcher ever asked: Chromium was served from the records and refused the rest.
    assert {headers["user-agent"] for _, headers in http_server.requests} == {
        settings.CAPTURE_USER_AGENT
    }
    assert sorted(http_server.paths()) == [
        "/img/photo.png", "/never-captured.png", "/site.css", "/trap.html",
    ]  # fmt: skip


@pytest.mark.e2e
def test_the_renderer_serves_captured_answers_and_refuses_every_other_request(
    http_server, monkeypatch
):
    """What Chromium asked for, as the route handler saw it."""
    http_server.routes["/trap.html"] = Reply(
        body=TRAP.replace("PORT", str(http_server.port)).encode(), headers=HTML
    )
    http_server.routes["/site.css"] = Reply(body=b"body { background: #c00 }", headers=CSS)
    page = capturing.capture_page(http_server.url("/trap.html"))
    asked = []
    original = capturing.replay_table

    def recording_table(exchanges):
        class Recording(dict):
            def get(self, key, default=None):
                asked.append(key)
                return super().get(key, default)

        return Recording(original(exchanges))

    monkeypatch.setattr(capturing, "replay_table", recording_table)
    png = capturing._render(page.exchanges, page.final_url, "/usr/bin/chromium")
    assert png.startswith(b"\x89PNG")
    served = set(original(page.exchanges))
    assert http_server.url("/site.css") in asked
    refused = [url for url in asked if url not in served]
    assert any("beacon" in url for url in refused)
    assert any("169.254.169.254" in url for url in refused)


@pytest.mark.e2e
def test_chromium_as_launched_for_screenshots_cannot_reach_any_address(http_server):
    """Past the records, a second wall: no host name or address resolves, loopback included."""
    from playwright.sync_api import Error, sync_playwright

    http_server.routes["/live.html"] = Reply(body=b"<html>live</html>", headers=HTML)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=capturing.CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            for url in [http_server.url("/live.html"), f"http://localhost:{http_server.port}/"]:
                with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
                    page.goto(url, timeout=10_000)
        finally:
            browser.close()
    assert http_server.requests == []


def test_without_chromium_a_capture_still_succeeds(http_server, settings):
    settings.CAPTURE_CHROMIUM = "/nonexistent/chromium"
    capture = capture_url(url=serve_article(http_server))
    assert capture.status == CaptureStatus.DONE
    assert capture.file(FileKind.SCREENSHOT) is None


def test_a_chromium_that_fails_leaves_the_capture_without_a_screenshot(
    http_server, settings, caplog
):
    settings.CAPTURE_CHROMIUM = "/bin/false"
    capture = capture_url(url=serve_article(http_server))
    assert capture.status == CaptureStatus.DONE
    assert capture.file(FileKind.SCREENSHOT) is None
    assert "rendering failed" in caplog.text


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_lists_captures_with_their_files_fixity_and_cannot_add_them(
    client, admin_user, make_capture
):
    from django.urls import reverse

    client.force_login(admin_user)
    capture = make_capture()
    listing = client.get(reverse("admin:captures_webcapture_changelist"), {"status": "done"})
    assert listing.status_code == 200 and capture.url in listing.content.decode()
    page = client.get(reverse("admin:captures_webcapture_change", args=[capture.pk]))
    body = page.content.decode()
    for stored in capture.files.all():
        assert stored.sha256 in body
    assert 'name="url"' not in body  # read-only: a capture is evidence
    assert client.get(reverse("admin:captures_webcapture_add")).status_code == 403
    assert client.get(reverse("admin:captures_watchedurl_changelist")).status_code == 200
