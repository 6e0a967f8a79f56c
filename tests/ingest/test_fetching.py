"""Fetching over real HTTP from a server on 127.0.0.1: conditional GET, redirects, politeness,
slow and oversized answers, broken documents, encodings, and the address guard."""

import gzip
import io
import ipaddress
import re
import time
import tracemalloc
import zlib

import brotli
import psycopg
import pytest
from django.db import connection

from apps.archive.models import SourceArticle
from apps.core.fetching import (
    BlockedAddressError,
    FetchError,
    TransientFetchError,
    check_address,
    fetch,
    fetch_hops,
    host_slot,
)
from apps.core.models import HostState
from apps.ingest import adapters, services
from apps.ingest.adapters import SourceError
from apps.ingest.models import Feed, Format, RunStatus
from tests.ingest.conftest import Reply, fixture_bytes

pytestmark = pytest.mark.django_db

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def make_feed(server, path="/feed.xml", **kwargs):
    return Feed.objects.create(name="Test feed", url=server.url(path), **kwargs)


def test_a_feed_is_fetched_with_a_user_agent_that_names_the_archive(http_server):
    http_server.routes["/feed.xml"] = Reply(body=fixture_bytes("news_rss.xml"), headers=RSS)
    run = services.feed_poll(feed_id=make_feed(http_server).pk)
    assert run.status == RunStatus.SUCCEEDED and run.counts["created"] == 2
    (_, headers), *_ = http_server.requests
    assert "MeTooArchiveBot" in headers["user-agent"]
    (capture,) = run.captures.all()
    assert capture.status_code == 200
    assert capture.headers["content-type"].startswith("application/rss+xml")


def test_conditional_get_makes_an_unchanged_run_of_a_304(http_server):
    body = fixture_bytes("news_rss.xml")

    def conditional(headers):
        if headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(
            body=body,
            headers={**RSS, "ETag": '"v1"', "Last-Modified": "Tue, 17 Oct 2017 09:00:00 GMT"},
        )

    http_server.routes["/feed.xml"] = conditional
    feed = make_feed(http_server)
    first = services.feed_poll(feed_id=feed.pk)
    feed.refresh_from_db()
    assert (feed.etag, feed.last_modified) == ('"v1"', "Tue, 17 Oct 2017 09:00:00 GMT")
    second = services.feed_poll(feed_id=feed.pk)
    assert first.status == RunStatus.SUCCEEDED
    assert second.status == RunStatus.UNCHANGED, second.error
    assert not second.captures.exists()
    _, headers = http_server.requests[-1]
    assert headers["if-none-match"] == '"v1"'
    assert headers["if-modified-since"] == "Tue, 17 Oct 2017 09:00:00 GMT"
    feed.refresh_from_db()
    assert feed.consecutive_failures == 0 and feed.etag == '"v1"'


def test_up_to_five_redirects_are_followed(http_server):
    for hop in range(5):
        http_server.routes[f"/r{hop}"] = Reply(302, headers={"Location": f"/r{hop + 1}"})
    http_server.routes["/r5"] = Reply(body=fixture_bytes("atom.xml"))
    run = services.source_ingest(source=http_server.url("/r0"))
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts["created"] == 1


def test_a_sixth_redirect_is_refused(http_server):
    for hop in range(6):
        http_server.routes[f"/r{hop}"] = Reply(
            301, headers={"Location": http_server.url(f"/r{hop + 1}")}
        )
    http_server.routes["/r6"] = Reply(body=fixture_bytes("atom.xml"))
    run = services.source_ingest(source=http_server.url("/r0"))
    assert run.status == RunStatus.FAILED
    assert "more than 5 redirects" in run.error
    assert "/r6" not in http_server.paths()


def test_a_short_retry_after_on_429_is_waited_out(http_server):
    http_server.routes["/feed.xml"] = [
        Reply(429, b"slow down", headers={"Retry-After": "1"}),
        Reply(body=fixture_bytes("atom.xml")),
    ]
    started = time.monotonic()
    run = services.source_ingest(source=http_server.url("/feed.xml"))
    assert run.status == RunStatus.SUCCEEDED
    assert time.monotonic() - started >= 1.0
    assert http_server.paths() == ["/feed.xml", "/feed.xml"]


