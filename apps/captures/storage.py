"""Writing a capture's files: WARC 1.1 records (warcio), packaged as a WACZ (py-wacz), each file's
SHA-256 recorded as its fixity.

Whoever produced the HTTP exchanges (the capturer, an imported WARC) hands them here as
:class:`Exchange` objects; this module only writes and records. One folder per capture under
``WEB_CAPTURE_DIR``: ``<yyyy>/<mm>/<capture id>/`` holding ``capture.warc.gz``, ``capture.wacz``
and, when one was taken, ``screenshot.png``.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import surt
from django.conf import settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from apps.captures.models import CaptureFile, FileKind, WebCapture

SOFTWARE = "The #MeToo Archive (warcio, py-wacz)"


@dataclass
class Exchange:
    """One HTTP request and its response, as they are written to the WARC."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime.datetime
    reason: str = ""
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    method: str = "GET"


# A capture's files are written in a folder of this prefix inside its own folder, then moved
# into place: what starts so is unfinished (backups skip it; the next attempt removes it).
SCRATCH_PREFIX = "tmp"  # tempfile's own, as earlier versions wrote it


def url_key(url: str) -> str:
    """The address in SURT form (``org,example)/path?query``), as CDX indexes key it: case,
    ``www.``, default ports, fragments and the order of query arguments do not matter."""
    return surt.surt(url.strip())


def warc_date(when: datetime.datetime, *, micros: bool = True) -> str:
    """WARC 1.1's date (``2017-10-15T20:21:00.123456Z``); warcio wants a naive UTC moment."""
    naive = when.astimezone(datetime.UTC).replace(tzinfo=None) if when.tzinfo else when
    return datetime_to_iso_date(naive, use_micros=micros)


def capture_dir(capture: WebCapture) -> Path:
    return settings.WEB_CAPTURE_DIR / capture_relative_dir(capture)


def capture_relative_dir(capture: WebCapture) -> str:
    when = capture.requested_at or datetime.datetime.now(datetime.UTC)
    return f"{when:%Y}/{when:%m}/{capture.pk}"


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _request_line(exchange: Exchange) -> str:
    parts = urllib.parse.urlsplit(exchange.url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return f"{exchange.method} {target} HTTP/1.1"


def write_warc(
    path: Path,
    exchanges: Iterable[Exchange],
    *,
    screenshot: bytes | None = None,
    screenshot_url: str = "",
    screenshot_at: datetime.datetime | None = None,
) -> dict[str, str]:
    """Write the exchanges as request/response pairs (and the screenshot as a resource record).
    Returns each response's WARC-Payload-Digest by URL."""
    digests: dict[str, str] = {}
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(
            writer.create_warcinfo_record(
                path.name,
                {
                    "software": SOFTWARE,
                    "format": "WARC File Format 1.1",
                    "http-header-user-agent": settings.CAPTURE_USER_AGENT,
                },
            )
        )
        for exchange in exchanges:
            when = {"WARC-Date": warc_date(exchange.fetched_at)}
            host = urllib.parse.urlsplit(exchange.url).netloc
            request = writer.create_warc_record(
                exchange.url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(
                    _request_line(exchange),
                    [("Host", host), *exchange.request_headers],
                    is_http_request=True,
                ),
                warc_headers_dict=dict(when),
            )
            status_line = f"{exchange.status} {exchange.reason}".strip()
            response = writer.create_warc_record(
                exchange.url,
                "response",
                payload=io.BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=StatusAndHeaders(status_line, exchange.headers, protocol="HTTP/1.1"),
                warc_headers_dict=dict(when),
            )
            writer.write_request_response_pair(request, response)
            digests.setdefault(exchange.url, response.rec_headers.get_header("WARC-Payload-Digest"))
        if screenshot:
            when = screenshot_at or datetime.datetime.now(datetime.UTC)
            writer.write_record(
                writer.create_warc_record(
                    f"urn:screenshot:{screenshot_url}",
                    "resource",
                    payload=io.BytesIO(screenshot),
                    length=len(screenshot),
                    warc_content_type="image/png",
                    warc_headers_dict={"WARC-Date": warc_date(when)},
                )
            )
    return digests


def write_wacz(path: Path, warc: Path, *, pages: list[dict], title: str = "") -> None:
    """Package the WARC as a WACZ with its CDXJ index and the given pages (py-wacz)."""
    from wacz.main import main as wacz_main  # imported when used: it loads frictionless

    with tempfile.TemporaryDirectory() as scratch:
        pages_file = Path(scratch) / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        pages_file.write_text("\n".join(json.dumps(p) for p in [header, *pages]) + "\n")
        args = ["create", "-o", str(path), "--pages", str(pages_file), str(warc)]
        if title:
            args += ["--title", title[:200]]
        # py-wacz reports progress on stdout; the archive's own log says what happened.
        with contextlib.redirect_stdout(io.StringIO()):
            status = wacz_main(args)
    if status not in (0, None):
        raise RuntimeError(f"py-wacz could not package {warc.name} (exit {status})")


def validate_wacz(path: Path) -> bool:
    """True when py-wacz's validator accepts the file (structure, datapackage, hashes)."""
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(io.StringIO()):
        return wacz_main(["validate", "-f", str(path)]) == 0


def page_record(url: str, when: datetime.datetime, title: str = "", text: str = "") -> dict:
    record = {"url": url, "ts": warc_date(when, micros=False), "title": title}
    if text:
        record["text"] = text
    return record


def record_file(capture: WebCapture, kind: str, path: Path) -> CaptureFile:
    sha256, size = file_sha256(path)
    relative = path.relative_to(settings.WEB_CAPTURE_DIR).as_posix()
    return CaptureFile.objects.update_or_create(
        capture=capture, kind=kind, defaults={"path": relative, "sha256": sha256, "size": size}
    )[0]


def store_capture_files(
    capture: WebCapture,
    exchanges: list[Exchange],
    *,
    page_url: str,
    title: str = "",
    text: str = "",
    screenshot: bytes | None = None,
) -> dict[str, str]:
    """Write the capture's WARC, WACZ and screenshot into its folder and record their fixity.

    Files are written in a scratch folder and moved into place, so a capture interrupted
    half-way leaves no file that looks finished; the scratch folder of an attempt that was
    killed is removed by the next one (one attempt at a time stores a capture: the capture's
    advisory lock). Returns the payload digests by URL."""
    folder = capture_dir(capture)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(f"{SCRATCH_PREFIX}*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    page_at = next((e.fetched_at for e in exchanges if e.url == page_url), None)
    page_at = page_at or datetime.datetime.now(datetime.UTC)
    with tempfile.TemporaryDirectory(dir=folder, prefix=SCRATCH_PREFIX) as scratch:
        scratch_dir = Path(scratch)
        warc = scratch_dir / "capture.warc.gz"
        digests = write_warc(
            warc, exchanges, screenshot=screenshot, screenshot_url=page_url, screenshot_at=page_at
        )
        wacz = scratch_dir / "capture.wacz"
        write_wacz(wacz, warc, pages=[page_record(page_url, page_at, title, text)], title=title)
        moved = {FileKind.WARC: warc, FileKind.WACZ: wacz}
        if screenshot:
            png = scratch_dir / "screenshot.png"
            png.write_bytes(screenshot)
            moved[FileKind.SCREENSHOT] = png
        for kind, path in moved.items():
            final = folder / path.name
            shutil.move(path, final)
            record_file(capture, kind, final)
    return digests


def open_file(capture_file: CaptureFile):
    return (settings.WEB_CAPTURE_DIR / capture_file.path).open("rb")
