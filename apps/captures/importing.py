"""Reading WARC and WACZ files made by other tools (Browsertrix, Webrecorder and ArchiveWeb.page,
ArchiveBox, Social Feed Manager) into captures.

A file is read once, record by record, with warcio (a WACZ: each ``archive/*.warc[.gz]`` in it).
Response bodies go to a spool file on disk and only an index of them stays in memory, so a large
file does not fill memory. Then the file's pages are put together:

- a WACZ lists its pages (``pages/pages.jsonl`` and ``pages/extraPages.jsonl``); a listed page
  that answered with a redirect is followed to the response it led to, within the same file;
- a WARC does not, so each HTML ``200`` response to a ``GET`` is a page, unless its request says
  it was loaded into another page (``Sec-Fetch-Dest: iframe``, say).

A page's requisites are the responses whose request names the page as its ``Referer``, and
those recorded after it and before the next page that name no other page, within the bounds a
crawled capture has (``CAPTURE_MAX_RESOURCES``, ``CAPTURE_MAX_TOTAL_BYTES``). A response the
browser navigated to (``Sec-Fetch-Dest: document``) is another page, never a requisite.

Bodies are stored decoded (chunked transfer and gzip or brotli content encodings undone, and the
headers that described them dropped), as the archive's own captures are, so that every capture
replays the same way. The capture's payload digest is that of the stored body, which is what
makes importing a file twice create nothing twice: a capture is the same capture when its
address, its time (``WARC-Date``) and its payload digest are.

Revisit records (their body is elsewhere) and records that are not HTTP exchanges (``dns:``,
screenshots, metadata) are skipped and counted. A record that cannot be read ends the reading of
its file with an error naming the file and the record's byte offset; what was read before it
is imported. Creating the articles is ingest's part (its upsert by canonical URL); this module
only reads files and stores captures, for whichever article the caller names.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import io
import itertools
import json
import logging
import tempfile
import urllib.parse
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.limitreader import LimitReader
from warcio.timeutils import iso_date_to_datetime

from apps.captures.models import CaptureOrigin, CaptureStatus, WebCapture
from apps.captures.storage import Exchange, store_capture_files, url_key
from apps.core.fetching import stored_headers

logger = logging.getLogger(__name__)

WARC, WACZ = "warc", "wacz"
HTML_TYPES = ("text/html", "application/xhtml+xml")
# A request loaded into another page rather than navigated to (the Fetch standard's
# Sec-Fetch-Dest values a browser-based crawler records).
TOP_LEVEL_DESTINATIONS = ("", "document")
# Headers that describe the bytes as sent, not as stored (bodies are stored decoded).
MAX_REDIRECTS = 5
# An import still "running" after this long died half-way: the next import of the file redoes it.
STALE_IMPORT = datetime.timedelta(hours=1)
READ_CHUNK = 1 << 16
CUT_SHORT = "the file ends inside it, or it holds fewer bytes than it says"

Progress = Callable[[int, int], None]  # (bytes read so far, records so far)


class WebArchiveError(Exception):
    """The file cannot be read at all (not a ZIP, no WARC in it); the message says why."""


def web_archive_kind(path: str | Path) -> str:
    """``"warc"``, ``"wacz"`` or ``""``: what the bytes are, when they say (a WARC starts with
    ``WARC/``, compressed or not; a WACZ is a ZIP with WARC files under ``archive/``); otherwise
    what the name says, so that a broken ``.warc.gz`` still gets the WARC reader's error."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head.startswith(b"WARC/"):
                return WARC
            if head.startswith(b"\x1f\x8b"):
                handle.seek(0)
                try:
                    start = zlib.decompressobj(wbits=31).decompress(handle.read(4096), 5)
                except zlib.error:
                    start = b""
                if start.startswith(b"WARC/"):
                    return WARC
            if head.startswith(b"PK\x03\x04"):
                with zipfile.ZipFile(handle) as package:
                    if any(_is_warc_member(name) for name in package.namelist()):
                        return WACZ
    except (OSError, zipfile.BadZipFile):
        pass
    name = path.name.lower()
    if name.endswith(".wacz"):
        return WACZ
    if name.endswith((".warc", ".warc.gz")):
        return WARC
    return ""


def _is_warc_member(name: str) -> bool:
    return name.startswith("archive/") and name.lower().endswith((".warc", ".warc.gz"))


