"""Importing WARC and WACZ files made by other tools: their pages become pending articles with
captures whose files pass their validators; the same file twice creates nothing twice; a broken
file loses nothing read before the break, and the rest of the batch still goes through.

The files are written here with warcio as a browser-based crawler writes them (a response, then
its request with ``WARC-Concurrent-To``, ``Referer`` and ``Sec-Fetch-Dest``; one gzip member per
record), plus the records an importer must skip (revisits, ``dns:`` and screenshot records)."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.core.management import call_command
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from apps.archive.models import Outlet, SourceArticle
from apps.captures.importing import WebArchiveReader, web_archive_kind
from apps.captures.models import CaptureOrigin, CaptureStatus, FileKind, WebCapture
from apps.captures.storage import validate_wacz, warc_date, write_wacz
from apps.core.moderation import ModerationState
from apps.ingest.models import IngestRun, RunStatus
from apps.ingest.services import web_archive_ingest

pytestmark = pytest.mark.django_db

WHEN = datetime.datetime(2017, 10, 16, 8, 0, tzinfo=datetime.UTC)
STORY = "Women across the industry said they had been harassed, and said it in public. " * 8


def article_html(title: str, css: str = "", img: str = "") -> bytes:
    links = f'<link rel="stylesheet" href="{css}">' if css else ""
    image = f'<img src="{img}" alt="">' if img else ""
    return (
        f"<!doctype html><html lang=en><head><title>{title}</title>{links}"
        f'<meta name="author" content="Jane Reporter"></head><body><header>Menu</header>'
        f"<article><h1>{title}</h1>{image}<p>{STORY}</p><p>{title} and more.</p></article>"
        f"</body></html>"
    ).encode()


@dataclass
class Rec:
    url: str
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    referer: str = ""
    dest: str = "document"
    kind: str = "response"  # response, revisit, resource, dns
    seconds: int = 0
    headers: list = field(default_factory=list)


def write_warc(path: Path, records: list[Rec], *, compress: bool = True) -> list[int]:
    """The records as a crawler writes them; returns each record's byte offset."""
    offsets = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=compress, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "a crawler"}))
        for rec in records:
            offsets.append(out.tell())
            date = {"WARC-Date": warc_date(WHEN + datetime.timedelta(seconds=rec.seconds))}
            if rec.kind == "dns":
                writer.write_record(
                    writer.create_warc_record(
                        rec.url, "resource", payload=io.BytesIO(b"1.2.3.4"),
                        warc_content_type="text/dns", warc_headers_dict=date,
                    )
                )  # fmt: skip
                continue
            if rec.kind == "resource":
                writer.write_record(
                    writer.create_warc_record(
                        rec.url, "resource", payload=io.BytesIO(rec.body),
                        warc_content_type="image/png", warc_headers_dict=date,
                    )
                )  # fmt: skip
                continue
            http = StatusAndHeaders(
                rec.status, [("Content-Type", rec.content_type), *rec.headers], protocol="HTTP/1.1"
            )
            if rec.kind == "revisit":
                response = writer.create_revisit_record(
                    rec.url, digest="sha1:AAAA", refers_to_uri=rec.url,
                    refers_to_date=warc_date(WHEN), http_headers=http,
                )  # fmt: skip
                response.rec_headers.replace_header("WARC-Date", date["WARC-Date"])
                writer.write_record(response)
                continue
            response = writer.create_warc_record(
                rec.url, "response", payload=io.BytesIO(rec.body), length=len(rec.body),
                http_headers=http, warc_headers_dict=date,
            )  # fmt: skip
            writer.write_record(response)
            path_part = rec.url.split("/", 3)[3] if rec.url.count("/") >= 3 else ""
            request_headers = [("Host", rec.url.split("/")[2]), ("User-Agent", "Crawler/1.0")]
            if rec.referer:
                request_headers.append(("Referer", rec.referer))
            request_headers.append(("Sec-Fetch-Dest", rec.dest))
            request = writer.create_warc_record(
                rec.url, "request", payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(
                    f"GET /{path_part} HTTP/1.1", request_headers, is_http_request=True
                ),
                warc_headers_dict={
                    **date,
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
            )  # fmt: skip
            writer.write_record(request)
    return offsets


PAGE_ONE = "https://www.nytimes-example.com/2017/10/05/us/harvey.html"
PAGE_TWO = "https://www.newyorker-example.com/news/from-aggressive-overtures.html"
CSS = "https://www.nytimes-example.com/site.css"
IMG = "https://static.nytimes-example.com/photo.png"
CSS_TWO = "https://www.newyorker-example.com/nyer.css"


def two_page_crawl() -> list[Rec]:
    return [
        Rec("dns:www.nytimes-example.com", kind="dns"),
        Rec(PAGE_ONE, article_html("Harvey Weinstein Paid Off Accusers", CSS, IMG)),
        Rec(CSS, b"body { font-family: serif }", "text/css", referer=PAGE_ONE, dest="style"),
        Rec(IMG, b"\x89PNG\r\n\x1a\n fake", "image/png", referer=PAGE_ONE, dest="image", seconds=1),
        Rec(
            "https://ads.example.net/frame.html",
            b"<html><body>ad</body></html>",
            referer=PAGE_ONE,
            dest="iframe",
            seconds=1,
        ),  # fmt: skip
        Rec("urn:screenshot:" + PAGE_ONE, b"\x89PNG shot", kind="resource", seconds=2),
        Rec(PAGE_TWO, article_html("From Aggressive Overtures", CSS_TWO), seconds=10),
        Rec(CSS_TWO, b"h1 { color: #111 }", "text/css", referer=PAGE_TWO, dest="style", seconds=11),
        Rec(CSS, b"", "text/css", referer=PAGE_TWO, kind="revisit", seconds=11),
    ]


def warcio_check(path: Path) -> None:
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", "-v", str(path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def urls_in_warc(path: Path) -> list[str]:
    with path.open("rb") as handle:
        return [
            r.rec_headers.get_header("WARC-Target-URI")
            for r in ArchiveIterator(handle)
            if r.rec_type == "response"
        ]


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    return status, out.getvalue(), err.getvalue()


# --- a WARC ---------------------------------------------------------------------------------


def test_a_warc_s_pages_become_pending_articles_with_valid_captures_of_their_requisites(
    tmp_path,
):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, two_page_crawl())

    run, report = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.format == "warc"
    assert run.get_format_display() == "WARC file"  # a choice of its own, not a feed's format
    assert (report.pages, report.captures_created, report.captures_existing) == (2, 2, 0)
    assert report.skipped == {"revisit record": 1, "not an HTTP exchange": 2}
    one = SourceArticle.objects.get(canonical_url=PAGE_ONE)
    assert one.moderation_state == ModerationState.PENDING  # publication needs a curator
    assert one.title == "Harvey Weinstein Paid Off Accusers"
    assert "said it in public" in one.text and "Menu" not in one.text
    assert one.authors == ["Jane Reporter"]
    assert one.outlet.domain == "www.nytimes-example.com"
    assert Outlet.objects.count() == 2

    capture = WebCapture.objects.get(article=one)
    assert capture.origin == CaptureOrigin.IMPORTED
    assert capture.status == CaptureStatus.DONE
    assert capture.captured_at == WHEN
    assert (capture.http_status, capture.final_url, capture.url) == (200, PAGE_ONE, PAGE_ONE)
    assert capture.user_agent == "Crawler/1.0"
    assert "said it in public" in capture.text
    # The style, the image and the frame loaded into the page (a requisite, not a page).
    assert capture.resource_count == 3
    warc = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    warcio_check(warc)
    assert validate_wacz(settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path)
    assert urls_in_warc(warc) == [PAGE_ONE, CSS, IMG, "https://ads.example.net/frame.html"]
    with warc.open("rb") as handle:
        stored = next(
            r
            for r in ArchiveIterator(handle)
            if r.rec_headers.get_header("WARC-Target-URI") == PAGE_ONE
        )
        assert stored.rec_headers.get_header("WARC-Payload-Digest") == capture.payload_digest
        assert stored.rec_headers.get_header("WARC-Date").startswith("2017-10-16T08:00:00")

    two = WebCapture.objects.get(article__canonical_url=PAGE_TWO)
    assert urls_in_warc(settings.WEB_CAPTURE_DIR / two.file(FileKind.WARC).path) == [
        PAGE_TWO,
        CSS_TWO,
    ]


