"""Fetching outside URLs politely and safely.

- The address guard runs where the socket is opened, on the addresses DNS actually returned
  (so a redirect or a DNS answer cannot lead a worker to a private, loopback or link-local
  address); ``INGEST_ALLOWED_NETWORKS`` lists the exceptions (tests allow 127.0.0.1).
- Redirects are followed by hand, at most ``INGEST_MAX_REDIRECTS``, each hop guarded.
- Connect and read timeouts, an overall deadline, and a size cap while streaming, on the
  bytes sent and on the bytes decompressed (here, a bounded piece at a time).
- An IPv6 address that carries an IPv4 address (NAT64, 6to4, ...) is judged as that address.
- Conditional GET with ETag / Last-Modified: a 304 is reported as not modified.
- :func:`fetch_hops` hands back every answer of a redirect chain, error answers included, for
  web captures (a capture of a 404 is evidence too); :func:`fetch` raises on them.
- Per-host politeness shared by every worker: at most ``INGEST_HOST_CONCURRENCY`` fetches at a
  time per host (PostgreSQL advisory locks), and a host that answers 429 or 503 is left alone
  until its Retry-After has passed (:class:`~apps.core.models.HostState`).
"""

from __future__ import annotations

import contextlib
import datetime
import email.utils
import ipaddress
import socket
import tempfile
import time
import urllib.parse
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import brotli
import httpcore
import httpx
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.core.models import HostState


class FetchError(Exception):
    """The source could not be fetched, and trying again soon will not help."""


class TransientFetchError(FetchError):
    """The source could not be fetched now; trying again later may work."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class BlockedAddressError(FetchError):
    pass


def _allowed_networks():
    return [ipaddress.ip_network(n, strict=False) for n in settings.INGEST_ALLOWED_NETWORKS]


# IPv6 addresses that carry an IPv4 address in their last 32 bits, which a translator or
# tunnel will connect to: NAT64's well-known prefix (RFC 6052) and the deprecated
# IPv4-compatible form. (IPv4-mapped, 6to4 and Teredo have their own ipaddress properties.)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def carried_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses a connection to this IPv6 address would in the end reach."""
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    if address.sixtofour:
        return [address.sixtofour]
    if address.teredo:
        return list(address.teredo)  # the Teredo server and the client behind it
    # :: and ::1 sit in ::/96 too, but they are themselves, not IPv4 addresses. NAT64 for
    # local use (64:ff9b:1::/48) puts the IPv4 address where each network chooses, so it is
    # not read here; the address is judged as itself (not public: refused).
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_address(ip: str) -> None:
    """Refuse addresses that are not on the public internet, unless a setting allows them.
    An IPv6 address that carries an IPv4 address is judged as the IPv4 address it carries
    (all of them, for Teredo), since that is where the connection ends up."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    allowed = _allowed_networks()
    if any(address in network for network in allowed):
        return
    carried = carried_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else []
    for candidate in carried or [address]:
        if any(candidate in network for network in allowed) or _is_public(candidate):
            continue
        shown = f"{address} (which carries {candidate})" if carried else f"{address}"
        raise BlockedAddressError(
            f"refused to connect to {shown}: not a public address "
            "(INGEST_ALLOWED_NETWORKS can allow it)"
        )


class GuardedBackend(httpcore.SyncBackend):
    """Resolves the host itself, checks every address, and connects to a checked one."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:  # every answer must pass, or a second lookup could differ
            check_address(address)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"no address for {host}")


# Bodies are inflated here rather than by httpx, whose decoders inflate each chunk whole: a
# 64 KiB chunk of a gzip bomb is 64 MiB, and of a gzip-in-gzip or brotli bomb, gigabytes.
ACCEPT_ENCODING = "gzip, deflate, br"
MAX_CONTENT_ENCODINGS = 2  # "gzip, gzip" is legal; deeper stacks serve only to multiply a bomb
_PIECE = 64 * 1024  # the most any decoder hands on at a time (brotli may overshoot a little)


def make_client(*, user_agent: str = "") -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False, retries=0)
    transport._pool._network_backend = GuardedBackend()  # httpx has no public hook for this
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(
            settings.INGEST_READ_TIMEOUT, connect=settings.INGEST_CONNECT_TIMEOUT
        ),
        follow_redirects=False,
        trust_env=False,
        headers={
            "User-Agent": user_agent or settings.INGEST_USER_AGENT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
    )