def payload_digest(body: bytes) -> str:
    """A body's digest as warcio writes ``WARC-Payload-Digest`` (SHA-1, base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()  # noqa: S324 (WARC's own digest)


@dataclass
class ImportReport:
    """What reading one file did. ``fatal`` says why the file could not be read to its end."""

    pages: int = 0
    captures_created: int = 0
    captures_existing: int = 0
    skipped: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    fatal: str = ""

    def skip(self, why: str, count: int = 1) -> None:
        self.skipped[why] += count

    def as_dict(self) -> dict:
        return {
            "pages": self.pages,
            "captures_created": self.captures_created,
            "captures_existing": self.captures_existing,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(self.skipped),
            "errors": len(self.errors),
        }


@dataclass(slots=True)
class _Response:
    """One response record, indexed; its headers and body wait in the spool."""

    order: int
    url: str
    status: int
    reason: str
    content_type: str
    when: datetime.datetime
    position: str
    record_id: str
    concurrent_to: str
    spool_at: int
    header_size: int
    body_size: int
    digest: str


@dataclass(slots=True)
class _Request:
    method: str
    headers: list[tuple[str, str]]

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")


@dataclass
class ImportedPage:
    """A page found in the file, ready to become an article and a capture."""

    url: str
    final_url: str
    captured_at: datetime.datetime
    http_status: int
    content_type: str
    payload_digest: str
    position: str
    title: str
    text: str
    authors: list[str]
    user_agent: str
    responses: list[_Response]
    requisite_count: int
    requisites_skipped: int
    reader: WebArchiveReader = field(repr=False)

    def exchanges(self) -> list[Exchange]:
        return [self.reader.exchange(response) for response in self.responses]


class WebArchiveReader:
    """One WARC or WACZ file: :meth:`read` indexes its records, :meth:`pages` puts its pages
    together. Use it as a context manager (the spool is a temporary file)."""

    def __init__(self, path: str | Path, *, kind: str, progress: Progress | None = None):
        self.path = Path(path)
        self.name = self.path.name
        self.kind = kind
        self.progress = progress
        self.report = ImportReport()
        self.responses: list[_Response] = []
        self.requests_by_id: dict[str, _Request] = {}
        self.requests_for: dict[str, _Request] = {}  # by the response's record id
        self.requests_by_url: dict[str, _Request] = {}
        self.listed_pages: list[dict] | None = None
        self.records = 0
        settings.WEB_CAPTURE_DIR.mkdir(parents=True, exist_ok=True)
        # On the captures' volume: that is where the bytes are going, and where there is room.
        self.spool = tempfile.TemporaryFile(dir=settings.WEB_CAPTURE_DIR, prefix=".import-")  # noqa: SIM115 (closed by close())

    def __enter__(self) -> WebArchiveReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.spool.close()

    # -- reading --------------------------------------------------------------------------

    def read(self) -> ImportReport:
        """Index every record of the file; a record that cannot be read ends the reading with
        ``report.fatal`` naming the file and the record's offset, keeping what came before."""
        self.total = self.path.stat().st_size
        try:
            if self.kind == WACZ:
                self._read_wacz()
            else:
                with self.path.open("rb") as handle:
                    self._read_warc(handle, member="", size=self.total, base=lambda: handle.tell())
        except _OneGzipStream:
            # Compressed as one gzip stream, not a member per record (not seekable, which is
            # why warcio refuses it, but every byte is there): read it again, decompressed.
            self._restart()
            with self.path.open("rb") as raw, gzip.open(raw) as handle:
                self._read_warc(handle, member="", size=-1, base=lambda: raw.tell())
        except WebArchiveError as exc:
            self.report.fatal = f"{self.name}: {exc}"
        if self.progress is not None:
            self.progress(self.total, self.records)
        return self.report

    def _read_wacz(self) -> None:
        try:
            package = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise WebArchiveError(f"not a readable WACZ (ZIP) file ({exc})") from None
        with package:
            names = package.namelist()
            members = sorted(name for name in names if _is_warc_member(name))
            if not members:
                raise WebArchiveError("no WARC file under archive/ in this WACZ")
            self.listed_pages = []
            for listing in ("pages/pages.jsonl", "pages/extraPages.jsonl"):
                if listing in names:
                    self._read_pages_list(package, listing)
            for member in members:
                info = package.getinfo(member)
                with package.open(info) as handle:
                    offset = info.header_offset
                    self._read_warc(
                        handle, member=member, size=info.file_size,
                        base=lambda h=handle, o=offset: o + h.tell(),
                    )  # fmt: skip
                if self.report.fatal:
                    return

    def _read_pages_list(self, package: zipfile.ZipFile, listing: str) -> None:
        with package.open(listing) as handle:
            for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), 1):
                if not line.strip():
                    continue
                try:
                    page = json.loads(line)
                except ValueError:
                    self.report.errors.append((f"{listing} line {number}", "invalid JSON"))
                    continue
                if isinstance(page, dict) and isinstance(page.get("url"), str):
                    self.listed_pages.append(page)  # the header line has no url

    def _read_warc(self, handle, *, member: str, size: int, base: Callable[[], int]) -> None:
        records = ArchiveIterator(handle)
        where = f"{member} " if member else ""
        while True:
            try:
                record = next(records)
            except StopIteration:
                if records.offset < size:
                    # A gzip member cut before it gave a byte looks to warcio like the end.
                    self._fatal(where, records.offset, CUT_SHORT)
                return
            except Exception as exc:  # warcio raises many kinds on broken input
                if "non-chunked gzip" in str(exc) and not member and size >= 0:
                    raise _OneGzipStream from None
                self._fatal(where, records.offset, _reason(exc))
                return
            position = f"{where}offset {records.offset}"
            self.records += 1
            try:
                self._take(record, position)
                _read_to_end(record)
            except _CutShort:
                self._fatal(where, records.offset, CUT_SHORT)
                return
            except (OSError, EOFError, zlib.error, ValueError) as exc:
                # The body could not be decoded: this record is lost, the next may be fine (if
                # the file itself is broken, the next ``next()`` says so).
                self.report.errors.append(
                    (position, f"the record's body could not be read ({_reason(exc)})")
                )
            if self.progress is not None and self.records % 200 == 0:
                self.progress(base(), self.records)

    def _restart(self) -> None:
        self.report = ImportReport()
        self.responses, self.records = [], 0
        self.requests_by_id, self.requests_for, self.requests_by_url = {}, {}, {}
        self.spool.seek(0)
        self.spool.truncate()

    def _fatal(self, where: str, offset: int, reason: str) -> None:
        self.report.fatal = (
            f"{self.name}: {where}the record at byte offset {max(offset, 0)} could not be read "
            f"({reason}); the records before it were read"
        )
        self.report.errors.append((f"{where}offset {max(offset, 0)}", reason))

    def _take(self, record, position: str) -> None:
        kind = record.rec_type
        if not kind:  # the file ended inside the record's WARC headers
            raise _CutShort
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        http = urllib.parse.urlsplit(url).scheme in ("http", "https") and record.http_headers
        if kind in ("warcinfo",):
            return
        if kind == "revisit":
            self.report.skip("revisit record")
            return
        if kind not in ("request", "response") or not http:
            self.report.skip("not an HTTP exchange")
            return
        record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
        concurrent = record.rec_headers.get_header("WARC-Concurrent-To") or ""
        if kind == "request":
            request = _Request(
                method=(record.http_headers.protocol or "GET").upper(),
                headers=[(k, v) for k, v in record.http_headers.headers if k.lower() != "host"],
            )
            self.requests_by_id[record_id] = request
            if concurrent:
                self.requests_for[concurrent] = request
            self.requests_by_url[url] = request
            return
        try:
            status = int(record.http_headers.get_statuscode() or 0)
        except ValueError:
            status = 0
        if not 100 <= status <= 599:
            self.report.errors.append((position, "the response has no valid HTTP status"))
            return
        date = record.rec_headers.get_header("WARC-Date") or ""
        try:
            when = iso_date_to_datetime(date).replace(tzinfo=datetime.UTC)
        except (ValueError, TypeError):
            self.report.errors.append(
                (position, f"the record's WARC-Date {date[:40]!r} is not a date")
            )
            return
        limit = settings.CAPTURE_MAX_TOTAL_BYTES
        body, decoded = _decoded_body(record, limit)
        if len(body) > limit:
            self.report.skip("response larger than CAPTURE_MAX_TOTAL_BYTES")
            return
        _read_to_end(record)  # before it is indexed: a cut-short body is not kept
        if decoded:
            headers = stored_headers(record.http_headers.headers, len(body))
        else:  # kept as it came: its coding still true of it
            headers = [
                (k, v)
                for k, v in record.http_headers.headers
                if k.lower() not in {"transfer-encoding", "content-length"}
            ]
            headers.append(("Content-Length", str(len(body))))
        encoded = json.dumps(headers).encode()
        spool_at = self.spool.seek(0, io.SEEK_END)
        self.spool.write(encoded)
        self.spool.write(body)
        statusline = record.http_headers.statusline or ""
        self.responses.append(
            _Response(
                order=len(self.responses),
                url=url,
                status=status,
                reason=statusline.partition(" ")[2],
                content_type=record.http_headers.get_header("Content-Type") or "",
                when=when,
                position=position,
                record_id=record_id,
                concurrent_to=concurrent,
                spool_at=spool_at,
                header_size=len(encoded),
                body_size=len(body),
                digest=payload_digest(body),
            )
        )

    def _body(self, response: _Response) -> tuple[list[tuple[str, str]], bytes]:
        self.spool.seek(response.spool_at)
        headers = [tuple(pair) for pair in json.loads(self.spool.read(response.header_size))]
        return headers, self.spool.read(response.body_size)

    def request_of(self, response: _Response) -> _Request | None:
        return (
            self.requests_for.get(response.record_id)
            or self.requests_by_id.get(response.concurrent_to)
            or self.requests_by_url.get(response.url)
        )

    def exchange(self, response: _Response) -> Exchange:
        headers, body = self._body(response)
        request = self.request_of(response)
        return Exchange(
            url=response.url,
            status=response.status,
            reason=response.reason,
            headers=headers,
            body=body,
            fetched_at=response.when,
            request_headers=list(request.headers) if request else [],
            method=request.method if request else "GET",
        )

    # -- putting pages together ------------------------------------------------------------

    def pages(self) -> Iterator[ImportedPage]:
        """The file's pages, in the order their first response was recorded."""
        chains = self._page_chains()
        in_chains = {r.order for chain in chains for r in chain}
        by_referer: dict[str, list[_Response]] = defaultdict(list)
        for response in self.responses:
            referer = self._referer(response)
            if referer and response.order not in in_chains:
                by_referer[referer].append(response)
        starts = [chain[0].order for chain in chains] + [len(self.responses)]
        page_urls = {r.url for chain in chains for r in chain}
        for index, chain in enumerate(chains):
            own = {chain[0].url, chain[-1].url}
            following = [
                r
                for r in self.responses[chain[0].order + 1 : starts[index + 1]]
                if self._referer(r) in own or self._referer(r) not in page_urls
            ]
            referred = by_referer.get(chain[0].url, []) + by_referer.get(chain[-1].url, [])
            candidates = {
                r.order: r
                for r in [*following, *referred]
                if r.order not in in_chains and not self._navigation(r)
            }
            requisites, left_out = self._bounded(chain, [candidates[k] for k in sorted(candidates)])
            yield self._page(chain, requisites, left_out)

    def _referer(self, response: _Response) -> str:
        request = self.request_of(response)
        return request.header("Referer") if request else ""

    def _navigation(self, response: _Response) -> bool:
        """A response the browser navigated to (another page), not one a page loaded."""
        request = self.request_of(response)
        return bool(request) and request.header("Sec-Fetch-Dest").lower() == "document"

    def _page_chains(self) -> list[list[_Response]]:
        """Each page's responses: the one for its address, then the redirects it led through."""
        if self.listed_pages is None:
            chains = []
            for response in self.responses:
                request = self.request_of(response)
                method = request.method if request else "GET"
                destination = request.header("Sec-Fetch-Dest").lower() if request else ""
                if (
                    response.status == 200
                    and method == "GET"
                    and response.content_type.split(";")[0].strip().lower() in HTML_TYPES
                    and destination in TOP_LEVEL_DESTINATIONS
                ):
                    chains.append([response])
            return chains
        by_key: dict[str, list[_Response]] = defaultdict(list)
        for response in self.responses:
            by_key[_key(response.url)].append(response)
        chains, seen = [], set()
        for listed in self.listed_pages:
            when = _parse_ts(listed.get("ts"))
            first = _nearest(by_key.get(_key(listed["url"]), []), when)
            if first is None:
                self.report.skip("listed page without a response in the file")
                continue
            chain = [first]
            while 300 <= chain[-1].status < 400 and len(chain) <= MAX_REDIRECTS:
                headers, _ = self._body(chain[-1])
                location = next((v for k, v in headers if k.lower() == "location"), "")
                target = _nearest(
                    by_key.get(_key(urllib.parse.urljoin(chain[-1].url, location)), []),
                    chain[-1].when,
                )
                if not location or target is None or target in chain:
                    break
                chain.append(target)
            if first.order not in seen:  # a page listed twice is one page
                seen.add(first.order)
                chains.append(chain)
        chains.sort(key=lambda chain: chain[0].order)
        return chains

    def _bounded(
        self, chain: list[_Response], requisites: list[_Response]
    ) -> tuple[list[_Response], int]:
        """The requisites a crawled capture would have kept (as many, and as many bytes), and
        how many were left out."""
        budget = settings.CAPTURE_MAX_TOTAL_BYTES - sum(r.body_size for r in chain)
        kept = []
        for response in requisites:
            if len(kept) >= settings.CAPTURE_MAX_RESOURCES or response.body_size > budget:
                self.report.skip("requisite beyond the capture's bounds")
                continue
            budget -= response.body_size
            kept.append(response)
        return kept, len(requisites) - len(kept)

    def _page(
        self, chain: list[_Response], requisites: list[_Response], left_out: int
    ) -> ImportedPage:
        first, final = chain[0], chain[-1]
        listed = self._listed(first)
        title, text, authors = "", "", []
        if final.content_type.split(";")[0].strip().lower() in HTML_TYPES:
            title, text, authors = _extract(self._body(final)[1], final.url)
        request = self.request_of(first)
        return ImportedPage(
            url=first.url,
            final_url=final.url,
            captured_at=first.when,
            http_status=final.status,
            content_type=final.content_type[:200],
            payload_digest=final.digest,
            position=first.position,
            title=(title or str(listed.get("title") or "")).strip()[:500],
            text=text,
            authors=authors,
            user_agent=(request.header("User-Agent") if request else "")[:300],
            responses=[*chain, *requisites],
            requisite_count=len(requisites),
            requisites_skipped=left_out,
            reader=self,
        )

    def _listed(self, response: _Response) -> dict:
        key = _key(response.url)
        return next((p for p in self.listed_pages or [] if _key(p["url"]) == key), {})