def test_a_page_keeps_only_as_many_requisites_as_a_crawled_capture_would(tmp_path, settings):
    settings.CAPTURE_MAX_RESOURCES = 1
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, two_page_crawl())

    _, report = web_archive_ingest(path=str(path), kind="warc")

    capture = WebCapture.objects.get(url=PAGE_ONE)
    assert (capture.resource_count, capture.resources_skipped) == (1, 2)
    assert urls_in_warc(settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path) == [
        PAGE_ONE,
        CSS,
    ]
    assert report.skipped["requisite beyond the capture's bounds"] == 2


def test_a_body_sent_gzipped_and_chunked_is_stored_decoded_with_headers_to_match(tmp_path):
    html = article_html("Compressed Story")
    packed = gzip.compress(html)
    chunked = f"{len(packed):x}\r\n".encode() + packed + b"\r\n0\r\n\r\n"
    path = tmp_path / "compressed.warc"
    write_warc(
        path,
        [
            Rec(
                PAGE_ONE,
                chunked,
                headers=[("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
            )
        ],
        compress=False,
    )

    run, _ = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.SUCCEEDED, run.error
    capture = WebCapture.objects.get()
    assert capture.title == "Compressed Story"
    with (settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path).open("rb") as handle:
        response = next(r for r in ArchiveIterator(handle) if r.rec_type == "response")
        assert response.http_headers.get_header("Content-Encoding") is None
        assert response.http_headers.get_header("Content-Length") == str(len(html))
        assert response.content_stream().read() == html


def test_a_brotli_body_is_decoded_and_one_that_does_not_decode_is_kept_as_recorded(tmp_path):
    html = article_html("Brotli Story")
    path = tmp_path / "encoded.warc.gz"
    write_warc(
        path,
        [
            Rec(PAGE_ONE, brotli.compress(html), headers=[("Content-Encoding", "br")]),
            Rec(PAGE_TWO, b"not gzip at all", headers=[("Content-Encoding", "gzip")], seconds=5),
        ],
    )

    run, _ = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert WebCapture.objects.get(url=PAGE_ONE).title == "Brotli Story"
    kept = WebCapture.objects.get(url=PAGE_TWO)
    with (settings.WEB_CAPTURE_DIR / kept.file(FileKind.WARC).path).open("rb") as handle:
        response = next(r for r in ArchiveIterator(handle) if r.rec_type == "response")
        assert response.http_headers.get_header("Content-Encoding") == "gzip"
        assert response.raw_stream.read() == b"not gzip at all"


def test_a_warc_gzipped_as_one_stream_rather_than_per_record_is_still_read(tmp_path):
    plain = tmp_path / "plain.warc"
    write_warc(plain, two_page_crawl(), compress=False)
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))

    run, report = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert (report.pages, report.captures_created) == (2, 2)
    assert report.skipped["revisit record"] == 1  # counted once, not once per attempt