@pytest.mark.parametrize(("status", "retry_after", "waited"), [(429, "30", 30), (503, None, None)])
def test_a_capture_met_by_a_busy_host_after_a_redirect_blocks_it_as_a_feed_would(
    http_server, settings, status, retry_after, waited
):
    """fetch_hops (web captures) keeps every hop, but a 429 or 503 is not a page to keep: the
    host is blocked for the wait it asked for (or the default) and the capture retries later."""
    http_server.routes["/story"] = Reply(301, b"", {"Location": "/moved"})
    headers = {"Retry-After": retry_after} if retry_after else {}
    http_server.routes["/moved"] = Reply(status, b"busy", headers)
    with pytest.raises(TransientFetchError) as caught:
        fetch_hops(http_server.url("/story"))
    expected = waited or settings.INGEST_DEFAULT_RETRY_AFTER
    assert expected - 5 < caught.value.retry_after <= expected
    assert f"HTTP {status}" in str(caught.value)
    assert HostState.objects.get(host="127.0.0.1").last_status == status
    with pytest.raises(TransientFetchError, match="asked us to wait"):
        fetch_hops(http_server.url("/story"))  # blocked: the server is not asked again
    assert http_server.paths() == ["/story", "/moved"]


def test_a_long_retry_after_blocks_the_host_and_the_task_retries_later(http_server):
    http_server.routes["/feed.xml"] = Reply(503, b"maintenance", headers={"Retry-After": "120"})
    feed = make_feed(http_server)
    with pytest.raises(TransientFetchError) as caught:
        services.feed_poll(feed_id=feed.pk, raise_transient=True)
    assert 100 < caught.value.retry_after <= 120
    assert HostState.objects.get(host="127.0.0.1").last_status == 503
    # Every feed on that host now waits without asking the server again.
    run = services.source_ingest(source=http_server.url("/other.xml"))
    assert run.status == RunStatus.FAILED and "asked us to wait" in run.error
    assert http_server.paths() == ["/feed.xml"]
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1 and feed.is_backing_off


def test_a_slow_server_times_out_as_a_transient_failure(http_server):
    http_server.routes["/slow.xml"] = Reply(body=fixture_bytes("atom.xml"), delay=2.0)
    with pytest.raises(TransientFetchError, match="timed out"):
        fetch(http_server.url("/slow.xml"))


def test_a_body_that_drips_past_the_deadline_is_abandoned(http_server, settings):
    settings.INGEST_TOTAL_TIMEOUT = 0.5
    http_server.routes["/drip.xml"] = Reply(body=b"x" * 8192, drip=0.15)
    with pytest.raises(TransientFetchError, match="took longer"):
        fetch(http_server.url("/drip.xml"))


def test_an_oversized_response_is_refused_by_its_declared_length(http_server, settings):
    settings.INGEST_MAX_BYTES = 1000
    http_server.routes["/big.xml"] = Reply(body=b"<rss>" + b" " * 5000 + b"</rss>")
    run = services.source_ingest(source=http_server.url("/big.xml"))
    assert run.status == RunStatus.FAILED
    assert "over the 1,000-byte limit" in run.error


def test_an_oversized_response_without_a_length_is_cut_off_while_streaming(http_server, settings):
    settings.INGEST_MAX_BYTES = 1000
    http_server.routes["/big.xml"] = Reply(body=b"<rss>" + b" " * 50000 + b"</rss>", length=False)
    run = services.source_ingest(source=http_server.url("/big.xml"))
    assert run.status == RunStatus.FAILED
    assert "over the 1,000-byte limit" in run.error


def test_invalid_xml_fails_the_run_naming_the_url_and_position(http_server):
    http_server.routes["/broken.xml"] = Reply(body=fixture_bytes("broken.xml"), headers=RSS)
    run = services.source_ingest(source=http_server.url("/broken.xml"))
    assert run.status == RunStatus.FAILED
    assert run.error.startswith(http_server.url("/broken.xml"))
    assert "line 5, column 1" in run.error


def test_the_http_charset_is_used_when_the_document_declares_none(http_server):
    body = (
        "<rss version='2.0'><channel><title>t</title>"
        "<item><title>Caf\u00e9 soci\u00e9t\u00e9</title>"
        "<link>https://fr.example.org/c</link></item></channel></rss>"
    ).encode("iso-8859-1")
    http_server.routes["/fr.xml"] = Reply(
        body=body, headers={"Content-Type": "text/xml; charset=iso-8859-1"}
    )
    run = services.source_ingest(source=http_server.url("/fr.xml"))
    assert run.status == RunStatus.SUCCEEDED
    assert SourceArticle.objects.get().title == "Café société"


