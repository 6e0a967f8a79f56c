import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.curation.services import entries_transition
from apps.search import volume
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry
from tests.factories import PostFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db


def at(month, day, hour=12, year=2017):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def timeline(client, **params):
    response = client.get(reverse("timeline:timeline"), params)
    assert response.status_code == 200
    return response


def bars(response) -> dict[str, int]:
    return {bar.label: bar.count for bar in response.context["chart"].bars if bar.count}


@pytest.fixture
def october(db):
    PostFactory(published=True, text="metoo", posted_at=at(10, 15, 21))
    PostFactory(published=True, text="metoo", posted_at=at(10, 15, 23))
    PostFactory(published=True, text="metoo weinstein", posted_at=at(10, 16, 9))
    PostFactory(published=True, text="weinstein", posted_at=at(11, 2))
    PostFactory(published=True, text="origin", posted_at=at(7, 1, year=2006))


def test_the_chart_zooms_from_years_to_months_to_days_and_hours(client, october):
    all_years = timeline(client)
    assert bars(all_years) == {"2006": 1, "2017": 4}
    assert len(all_years.context["chart"].bars) == 12  # 2006 to 2017, empty years too
    assert bars(timeline(client, period="2017")) == {"October 2017": 3, "November 2017": 1}
    by_day = timeline(client, period="2017-10")
    assert bars(by_day) == {"15 October 2017": 2, "16 October 2017": 1}
    assert len(by_day.context["chart"].bars) == 31
    assert bars(timeline(client, period="2017-10-15")) == {
        "15 Oct 2017, 21:00 UTC": 1,
        "15 Oct 2017, 23:00 UTC": 1,
    }
    by_hour = timeline(client, period="2017-10", by="hour")
    assert len(by_hour.context["chart"].bars) == 31 * 24
    assert sum(bars(by_hour).values()) == 3


def test_years_and_months_are_read_from_month_rows_and_date_filters_from_day_rows(client, october):
    with CaptureQueriesContext(connection) as queries:
        assert bars(timeline(client, period="2017")) == {"October 2017": 3, "November 2017": 1}
    chart_sql = [q["sql"] for q in queries if "search_volumecount" in q["sql"]]
    assert chart_sql and "'month'" in chart_sql[0]
    # A date filter cuts through a month: the bars still count only the days inside it.
    assert bars(timeline(client, period="2017", date_from="2017-10-16")) == {
        "October 2017": 1,
        "November 2017": 1,
    }
    entries_transition(kind="post", ids=list(_october_post_ids()), to_state="withdrawn")
    assert bars(timeline(client, period="2017")) == {"November 2017": 1}


def _october_post_ids():
    return SearchEntry.objects.filter(
        kind="post", date__gte=at(10, 1, 0), date__lt=at(11, 1, 0)
    ).values_list("entry_id", flat=True)


def test_each_bar_links_into_its_period_and_the_chart_has_a_text_equivalent(client, october):
    html = timeline(client, period="2017-10", q="metoo").content.decode()
    assert re.search(r'<a href="\?q=metoo&amp;period=2017-10-15#volume" aria-label="15 October '
                     r'2017: 2 posts">', html)  # fmt: skip
    assert (
        "<table>" in html
        and '<th scope="row"><a href="?q=metoo&amp;period=2017-10-15#volume"' in html
    )
    hourly = timeline(client, period="2017-10-15").content.decode()
    assert "/search/?date_from=2017-10-15&amp;date_to=2017-10-15" in hourly


def test_the_timeline_takes_the_search_query_and_filters(client, october):
    TimelineEventFactory(published=True, title="Weinstein fired", date=datetime.date(2017, 10, 8))
    TimelineEventFactory(published=True, title="Milano tweets", date=datetime.date(2017, 10, 15))
    response = timeline(client, q="weinstein")
    assert bars(response) == {"2017": 2}
    html = response.content.decode()
    assert "Weinstein fired" in html and "Milano tweets" not in html
    assert bars(timeline(client, q="metoo", period="2017-10")) == {
        "15 October 2017": 2,
        "16 October 2017": 1,
    }
    assert bars(timeline(client, platform="mastodon")) == {}
    october_events = timeline(client, period="2017-10").content.decode()
    assert "Weinstein fired" in october_events
    assert "Weinstein fired" not in timeline(client, period="2017-11").content.decode()