@dataclass
class FetchResult:
    url: str
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: tempfile.SpooledTemporaryFile | None = None

    @property
    def not_modified(self) -> bool:
        return self.status_code == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return max(0.0, (when - timezone.now()).total_seconds())


def _host_of(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url[:200]}")
    return parts.hostname.lower()


def _check_host_state(host: str) -> None:
    state = HostState.objects.filter(host=host, blocked_until__gt=timezone.now()).first()
    if state is not None:
        wait = (state.blocked_until - timezone.now()).total_seconds()
        raise TransientFetchError(
            f"{host} asked us to wait (HTTP {state.last_status}); retrying in {wait:.0f} s",
            retry_after=wait,
        )


def _block_host(host: str, status: int, seconds: float) -> None:
    HostState.objects.update_or_create(
        host=host,
        defaults={
            "blocked_until": timezone.now() + datetime.timedelta(seconds=seconds),
            "last_status": status,
        },
    )


@contextlib.contextmanager
def host_slot(host: str):
    """Hold one of the host's concurrency slots (a session advisory lock) while fetching."""
    key = zlib.crc32(host.encode()) - 2**31
    slots = settings.INGEST_HOST_CONCURRENCY
    deadline = time.monotonic() + settings.INGEST_HOST_SLOT_WAIT
    while True:
        with connection.cursor() as cursor:
            for slot in range(slots):
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, slot])
                if cursor.fetchone()[0]:
                    break
            else:
                slot = None
        if slot is not None:
            break
        if time.monotonic() > deadline:
            raise TransientFetchError(f"{host} already has {slots} fetches running", retry_after=10)
        time.sleep(0.2)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, slot])


# A body is stored decoded (replay engines and parsers read it so): these headers would no
# longer be true of it.
_NOT_TRUE_OF_DECODED = {"content-encoding", "transfer-encoding", "content-length"}


def stored_headers(headers: Iterable[tuple[str, str]], length: int) -> list[tuple[str, str]]:
    """A response's headers as kept beside its body stored decoded: Content-Encoding and
    Transfer-Encoding dropped, the original coding kept in ``X-Archive-Orig-Content-Encoding``
    (the WARC convention), and Content-Length the stored ``length``."""
    headers = list(headers)
    kept = [(name, value) for name, value in headers if name.lower() not in _NOT_TRUE_OF_DECODED]
    codings = [value for name, value in headers if name.lower() == "content-encoding"]
    if codings:
        kept.append(("X-Archive-Orig-Content-Encoding", ", ".join(codings)))
    kept.append(("Content-Length", str(length)))
    return kept


BUSY = (429, 503)  # "too many requests", "unavailable": the host asks us to come back later


def _busy_wait(retry_after: str | None) -> float:
    """The seconds a busy host asked for (``Retry-After``), or the default wait."""
    wait = retry_after_seconds(retry_after)
    return wait if wait is not None else settings.INGEST_DEFAULT_RETRY_AFTER


def _busy(url: str, status: int, wait: float) -> TransientFetchError:
    """Keep away from ``url``'s host for ``wait`` seconds, and the error that says why."""
    _block_host(_host_of(url), status, wait)
    return TransientFetchError(
        f"{url} answered HTTP {status}; retry after {wait:.0f} s", retry_after=wait
    )


def fetch(
    url: str, *, etag: str = "", last_modified: str = "", client: httpx.Client | None = None
) -> FetchResult:
    """GET ``url`` under every rule above. Raises FetchError or TransientFetchError."""
    own_client = client is None
    client = client or make_client()
    try:
        for attempt in range(settings.INGEST_INLINE_RETRIES + 1):
            host = _host_of(url)
            _check_host_state(host)
            with host_slot(host):
                result = _fetch_following_redirects(client, url, etag, last_modified)
            if result.status_code in BUSY:
                wait = _busy_wait(result.headers.get("retry-after"))
                if (
                    wait <= settings.INGEST_MAX_INLINE_WAIT
                    and attempt < settings.INGEST_INLINE_RETRIES
                ):
                    time.sleep(wait)
                    continue
                raise _busy(result.url, result.status_code, wait)
            return result
        raise TransientFetchError(f"{url} kept answering 429/503")  # pragma: no cover
    finally:
        if own_client:
            client.close()


