"""What the checked story says: posts' moments in their own zone and only as precise as known,
and the figures, headline and dates corrected against the seeds and the researched facts."""

import datetime
import re

import pytest
from django.db import IntegrityError
from django.urls import reverse

from apps.archive.models import Post, SourceArticle
from apps.archive.moments import Moment
from apps.timeline.models import Chapter, TimelineEvent, format_precise_date

pytestmark = pytest.mark.django_db

KING = "archive-jaimeking-2017-10-15"
MILANO = "archive-milano-2017-10-15"  # known only to the day
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def time_elements(html: str) -> list[str]:
    return re.findall(r"<time [^>]*>[^<]*</time>", html)


def test_a_moment_to_the_minute_is_shown_in_its_own_zone():
    at = datetime.datetime(2017, 10, 16, 5, 30, tzinfo=datetime.UTC)
    moment = Moment.of(at, zone="America/Los_Angeles", precision="minute")
    assert str(moment) == "15 October 2017, 22:30 PDT"
    assert moment.machine == "2017-10-15T22:30:00-07:00"
    assert str(Moment.of(at, zone="", precision="minute")) == "16 October 2017, 05:30 UTC"


def test_a_moment_known_only_to_the_day_has_no_clock_time():
    moment = Moment.of(
        datetime.datetime(2017, 10, 15, 12, tzinfo=datetime.UTC), zone="", precision="day"
    )
    assert str(moment) == "15 October 2017"
    assert moment.machine == "2017-10-15"


def test_jaime_kings_post_shows_15_october_in_pdt_on_every_page(client, seeded):
    post = Post.objects.get(platform_id=KING)
    shown = '<time datetime="2017-10-15T22:30:00-07:00">15 October 2017, 22:30 PDT</time>'
    event = TimelineEvent.objects.get(slug="2017-10-15-thousands-reply-me-too")
    for url in (
        post.get_absolute_url(),
        event.get_absolute_url(),
        reverse("timeline:timeline"),
        reverse("search:search") + "?q=affirmative",
    ):
        html = page(client, url)
        assert shown in html, url
        assert "16 October 2017, 05:30" not in html


def test_jaime_kings_post_is_cited_under_15_october(client, seeded):
    html = page(client, Post.objects.get(platform_id=KING).get_absolute_url())
    assert "(2017, October 15)" in html  # APA
    assert "October 15, 2017" in html  # Chicago
    assert "October 16" not in html


def test_a_post_known_only_to_the_day_shows_no_clock_time_on_public_pages(client, seeded):
    post = Post.objects.get(platform_id=MILANO)
    event = TimelineEvent.objects.get(slug="2017-10-15-milano-me-too-tweet")
    for url in (
        post.get_absolute_url(),
        event.get_absolute_url(),
        reverse("search:search") + "?q=%22as+a+reply+to+this+tweet%22",
    ):
        html = page(client, url)
        assert '<time datetime="2017-10-15">15 October 2017</time>' in html, url
        post_times = [t for t in time_elements(html) if "2017-10-15" in t]
        assert post_times and not any(CLOCK.search(t) for t in post_times), url
        assert "12:00" not in html


def test_the_elle_article_says_it_has_no_headline(seeded):
    elle = SourceArticle.objects.get(outlet__domain="www.elleuk.com")
    assert elle.title.startswith("No headline")
    assert "'Me too'" in elle.title
    assert elle.text.startswith("'Me too'\n")


def test_the_facebook_figures_are_12_million_interactions_from_4_7_million_people(seeded):
    facebook = TimelineEvent.objects.get(slug="2017-10-16-facebook-figures")
    assert "4.7 million people" in facebook.summary
    assert "12 million posts, comments and reactions" in facebook.summary
    viral = Chapter.objects.get(slug="the-hashtag-goes-viral")
    assert "12 million posts, comments and reactions from 4.7 million people" in (
        viral.introduction
    )
    for text in [c.introduction for c in Chapter.objects.all()] + [
        f"{e.title} {e.summary}" for e in TimelineEvent.objects.all()
    ]:
        assert not re.search(r"millions of (posts|times)", text), text


def test_elles_25000_counts_people_posting_the_words_not_replies_to_milano(seeded):
    replies = TimelineEvent.objects.get(
        slug="2017-10-16-replies-to-milano-run-into-tens-of-thousands"
    )
    assert "25,000" not in replies.summary
    assert "people who had posted the words" in replies.confidence_note
    for event in TimelineEvent.objects.all():
        for sentence in re.split(r"(?<=[.;])\s", f"{event.summary} {event.confidence_note}"):
            if "25,000" in sentence:
                assert "people" in sentence and "not replies" in sentence, sentence


def test_the_month_only_profile_of_burke_is_in_no_chapter_bounded_by_days(seeded):
    profile = TimelineEvent.objects.get(slug="2017-10-nyt-profiles-tarana-burke")
    assert profile.date_precision == "month"
    assert profile.chapter.period == "October 2017"
    assert not re.search(r"\d+\s*[–-]\s*\d+ October", profile.chapter.period)


def test_the_weekend_and_the_days_around_16_17_october_are_ranges_not_days(client, seeded):
    for slug, shown in {
        "2017-10-14-womenwhoroar": "14–15 October 2017",
        "2017-10-16-facebook-figures": "16–17 October 2017",
    }.items():
        event = TimelineEvent.objects.get(slug=slug)
        assert event.date_precision == "range"
        assert event.date_end == event.date + datetime.timedelta(days=1)
        assert event.display_date == shown
        assert shown in page(client, event.get_absolute_url())


def test_a_range_is_written_across_months_and_years():
    def span(start, end):
        return format_precise_date(start, "range", end)

    assert span(datetime.date(2017, 10, 30), datetime.date(2017, 11, 2)) == (
        "30 October – 2 November 2017"
    )
    assert span(datetime.date(2017, 12, 30), datetime.date(2018, 1, 2)) == (
        "30 December 2017 – 2 January 2018"
    )


def test_the_database_refuses_a_range_without_a_later_last_day(seeded):
    event = TimelineEvent.objects.filter(slug="2017-10-14-womenwhoroar")
    with pytest.raises(IntegrityError):
        event.update(date_end=None)


def test_the_database_refuses_a_last_day_on_a_single_day(seeded):
    event = TimelineEvent.objects.filter(slug="2017-10-08-weinstein-fired")
    with pytest.raises(IntegrityError):
        event.update(date_end=datetime.date(2017, 10, 9))


def test_a_curators_edit_to_a_range_without_a_last_day_is_refused_with_a_message(seeded):
    from apps.curation.forms import EventEditForm

    event = TimelineEvent.objects.get(slug="2017-10-08-weinstein-fired")
    data = {"edit-title": event.title, "edit-summary": event.summary, "edit-date": "2017-10-08"}
    form = EventEditForm({**data, "edit-date_precision": "range"}, instance=event, prefix="edit")
    assert not form.is_valid()
    assert "A range of days needs a last day after its first" in str(form.errors)

    form = EventEditForm(
        {**data, "edit-date_precision": "range", "edit-date_end": "2017-10-09"},
        instance=event,
        prefix="edit",
    )
    assert form.is_valid(), form.errors


def test_exports_give_a_day_only_post_its_date_and_kings_post_its_offset(client, seeded):
    response = client.get(reverse("search:export_json"), {"kind": "post"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    text = body.decode()
    assert '"date": "2017-10-15T22:30:00-07:00"' in text
    assert '"date": "2017-10-15"' in text
    assert "T12:00:00" not in text
