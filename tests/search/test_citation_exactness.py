"""Exact citations: a date keeps its precision in every style, a person's name is given in its
parts, and an article's citations cite its latest public web capture (permalink, time, WACZ
SHA-256) rather than the feed capture it was read from."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from apps.captures.models import CaptureFile, WebCapture
from apps.search import citations
from apps.search.citations import CitedDate, Name, parse_name, split_authors
from apps.timeline.models import DatePrecision, TimelineEvent
from tests.factories import AccountFactory, PostFactory, SourceArticleFactory

TODAY = datetime.date(2026, 1, 2)
ARCHIVE_URL = "https://archive.example/events/x/"
RAW_SHA = "ab" * 32
WACZ_SHA = "cd" * 32
WHEN = datetime.datetime(2019, 3, 4, 5, 6, tzinfo=datetime.UTC)
CAPTURE_PAGE = re.compile(r"/captures/\d+/")


def event(date, precision, end=None, title="Burke founds me too."):
    return TimelineEvent(
        pk=7, slug="x", title=title, date=date, date_precision=precision, date_end=end
    )


def cited(entry, kind="event", **kwargs):
    source = citations.source_for(entry, kind=kind, archive_url=ARCHIVE_URL, today=TODAY, **kwargs)
    styles = {style["id"]: style["text"] for style in citations.all_styles(source)}
    styles["bibtex"] = citations.bibtex(source)
    styles["csl"] = json.loads(citations.csl_json(source))[0]
    return styles


# --- dates ----------------------------------------------------------------------------------


def test_a_year_only_event_is_cited_with_its_year_alone_in_every_style():
    styles = cited(event(datetime.date(2006, 1, 1), DatePrecision.YEAR))
    assert "(2006). Burke founds me too. [Timeline entry]." in styles["apa"]
    assert "The #MeToo Archive, 2006." in styles["mla"]
    assert "The #MeToo Archive, 2006." in styles["chicago"]
    assert "(2006)" in styles["bluebook"]
    assert "year = {2006}" in styles["bibtex"] and "date = {2006}" in styles["bibtex"]
    assert "month" not in styles["bibtex"]  # not "month = {jan}"
    assert styles["csl"]["issued"] == {"date-parts": [[2006]]}
    for style in ("apa", "mla", "chicago", "bluebook"):
        cited_part = styles[style].split("ccessed")[0].split("[archived")[0]
        assert "Jan" not in cited_part and " 1," not in cited_part, style


def test_a_month_only_event_gives_its_month_without_a_day():
    styles = cited(event(datetime.date(2017, 10, 1), DatePrecision.MONTH))
    assert "(2017, October). Burke" in styles["apa"]
    assert "The #MeToo Archive, Oct. 2017." in styles["mla"]
    assert "The #MeToo Archive, October 2017." in styles["chicago"]
    assert "(Oct. 2017)" in styles["bluebook"]
    assert "  month = oct,\n" in styles["bibtex"]  # BibTeX's month macro, unbraced
    assert "date = {2017-10}" in styles["bibtex"]
    assert styles["csl"]["issued"] == {"date-parts": [[2017, 10]]}
    assert "October 1" not in styles["apa"] and "1 Oct." not in styles["mla"]


def test_a_range_of_days_is_cited_as_a_range():
    styles = cited(
        event(datetime.date(2017, 10, 14), DatePrecision.RANGE, datetime.date(2017, 10, 15))
    )
    assert "(2017, October 14–15)." in styles["apa"]
    assert "14–15 Oct. 2017." in styles["mla"]
    assert "October 14–15, 2017." in styles["chicago"]
    assert "(Oct. 14–15, 2017)" in styles["bluebook"]
    assert "date = {2017-10-14/2017-10-15}" in styles["bibtex"]
    assert styles["csl"]["issued"] == {"date-parts": [[2017, 10, 14], [2017, 10, 15]]}


def test_a_range_over_a_new_month_and_a_new_year_names_both_ends():
    date = CitedDate(datetime.date(2017, 12, 30), DatePrecision.RANGE, datetime.date(2018, 1, 2))
    assert citations.apa_date(date) == "2017, December 30–2018, January 2"
    assert citations.mla_date(date) == "30 Dec. 2017–2 Jan. 2018"
    assert citations.chicago_date(date) == "December 30, 2017–January 2, 2018"
    date = CitedDate(datetime.date(2017, 10, 30), DatePrecision.RANGE, datetime.date(2017, 11, 2))
    assert citations.mla_date(date) == "30 Oct.–2 Nov. 2017"
    assert citations.bluebook_date(date) == "Oct. 30–Nov. 2, 2017"


def test_mla_and_the_bluebook_write_short_months_out():
    for month, short in ((6, "June"), (7, "July"), (9, "Sept."), (5, "May")):
        date = CitedDate(datetime.date(2018, month, 3))
        assert citations.mla_date(date) == f"3 {short} 2018"
        assert citations.bluebook_date(date) == f"{short} 3, 2018"


PARTS = {DatePrecision.YEAR: 1, DatePrecision.MONTH: 2, DatePrecision.DAY: 3}


@given(
    day=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
    precision=st.sampled_from(list(PARTS)),
)
def test_every_style_keeps_a_dates_precision(day, precision):
    styles = cited(event(day, precision))
    parts = [day.year, day.month, day.day][: PARTS[precision]]
    assert styles["csl"]["issued"]["date-parts"] == [parts]
    assert f"date = {{{'-'.join(f'{p:02d}' for p in parts)}}}" in styles["bibtex"]
    has_month = precision != DatePrecision.YEAR
    has_day = precision == DatePrecision.DAY
    assert ("month =" in styles["bibtex"]) == has_month
    date = CitedDate(day, precision)
    texts = [citations.apa_date(date), citations.mla_date(date), citations.chicago_date(date)]
    texts.append(citations.bluebook_date(date))
    for text in texts:
        assert str(day.year) in text
        assert (day.strftime("%B")[:3] in text) == has_month
        digits = text.replace(str(day.year), "")
        assert (str(day.day) in digits) == has_day
    assert f"({texts[0]})." in styles["apa"] and f"({texts[3]})" in styles["bluebook"]


# --- names ----------------------------------------------------------------------------------


def person(family, given, **more):
    return {"family": family, "given": given, **more}


@pytest.mark.parametrize(
    ("byline", "csl", "apa", "inverted"),
    [
        ("Louise Donovan", person("Donovan", "Louise"), "Donovan, L.", "Donovan, Louise"),
        ("Donovan, Louise", person("Donovan", "Louise"), "Donovan, L.", "Donovan, Louise"),
        ("By Jodi Kantor", person("Kantor", "Jodi"), "Kantor, J.", "Kantor, Jodi"),
        ("jk@nytimes.com (Jodi Kantor)", person("Kantor", "Jodi"), "Kantor, J.", "Kantor, Jodi"),
        ("Jean-Paul Sartre", person("Sartre", "Jean-Paul"), "Sartre, J.-P.", "Sartre, Jean-Paul"),
        ("J.K. Rowling", person("Rowling", "J.K."), "Rowling, J. K.", "Rowling, J.K."),
        (
            "Jan van der Berg",
            person("Berg", "Jan", **{"non-dropping-particle": "van der"}),
            "van der Berg, J.",
            "van der Berg, Jan",
        ),
        (
            "Jean-Claude Van Damme",
            person("Van Damme", "Jean-Claude"),
            "Van Damme, J.-C.",
            "Van Damme, Jean-Claude",
        ),
        (
            "Martin Luther King, Jr.",
            person("King", "Martin Luther", suffix="Jr."),
            "King, M. L., Jr.",
            "King, Martin Luther, Jr.",
        ),
        (
            "King, Martin Luther, Jr.",
            person("King", "Martin Luther", suffix="Jr."),
            "King, M. L., Jr.",
            "King, Martin Luther, Jr.",
        ),
        ("JODI KANTOR", person("KANTOR", "JODI"), "KANTOR, J.", "KANTOR, JODI"),
        ("Madonna", {"literal": "Madonna"}, "Madonna", "Madonna"),
        (
            "Associated Press",
            {"literal": "Associated Press"},
            "Associated Press",
            "Associated Press",
        ),
        ("Reuters Staff", {"literal": "Reuters Staff"}, "Reuters Staff", "Reuters Staff"),
        ("AFP", {"literal": "AFP"}, "AFP", "AFP"),
        ("The Guardian", {"literal": "The Guardian"}, "The Guardian", "The Guardian"),
    ],
)
def test_a_byline_is_read_into_family_and_given_names(byline, csl, apa, inverted):
    name = parse_name(byline)
    assert name.csl() == csl
    assert name.apa() == apa
    assert name.inverted() == inverted


def test_a_byline_naming_several_people_is_split_but_an_inverted_name_is_not():
    assert split_authors(["Jodi Kantor and Megan Twohey"]) == ["Jodi Kantor", "Megan Twohey"]
    assert split_authors(["Jodi Kantor, Megan Twohey & Ronan Farrow"]) == [
        "Jodi Kantor", "Megan Twohey", "Ronan Farrow",
    ]  # fmt: skip
    assert split_authors(["Kantor, Jodi"]) == ["Kantor, Jodi"]
    assert split_authors(["Martin Luther King, Jr."]) == ["Martin Luther King, Jr."]
    assert split_authors(["Procter & Gamble"]) == ["Procter & Gamble"]


WORD = st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True).filter(
    lambda w: (
        w.lower() not in citations.PARTICLES | citations.ORGANISATION_WORDS
        and w.lower() not in citations.SUFFIXES
    )
)


@given(given_names=st.lists(WORD, min_size=1, max_size=3), family=WORD)
def test_a_persons_name_survives_being_inverted_and_read_again(given_names, family):
    written = f"{' '.join(given_names)} {family}"
    name = parse_name(written)
    assert name == Name(family=family, given=" ".join(given_names))
    assert parse_name(name.inverted()) == name
    assert name.normal() == written
    assert name.apa() == f"{family}, " + " ".join(f"{g[0]}." for g in given_names)


def test_an_articles_authors_are_cited_in_their_parts_in_every_style():
    article = SourceArticleFactory.build(
        pk=3,
        authors=["Louise Donovan", "Jan van der Berg", "Martin Luther King Jr."],
        title="Me too",
        published_at=datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC),
        captured_at=None,
        capture_sha256="",
    )
    styles = cited(article, kind="article")
    assert styles["csl"]["author"] == [
        {"family": "Donovan", "given": "Louise"},
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
    ]
    assert styles["apa"].startswith(
        "Donovan, L., van der Berg, J., & King, M. L., Jr. (2017, October 16). Me too."
    )
    assert styles["mla"].startswith("Donovan, Louise, et al. “Me too.”")
    assert styles["chicago"].startswith(
        "Donovan, Louise, Jan van der Berg, and Martin Luther King Jr. “Me too.”"
    )
    assert styles["bluebook"].startswith("Louise Donovan et al., Me too,")
    assert (
        "author = {Donovan, Louise and van der Berg, Jan and King, Jr., Martin Luther}"
        in styles["bibtex"]
    )


def test_an_organisation_or_outlet_as_author_is_a_literal_kept_whole():
    article = SourceArticleFactory.build(pk=4, authors=["Associated Press"], title="T")
    styles = cited(article, kind="article")
    assert styles["csl"]["author"] == [{"literal": "Associated Press"}]
    assert "author = {{Associated Press}}" in styles["bibtex"]
    assert styles["apa"].startswith("Associated Press. (")
    timeline = cited(event(datetime.date(2017, 10, 15), DatePrecision.DAY))
    assert timeline["csl"]["author"] == [{"literal": "The #MeToo Archive"}]


# --- the web capture cited ------------------------------------------------------------------


def web_capture(entry_field: str, entry, *, status="done", when=WHEN, sha=WACZ_SHA):
    capture = WebCapture.objects.create(
        url="https://www.example.org/a", url_key="org,example)/a", status=status,
        captured_at=when if status == "done" else None, **{entry_field: entry},
    )  # fmt: skip
    if status == "done":
        CaptureFile.objects.create(
            capture=capture, kind="wacz", path=f"c/{capture.pk}.wacz", sha256=sha, size=10
        )
    return capture


def published_article():
    return SourceArticleFactory(
        published=True,
        authors=["Louise Donovan"],
        title="Me too",
        captured_at=datetime.datetime(2017, 10, 16, tzinfo=datetime.UTC),
        capture_sha256=RAW_SHA,
    )


def every_citation(client, kind, entry) -> str:
    page = client.get(entry.get_absolute_url()).content.decode()
    bib = client.get(reverse("search:cite_bibtex", args=[kind, entry.pk])).content.decode()
    csl = client.get(reverse("search:cite_csl", args=[kind, entry.pk])).content.decode()
    return "\n".join([page, bib, csl])


@pytest.mark.django_db
def test_an_articles_citations_cite_its_latest_public_capture(client, settings):
    settings.SITE_URL = "https://metoo.example"
    article = published_article()
    web_capture("article", article, when=WHEN - datetime.timedelta(days=30), sha="ee" * 32)
    latest = web_capture("article", article)
    web_capture("article", article, status="queued")
    web_capture("article", article, status="failed")
    permalink = f"https://metoo.example/captures/{latest.pk}/"

    page = client.get(article.get_absolute_url()).content.decode()
    for style in ("apa", "mla", "chicago", "bluebook"):
        text = page.split(f'id="cite-{style}"')[1].split("</textarea>")[0]
        assert permalink in text and WACZ_SHA in text, style
        assert ("Mar. 4, 2019" if style == "bluebook" else "2019-03-04 05:06 UTC") in text
        assert RAW_SHA not in text and "ee" * 32 not in text
    assert f'href="{permalink}"' in page
    bib = client.get(reverse("search:cite_bibtex", args=["article", article.pk])).content.decode()
    assert permalink in bib and f"WACZ SHA-256 {WACZ_SHA}" in bib and RAW_SHA not in bib
    csl = json.loads(client.get(reverse("search:cite_csl", args=["article", article.pk])).content)
    assert permalink in csl[0]["note"] and WACZ_SHA in csl[0]["note"]
    assert "2019-03-04T05:06:00+00:00" in csl[0]["note"]


@pytest.mark.django_db
def test_without_a_finished_capture_the_citation_keeps_the_feed_captures_hash(client):
    article = published_article()
    web_capture("article", article, status="queued")
    cited_text = every_citation(client, "article", article)
    assert RAW_SHA in cited_text and not CAPTURE_PAGE.search(cited_text)


@pytest.mark.django_db
def test_a_capture_of_an_unpublished_entry_is_never_cited(client):
    """The entry is published, but the capture belongs to another, pending one: it is not
    this entry's; and a pending entry's page is not shown at all."""
    article = published_article()
    pending = SourceArticleFactory()
    web_capture("article", pending)
    assert not CAPTURE_PAGE.search(every_citation(client, "article", article))


@pytest.mark.django_db
def test_a_public_figures_post_cites_the_capture_of_its_link(client, settings):
    settings.SITE_URL = "https://metoo.example"
    account = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    post = PostFactory(published=True, account=account, capture_sha256=RAW_SHA)
    capture = web_capture("post", post)
    cited_text = every_citation(client, "post", post)
    assert f"https://metoo.example/captures/{capture.pk}/" in cited_text
    assert WACZ_SHA in cited_text