def test_importing_the_same_file_twice_creates_nothing_twice(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, two_page_crawl())
    web_archive_ingest(path=str(path), kind="warc")

    run, report = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.SUCCEEDED
    assert (report.captures_created, report.captures_existing) == (0, 2)
    assert run.counts == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0}
    assert WebCapture.objects.count() == 2
    assert SourceArticle.objects.count() == 2


def test_a_capture_an_earlier_import_left_half_written_is_finished_by_the_next(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [Rec(PAGE_ONE, article_html("Harvey"))])
    web_archive_ingest(path=str(path), kind="warc")
    capture = WebCapture.objects.get()
    capture.files.all().delete()
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    WebCapture.objects.filter(pk=capture.pk).update(
        status=CaptureStatus.RUNNING, requested_at=long_ago
    )

    _, report = web_archive_ingest(path=str(path), kind="warc")

    assert report.captures_created == 1
    capture = WebCapture.objects.get()  # the same row, not a second one
    assert capture.status == CaptureStatus.DONE
    assert validate_wacz(settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path)


def test_the_same_page_captured_at_another_time_is_another_capture_of_the_same_article(tmp_path):
    first, later = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    write_warc(first, [Rec(PAGE_ONE, article_html("Harvey"))])
    write_warc(later, [Rec(PAGE_ONE, article_html("Harvey"), seconds=86400)])

    web_archive_ingest(path=str(first), kind="warc")
    web_archive_ingest(path=str(later), kind="warc")

    assert SourceArticle.objects.count() == 1
    assert WebCapture.objects.filter(article__canonical_url=PAGE_ONE).count() == 2


