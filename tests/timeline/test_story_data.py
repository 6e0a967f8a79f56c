"""The story's data files: checked on load, and a bad one stops the seed having changed nothing."""

import json
import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.archive.models import Outlet, Post
from apps.timeline.models import TimelineEvent
from apps.timeline.seeding import story_seed
from apps.timeline.storydata import DATA_DIR, StoryDataError, story_load


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the data files to break."""
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def edit(data_dir, name, change):
    path = data_dir / name
    records = json.loads(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")


def load_error(data_dir) -> str:
    with pytest.raises(StoryDataError) as caught:
        story_load(data_dir)
    return str(caught.value)


def test_the_shipped_data_files_pass_every_check():
    story = story_load()
    assert len(story.events) == 59
    assert len(story.chapters) == 5


def test_invalid_json_is_named_with_its_file_and_line(data_dir):
    (data_dir / "events.json").write_text('{\n  "x": {\n  ,\n}', encoding="utf-8")
    message = load_error(data_dir)
    assert message.startswith("events.json: not valid JSON")
    assert "line 3" in message


def test_a_key_given_twice_is_refused_rather_than_silently_dropped(data_dir):
    text = (data_dir / "outlets.json").read_text(encoding="utf-8")
    first = text.index('  "www.elleuk.com"')
    end = text.index("  },\n", first) + len("  },\n")
    (data_dir / "outlets.json").write_text(text[:end] + text[first:end] + text[end:])
    assert "outlets.json: not valid JSON: the key 'www.elleuk.com' appears twice" in load_error(
        data_dir
    )


def test_a_missing_field_names_file_record_and_field(data_dir):
    edit(data_dir, "events.json", lambda r: r["2017-10-08-weinstein-fired"].pop("summary"))
    assert load_error(data_dir) == (
        "events.json, record '2017-10-08-weinstein-fired', field 'summary': is missing"
    )


def test_a_misspelt_field_is_refused(data_dir):
    edit(data_dir, "accounts.json", lambda r: r["stellacreasy"].update(is_public_figur=True))
    message = load_error(data_dir)
    assert message.startswith(
        "accounts.json, record 'stellacreasy', field 'is_public_figur': is not a field"
    )


def test_a_value_of_the_wrong_type_is_refused(data_dir):
    edit(data_dir, "chapters.json", lambda r: r["before-the-hashtag"].update(position="1"))
    assert load_error(data_dir) == (
        "chapters.json, record 'before-the-hashtag', field 'position': must be a whole number, "
        "not a string"
    )
    edit(data_dir, "chapters.json", lambda r: r["before-the-hashtag"].update(position=True))
    assert "must be a whole number, not true or false" in load_error(data_dir)


def test_a_nested_field_is_named_by_its_path(data_dir):
    def break_source(records):
        records["2017-10-08-weinstein-fired"]["sources"][1]["url"] = "not a link"

    edit(data_dir, "events.json", break_source)
    assert load_error(data_dir) == (
        "events.json, record '2017-10-08-weinstein-fired', field 'sources[1].url': "
        "'not a link' is not an http(s) address"
    )


def test_a_reference_to_a_record_that_does_not_exist_is_refused(data_dir):
    edit(data_dir, "posts.json", lambda r: r["archive-milano-2017-10-15"].update(account="nobody"))
    assert load_error(data_dir) == (
        "posts.json, record 'archive-milano-2017-10-15', field 'account': 'nobody' is not a "
        "record of accounts.json"
    )


def test_a_month_only_event_cannot_sit_in_a_chapter_bounded_by_days(data_dir):
    def misfile(records):
        records["2017-10-nyt-profiles-tarana-burke"]["chapter"] = "the-weinstein-reporting"

    edit(data_dir, "events.json", misfile)
    message = load_error(data_dir)
    assert message.startswith(
        "events.json, record '2017-10-nyt-profiles-tarana-burke', field 'chapter': "
        "'the-weinstein-reporting' runs 2017-10-05 to 2017-10-14"
    )


def test_a_chapter_bounded_by_days_takes_only_events_known_to_the_day():
    story = story_load()
    for slug, event in story.events.items():
        if event.date_precision in ("month", "year"):
            chapter = story.chapters[event.chapter]
            day_bounded = len(chapter.starts) == 10 or len(chapter.ends) == 10
            assert not day_bounded, f"{slug} ({event.date_precision}) is in {event.chapter}"


def test_a_range_needs_a_last_day_and_only_a_range_has_one(data_dir):
    edit(data_dir, "events.json", lambda r: r["2017-10-14-womenwhoroar"].pop("date_end"))
    assert load_error(data_dir).endswith(
        "field 'date_end': a range of days needs a last day after its first"
    )
    edit(
        data_dir,
        "events.json",
        lambda r: r["2017-10-08-weinstein-fired"].update(date_end="2017-10-09"),
    )
    edit(
        data_dir,
        "events.json",
        lambda r: r["2017-10-14-womenwhoroar"].update(date_end="2017-10-15"),
    )
    assert "record '2017-10-08-weinstein-fired', field 'date_end': only a range has one" in (
        load_error(data_dir)
    )


def test_a_year_is_written_as_its_first_day(data_dir):
    edit(data_dir, "events.json", lambda r: r["2006-burke-starts-me-too"].update(date="2006-06-01"))
    assert load_error(data_dir).endswith(
        "field 'date': a year is written as its first day (2006-01-01)"
    )


def test_a_post_known_only_to_the_day_cannot_be_given_a_time(data_dir):
    def add_time(records):
        records["archive-milano-2017-10-15"]["posted"]["time"] = "12:00"

    edit(data_dir, "posts.json", add_time)
    assert load_error(data_dir) == (
        "posts.json, record 'archive-milano-2017-10-15', field 'posted.time': a moment known "
        "only to the day has no time or zone"
    )


def test_a_time_needs_a_real_zone(data_dir):
    def zone(name):
        return lambda records: records["archive-jaimeking-2017-10-15"]["posted"].update(zone=name)

    edit(data_dir, "posts.json", zone(""))
    assert "field 'posted.zone': a time needs its zone" in load_error(data_dir)
    edit(data_dir, "posts.json", zone("Pacific/Atlantis"))
    assert "field 'posted.zone': 'Pacific/Atlantis' is not a time zone name." in load_error(
        data_dir
    )


@pytest.mark.django_db
def test_a_bad_data_file_stops_the_seed_command_and_changes_nothing(data_dir):
    call_command("seed", stdout=StringIO())
    before = (Outlet.objects.count(), Post.objects.count(), TimelineEvent.objects.count())
    # A good change early in the load and a bad record late in it: nothing may be written.
    edit(data_dir, "outlets.json", lambda r: r["geo.tv"].update(name="Renamed"))
    edit(
        data_dir,
        "events.json",
        lambda r: r["2017-10-31-house-of-cards-production-suspended"].update(
            chapter=None, date="31 Oct"
        ),
    )

    with pytest.raises(CommandError) as caught:
        call_command("seed", data_dir=data_dir, stdout=StringIO())

    assert str(caught.value) == (
        "Nothing seeded: events.json, record '2017-10-31-house-of-cards-production-suspended', "
        "field 'date': must be a date written YYYY-MM-DD, not '31 Oct'"
    )
    assert Outlet.objects.get(domain="geo.tv").name == "Geo News"
    assert (Outlet.objects.count(), Post.objects.count(), TimelineEvent.objects.count()) == before


@pytest.mark.django_db
def test_an_unreadable_seed_article_stops_the_seed_before_it_writes(data_dir, tmp_path):
    with pytest.raises(StoryDataError) as caught:
        story_seed(base_dir=tmp_path / "nowhere", data_dir=data_dir)
    assert str(caught.value).startswith(
        "articles.json, record 'elle-uk', field 'seed_file': cannot read"
    )
    assert not Outlet.objects.exists()