def test_client_errors_fail_for_good_and_server_errors_are_transient(http_server):
    http_server.routes["/gone.xml"] = Reply(404, b"no")
    http_server.routes["/down.xml"] = Reply(500, b"oops")
    gone = services.source_ingest(source=http_server.url("/gone.xml"))
    assert gone.status == RunStatus.FAILED and "HTTP 404" in gone.error
    with pytest.raises(TransientFetchError, match="HTTP 500"):
        fetch(http_server.url("/down.xml"))


def test_loopback_is_refused_unless_a_setting_allows_it(http_server, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    http_server.routes["/feed.xml"] = Reply(body=fixture_bytes("atom.xml"))
    run = services.source_ingest(source=http_server.url("/feed.xml"))
    assert run.status == RunStatus.FAILED
    assert "refused to connect to 127.0.0.1" in run.error
    assert http_server.requests == []


def test_a_redirect_to_a_refused_address_is_not_followed(http_server):
    http_server.routes["/feed.xml"] = Reply(
        302, headers={"Location": f"http://127.0.0.2:{http_server.port}/x"}
    )
    run = services.source_ingest(source=http_server.url("/feed.xml"))
    assert run.status == RunStatus.FAILED
    assert "refused to connect to 127.0.0.2" in run.error


def test_a_name_that_resolves_to_loopback_is_refused(settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    with pytest.raises(BlockedAddressError):
        fetch("http://localhost:9/feed.xml")


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",  # noqa: S104
     "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
     "224.0.0.1"],
)  # fmt: skip
def test_private_loopback_and_link_local_addresses_are_refused(address, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    with pytest.raises(BlockedAddressError):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass_the_guard(address, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    check_address(address)


def test_a_host_with_all_its_slots_taken_makes_the_fetch_wait_and_then_give_up(
    http_server, settings
):
    settings.INGEST_HOST_CONCURRENCY = 1
    settings.INGEST_HOST_SLOT_WAIT = 0.3
    http_server.routes["/feed.xml"] = Reply(body=fixture_bytes("atom.xml"))
    params = connection.get_connection_params()
    other = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        autocommit=True,
    )
    try:
        with host_slot("127.0.0.1"):
            pass  # the slot is free again afterwards
        import zlib

        key = zlib.crc32(b"127.0.0.1") - 2**31
        other.execute("SELECT pg_advisory_lock(%s, 0)", [key])
        with pytest.raises(TransientFetchError, match="already has 1 fetches running"):
            fetch(http_server.url("/feed.xml"))
        other.execute("SELECT pg_advisory_unlock(%s, 0)", [key])
        assert fetch(http_server.url("/feed.xml")).status_code == 200
    finally:
        other.close()


ARTICLE_PAGE = b"""<!doctype html><html><head><title>Story</title></head><body>
<nav>Home | World | Culture</nav>
<article><h1>The woman who created MeToo</h1>
<p>Tarana Burke founded the movement in 2006 to support survivors of sexual violence,
especially young women of colour from low-wealth communities, long before the hashtag spread.</p>
<p>She wanted survivors to know that they were not alone, and that healing was possible for
everyone who had lived through it, whatever their circumstances and wherever they lived.</p>
<p>More than a decade later the phrase travelled around the world within a single day.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def test_an_articles_main_text_is_extracted_from_its_page(http_server):
    http_server.routes["/story.html"] = Reply(
        body=ARTICLE_PAGE, headers={"Content-Type": "text/html"}
    )
    article = SourceArticle.objects.create(
        canonical_url=http_server.url("/story.html"),
        url=http_server.url("/story.html"),
        title="Story",
    )
    assert services.article_text_extract(article_id=article.pk) is True
    article.refresh_from_db()
    assert "Tarana Burke founded the movement in 2006" in article.text
    assert "Copyright Example News" not in article.text
    # Idempotent: the text is not fetched twice.
    assert services.article_text_extract(article_id=article.pk) is False
    assert http_server.paths() == ["/story.html"]


def test_a_url_that_cannot_be_parsed_fails_its_run_with_a_sentence():
    run = services.source_ingest(source="http://[::1/feed.xml")
    assert run.status == RunStatus.FAILED
    assert run.error.startswith("http://[::1/feed.xml: ")
    assert "Traceback" not in run.error


# --- decompression bombs ------------------------------------------------------------------

BOMB_INFLATED = 256 * 1024 * 1024  # 256 times the cap the bomb tests set


@pytest.fixture(scope="session")
def bombs():
    """256 MiB of zeros, gzip-ed (~260 KB), gzip-ed twice (~500 bytes) and brotli-ed
    (~50 KB), compressed a MiB at a time so making them costs no memory."""
    zeros = bytes(1024 * 1024)
    gzip_stream = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    brotli_stream = brotli.Compressor(quality=1)
    gzipped, brotlied = [], []
    for _ in range(BOMB_INFLATED // len(zeros)):
        gzipped.append(gzip_stream.compress(zeros))
        brotlied.append(brotli_stream.process(zeros))
    gzipped.append(gzip_stream.flush())
    brotlied.append(brotli_stream.finish())
    once = b"".join(gzipped)
    return {"gzip": once, "gzip, gzip": gzip.compress(once), "br": b"".join(brotlied)}


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "br"])
def test_a_decompression_bomb_is_refused_at_the_cap_without_inflating_it(
    encoding, bombs, http_server, settings
):
    settings.INGEST_MAX_BYTES = 1024 * 1024
    http_server.routes["/bomb.xml"] = Reply(
        body=bombs[encoding], headers={**RSS, "Content-Encoding": encoding}
    )
    assert len(bombs[encoding]) < settings.INGEST_MAX_BYTES  # small on the wire
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match="over the 1,048,576-byte limit once decompressed"):
            fetch(http_server.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"{peak:,} bytes held while refusing a {encoding} bomb"


def test_a_bomb_fails_its_run_with_a_sentence(bombs, http_server, settings):
    settings.INGEST_MAX_BYTES = 1024 * 1024
    http_server.routes["/bomb.xml"] = Reply(
        body=bombs["br"], headers={**RSS, "Content-Encoding": "br"}
    )
    run = services.source_ingest(source=http_server.url("/bomb.xml"))
    assert run.status == RunStatus.FAILED
    assert "over the 1,048,576-byte limit once decompressed" in run.error
    assert not run.captures.exists()


def test_a_body_that_inflates_to_nothing_is_still_capped_by_the_bytes_sent(http_server, settings):
    settings.INGEST_MAX_BYTES = 1000
    empty_members = gzip.compress(b"") * 5000  # a legal gzip body of 100 KB that is empty
    http_server.routes["/empty.xml"] = Reply(
        body=empty_members, headers={"Content-Encoding": "gzip"}, length=False
    )
    with pytest.raises(FetchError, match="over the 1,000-byte limit"):
        fetch(http_server.url("/empty.xml"))


def test_a_compressed_feed_is_kept_decoded_with_headers_that_say_so(http_server):
    """The raw capture keeps the body decoded (it is hashed and parsed so), so its headers
    must not claim gzip: the coding is kept under the WARC convention's name instead."""
    from apps.ingest.models import RawCapture

    atom = fixture_bytes("atom.xml")
    http_server.routes["/feed.xml"] = Reply(
        body=gzip.compress(atom),
        headers={"Content-Type": "application/atom+xml", "Content-Encoding": "gzip"},
    )
    run = services.source_ingest(source=http_server.url("/feed.xml"))
    assert run.status == RunStatus.SUCCEEDED, run.error
    capture = RawCapture.objects.get(run=run)
    assert capture.size == len(atom)
    assert "content-encoding" not in capture.headers
    assert capture.headers["x-archive-orig-content-encoding"] == "gzip"
    assert capture.headers["content-length"] == str(len(atom))
    assert capture.headers["content-type"] == "application/atom+xml"


def test_three_stacked_encodings_are_refused(http_server):
    body = gzip.compress(gzip.compress(gzip.compress(fixture_bytes("atom.xml"))))
    http_server.routes["/deep.xml"] = Reply(
        body=body, headers={"Content-Encoding": "gzip, gzip, gzip"}
    )
    with pytest.raises(FetchError, match="compressed its body 3 times over"):
        fetch(http_server.url("/deep.xml"))


@pytest.mark.parametrize("encoding", ["zstd", "compress", "gzip, bogus"])
def test_an_encoding_we_did_not_ask_for_is_refused_by_name(encoding, http_server):
    http_server.routes["/odd.xml"] = Reply(
        body=b"\x28\xb5\x2f\xfd", headers={"Content-Encoding": encoding}
    )
    with pytest.raises(FetchError, match="in an encoding we did not ask for"):
        fetch(http_server.url("/odd.xml"))


def test_a_cut_short_compressed_body_is_refused_rather_than_kept_in_part(http_server):
    body = gzip.compress(fixture_bytes("news_rss.xml"))
    http_server.routes["/cut.xml"] = Reply(
        body=body[: len(body) // 2], headers={"Content-Encoding": "gzip"}, length=False
    )
    with pytest.raises(FetchError, match="could not be decoded: the compressed body is cut short"):
        fetch(http_server.url("/cut.xml"))


ATOM = fixture_bytes("atom.xml")


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(ATOM)),
        ("gzip", gzip.compress(ATOM[:100]) + gzip.compress(ATOM[100:])),  # two members
        ("x-gzip", gzip.compress(ATOM)),
        ("deflate", zlib.compress(ATOM)),
        ("deflate", zlib.compress(ATOM)[2:-4]),  # raw deflate, as some servers send it
        ("br", brotli.compress(ATOM)),
        ("gzip, br", brotli.compress(gzip.compress(ATOM))),
        ("identity", ATOM),
        ("", ATOM),
    ],
    ids=["gzip", "gzip-members", "x-gzip", "deflate-zlib", "deflate-raw", "br", "gzip-br",
         "identity", "none"],
)  # fmt: skip
def test_every_encoding_we_ask_for_is_decoded(encoding, body, http_server):
    http_server.routes["/feed.xml"] = Reply(body=body, headers={"Content-Encoding": encoding})
    result = fetch(http_server.url("/feed.xml"))
    assert result.body.read() == ATOM
    (_, headers), *_ = http_server.requests
    assert headers["accept-encoding"] == "gzip, deflate, br"


