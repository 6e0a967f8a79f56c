"""Capturing a page: every HTTP exchange of the page and its requisites, its main text, and a
screenshot of it as captured.

- Everything is fetched through the guarded fetcher (``apps.core.fetching``: the address guard,
  timeouts, size caps and politeness of ingestion), with ``CAPTURE_USER_AGENT``, one request at
  a time. Redirect hops and error answers are kept as they came: a 404 is evidence too.
- Bodies are stored decoded, so replay engines read them: Content-Encoding and
  Transfer-Encoding are dropped, Content-Length is the stored length, and the original coding
  is kept in ``X-Archive-Orig-Content-Encoding``.
- Requisites (stylesheets, icons, preloads, images with their srcset, scripts, media and
  posters; in stylesheets, ``url(...)`` and ``@import``, one level deep) are bounded by
  ``CAPTURE_MAX_RESOURCES``, ``CAPTURE_MAX_TOTAL_BYTES`` and ``CAPTURE_TOTAL_TIMEOUT``; what is
  left out is counted and logged.
- The screenshot renders the captured exchanges, not the live site: Chromium is served from the
  records and refused everything else, and cannot resolve any host name either.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import hashlib
import logging
import re
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
from django.conf import settings

from apps.captures.storage import Exchange
from apps.core.fetching import (
    FetchError,
    Hop,
    TransientFetchError,
    fetch_hops,
    make_client,
    stored_headers,
)

logger = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
VIEWPORT = {"width": 1280, "height": 900}
SCREENSHOT_MAX_HEIGHT = 8000  # pixels: an endless page still makes a readable image
RENDER_TIMEOUT_MS = 15_000
# trafilatura holds about ten times a page's size while it reads it; past this size the page
# is kept (WARC, WACZ, screenshot) without its text, so one capture's memory stays bounded.
TEXT_MAX_BYTES = 5 * 1024 * 1024

# Chromium's own ways out, closed: no name resolves (IP literals included), no background
# traffic, no UDP for WebRTC. Requests are answered from the records before any of this matters.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-domain-reliability",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
]


@dataclass
class PageCapture:
    url: str
    final_url: str
    http_status: int
    content_type: str
    captured_at: datetime.datetime  # when the page's answer arrived
    exchanges: list[Exchange]
    title: str = ""
    text: str = ""
    resource_count: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    screenshot: bytes | None = None

    @property
    def total_bytes(self) -> int:
        return sum(len(exchange.body) for exchange in self.exchanges)

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest() if self.text else ""


def capture_page(url: str) -> PageCapture:
    """Fetch the page and its requisites, extract its text, and (where Chromium is) render a
    screenshot from what was fetched. Raises FetchError when the page itself cannot be
    captured, TransientFetchError when trying again later may work (a 5xx answer included)."""
    started = time.monotonic()
    with make_client(user_agent=settings.CAPTURE_USER_AGENT) as client:
        hops = fetch_hops(
            url,
            client=client,
            headers={"Accept": PAGE_ACCEPT},
            max_bytes=settings.CAPTURE_MAX_TOTAL_BYTES,
        )
        page = hops[-1]
        if page.status_code >= 500:
            raise TransientFetchError(f"{page.url} answered HTTP {page.status_code}")
        capture = PageCapture(
            url=url,
            final_url=page.url,
            http_status=page.status_code,
            content_type=_header(page.headers, "content-type"),
            captured_at=page.fetched_at,
            exchanges=[to_exchange(hop) for hop in hops],
        )
        if is_html(capture.content_type, page.body):
            found = find_requisites(decode(page.body, capture.content_type), page.url)
            capture.title = found.title
            capture.text = extract_text(page.body, page.url)
            _fetch_requisites(client, capture, found.urls, started)
        elif capture.content_type.lower().startswith("text/plain"):
            capture.text = decode(page.body, capture.content_type).strip()
    if settings.CAPTURE_CHROMIUM:
        capture.screenshot = render_screenshot(capture.exchanges, capture.final_url)
    return capture


def _fetch_requisites(client, capture: PageCapture, urls: list[str], started: float) -> None:
    """One at a time, breadth first, each once; stylesheets add theirs as they arrive."""
    queue: deque[tuple[str, int]] = deque((u, 0) for u in urls)
    seen = {_key(e.url) for e in capture.exchanges}
    attempted = 0
    while queue:
        url, depth = queue.popleft()
        if _key(url) in seen:
            continue
        seen.add(_key(url))
        bytes_left = settings.CAPTURE_MAX_TOTAL_BYTES - capture.total_bytes
        if attempted >= settings.CAPTURE_MAX_RESOURCES:
            capture.skipped.append((url, f"over CAPTURE_MAX_RESOURCES ({attempted} fetched)"))
            continue
        if bytes_left <= 0:
            capture.skipped.append((url, "over CAPTURE_MAX_TOTAL_BYTES"))
            continue
        if time.monotonic() - started > settings.CAPTURE_TOTAL_TIMEOUT:
            capture.skipped.append((url, "over CAPTURE_TOTAL_TIMEOUT"))
            continue
        attempted += 1
        try:
            hops = fetch_hops(url, client=client, max_bytes=bytes_left)
        except FetchError as exc:  # a missing image does not fail the page's capture
            capture.skipped.append((url, str(exc)))
            continue
        capture.exchanges.extend(to_exchange(hop) for hop in hops)
        seen.update(_key(hop.url) for hop in hops)
        capture.resource_count += 1
        last = hops[-1]
        if depth < 2 and is_css(_header(last.headers, "content-type"), last.url):
            css = decode(last.body, _header(last.headers, "content-type"))
            for found, imported in css_urls(css, last.url):
                if imported and depth >= 1:
                    capture.skipped.append((found, "@import more than one level deep"))
                    continue
                queue.append((found, depth + 1))
    for url, why in capture.skipped:
        logger.info("capture of %s: left out %s: %s", capture.url, url[:300], why)


# --- exchanges ----------------------------------------------------------------------------


def to_exchange(hop: Hop) -> Exchange:
    """The hop as stored: its body decoded, and the headers saying so."""
    return Exchange(
        url=hop.url,
        status=hop.status_code,
        reason=hop.reason,
        headers=stored_headers(hop.headers, len(hop.body)),
        body=hop.body,
        fetched_at=hop.fetched_at,
        request_headers=hop.request_headers,
    )


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _key(url: str) -> str:
    """One spelling per address, as Chromium and httpx write it (no fragment)."""
    try:
        return str(httpx.URL(urllib.parse.urldefrag(url)[0]))
    except (httpx.InvalidURL, ValueError):
        return url


# --- what a page needs --------------------------------------------------------------------


def is_html(content_type: str, body: bytes) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    if kind:
        return kind in {"text/html", "application/xhtml+xml"}
    return body.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html"))


def is_css(content_type: str, url: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind == "text/css" or (not kind and urllib.parse.urlsplit(url).path.endswith(".css"))


def decode(body: bytes, content_type: str) -> str:
    charset = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    if charset:
        try:
            return body.decode(charset.group(1), errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _http_url(url: str, base: str) -> str | None:
    url = url.strip()
    if not url or url.startswith(("data:", "#", "javascript:", "blob:", "about:")):
        return None
    absolute = urllib.parse.urldefrag(urllib.parse.urljoin(base, url))[0]
    parts = urllib.parse.urlsplit(absolute)
    return absolute if parts.scheme in {"http", "https"} and parts.hostname else None


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset (HTML's candidate-string syntax: a URL, then descriptors up to a
    comma that is not inside parentheses)."""
    urls, position = [], 0
    while position < len(value):
        while position < len(value) and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < len(value) and not value[position].isspace():
            position += 1
        url = value[start:position]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        if url:
            urls.append(url)
        depth = 0
        while position < len(value):
            char = value[position]
            depth += char == "("
            depth -= char == ")"
            position += 1
            if char == "," and depth <= 0:
                break
    return urls


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_IMPORT = re.compile(
    r"""@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^\s;)"']+))""", re.IGNORECASE
)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.IGNORECASE)


