"""A reader finds the sources page from the navigation in a real Chromium, and it meets
WCAG 2.2 AA."""

import datetime

import pytest
from django.utils import timezone

from apps.ingest.models import Feed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reader_reaches_the_sources_page_and_sees_what_is_backing_off(page, assert_accessible):
    now = timezone.now()
    Feed.objects.create(
        name="Example Daily", url="https://news.example.org/rss", last_success_at=now, item_count=42
    )
    Feed.objects.create(
        name="Flaky Wire",
        url="https://wire.example.org/feed",
        consecutive_failures=2,
        next_poll_at=now + datetime.timedelta(hours=1),
    )
    page.goto("/timeline/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sources").click()
    page.wait_for_url("**/sources/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sources"
    row = page.get_by_role("row", name="Flaky Wire")
    assert "Backing off" in row.inner_text()
    assert "2 failed reads in a row" in row.inner_text()
    assert "OK" in page.get_by_role("row", name="Example Daily").inner_text()
    assert_accessible(page)