@dataclass
class Hop:
    """One answer of a redirect chain: its status, headers as sent, and body decoded."""

    url: str
    status_code: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime.datetime
    request_headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def location(self) -> str:
        return next((v for k, v in self.headers if k.lower() == "location"), "")

    @property
    def is_redirect(self) -> bool:  # the statuses httpx follows, as fetch does
        return self.status_code in (301, 302, 303, 307, 308) and bool(self.location)


def fetch_hops(
    url: str,
    *,
    client: httpx.Client | None = None,
    headers: dict[str, str] | None = None,
    max_bytes: int | None = None,
) -> list[Hop]:
    """GET ``url`` under the same guard, timeouts, caps and politeness as :func:`fetch`, but
    hand back every answer: each redirect hop, and a 4xx or 5xx answer as it came (the last
    hop). Each hop holds a slot of its own host. A 429 or 503 still blocks the host and
    raises TransientFetchError, as fetch does; a body over ``max_bytes`` (at most
    ``INGEST_MAX_BYTES``) raises FetchError."""
    own_client = client is None
    client = client or make_client()
    limit = min(settings.INGEST_MAX_BYTES, max_bytes or settings.INGEST_MAX_BYTES)
    hops: list[Hop] = []
    started = time.monotonic()
    try:
        for _hop in range(settings.INGEST_MAX_REDIRECTS + 1):
            host = _host_of(url)
            _check_host_state(host)
            with host_slot(host):
                hop = _fetch_one(client, url, headers or {}, started, limit)
            hops.append(hop)
            if hop.status_code in BUSY:
                retry_after = next((v for k, v in hop.headers if k.lower() == "retry-after"), None)
                raise _busy(url, hop.status_code, _busy_wait(retry_after))
            if not hop.is_redirect:
                return hops
            limit = max(limit - len(hop.body), 0)
            url = urllib.parse.urljoin(url, hop.location)
        raise FetchError(f"{url}: more than {settings.INGEST_MAX_REDIRECTS} redirects")
    finally:
        if own_client:
            client.close()


def _fetch_one(client, url, headers, started, limit) -> Hop:
    try:
        with client.stream("GET", url, headers=headers) as response:
            fetched_at = timezone.now()
            with _read_capped(response, url, started, limit=limit) as body:
                content = body.read()
            return Hop(
                url=url,
                status_code=response.status_code,
                reason=response.reason_phrase,
                headers=_decoded(response.headers.raw),
                body=content,
                fetched_at=fetched_at,
                request_headers=[
                    (k, v) for k, v in _decoded(response.request.headers.raw) if k.lower() != "host"
                ],
            )
    except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
        raise TransientFetchError(f"{url} timed out ({exc.__class__.__name__})") from exc
    except (httpx.TransportError, httpcore.ConnectError) as exc:
        raise TransientFetchError(f"{url} could not be reached: {exc}") from exc


def _decoded(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw]


def _fetch_following_redirects(client, url, etag, last_modified) -> FetchResult:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.monotonic()
    for _hop in range(settings.INGEST_MAX_REDIRECTS + 1):
        _host_of(url)
        try:
            with client.stream("GET", url, headers=headers) as response:
                if response.has_redirect_location:
                    location = response.headers.get("location", "")
                    url = urllib.parse.urljoin(url, location)
                    continue
                result = FetchResult(
                    url=url,
                    status_code=response.status_code,
                    headers={k.lower(): v for k, v in response.headers.items()},
                )
                if response.status_code == 304 or response.status_code in (429, 503):
                    return result
                if response.status_code >= 500:
                    raise TransientFetchError(f"{url} answered HTTP {response.status_code}")
                if response.status_code >= 400:
                    raise FetchError(f"{url} answered HTTP {response.status_code}")
                result.body = _read_capped(response, url, started)
                return result
        except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
            raise TransientFetchError(f"{url} timed out ({exc.__class__.__name__})") from exc
        except (httpx.TransportError, httpcore.ConnectError) as exc:
            raise TransientFetchError(f"{url} could not be reached: {exc}") from exc
    raise FetchError(f"{url}: more than {settings.INGEST_MAX_REDIRECTS} redirects")