def css_urls(css: str, base: str) -> list[tuple[str, bool]]:
    """The http(s) URLs a stylesheet refers to, each with whether it is an @import."""
    css = _CSS_COMMENT.sub("", css)
    found: list[tuple[str, bool]] = []
    imported = set()
    for match in _CSS_IMPORT.finditer(css):
        url = _http_url(next(g for g in match.groups() if g is not None), base)
        if url:
            found.append((url, True))
            imported.add(url)
    for match in _CSS_URL.finditer(css):
        url = _http_url(next(g for g in match.groups() if g is not None), base)
        if url and url not in imported:
            found.append((url, False))
    return found


@dataclass
class Requisites:
    title: str = ""
    urls: list[str] = field(default_factory=list)


# rel values whose href a browser loads to show the page
_LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload", "modulepreload"}
_SRC_TAGS = {"img", "script", "source", "video", "audio", "track", "embed", "input", "iframe"}


class _RequisiteParser(HTMLParser):
    def __init__(self, base: str):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.urls: list[str] = []
        self.title_parts: list[str] | None = None
        self.title = ""
        self.in_style = False
        self.based = False  # the first <base href> counts, as in browsers

    def add(self, value: str | None) -> None:
        url = _http_url(value or "", self.base)
        if url:
            self.urls.append(url)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag == "base" and attributes.get("href") and not self.based:
            self.based = True
            self.base = urllib.parse.urljoin(self.base, attributes["href"])
        elif tag == "link":
            rels = set(attributes.get("rel", "").lower().split())
            if rels & _LINK_RELS or any(rel.endswith("icon") for rel in rels):
                self.add(attributes.get("href"))
                for url in srcset_urls(attributes.get("imagesrcset", "")):
                    self.add(url)
        elif tag in _SRC_TAGS and not (tag == "input" and attributes.get("type") != "image"):
            if tag != "iframe":  # a frame is a page of its own, not a requisite
                self.add(attributes.get("src"))
            for url in srcset_urls(attributes.get("srcset", "")):
                self.add(url)
        if tag == "video":
            self.add(attributes.get("poster"))
        if tag == "title" and self.title_parts is None and not self.title:
            self.title_parts = []
        if tag == "style":
            self.in_style = True
        if attributes.get("style"):
            self.urls.extend(url for url, _ in css_urls(attributes["style"], self.base))

    def handle_endtag(self, tag):
        if tag == "title" and self.title_parts is not None:
            self.title = " ".join("".join(self.title_parts).split())[:500]
            self.title_parts = None
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.title_parts is not None:
            self.title_parts.append(data)
        if self.in_style:
            self.urls.extend(url for url, _ in css_urls(data, self.base))


