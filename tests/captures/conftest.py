"""Fixtures for web capture tests: captures stored in a temp folder, the address guard opened for
127.0.0.1 only, a local HTTP server, and ``make_capture`` for tests that need a finished capture
without fetching (it writes real WARC and WACZ files through the same storage code)."""

from __future__ import annotations

import datetime

import pytest

from apps.captures.models import CaptureStatus, WebCapture
from apps.captures.storage import Exchange, store_capture_files, url_key
from tests.ingest.conftest import FixtureServer, Reply  # noqa: F401 (Reply: for the tests)


@pytest.fixture(autouse=True)
def capture_settings(settings, tmp_path):
    settings.WEB_CAPTURE_DIR = tmp_path / "web-captures"
    settings.INGEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.INGEST_READ_TIMEOUT = 1.0
    settings.INGEST_CONNECT_TIMEOUT = 1.0
    settings.INGEST_TOTAL_TIMEOUT = 5.0
    settings.INGEST_MAX_INLINE_WAIT = 1.0
    settings.INGEST_HOST_SLOT_WAIT = 1.0
    settings.CAPTURE_CHROMIUM = ""  # no screenshot unless a test asks for one
    return settings


@pytest.fixture
def http_server():
    server = FixtureServer()
    yield server
    server.close()


@pytest.fixture
def make_capture(db):
    """A finished capture of ``url`` whose page is ``html``, with real files and fixity."""

    def make(
        url: str = "https://www.example.org/news/metoo.html",
        html: str = "<html><head><title>Me too</title></head><body><p>Hello</p></body></html>",
        *,
        article=None,
        post=None,
        when: datetime.datetime | None = None,
        status: int = 200,
        text: str = "Hello",
        requisites: dict[str, tuple[str, bytes]] | None = None,
    ) -> WebCapture:
        when = when or datetime.datetime(2017, 10, 16, 12, 0, tzinfo=datetime.UTC)
        capture = WebCapture.objects.create(
            url=url,
            url_key=url_key(url),
            final_url=url,
            article=article,
            post=post,
            status=CaptureStatus.DONE,
            captured_at=when,
            http_status=status,
            content_type="text/html; charset=utf-8",
            title="Me too",
            text=text,
        )
        exchanges = [
            Exchange(
                url=url,
                status=status,
                reason="OK" if status == 200 else "",
                headers=[("Content-Type", "text/html; charset=utf-8")],
                body=html.encode(),
                fetched_at=when,
            )
        ]
        for requisite_url, (content_type, body) in (requisites or {}).items():
            exchanges.append(
                Exchange(
                    url=requisite_url,
                    status=200,
                    reason="OK",
                    headers=[("Content-Type", content_type)],
                    body=body,
                    fetched_at=when,
                )
            )
        digests = store_capture_files(
            capture, exchanges, page_url=url, title=capture.title, text=text
        )
        capture.payload_digest = digests[url]
        capture.resource_count = len(exchanges) - 1
        capture.total_bytes = sum(len(e.body) for e in exchanges)
        capture.save(update_fields=["payload_digest", "resource_count", "total_bytes"])
        return capture

    return make
