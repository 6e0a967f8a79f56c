"""The lookup by address: a visitor pastes an address and sees every public capture of it on a
calendar of years and months, with a plain list; a bad address is told so on the page."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.factories import SourceArticleFactory

pytestmark = pytest.mark.django_db

URL = "https://www.example.org/news/metoo.html"
UTC = datetime.UTC


def lookup(client, address, **params):
    return client.get(reverse("captures:lookup"), {"url": address, **params})


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def month_table(response, caption: str) -> str:
    html = response.content.decode()
    start = html.index(f"<caption>{caption}</caption>")
    return html[start : html.index("</table>", start)]


@pytest.fixture
def article():
    return SourceArticleFactory(published=True, canonical_url=URL)


@pytest.fixture
def years_of_captures(make_capture, article):
    """Captures of URL on 16 October 2017 (twice), 2 November 2017 and 5 March 2019."""
    moments = [
        datetime.datetime(2017, 10, 16, 9, 15, tzinfo=UTC),
        datetime.datetime(2017, 10, 16, 21, 40, tzinfo=UTC),
        datetime.datetime(2017, 11, 2, 12, 0, tzinfo=UTC),
        datetime.datetime(2019, 3, 5, 7, 5, tzinfo=UTC),
    ]
    return [make_capture(URL, article=article, when=when) for when in moments]


def test_the_lookup_page_offers_a_form_that_works_without_script(client):
    response = client.get(reverse("captures:lookup"))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<form method="get" action="/captures/"' in html
    assert '<label for="id_url">Address of the page</label>' in html
    assert "<script" not in html


def test_the_latest_year_is_shown_first_with_every_year_offered(client, years_of_captures):
    response = lookup(client, URL)

    assert response.status_code == 200
    text = page_text(response)
    assert "4 captures, from" in text
    assert "Calendar of 2019" in text
    query = urlencode({"url": URL, "year": 2017}).replace("&", "&amp;")
    assert f'href="/captures/?{query}#calendar-title"' in text
    assert 'aria-current="page">2019 <span class="count">(1 capture)</span>' in text
    march = month_table(response, "March 2019")
    assert f'href="{reverse("captures:detail", args=[years_of_captures[3].pk])}"' in march
    assert 'aria-label="5 March 2019: 1 capture"' in march
    assert "<caption>October 2017</caption>" not in text


def test_a_day_with_one_capture_links_to_it_and_a_day_with_several_to_its_list(
    client, years_of_captures
):
    response = lookup(client, URL, year="2017")

    assert response.status_code == 200
    text = page_text(response)
    assert "Calendar of 2017" in text
    assert text.count('<table class="capture-month">') == 12
    october = month_table(response, "October 2017")
    assert 'href="#day-2017-10-16" aria-label="16 October 2017: 2 captures">16</a>' in october
    november = month_table(response, "November 2017")
    single = reverse("captures:detail", args=[years_of_captures[2].pk])
    assert f'href="{single}" aria-label="2 November 2017: 1 capture">2</a>' in november
    # The plain list: each day a heading (the anchor the calendar links to), its captures below.
    assert '<li id="day-2017-10-16" tabindex="-1">' in text
    for capture in years_of_captures[:3]:
        assert f'href="{reverse("captures:detail", args=[capture.pk])}"' in text
    assert "Every capture in 2017 (3)" in text
    assert reverse("captures:detail", args=[years_of_captures[3].pk]) + '"' not in text


def test_the_month_grids_are_tables_with_captions_and_weekday_headers(client, years_of_captures):
    october = month_table(lookup(client, URL, year="2017"), "October 2017")

    assert '<th scope="col" abbr="Monday">Mo</th>' in october
    # 1 October 2017 was a Sunday: six empty cells before it in the first week, Monday first.
    first_week = october[october.index("<tbody>") :].split("</tr>")[0]
    assert first_week.count("<td></td>") == 6
    assert first_week.rstrip().endswith("<td>1</td>")


def test_a_year_asked_for_that_has_no_capture_shows_the_latest(client, years_of_captures):
    for year in ("2018", "1999", "twenty", "20170"):
        response = lookup(client, URL, year=year)
        assert response.status_code == 200
        assert "Calendar of 2019" in page_text(response)


def test_other_spellings_of_the_address_find_the_same_captures(client, years_of_captures):
    for spelling in ("example.org/news/metoo.html", "http://EXAMPLE.org/news/metoo.html"):
        assert "4 captures, from" in page_text(lookup(client, spelling))


def test_an_address_without_captures_is_said_to_have_none(client, years_of_captures):
    response = lookup(client, "https://example.org/never-captured")

    assert response.status_code == 200
    text = page_text(response)
    assert "The archive holds no capture of this address." in text
    assert "capture-calendar" not in text and "TimeMap" not in text


def test_captures_that_are_not_public_are_not_shown(client, make_capture):
    withdrawn = make_capture(URL, article=SourceArticleFactory(withdrawn=True))
    pending = make_capture(URL, article=SourceArticleFactory())

    text = page_text(lookup(client, URL))

    assert "The archive holds no capture of this address." in text
    for capture in (withdrawn, pending):
        assert reverse("captures:detail", args=[capture.pk]) not in text


@pytest.mark.parametrize(
    ("garbage", "message"),
    [
        ("", "Enter the address of a web page"),
        ("   ", "Enter the address of a web page"),
        ("not a url", "That is not a web address"),
        ("javascript:alert(1)", "That is not a web address"),
        ("https://" + "a" * 2100 + ".org/", "Ensure this value has at most 2000 characters"),
    ],
)
def test_an_empty_or_garbage_address_is_explained_on_the_page(
    client, garbage, message, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = lookup(client, garbage)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true" aria-describedby="id_url-error"' in html
    assert '<p class="field-error" id="id_url-error">' in html
    assert "capture-calendar" not in html


def test_the_page_costs_one_query_however_many_captures(
    client, make_capture, article, django_assert_num_queries
):
    make_capture(URL, article=article)
    with django_assert_num_queries(1):
        assert lookup(client, URL).status_code == 200

    for day in range(1, 25):
        when = datetime.datetime(2016 + day % 3, day % 12 + 1, day, tzinfo=UTC)
        make_capture(URL, article=article, when=when)
    with django_assert_num_queries(1):
        response = lookup(client, URL, year="2017")
    assert "25 captures" in page_text(response)


def test_the_page_links_the_timemaps_for_programs(client, years_of_captures):
    text = page_text(lookup(client, URL))
    assert f'href="/timemap/link/{URL}"' in text
    assert f'href="/timemap/json/{URL}"' in text


def test_the_navigation_links_the_lookup_page(client):
    html = client.get(reverse("captures:lookup")).content.decode()
    assert '<a href="/captures/" aria-current="page">Captures</a>' in html
