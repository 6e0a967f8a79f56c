"""The lookup by address in Chromium: the calendar meets WCAG 2.2 AA and fits a phone."""

import datetime
from urllib.parse import urlencode

import pytest

from tests.captures import conftest as captures
from tests.factories import SourceArticleFactory

URL = "https://www.example.org/news/metoo.html"
UTC = datetime.UTC

# The capture tests' fixtures (stored files in a temp folder, make_capture), used here too.
capture_settings, make_capture = captures.capture_settings, captures.make_capture


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 360])
def test_the_calendar_meets_wcag_aa_and_fits_a_phone(page, assert_accessible, make_capture, width):
    article = SourceArticleFactory(published=True, canonical_url=URL)
    for when in (
        datetime.datetime(2017, 10, 16, 9, tzinfo=UTC),
        datetime.datetime(2017, 10, 16, 21, tzinfo=UTC),
    ):
        make_capture(URL, article=article, when=when)
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(f"/captures/?{urlencode({'url': URL})}")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="16 October 2017: 2 captures").click()
    assert page.url.endswith("#day-2017-10-16")
    assert page.locator("#day-2017-10-16 li").count() == 2

    page.get_by_label("Address of the page").fill("not a url")
    page.get_by_role("button", name="Find captures").click()
    assert page.get_by_text("That is not a web address").is_visible()
    assert_accessible(page)