def _decoded_body(record, limit: int) -> tuple[bytes, bool]:
    """The response's body without its transfer and content encodings (at most ``limit`` + 1
    bytes, so a compressed bomb stays small), and whether the content encoding was undone.
    A body that does not decode as its headers say is kept as recorded, encoding and all."""
    headers = record.http_headers
    encoding = (headers.get_header("Content-Encoding") or "").strip().lower()
    stream = record.raw_stream
    if "chunked" in (headers.get_header("Transfer-Encoding") or "").lower():
        stream = ChunkedDataReader(stream)  # falls back to the bytes as they are if not chunked
    data = stream.read(limit + 1)
    if encoding in ("", "identity"):
        return data, True
    try:
        if encoding in ("gzip", "x-gzip", "deflate"):
            wbits = 47 if encoding != "deflate" else (15 if data[:1] == b"\x78" else -15)
            return zlib.decompressobj(wbits=wbits).decompress(data, limit + 1), True
        if encoding == "br":
            return brotli.Decompressor().process(data, output_buffer_limit=limit + 1), True
    except (zlib.error, brotli.error):
        pass
    return data, False


class _OneGzipStream(Exception):
    """The WARC is one gzip stream rather than one gzip member per record."""


class _CutShort(Exception):
    """A record holds fewer bytes than its Content-Length says: the file ends inside it."""