class _ZlibDecoder:
    def __init__(self, wbits: int | None):
        # None: HTTP's "deflate", which servers send zlib-wrapped or raw; the first bytes tell.
        self.wbits = wbits
        self.obj = None if wbits is None else zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.obj is None:
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self.wbits = zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS  # RFC 1950's header
            self.obj = zlib.decompressobj(self.wbits)
        while True:
            if self.obj.eof and data:  # a gzip body may be several members end to end
                self.obj = zlib.decompressobj(self.wbits)
            piece = self.obj.decompress(data, _PIECE)
            if piece:
                yield piece
            data = self.obj.unconsumed_tail or self.obj.unused_data
            if not data and not piece:  # nothing left, not even output zlib held back
                return

    def finish(self) -> None:
        if self.obj is None or not self.obj.eof:
            raise zlib.error("the compressed body is cut short")


class _BrotliDecoder:
    def __init__(self):
        self.obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        yield self.obj.process(data, output_buffer_limit=_PIECE)
        while not self.obj.can_accept_more_data():
            yield self.obj.process(b"", output_buffer_limit=_PIECE)

    def finish(self) -> None:
        if not self.obj.is_finished():
            raise brotli.error("the compressed body is cut short")


_DECODERS = {
    "gzip": lambda: _ZlibDecoder(16 + zlib.MAX_WBITS),
    "x-gzip": lambda: _ZlibDecoder(16 + zlib.MAX_WBITS),
    "deflate": lambda: _ZlibDecoder(None),
    "br": _BrotliDecoder,
}


def _decoders_for(response: httpx.Response, url: str) -> list:
    """The decoders that undo the response's Content-Encoding, outermost first."""
    codings = [
        coding.strip().lower()
        for coding in response.headers.get("content-encoding", "").split(",")
        if coding.strip() and coding.strip().lower() != "identity"
    ]
    unknown = [coding for coding in codings if coding not in _DECODERS]
    if unknown:
        raise FetchError(
            f"{url} sent its body in an encoding we did not ask for ({unknown[0][:40]}); "
            f"accepted: {ACCEPT_ENCODING}"
        )
    if len(codings) > MAX_CONTENT_ENCODINGS:
        raise FetchError(
            f"{url} compressed its body {len(codings)} times over; "
            f"at most {MAX_CONTENT_ENCODINGS} encodings are accepted"
        )
    return [_DECODERS[coding]() for coding in reversed(codings)]


def _inflate(decoders: list, data: bytes) -> Iterator[bytes]:
    """Pass data through every decoder, one bounded piece at a time, so no more than a piece
    per decoder is ever held, however much the data inflates."""
    if not data:
        return
    if not decoders:
        yield data
        return
    first, *rest = decoders
    for piece in first.feed(data):
        yield from _inflate(rest, piece)


def _read_capped(response: httpx.Response, url: str, started: float, limit: int | None = None):
    """The body, decoded, spooled to disk past 8 MiB. ``INGEST_MAX_BYTES`` (or a lower
    ``limit``) caps the bytes as they came over the wire and as they are once decoded alike."""
    limit = settings.INGEST_MAX_BYTES if limit is None else limit
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{url} is {int(declared):,} bytes, over the {limit:,}-byte limit")
    decoders = _decoders_for(response, url)
    body = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned
    raw = size = 0
    try:
        for chunk in response.iter_raw():
            raw += len(chunk)
            if raw > limit:
                raise FetchError(f"{url} is over the {limit:,}-byte limit")
            for piece in _inflate(decoders, chunk):
                size += len(piece)
                if size > limit:
                    raise FetchError(
                        f"{url} is over the {limit:,}-byte limit once decompressed "
                        f"(from {raw:,} bytes sent)"
                    )
                body.write(piece)
            if time.monotonic() - started > settings.INGEST_TOTAL_TIMEOUT:
                raise TransientFetchError(
                    f"{url} took longer than {settings.INGEST_TOTAL_TIMEOUT} s to download"
                )
        if raw:  # an empty body is empty whatever its Content-Encoding says
            for decoder in decoders:
                decoder.finish()
    except (zlib.error, brotli.error) as exc:
        body.close()
        raise FetchError(f"{url} sent a body that could not be decoded: {exc}") from exc
    except BaseException:
        body.close()
        raise
    body.seek(0)
    return body
