"""Memento (RFC 7089): the TimeGate, the TimeMaps in link format and JSON, and the headers of a
capture's page, each answer checked against the RFC's examples (status, Vary, Link parsed back,
RFC 1123 datetimes). Only public captures are Mementos."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils.http import parse_http_date

from apps.captures.memento import memento_headers, original_address
from apps.captures.models import CaptureStatus, WebCapture
from tests.factories import SourceArticleFactory

pytestmark = pytest.mark.django_db

URL = "https://www.example.org/news/metoo.html?id=7&page=1"
UTC = datetime.UTC
OCT_15 = datetime.datetime(2017, 10, 15, 20, 21, tzinfo=UTC)
OCT_20 = datetime.datetime(2017, 10, 20, 9, 0, tzinfo=UTC)
NOV_30 = datetime.datetime(2017, 11, 30, 18, 45, 30, tzinfo=UTC)

_LINK = re.compile(r'\s*<([^>]*)>((?:\s*;\s*[a-z]+="[^"]*")*)\s*(,|$)')
_PARAM = re.compile(r';\s*([a-z]+)="([^"]*)"')


def parse_links(value: str) -> list[dict[str, str]]:
    """A Link header (or link-format body) parsed back per RFC 8288: each link as its params
    with "uri"; fails on anything that is not `<uri>; name="value"...` separated by commas."""
    links, position = [], 0
    while position < len(value.rstrip()):
        match = _LINK.match(value, position)
        assert match, f"not link syntax at {value[position:]!r}"
        links.append({"uri": match[1], **dict(_PARAM.findall(match[2]))})
        position = match.end()
    return links


def by_rel(links, rel: str) -> list[dict[str, str]]:
    return [link for link in links if rel in link["rel"].split()]


def http_moment(value: str) -> datetime.datetime:
    """Parses only HTTP dates; and checks the RFC 1123 form Memento asks for."""
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT", value)
    return datetime.datetime.fromtimestamp(parse_http_date(value), tz=UTC)


def detail(capture) -> str:
    return "http://testserver" + reverse("captures:detail", args=[capture.pk])


@pytest.fixture
def article():
    return SourceArticleFactory(published=True, canonical_url=URL)


@pytest.fixture
def three(make_capture, article):
    """Three public captures of URL: 15 October, 20 October and 30 November 2017."""
    return [make_capture(URL, article=article, when=when) for when in (OCT_15, OCT_20, NOV_30)]


# --- TimeGate ------------------------------------------------------------------------------


def test_the_timegate_without_accept_datetime_redirects_to_the_latest_capture(client, three):
    response = client.get(f"/timegate/{URL}")

    assert response.status_code == 302
    assert response["Location"] == detail(three[-1])
    assert response["Vary"] == "accept-datetime"
    assert "Memento-Datetime" not in response  # a TimeGate is not a Memento (RFC 7089 4.2.1)
    links = parse_links(response["Link"])
    assert by_rel(links, "original") == [{"uri": URL, "rel": "original"}]
    timemaps = {link["type"]: link for link in by_rel(links, "timemap")}
    assert timemaps["application/link-format"]["uri"] == f"http://testserver/timemap/link/{URL}"
    assert timemaps["application/json"]["uri"] == f"http://testserver/timemap/json/{URL}"
    assert http_moment(timemaps["application/link-format"]["from"]) == OCT_15
    assert http_moment(timemaps["application/link-format"]["until"]) == NOV_30
    first, last = by_rel(links, "first")[0], by_rel(links, "last")[0]
    assert (first["uri"], first["rel"]) == (detail(three[0]), "first memento")
    assert http_moment(first["datetime"]) == OCT_15
    assert (last["uri"], last["rel"]) == (detail(three[-1]), "last memento")
    assert http_moment(last["datetime"]) == NOV_30


@pytest.mark.parametrize(
    ("accept_datetime", "chosen"),
    [
        ("Tue, 15 Sep 2015 11:28:26 GMT", 0),  # before the first: the first
        ("Mon, 16 Oct 2017 00:00:00 GMT", 0),  # between, nearer the first
        ("Thu, 19 Oct 2017 12:00:00 GMT", 1),  # between, nearer the second
        ("Fri, 20 Oct 2017 09:00:00 GMT", 1),  # exactly a capture's time
        ("Sat, 25 Nov 2017 00:00:00 GMT", 2),
        ("Wed, 20 Jan 2021 09:34:33 GMT", 2),  # after the last: the last
    ],
)
def test_accept_datetime_picks_the_capture_closest_in_time(client, three, accept_datetime, chosen):
    response = client.get(f"/timegate/{URL}", headers={"accept-datetime": accept_datetime})

    assert response.status_code == 302
    assert response["Location"] == detail(three[chosen])
    mementos = [
        link for link in parse_links(response["Link"]) if link["uri"] == detail(three[chosen])
    ]
    assert len(mementos) == 1 and "memento" in mementos[0]["rel"].split()


def test_a_tie_in_time_goes_to_the_earlier_capture(client, three):
    assert OCT_15 + (OCT_20 - OCT_15) / 2 == datetime.datetime(2017, 10, 18, 2, 40, 30, tzinfo=UTC)
    halfway, just_after = "Wed, 18 Oct 2017 02:40:30 GMT", "Wed, 18 Oct 2017 02:40:31 GMT"

    response = client.get(f"/timegate/{URL}", headers={"accept-datetime": halfway})
    assert response["Location"] == detail(three[0])
    response = client.get(f"/timegate/{URL}", headers={"accept-datetime": just_after})
    assert response["Location"] == detail(three[1])


@pytest.mark.parametrize(
    "value", ["yesterday", "2017-10-15T20:21:00Z", "Thu, 31 May 2007 20:35:00", "Foo, 99 Bar"]
)
def test_an_accept_datetime_that_is_not_an_http_date_is_refused_with_a_reason(client, three, value):
    response = client.get(f"/timegate/{URL}", headers={"accept-datetime": value})

    assert response.status_code == 400
    assert "Accept-Datetime must be an HTTP date" in response.content.decode()
    assert "Location" not in response


def test_the_timegate_answers_head_as_it_answers_get(client, three):
    response = client.head(f"/timegate/{URL}")
    assert response.status_code == 302
    assert response["Location"] == detail(three[-1])


def test_an_address_never_captured_is_not_found_with_a_link_to_it(client, three):
    response = client.get("/timegate/https://example.org/elsewhere")

    assert response.status_code == 404
    assert parse_links(response["Link"]) == [
        {"uri": "https://example.org/elsewhere", "rel": "original"}
    ]


@pytest.mark.parametrize(
    "spelling",
    [
        "http://example.org/news/metoo.html?page=1&id=7",  # no www, http, arguments reordered
        "https://WWW.EXAMPLE.ORG:443/news/metoo.html?id=7&page=1",
        "https:/www.example.org/news/metoo.html?id=7&page=1",  # slashes merged by a proxy
        "www.example.org/news/metoo.html?id=7&page=1",  # no scheme
    ],
)
def test_other_spellings_of_the_address_find_its_captures(client, three, spelling):
    response = client.get(f"/timegate/{spelling}")

    assert response.status_code == 302
    assert response["Location"] == detail(three[-1])
    assert client.get(f"/timemap/link/{spelling}").status_code == 200


def test_a_scheme_whose_slashes_were_merged_is_repaired_in_the_answer(client, three):
    response = client.get("/timemap/json/https:/www.example.org/news/metoo.html?id=7&page=1")
    assert response.json()["original_uri"] == URL


def test_the_query_string_belongs_to_the_original_address(client, make_capture, article):
    make_capture("https://example.org/story?id=1", article=article)

    assert client.get("/timegate/https://example.org/story?id=1").status_code == 302
    assert client.get("/timegate/https://example.org/story?id=2").status_code == 404
    assert client.get("/timegate/https://example.org/story").status_code == 404


@pytest.mark.parametrize("garbage", ["not a url", "javascript:alert(1)", "ftp://example.org/a"])
def test_garbage_instead_of_an_address_is_a_bad_request(client, garbage):
    for endpoint in ("timegate", "timemap/link", "timemap/json"):
        response = client.get(f"/{endpoint}/{garbage}")
        assert response.status_code == 400, endpoint
        assert "not a web address" in response.content.decode()


def test_an_address_in_the_link_header_cannot_break_out_of_its_brackets(client):
    response = client.get('/timegate/https://example.org/a>;rel="memento"')

    assert response.status_code == 404
    assert parse_links(response["Link"]) == [
        {"uri": "https://example.org/a%3E;rel=%22memento%22", "rel": "original"}
    ]


# --- What is not public is no Memento ------------------------------------------------------


@pytest.fixture
def mixed(make_capture, article):
    """One public capture of URL among a withdrawn entry's, a pending entry's, a failed one."""
    withdrawn = SourceArticleFactory(withdrawn=True)
    pending = SourceArticleFactory()
    public = make_capture(URL, article=article, when=OCT_20)
    hidden = [
        make_capture(URL, article=withdrawn, when=OCT_15),
        make_capture(URL, article=pending, when=datetime.datetime(2017, 10, 19, tzinfo=UTC)),
        make_capture(URL, article=article, when=NOV_30),
    ]
    WebCapture.objects.filter(pk=hidden[2].pk).update(status=CaptureStatus.FAILED)
    return public, hidden


def test_withdrawn_pending_and_failed_captures_are_absent_from_the_timemaps(client, mixed):
    public, hidden = mixed

    links = parse_links(client.get(f"/timemap/link/{URL}").content.decode())
    mementos = by_rel(links, "memento")
    assert [m["uri"] for m in mementos] == [detail(public)]
    assert mementos[0]["rel"] == "first last memento"

    document = client.get(f"/timemap/json/{URL}").json()
    assert [m["uri"] for m in document["mementos"]["list"]] == [detail(public)]


@pytest.mark.parametrize("accept_datetime", [None, "Sun, 15 Oct 2017 20:21:00 GMT"])
def test_the_timegate_never_sends_to_a_capture_that_is_not_public(client, mixed, accept_datetime):
    public, hidden = mixed
    headers = {"accept-datetime": accept_datetime} if accept_datetime else {}

    response = client.get(f"/timegate/{URL}", headers=headers)

    assert response["Location"] == detail(public)
    assert {link["uri"] for link in parse_links(response["Link"])} == {
        URL,
        f"http://testserver/timemap/link/{URL}",
        f"http://testserver/timemap/json/{URL}",
        detail(public),
    }


def test_an_address_captured_only_for_a_withdrawn_entry_is_not_found(client, make_capture):
    make_capture(URL, article=SourceArticleFactory(withdrawn=True))

    for endpoint in ("timegate", "timemap/link", "timemap/json"):
        assert client.get(f"/{endpoint}/{URL}").status_code == 404, endpoint


# --- TimeMaps -----------------------------------------------------------------------------


def test_the_link_timemap_is_written_as_rfc_7089_section_5_1_1_shows(client, three):
    response = client.get(f"/timemap/link/{URL}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/link-format"
    links = parse_links(response.content.decode())
    assert links[0] == {"uri": URL, "rel": "original"}
    assert links[1] == {
        "uri": f"http://testserver/timemap/link/{URL}",
        "rel": "self",
        "type": "application/link-format",
        "from": "Sun, 15 Oct 2017 20:21:00 GMT",
        "until": "Thu, 30 Nov 2017 18:45:30 GMT",
    }
    assert links[2] == {"uri": f"http://testserver/timegate/{URL}", "rel": "timegate"}
    assert links[3:] == [
        {
            "uri": detail(three[0]),
            "rel": "first memento",
            "datetime": "Sun, 15 Oct 2017 20:21:00 GMT",
        },
        {"uri": detail(three[1]), "rel": "memento", "datetime": "Fri, 20 Oct 2017 09:00:00 GMT"},
        {
            "uri": detail(three[2]),
            "rel": "last memento",
            "datetime": "Thu, 30 Nov 2017 18:45:30 GMT",
        },
    ]
    assert response["X-Memento-Count"] == "3"


def test_the_json_timemap_has_the_shape_perma_and_the_aggregators_give(client, three):
    response = client.get(f"/timemap/json/{URL}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    entries = [
        {"datetime": "2017-10-15T20:21:00Z", "uri": detail(three[0])},
        {"datetime": "2017-10-20T09:00:00Z", "uri": detail(three[1])},
        {"datetime": "2017-11-30T18:45:30Z", "uri": detail(three[2])},
    ]
    assert json.loads(response.content) == {
        "original_uri": URL,
        "timegate_uri": f"http://testserver/timegate/{URL}",
        "timemap_uri": {
            "link_format": f"http://testserver/timemap/link/{URL}",
            "json_format": f"http://testserver/timemap/json/{URL}",
        },
        "mementos": {"first": entries[0], "last": entries[-1], "list": entries},
    }


def test_a_timemap_costs_one_query_however_many_captures(client, three, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(f"/timemap/link/{URL}").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/timegate/{URL}").status_code == 302


# --- The capture page's headers ------------------------------------------------------------


def test_memento_headers_name_the_original_timegate_timemaps_and_neighbours(
    three, rf, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        headers = memento_headers(three[1], request=rf.get("/"))

    assert http_moment(headers["Memento-Datetime"]) == OCT_20
    links = parse_links(headers["Link"])
    assert by_rel(links, "original") == [{"uri": URL, "rel": "original"}]
    assert by_rel(links, "timegate") == [
        {"uri": f"http://testserver/timegate/{URL}", "rel": "timegate"}
    ]
    assert {link["type"] for link in by_rel(links, "timemap")} == {
        "application/link-format",
        "application/json",
    }
    expected = {"first": three[0], "prev": three[0], "next": three[2], "last": three[2]}
    for rel, capture in expected.items():
        (link,) = by_rel(links, rel)
        assert link["uri"] == detail(capture)
        assert http_moment(link["datetime"]) == capture.captured_at
    assert by_rel(links, "first")[0]["rel"] == "first prev memento"


def test_the_only_capture_of_an_address_is_its_first_and_last_memento(make_capture, article):
    capture = make_capture(URL, article=article)

    links = parse_links(memento_headers(capture)["Link"])

    (memento,) = by_rel(links, "memento")
    assert memento["rel"] == "first last memento"
    assert memento["uri"] == reverse("captures:detail", args=[capture.pk])
    assert not by_rel(links, "prev") and not by_rel(links, "next")


def test_captures_at_the_same_second_are_still_each_others_neighbours(make_capture, article):
    one, two = make_capture(URL, article=article), make_capture(URL, article=article)

    assert by_rel(parse_links(memento_headers(one)["Link"]), "next")[0]["uri"].endswith(
        f"/{two.pk}/"
    )
    assert by_rel(parse_links(memento_headers(two)["Link"]), "prev")[0]["uri"].endswith(
        f"/{one.pk}/"
    )


def test_a_capture_that_is_not_public_has_no_memento_headers(mixed):
    public, hidden = mixed
    for capture in hidden:
        assert memento_headers(capture) == {}
    links = parse_links(memento_headers(public)["Link"])
    assert not by_rel(links, "prev") and not by_rel(links, "next")


def test_the_capture_page_is_a_memento(client, three):
    response = client.get(reverse("captures:detail", args=[three[1].pk]))

    assert response.status_code == 200
    assert http_moment(response["Memento-Datetime"]) == OCT_20
    links = parse_links(response["Link"])
    assert by_rel(links, "original")[0]["uri"] == URL
    assert by_rel(links, "timegate")[0]["uri"] == f"http://testserver/timegate/{URL}"
    assert by_rel(links, "prev")[0]["uri"] == detail(three[0])


# --- Addresses ----------------------------------------------------------------------------


def test_an_address_is_repaired_only_where_it_is_unambiguous():
    assert original_address(" https:/example.org/a ") == "https://example.org/a"
    assert original_address("HTTP:///example.org/a") == "http://example.org/a"
    assert original_address("example.org/a?b=1") == "https://example.org/a?b=1"
    assert original_address("http://127.0.0.1:8000/x") == "http://127.0.0.1:8000/x"


# --- the rate limit ----------------------------------------------------------------------------


def test_lookups_are_limited_per_client_across_timegate_timemaps_and_the_lookup_page(
    client, settings, three
):
    settings.MEMENTO_RATE_LIMIT = "4/m"
    asked = [
        client.get(f"/timegate/{URL}"),
        client.get(f"/timemap/link/{URL}"),
        client.get(f"/timemap/json/{URL}"),
        client.get(reverse("captures:lookup"), {"url": URL}),
    ]
    assert [response.status_code for response in asked] == [302, 200, 200, 200]

    for path in (f"/timegate/{URL}", f"/timemap/link/{URL}", f"/timemap/json/{URL}"):
        refused = client.get(path)
        assert refused.status_code == 429, path
        assert 0 < int(refused["Retry-After"]) <= 60
        assert "Too many lookups" in refused.content.decode()
    page = client.get(reverse("captures:lookup"), {"url": URL})
    assert page.status_code == 429 and int(page["Retry-After"]) > 0
    assert "<h1>Too many lookups from your address</h1>" in page.content.decode()
    # The empty form is not a lookup; and another client has a limit of its own.
    assert client.get(reverse("captures:lookup")).status_code == 200
    assert client.get(f"/timegate/{URL}", REMOTE_ADDR="198.51.100.9").status_code == 302