def _read_to_end(record) -> None:
    """Read what is left of the record; raise :class:`_CutShort` if the file ended first
    (warcio quietly hands out a truncated record as if it were whole)."""
    raw = record.raw_stream
    while raw.read(READ_CHUNK):
        pass
    if isinstance(raw, LimitReader) and raw.limit > 0:
        raise _CutShort


def _key(url: str) -> str:
    try:
        return url_key(url)
    except ValueError:
        return url


def _parse_ts(value) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(
            datetime.UTC
        )
    except ValueError:
        try:  # pages.jsonl of older tools: a 14-digit timestamp
            return datetime.datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(
                tzinfo=datetime.UTC
            )
        except ValueError:
            return None


def _nearest(responses: list[_Response], when: datetime.datetime | None) -> _Response | None:
    if not responses:
        return None
    if when is None:
        return responses[0]
    return min(responses, key=lambda r: abs((r.when - when).total_seconds()))


def _extract(html: bytes, url: str) -> tuple[str, str, list[str]]:
    """The page's title, main text and authors (trafilatura); empty where it finds none."""
    import trafilatura  # imported when used: it loads a lot

    try:
        document = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False
        )
    except Exception:  # a parser's bug on odd markup must not lose the page
        logger.warning("trafilatura could not read %s", url, exc_info=True)
        return "", "", []
    if document is None:
        return "", "", []
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return document.title or "", _printable(document.text or ""), authors