# --- a WACZ ---------------------------------------------------------------------------------


def test_a_wacz_s_pages_list_says_which_responses_are_pages_and_redirects_are_followed(tmp_path):
    short = "https://nyti.example/abc"
    warc = tmp_path / "data.warc.gz"
    write_warc(
        warc,
        [
            Rec(
                short,
                b"",
                "text/html",
                status="301 Moved Permanently",
                headers=[("Location", PAGE_ONE)],
            ),
            Rec(PAGE_ONE, article_html("Harvey Weinstein Paid Off Accusers", CSS), seconds=1),
            Rec(CSS, b"body { margin: 0 }", "text/css", referer=PAGE_ONE, dest="style", seconds=1),
            # An HTML page the crawler also recorded, but did not list as a page.
            Rec(PAGE_TWO, article_html("Not a listed page"), seconds=5),
        ],
    )
    wacz = tmp_path / "collection.wacz"
    write_wacz(
        wacz, warc, pages=[{"url": short, "ts": "2017-10-16T08:00:00Z", "title": "Listed title"}]
    )

    run, report = web_archive_ingest(path=str(wacz), kind="wacz")

    assert run.status == RunStatus.SUCCEEDED, run.error
    assert report.pages == 1
    article = SourceArticle.objects.get()
    assert article.canonical_url == PAGE_ONE  # the article is where the redirect led
    capture = WebCapture.objects.get()
    assert (capture.url, capture.final_url, capture.http_status) == (short, PAGE_ONE, 200)
    warc_file = settings.WEB_CAPTURE_DIR / capture.file(FileKind.WARC).path
    assert urls_in_warc(warc_file) == [short, PAGE_ONE, CSS]
    warcio_check(warc_file)
    assert validate_wacz(settings.WEB_CAPTURE_DIR / capture.file(FileKind.WACZ).path)


# --- broken input ---------------------------------------------------------------------------


def break_member(path: Path, offset: int) -> None:
    """Garble the compressed bytes of the gzip member starting at ``offset``."""
    data = bytearray(path.read_bytes())
    data[offset + 30 : offset + 60] = b"\x00" * 30
    path.write_bytes(bytes(data))


def test_a_corrupt_gzip_member_mid_file_names_the_offset_keeps_earlier_pages_and_the_batch_goes_on(
    tmp_path,
):
    broken = tmp_path / "broken.warc.gz"
    offsets = write_warc(
        broken,
        [
            Rec(PAGE_ONE, article_html("Harvey Weinstein Paid Off Accusers")),
            Rec(PAGE_TWO, article_html("From Aggressive Overtures"), seconds=10),
            Rec("https://www.example.org/third.html", article_html("Third"), seconds=20),
        ],
    )
    bad_offset = offsets[1]
    break_member(broken, bad_offset)
    good = tmp_path / "good.warc.gz"
    write_warc(good, [Rec("https://www.example.org/fine.html", article_html("Fine"))])

    status, out, err = run_command(str(broken), str(good))

    assert status == 1
    assert f"broken.warc.gz: the record at byte offset {bad_offset} could not be read" in err
    assert "Traceback" not in err
    assert SourceArticle.objects.filter(canonical_url=PAGE_ONE).exists()  # read before the break
    assert WebCapture.objects.filter(url=PAGE_ONE, status=CaptureStatus.DONE).exists()
    assert "good.warc.gz: succeeded (warc): 1 pages, 1 captures stored" in out
    assert WebCapture.objects.filter(url="https://www.example.org/fine.html").exists()
    failed = IngestRun.objects.get(source=str(broken))
    assert failed.status == RunStatus.FAILED
    assert failed.failures.get().position == f"offset {bad_offset}"