def test_counts_from_the_table_equal_counts_from_the_index(client, october):
    filterset = SearchFilterSet({}, queryset=SearchEntry.objects.all())
    for period, by in (("", None), ("2017", None), ("2017-10", None), ("2017-10-15", None)):
        zoom = volume.parse_zoom(period, by)
        assert volume.uses_counts_table(filterset)
        from_table = volume.volume_counts(filterset, zoom)
        with_query = SearchFilterSet({"q": "metoo OR weinstein OR origin"},
                                     queryset=SearchEntry.objects.all())  # fmt: skip
        assert not volume.uses_counts_table(with_query)
        assert volume.volume_counts(with_query, zoom) == from_table


def test_withdrawn_posts_and_events_leave_the_timeline(client, october):
    post = PostFactory(published=True, text="metoo", posted_at=at(10, 20))
    event = TimelineEventFactory(published=True, title="A withdrawn event")
    assert bars(timeline(client, period="2017-10"))["20 October 2017"] == 1
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")
    entries_transition(kind="event", ids=[event.pk], to_state="withdrawn")
    response = timeline(client, period="2017-10")
    assert "20 October 2017" not in bars(response)
    assert "A withdrawn event" not in response.content.decode()


def test_a_bad_period_or_bar_size_is_explained(client, october):
    html = timeline(client, period="2017-13", by="century").content.decode()
    assert "is not a date in the calendar" in html
    html = timeline(client, period="2017-10", by="year").content.decode()
    assert "don&#x27;t fit this period" in html


def test_timeline_queries_do_not_grow_with_the_data(client, october):
    TimelineEventFactory(published=True, title="metoo", date=datetime.date(2017, 10, 25))
    timeline(client, period="2017-10", q="metoo")  # the compiled query is remembered
    cache.clear()  # both measures below render the events, not the cached fragment
    with CaptureQueriesContext(connection) as one:
        timeline(client, period="2017-10", q="metoo")
    for day in range(1, 20):
        PostFactory(published=True, text="metoo", posted_at=at(10, day))
        TimelineEventFactory(published=True, title="metoo", date=datetime.date(2017, 10, day))
    with CaptureQueriesContext(connection) as many:
        timeline(client, period="2017-10", q="metoo")
    assert len(many) == len(one)


def test_a_charts_counts_are_kept_until_anything_public_changes(client, october, settings):
    settings.PUBLIC_PAGE_CACHE = False  # the counts' own cache, not the whole page's
    first = bars(timeline(client, period="2017-10", by="hour"))
    assert first["15 Oct 2017, 21:00 UTC"] == 1
    with CaptureQueriesContext(connection) as again:
        assert bars(timeline(client, period="2017-10", by="hour")) == first
    assert not any("search_volumecount" in query["sql"] for query in again)
    post = PostFactory(published=True, text="metoo", posted_at=at(10, 15, 21))
    assert bars(timeline(client, period="2017-10", by="hour"))["15 Oct 2017, 21:00 UTC"] == 2
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")
    assert bars(timeline(client, period="2017-10", by="hour"))["15 Oct 2017, 21:00 UTC"] == 1


def test_axis_labels_stay_inside_the_chart_at_both_ends(client, october):
    html = timeline(client, period="2017-10", by="hour").content.decode()
    labels = re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="(\w+)"', html)
    assert len(labels) > 2
    first, *middle, last = labels
    assert first == ("0", "start")  # the month's first bar is at the very left edge
    assert all(anchor == "middle" for _, anchor in middle)
    assert float(last[0]) <= volume.CHART_WIDTH