def test_an_empty_compressed_body_is_an_empty_body(http_server):
    http_server.routes["/empty.xml"] = Reply(body=b"", headers={"Content-Encoding": "gzip"})
    assert fetch(http_server.url("/empty.xml")).body.read() == b""


# --- feedparser and local files -----------------------------------------------------------


def test_a_feed_body_that_names_a_local_file_is_not_read_from_disk(http_server, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(fixture_bytes("atom.xml"))  # a feed that would parse, were it opened
    http_server.routes["/feed.xml"] = Reply(body=str(secret).encode(), headers=RSS)
    run = services.source_ingest(source=http_server.url("/feed.xml"), format=Format.RSS)
    assert run.status == RunStatus.FAILED
    assert "not well-formed XML" in run.error  # the path, read as the document it is
    assert not SourceArticle.objects.exists()


def test_the_rss_reader_reads_a_path_as_text_and_does_not_open_it(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_bytes(fixture_bytes("atom.xml"))
    for path in (b"/etc/passwd", str(feed).encode()):
        with pytest.raises(SourceError, match="not well-formed XML"):
            list(adapters.read_rss(io.BytesIO(path)))


# --- addresses that carry an IPv4 address -------------------------------------------------


def _teredo(client: str) -> str:
    server = int(ipaddress.IPv4Address("65.54.227.120"))
    obscured = int(ipaddress.IPv4Address(client)) ^ 0xFFFFFFFF
    return str(ipaddress.IPv6Address((0x20010000 << 96) | (server << 64) | obscured))


def _carriers(ipv4: str) -> list[str]:
    value = int(ipaddress.IPv4Address(ipv4))
    return [
        f"::ffff:{ipv4}",  # IPv4-mapped
        str(ipaddress.IPv6Address((0x64FF9B << 96) | value)),  # NAT64, 64:ff9b::/96
        str(ipaddress.IPv6Address((0x2002 << 112) | (value << 80) | 1)),  # 6to4
        str(ipaddress.IPv6Address(value)),  # IPv4-compatible, ::a.b.c.d
        _teredo(ipv4),
    ]


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        (address, ipv4)
        for ipv4 in ("127.0.0.1", "10.0.0.1", "169.254.169.254")
        for address in _carriers(ipv4)
    ],
)
def test_an_ipv6_address_carrying_a_private_ipv4_address_is_refused_as_that_address(
    address, carried, settings
):
    settings.INGEST_ALLOWED_NETWORKS = []
    with pytest.raises(BlockedAddressError, match=rf"which carries {re.escape(carried)}\)"):
        check_address(address)


@pytest.mark.parametrize("address", _carriers("93.184.216.34"))
def test_an_ipv6_address_carrying_a_public_ipv4_address_passes(address, settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    check_address(address)  # e.g. every IPv4 site, seen from an IPv6-only host with DNS64


def test_local_use_nat64_is_refused_since_its_ipv4_address_cannot_be_read(settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    with pytest.raises(BlockedAddressError):
        check_address("64:ff9b:1::5db8:d822")


def test_a_url_naming_the_metadata_service_through_nat64_is_never_connected_to(settings):
    settings.INGEST_ALLOWED_NETWORKS = []
    with pytest.raises(BlockedAddressError, match="carries 169.254.169.254"):
        fetch("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/")
