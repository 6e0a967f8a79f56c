"""The shapes the API answers with; its OpenAPI schema is generated from them."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import BaseModel, BeforeValidator

from apps.archive.models import Platform
from apps.search.filters import Order

PlatformName = Literal[tuple(Platform.values)]  # type: ignore[valid-type]


def _iso_date_only(value):
    """A date parameter as YYYY-MM-DD and nothing else (pydantic would also take a number of
    seconds since 1970)."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_only)]


class Index(Schema):
    openapi: str
    documentation: str
    lists: dict[str, str]
    search: str
    timeline: str


class Message(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict] = Field(description="Each wrong parameter: where (`loc`) and why (`msg`).")


class Gone(Schema):
    detail: str = Field(description="The notice a withdrawn entry's page shows.")
    withdrawn: Literal[True] = True


class AccountRef(Schema):
    id: int
    name: str = Field(description="“@handle”, or the account's pseudonym for a private person.")
    platform: str
    handle: str | None = Field(description="Only for public figures and visible handles.")
    display_name: str | None
    is_public_figure: bool
    url: str | None = Field(description="The account's page, when it has one.")
    api_url: str | None


class Account(AccountRef):
    kind: Literal["account"]
    profile_url: str | None
    description: str


class OutletRef(Schema):
    id: int
    name: str
    api_url: str


class Outlet(OutletRef):
    slug: str
    domain: str
    homepage: str | None


class PostSummary(Schema):
    kind: Literal["post"]
    id: int
    url: str = Field(description="The post's permalink in the archive.")
    api_url: str
    platform: str
    platform_id: str | None = Field(description="Withheld for private people, as on the page.")
    original_url: str | None = Field(description="Withheld for private people, as on the page.")
    account: AccountRef | None
    posted_at: str | None = Field(
        description="ISO 8601 in the post's own zone, or a date alone when only the day is known."
    )
    posted_at_precision: str | None = Field(
        description="minute or day; null, as posted_at is, when the date is unknown."
    )
    content_warning: str


class Post(PostSummary):
    text: str
    media_text: str
    language: str
    hashtags: list[str]
    captured_at: datetime.datetime | None
    content_sha256: str | None


class EventRef(Schema):
    id: int
    slug: str
    title: str
    date: str
    url: str
    api_url: str


class Capture(Schema):
    id: int
    url: str
    original_url: str
    captured_at: datetime.datetime | None
    wacz_url: str | None
    wacz_sha256: str | None
    wacz_bytes: int | None


class PostDetail(Post):
    events: list[EventRef]
    captures: list[Capture]
    citations_url: str


class ArticleSummary(Schema):
    kind: Literal["article"]
    id: int
    url: str
    api_url: str
    title: str
    outlet: OutletRef | None
    published_at: datetime.datetime | None
    date_note: str
    original_url: str


class Article(ArticleSummary):
    authors: list[str]
    excerpt: str
    language: str
    captured_at: datetime.datetime | None
    content_sha256: str | None


class ArticleDetail(Article):
    events: list[EventRef]
    captures: list[Capture]
    citations_url: str


class Event(Schema):
    kind: Literal["event"]
    id: int
    slug: str
    url: str
    api_url: str
    title: str
    date: str = Field(description="As precise as it is known: 2006, 2017-10 or 2017-10-15.")
    date_end: datetime.date | None
    date_precision: str
    display_date: str
    summary: str
    chapter: str | None = Field(None, description="Its chapter of the story (not in searches).")


class Source(Schema):
    name: str
    url: str


class DatedClaim(Schema):
    date: datetime.date
    date_precision: str
    display_date: str
    source_name: str
    source_url: str | None
    note: str
    is_preferred: bool


class EventDetail(Event):
    time_note: str
    confidence: str
    confidence_note: str
    sources: list[Source]
    dated_claims: list[DatedClaim]
    posts: list[PostSummary]
    articles: list[ArticleSummary]
    citations_url: str


# Pages of a list: its items and the address of the next page (a keyset cursor), null on the
# last.
class PostPage(Schema):
    results: list[Post]
    next: str | None


class ArticlePage(Schema):
    results: list[Article]
    next: str | None


class AccountPage(Schema):
    results: list[Account]
    next: str | None


class OutletPage(Schema):
    results: list[Outlet]
    next: str | None


class EventPage(Schema):
    results: list[Event]
    next: str | None


class FacetOption(Schema):
    value: str
    label: str
    count: int


class Facet(Schema):
    name: str
    label: str
    options: list[FacetOption]


class SearchResult(Schema):
    kind: str
    id: int
    date: datetime.datetime | None
    title: str = Field(description="Plain text.")
    snippet: str = Field(description="The passage that matched, as plain text.")
    snippet_html: str = Field(
        description="The same passage, escaped, with matches in <mark>: no other markup."
    )
    entry: Annotated[
        PostSummary | ArticleSummary | Event | AccountRef,
        Field(description="The entry, as lists show it; its api_url has the rest."),
    ]


class Search(Schema):
    query: dict[str, str] = Field(description="The parameters the search ran with.")
    understood_as: list[str] = Field(description="The query, in words, as it was read.")
    notes: list[str]
    count: int
    count_capped: bool = Field(description="True when more match than were counted.")
    order: str
    results: list[SearchResult]
    next: str | None
    facets: list[Facet]
    page_url: str = Field(description="The same search on the search page.")


class SearchParams(Schema):
    """The search page's query and filters (README: "Search syntax")."""

    q: str = Field("", max_length=1000, description="Words, “phrases”, -exclusions, #hashtags, …")
    kind: Literal["post", "article", "event", "account"] | None = None
    platform: PlatformName | None = None
    account: int | None = Field(None, ge=1, le=2**63 - 1)
    outlet: int | None = Field(None, ge=1, le=2**63 - 1)
    hashtag: str = Field("", max_length=140)
    language: str = Field("", max_length=16)
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    order: Literal[tuple(value for value, _ in Order.CHOICES)] | None = None  # type: ignore[valid-type]
    cursor: str = Field("", max_length=100, description="From a page's `next` (newest/oldest).")
    page: int = Field(1, ge=1, le=10_000, description="Relevance order's page number.")

    def as_query(self) -> dict[str, str]:
        """The parameters as the search form takes them (strings), unset ones left out."""
        return {
            name: str(value)
            for name, value in self.dict().items()
            if value not in (None, "") and name not in ("cursor", "page")
        }


class TimelineParams(SearchParams):
    period: str = Field("", max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD.")
    by: Literal["year", "month", "day", "hour"] | None = None


class Bar(BaseModel):
    """A plain pydantic model, not a ninja ``Schema``: a month by hour has 744 bars, and
    ``Schema``'s check of each (made to read ORM objects) doubled that timeline's time."""

    start: datetime.datetime
    period: str = Field(description="The `period` that zooms into this bar.")
    label: str
    count: int


class Timeline(Schema):
    period: str
    by: str
    label: str
    notes: list[str]
    total: int
    bars: list[Bar]
    events: list[Event]
    page_url: str


class Citation(Schema):
    id: str
    name: str
    text: str


class Citations(Schema):
    styles: list[Citation]
    bibtex: str
    csl_json: list[dict]
    bibtex_url: str
    csl_json_url: str


class ListParams(Schema):
    cursor: str = Field(
        "", pattern=r"^[0-9]{0,18}$", description="From a page's `next` (the last id it listed)."
    )
    limit: int = Field(20, ge=1, le=settings.API_MAX_PAGE_SIZE)