@pytest.mark.parametrize(
    ("compress", "cut"),
    [(True, 200), (False, 120), (False, 900)],
    ids=["inside-a-gzip-member", "inside-the-warc-headers", "inside-the-body"],
)
def test_a_file_cut_short_mid_record_keeps_the_pages_before_the_cut(tmp_path, compress, cut):
    path = tmp_path / "cut.warc.gz"
    offsets = write_warc(
        path,
        [
            Rec(PAGE_ONE, article_html("Harvey Weinstein Paid Off Accusers")),
            Rec(PAGE_TWO, article_html("From Aggressive Overtures"), seconds=10),
        ],
        compress=compress,
    )
    path.write_bytes(path.read_bytes()[: offsets[1] + cut])

    run, report = web_archive_ingest(path=str(path), kind="warc")

    assert run.status == RunStatus.FAILED
    assert "cut.warc.gz" in run.error and f"offset {offsets[1]}" in run.error
    assert report.captures_created == 1
    assert WebCapture.objects.get().url == PAGE_ONE


def test_a_wacz_that_is_not_a_zip_fails_with_a_clear_error(tmp_path):
    path = tmp_path / "not.wacz"
    path.write_bytes(b"this is not a zip")

    status, _, err = run_command(str(path))

    assert status == 1
    assert "not.wacz" in err and "not a readable WACZ (ZIP) file" in err


# --- the ingest command ---------------------------------------------------------------------


def test_the_ingest_command_detects_web_archives_by_suffix_and_prints_counts(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, two_page_crawl())

    status, out, _ = run_command(str(path), "--json")

    assert status == 0
    entry = json.loads(out)["sources"][0]
    assert entry["format"] == "warc"
    assert entry["web_archive"] == {
        "pages": 2, "captures_created": 2, "captures_existing": 0, "skipped": 3,
        "skipped_by_reason": {"not an HTTP exchange": 2, "revisit record": 1}, "errors": 0,
    }  # fmt: skip
    assert entry["counts"]["created"] == 2


def test_the_ingest_command_detects_web_archives_by_their_bytes_when_the_name_lies(tmp_path):
    warc = tmp_path / "export.json"  # a gzipped WARC, whatever its name says
    write_warc(warc, [Rec(PAGE_ONE, article_html("Harvey"))])
    plain = tmp_path / "crawl.dat"
    write_warc(plain, [Rec(PAGE_TWO, article_html("Overtures"))], compress=False)
    package = tmp_path / "collection.zip"
    inner = tmp_path / "inner.warc.gz"
    write_warc(inner, [Rec("https://www.example.org/in-a-wacz.html", article_html("Packed"))])
    write_wacz(package, inner, pages=[{"url": "https://www.example.org/in-a-wacz.html"}])

    assert [web_archive_kind(p) for p in (warc, plain, package)] == ["warc", "warc", "wacz"]
    status, out, err = run_command(str(warc), str(plain), str(package))

    assert status == 0, err
    assert "export.json: succeeded (warc): 1 pages, 1 captures stored" in out
    assert "crawl.dat: succeeded (warc): 1 pages" in out
    assert "collection.zip: succeeded (wacz): 1 pages" in out
    assert WebCapture.objects.filter(status=CaptureStatus.DONE).count() == 3


def test_a_feed_is_not_taken_for_a_web_archive(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": []}))
    zipped = tmp_path / "other.zip"
    with zipfile.ZipFile(zipped, "w") as package:
        package.writestr("readme.txt", "not a web archive")

    assert web_archive_kind(feed) == ""
    assert web_archive_kind(zipped) == ""


def test_reading_reports_progress_by_bytes_and_records(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, two_page_crawl())
    calls = []

    with WebArchiveReader(
        path, kind="warc", progress=lambda done, n: calls.append((done, n))
    ) as reader:
        reader.read()

    assert calls[-1] == (path.stat().st_size, reader.records)