def find_requisites(html: str, base: str) -> Requisites:
    parser = _RequisiteParser(base)
    # In pieces: fed whole, the parser would keep a second copy of a large page.
    for start in range(0, len(html), 1 << 16):
        parser.feed(html[start : start + (1 << 16)])
    parser.close()
    return Requisites(title=parser.title, urls=list(dict.fromkeys(parser.urls)))


def extract_text(html: bytes, url: str) -> str:
    import trafilatura

    if len(html) > TEXT_MAX_BYTES:
        logger.info("no text of %s: %s bytes is over %s", url, f"{len(html):,}", TEXT_MAX_BYTES)
        return ""
    try:
        return (trafilatura.extract(html, url=url, include_comments=False) or "").strip()
    except Exception:  # a page trafilatura cannot read still has its WARC
        logger.exception("text extraction of %s failed", url)
        return ""


# --- screenshot ---------------------------------------------------------------------------


def render_screenshot(exchanges: list[Exchange], page_url: str) -> bytes | None:
    """A PNG of the page as captured, or None (logged) if Chromium is missing or fails.

    Playwright's sync API runs an event loop in its thread, where Django refuses database
    calls; the rendering gets a thread of its own and touches only the exchanges."""
    chromium = settings.CAPTURE_CHROMIUM
    if not chromium or not Path(chromium).exists():
        logger.info("no screenshot of %s: no Chromium at %r", page_url, chromium)
        return None
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="screenshot") as pool:
        try:
            return pool.submit(_render, exchanges, page_url, chromium).result()
        except Exception:
            logger.exception("no screenshot of %s: rendering failed", page_url)
            return None


def replay_table(exchanges: list[Exchange]) -> dict[str, Exchange]:
    """Each captured address with the answer to serve for it: a redirect's is its target's
    (Chromium would take a served redirect to the network), the first capture of it wins."""
    by_url: dict[str, Exchange] = {}
    for exchange in exchanges:
        by_url.setdefault(_key(exchange.url), exchange)
    table = {}
    for key, exchange in by_url.items():
        for _ in range(settings.INGEST_MAX_REDIRECTS + 1):
            location = _header(exchange.headers, "location")
            if not (300 <= exchange.status < 400 and location):
                break
            target = by_url.get(_key(urllib.parse.urljoin(exchange.url, location)))
            if target is None:
                break
            exchange = target
        table[key] = exchange
    return table


_NOT_REPLAYED = {"content-length", "set-cookie", "strict-transport-security", "alt-svc"}


def _render(exchanges: list[Exchange], page_url: str, chromium: str) -> bytes:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    table = replay_table(exchanges)

    def answer(route):
        exchange = table.get(_key(route.request.url))
        if exchange is None or 300 <= exchange.status < 400:  # not captured, or elsewhere
            route.abort("blockedbyclient")
            return
        headers = {}
        for name, value in exchange.headers:
            if name.lower() not in _NOT_REPLAYED and not name.lower().startswith("x-archive-"):
                key = name.lower()
                headers[key] = f"{headers[key]}\n{value}" if key in headers else value
        route.fulfill(status=exchange.status, headers=headers, body=exchange.body)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=VIEWPORT, service_workers="block", accept_downloads=False
            )
            context.route("**/*", answer)
            context.route_web_socket(re.compile(".*"), lambda socket: socket.close())
            page = context.new_page()
            page.set_default_timeout(RENDER_TIMEOUT_MS)
            try:
                page.goto(page_url, wait_until="load")
            except PlaywrightError as exc:  # what did load is still worth a picture
                logger.info("rendering %s: %s", page_url, str(exc).splitlines()[0])
            height = page.evaluate(
                "Math.max(document.documentElement.scrollHeight,"
                " document.body ? document.body.scrollHeight : 0)"
            )
            height = max(VIEWPORT["height"], min(int(height or 0), SCREENSHOT_MAX_HEIGHT))
            return page.screenshot(
                full_page=True,
                clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height},
                animations="disabled",
            )
        finally:
            browser.close()
