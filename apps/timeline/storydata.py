"""The curated story's data files (``apps/timeline/data/*.json``), read and checked.

Each file holds one kind of record, keyed by its natural key or slug (see ``data/README.md``).
:func:`story_load` reads them all and checks every record before anything is written: its
fields and their types (the dataclasses below are the schema), the values they may take, the
records they name, and the rules of the story (a date is stored as the first day of its period;
an event lies within its chapter's dates, so an event known only to the month cannot sit in a
chapter bounded by days). The first problem stops the load with a :class:`StoryDataError`
naming the file, the record and the field.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from apps.archive.models import Platform
from apps.archive.moments import DAY_ONLY_HOUR, TimePrecision, time_zone, validate_zone_name
from apps.timeline.models import CLAIM_PRECISIONS, Confidence, DatePrecision

DATA_DIR = Path(__file__).resolve().parent / "data"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A chapter's first or last period: a year, a month or a day.
PERIOD = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_url = URLValidator(schemes=["http", "https"])


class StoryDataError(Exception):
    """A data file that cannot be loaded; the message names the file, record and field."""

    def __init__(self, file: str, problem: str, *, record: str = "", field: str = ""):
        self.file, self.record, self.field, self.problem = file, record, field, problem
        where = [file]
        if record:
            where.append(f"record {record!r}")
        if field:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


# The schema. A field without a default is required; JSON's types are checked against the
# annotations, ``datetime.date`` reads "YYYY-MM-DD", and a nested dataclass reads an object.


@dataclass(frozen=True)
class MomentData:
    """When a post was made or an article published: to the minute with its zone, or a day."""

    date: datetime.date
    precision: str
    time: str = ""
    zone: str = ""


@dataclass(frozen=True)
class OutletData:
    name: str
    slug: str
    homepage: str


@dataclass(frozen=True)
class ArticleData:
    seed_file: str
    canonical_url: str
    outlet: str
    title: str
    authors: list[str]
    published: MomentData
    date_note: str
    excerpt: str


@dataclass(frozen=True)
class AccountData:
    platform: str
    display_name: str
    profile_url: str
    description: str
    is_public_figure: bool
    note: str = ""  # for curators; not loaded


@dataclass(frozen=True)
class PostData:
    platform: str
    account: str
    text: str
    media_text: str
    posted: MomentData | None
    hashtags: list[str]
    hydrated: bool
    quoted_in: list[str]
    in_reply_to: str = ""
    note: str = ""  # for curators; not loaded


@dataclass(frozen=True)
class ChapterData:
    position: int
    title: str
    period: str
    starts: str
    ends: str
    introduction: str


@dataclass(frozen=True)
class SourceData:
    name: str
    url: str
    article: str | None


@dataclass(frozen=True)
class ClaimData:
    date: datetime.date
    date_precision: str
    source_name: str
    source_url: str
    note: str
    is_preferred: bool


@dataclass(frozen=True)
class EventData:
    date: datetime.date
    date_precision: str
    position: int
    chapter: str | None
    title: str
    summary: str
    confidence: str
    sources: list[SourceData]
    date_end: datetime.date | None = None
    confidence_note: str = ""
    time_note: str = ""
    is_highlight: bool = False
    posts: list[str] = field(default_factory=list)
    claims: list[ClaimData] = field(default_factory=list)


@dataclass
class Story:
    """Every record, keyed as in its file, in file order."""

    outlets: dict[str, OutletData]
    articles: dict[str, ArticleData]
    accounts: dict[str, AccountData]
    posts: dict[str, PostData]
    chapters: dict[str, ChapterData]
    events: dict[str, EventData]


FILES = {
    "outlets": ("outlets.json", OutletData),
    "articles": ("articles.json", ArticleData),
    "accounts": ("accounts.json", AccountData),
    "posts": ("posts.json", PostData),
    "chapters": ("chapters.json", ChapterData),
    "events": ("events.json", EventData),
}


@dataclass(frozen=True)
class _At:
    """Where a value sits, for error messages."""

    file: str
    record: str = ""
    path: str = ""

    def __truediv__(self, name: str | int) -> _At:
        if isinstance(name, int):
            return dataclasses.replace(self, path=f"{self.path}[{name}]")
        return dataclasses.replace(self, path=f"{self.path}.{name}" if self.path else name)

    def error(self, problem: str) -> StoryDataError:
        return StoryDataError(self.file, problem, record=self.record, field=self.path)


def _json_kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _read_value(kind, value, at: _At):
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(kind) if option is not type(None)]
        if value is None:
            return None
        kind = options[0]
    if dataclasses.is_dataclass(kind):
        return _read_record(kind, value, at)
    if typing.get_origin(kind) is list:
        if not isinstance(value, list):
            raise at.error(f"must be a list, not {_json_kind(value)}")
        (item_kind,) = typing.get_args(kind)
        return [_read_value(item_kind, item, at / index) for index, item in enumerate(value)]
    if kind is datetime.date:
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        raise at.error(f"must be a date written YYYY-MM-DD, not {value!r}")
    expected = {str: "a string", bool: "true or false", int: "a whole number"}[kind]
    # JSON's true is a Python bool, which is also an int: never accept one for the other.
    if type(value) is not kind:
        raise at.error(f"must be {expected}, not {_json_kind(value)}")
    return value


def _read_record(kind, raw, at: _At):
    if not isinstance(raw, dict):
        raise at.error(f"must be an object, not {_json_kind(raw)}")
    hints = typing.get_type_hints(kind)
    fields = {f.name: f for f in dataclasses.fields(kind)}
    for name in raw:
        if name not in fields:
            raise (at / name).error(f"is not a field of this record (known: {', '.join(fields)})")
    values = {}
    for name, spec in fields.items():
        if name in raw:
            values[name] = _read_value(hints[name], raw[name], at / name)
        elif spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise (at / name).error("is missing")
    return kind(**values)


def _no_duplicate_keys(pairs):
    record = {}
    for key, value in pairs:
        if key in record:
            raise ValueError(f"the key {key!r} appears twice")
        record[key] = value
    return record


def _read_file(data_dir: Path, name: str, kind) -> dict:
    path = data_dir / name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except FileNotFoundError as error:
        raise StoryDataError(name, f"no such file in {data_dir}") from error
    except (json.JSONDecodeError, ValueError) as error:  # JSONDecodeError names line and column
        raise StoryDataError(name, f"not valid JSON: {error}") from error
    if not isinstance(raw, dict):
        raise StoryDataError(name, "must hold one object, its records keyed by name")
    return {key: _read_record(kind, value, _At(name, key)) for key, value in raw.items()}


def story_load(data_dir: Path | str = DATA_DIR) -> Story:
    """Read and check every data file; raises :class:`StoryDataError` at the first problem."""
    data_dir = Path(data_dir)
    story = Story(**{kind: _read_file(data_dir, *FILES[kind]) for kind in FILES})
    _check(story)
    return story


# The rules of the story, beyond types.


def _check_choice(value: str, choices, at: _At) -> None:
    allowed = [choice[0] for choice in choices]
    if value not in allowed:
        raise at.error(f"{value!r} is not one of {', '.join(allowed)}")


def _check_url(value: str, at: _At, *, blank: bool = False) -> None:
    if blank and not value:
        return
    try:
        _url(value)
    except ValidationError as error:
        raise at.error(f"{value!r} is not an http(s) address") from error


def _check_ref(value: str, records: dict, file: str, at: _At) -> None:
    if value not in records:
        raise at.error(f"{value!r} is not a record of {file}")


def moment_datetime(moment: MomentData) -> datetime.datetime:
    """The stored moment: a day at noon UTC (see moments.DAY_ONLY_HOUR), a minute in its zone."""
    if moment.precision == TimePrecision.DAY:
        return datetime.datetime.combine(moment.date, datetime.time(DAY_ONLY_HOUR), datetime.UTC)
    clock = datetime.time.fromisoformat(moment.time)
    return datetime.datetime.combine(moment.date, clock, time_zone(moment.zone))


def _check_moment(moment: MomentData, at: _At) -> None:
    _check_choice(moment.precision, TimePrecision.choices, at / "precision")
    if moment.precision == TimePrecision.DAY:
        for name in ("time", "zone"):
            if getattr(moment, name):
                raise (at / name).error("a moment known only to the day has no time or zone")
        return
    if not re.fullmatch(r"\d{2}:\d{2}", moment.time):
        raise (at / "time").error(f"must be a time written HH:MM, not {moment.time!r}")
    try:
        datetime.time.fromisoformat(moment.time)
    except ValueError as error:
        raise (at / "time").error(f"{moment.time!r} is not a time of day") from error
    if not moment.zone:
        raise (at / "zone").error('a time needs its zone, e.g. "America/Los_Angeles" or "UTC"')
    try:
        validate_zone_name(moment.zone)
    except ValidationError as error:
        raise (at / "zone").error(error.messages[0]) from error
    local = moment_datetime(moment)
    if local.astimezone(datetime.UTC).astimezone(local.tzinfo).time() != local.time():
        raise (at / "time").error(f"{moment.time} did not happen in {moment.zone} that day")


def _start_of(value: datetime.date, precision: str, at: _At) -> None:
    """A year is stored as its 1 January, a month as its 1st: the date says no more."""
    if precision == DatePrecision.YEAR and (value.month, value.day) != (1, 1):
        raise at.error(f"a year is written as its first day ({value.year}-01-01)")
    if precision == DatePrecision.MONTH and value.day != 1:
        raise at.error(f"a month is written as its first day ({value:%Y-%m}-01)")


def _period_span(text: str, at: _At) -> tuple[datetime.date, datetime.date]:
    """The first and last day of "2017", "2017-10" or "2017-10-05"."""
    if not PERIOD.fullmatch(text):
        raise at.error(f"must be a year, month or day (2017, 2017-10, 2017-10-05), not {text!r}")
    parts = [int(part) for part in text.split("-")]
    try:
        if len(parts) == 1:
            return datetime.date(parts[0], 1, 1), datetime.date(parts[0], 12, 31)
        if len(parts) == 2:
            first = datetime.date(parts[0], parts[1], 1)
            following = (first + datetime.timedelta(days=31)).replace(day=1)
            return first, following - datetime.timedelta(days=1)
        day = datetime.date(*parts)
    except ValueError as error:
        raise at.error(f"{text!r} is not a date") from error
    return day, day


def _event_start_span(event: EventData) -> tuple[datetime.date, datetime.date]:
    """The days the event may have begun on: the whole year or month when that is all that is
    known, else its (first) day."""
    if event.date_precision == DatePrecision.YEAR:
        return _period_span(f"{event.date:%Y}", _At(""))
    if event.date_precision == DatePrecision.MONTH:
        return _period_span(f"{event.date:%Y-%m}", _At(""))
    return event.date, event.date


def _check(story: Story) -> None:
    for key, outlet in story.outlets.items():
        at = _At("outlets.json", key)
        if not SLUG.fullmatch(outlet.slug):
            raise (at / "slug").error(f"{outlet.slug!r} is not a slug (a-z, 0-9 and hyphens)")
        _check_url(outlet.homepage, at / "homepage", blank=True)

    for key, article in story.articles.items():
        at = _At("articles.json", key)
        _check_ref(article.outlet, story.outlets, "outlets.json", at / "outlet")
        _check_url(article.canonical_url, at / "canonical_url")
        host = urlsplit(article.canonical_url).hostname
        if host != article.outlet.lower():
            raise (at / "canonical_url").error(f"is on {host}, not its outlet {article.outlet}")
        if not article.title:
            raise (at / "title").error("is empty; an untitled page says so")
        _check_moment(article.published, at / "published")

    for key, account in story.accounts.items():
        at = _At("accounts.json", key)
        _check_choice(account.platform, Platform.choices, at / "platform")
        _check_url(account.profile_url, at / "profile_url", blank=True)

    seen: set[str] = set()
    for key, post in story.posts.items():
        at = _At("posts.json", key)
        if len(key) > 64:
            raise at.error("a platform id is at most 64 characters")
        _check_choice(post.platform, Platform.choices, at / "platform")
        _check_ref(post.account, story.accounts, "accounts.json", at / "account")
        if story.accounts[post.account].platform != post.platform:
            raise (at / "account").error(f"{post.account!r} is not on {post.platform}")
        if post.in_reply_to and post.in_reply_to not in seen:
            raise (at / "in_reply_to").error(
                f"{post.in_reply_to!r} must be a post written above this one"
            )
        for index, article in enumerate(post.quoted_in):
            _check_ref(article, story.articles, "articles.json", at / "quoted_in" / index)
        if post.posted is not None:
            _check_moment(post.posted, at / "posted")
        seen.add(key)

    spans = {}
    positions: dict[int, str] = {}
    for key, chapter in story.chapters.items():
        at = _At("chapters.json", key)
        if not SLUG.fullmatch(key):
            raise at.error(f"{key!r} is not a slug (a-z, 0-9 and hyphens)")
        if chapter.position in positions:
            raise (at / "position").error(f"is also {positions[chapter.position]!r}'s")
        positions[chapter.position] = key
        first, _ = _period_span(chapter.starts, at / "starts")
        _, last = _period_span(chapter.ends, at / "ends")
        if last < first:
            raise (at / "ends").error(f"is before its start, {chapter.starts}")
        spans[key] = (first, last)

    for key, event in story.events.items():
        at = _At("events.json", key)
        if not SLUG.fullmatch(key):
            raise at.error(f"{key!r} is not a slug (a-z, 0-9 and hyphens)")
        _check_choice(event.date_precision, DatePrecision.choices, at / "date_precision")
        _start_of(event.date, event.date_precision, at / "date")
        if event.date_precision == DatePrecision.RANGE:
            if event.date_end is None or event.date_end <= event.date:
                raise (at / "date_end").error("a range of days needs a last day after its first")
        elif event.date_end is not None:
            raise (at / "date_end").error(f"only a range has one, not a {event.date_precision}")
        _check_choice(event.confidence, Confidence.choices, at / "confidence")
        if event.chapter is not None:
            _check_ref(event.chapter, story.chapters, "chapters.json", at / "chapter")
            chapter = story.chapters[event.chapter]
            (first, last), (earliest, latest) = spans[event.chapter], _event_start_span(event)
            if earliest < first or latest > last:
                raise (at / "chapter").error(
                    f"{event.chapter!r} runs {chapter.starts} to {chapter.ends}; an event dated "
                    f"{event.date} to the {event.date_precision} may lie outside it"
                )
        for index, post in enumerate(event.posts):
            _check_ref(post, story.posts, "posts.json", at / "posts" / index)
        if not event.sources:
            raise (at / "sources").error("every event cites at least one source")
        for index, source in enumerate(event.sources):
            _check_url(source.url, at / "sources" / index / "url")
            if source.article is not None:
                source_at = at / "sources" / index / "article"
                _check_ref(source.article, story.articles, "articles.json", source_at)
        for index, claim in enumerate(event.claims):
            claim_at = at / "claims" / index
            _check_choice(claim.date_precision, CLAIM_PRECISIONS, claim_at / "date_precision")
            _start_of(claim.date, claim.date_precision, claim_at / "date")
            _check_url(claim.source_url, claim_at / "source_url", blank=True)