def _printable(text: str) -> str:
    return "".join(c for c in text if c.isprintable() or c in "\n\t")


def _reason(exc: BaseException) -> str:
    """A short account of a reading error, without the binary garbage warcio quotes."""
    name = exc.__class__.__name__
    if name == "ArchiveLoadFailed":
        return "not a valid WARC record"
    if isinstance(exc, EOFError | AttributeError):
        return "the file ends in the middle of a record"
    if isinstance(exc, zlib.error) or "gzip" in str(exc).lower() or "compressed" in str(exc):
        return f"corrupt gzip data: {_printable(str(exc))[:120]}"
    return f"{name}: {_printable(str(exc))[:120]}"


# -- storing -------------------------------------------------------------------------------


def _lock(key: str) -> None:
    """Serialise imports of one address (two runs of the same file at once create one
    capture): a transaction-scoped advisory lock on the key's hash."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 13))", [key])


def page_capture_store(*, page: ImportedPage, article_id: int | None) -> tuple[WebCapture, bool]:
    """The page's capture, stored unless the same one (address, time, payload digest) already
    is: returns it and whether it was created now. A failure to write the files leaves the
    capture failed, with the reason, and raises."""
    key = url_key(page.url)
    with transaction.atomic():
        _lock(key)
        capture = WebCapture.objects.filter(
            url_key=key, captured_at=page.captured_at, payload_digest=page.payload_digest
        ).first()
        if capture is not None and capture.status == CaptureStatus.DONE:
            if capture.article_id is None and capture.post_id is None and article_id:
                WebCapture.objects.filter(pk=capture.pk).update(article_id=article_id)
            return capture, False
        if (
            capture is not None
            and capture.status == CaptureStatus.RUNNING
            and capture.requested_at > timezone.now() - STALE_IMPORT
        ):
            return capture, False  # another run is writing its files right now
        if capture is None:
            capture = WebCapture(url=page.url[:2000], url_key=key, captured_at=page.captured_at,
                                 payload_digest=page.payload_digest)  # fmt: skip
        capture.article_id = capture.article_id or article_id
        capture.origin = CaptureOrigin.IMPORTED
        capture.status = CaptureStatus.RUNNING
        capture.final_url = page.final_url[:2000]
        capture.http_status = page.http_status
        capture.content_type = page.content_type
        capture.user_agent = page.user_agent
        capture.title = page.title
        capture.text = page.text
        capture.text_sha256 = hashlib.sha256(page.text.encode()).hexdigest() if page.text else ""
        capture.attempts += 1
        capture.error = ""
        capture.save()
    try:
        exchanges = page.exchanges()
        # The page is where the redirects led, as in the archive's own captures.
        store_capture_files(
            capture, exchanges, page_url=page.final_url, title=page.title, text=page.text
        )
    except Exception as exc:
        WebCapture.objects.filter(pk=capture.pk).update(
            status=CaptureStatus.FAILED, error=f"import: {_reason(exc)}"
        )
        raise
    capture.status = CaptureStatus.DONE
    capture.resource_count = page.requisite_count
    capture.resources_skipped = page.requisites_skipped
    capture.total_bytes = sum(len(e.body) for e in exchanges)
    capture.save(update_fields=["status", "resource_count", "resources_skipped", "total_bytes"])
    return capture, True


def batched(items, size: int):
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk
