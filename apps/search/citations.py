"""Citations of single entries (APA, MLA, Chicago, Bluebook, BibTeX, CSL-JSON) and of searches.

Everything here is built from an entry already loaded with what it shows (a post with its
account, an article with its outlet and its public web captures): no queries. A private person's
post is cited under its pseudonym, without its original URL and without its web capture, whose
page shows the address that would name them.

A citation is exact: a date keeps the precision it is known to ("2006", "October 2017", a range
of days) in every style, and a person's name is split into family and given names (with a
particle such as "van der" and a suffix such as "Jr.") so that each style inverts it as it
should and a CSL processor renders "Donovan, L.".
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.urls import NoReverseMatch, reverse

from apps.timeline.models import DatePrecision

NOT_RECORDED = "not recorded"

# The attribute an article's or a post's public captures are prefetched into, newest first.
# apps/archive/views.py prefetches the same (it cannot import this module).
PUBLIC_CAPTURES = "public_captures"


# --- dates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitedDate:
    """A date as precisely as it is known: a year, a month, a day, or a range of days."""

    start: datetime.date
    precision: str = DatePrecision.DAY
    end: datetime.date | None = None

    @classmethod
    def of(cls, value, precision: str = DatePrecision.DAY, end=None) -> CitedDate | None:
        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if precision == DatePrecision.RANGE and end is None:
            precision = DatePrecision.DAY
        return cls(value, precision, end if precision == DatePrecision.RANGE else None)

    @property
    def has_month(self) -> bool:
        return self.precision != DatePrecision.YEAR

    @property
    def has_day(self) -> bool:
        return self.precision in (DatePrecision.DAY, DatePrecision.RANGE)

    def parts(self, value: datetime.date) -> list[int]:
        if not self.has_month:
            return [value.year]
        if not self.has_day:
            return [value.year, value.month]
        return [value.year, value.month, value.day]

    @property
    def iso(self) -> str:
        """biblatex's ``date``: "2006", "2017-10", "2017-10-05", "2017-10-14/2017-10-15"."""
        text = "-".join(f"{part:02d}" for part in self.parts(self.start))
        return f"{text}/{self.end.isoformat()}" if self.end else text


MONTHS = [datetime.date(2000, m, 1).strftime("%B") for m in range(1, 13)]
# MLA and the Bluebook (T12) abbreviate the same way: four-letter months are written out.
MONTHS_SHORT = [
    "Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
]  # fmt: skip


def _long(value: datetime.date) -> str:
    return MONTHS[value.month - 1]


def _short(value: datetime.date) -> str:
    return MONTHS_SHORT[value.month - 1]


def apa_date(date: CitedDate | None) -> str:
    """2006 · 2017, October · 2017, October 5 · 2017, October 14–15."""
    if date is None:
        return "n.d."
    start, end = date.start, date.end
    if not date.has_month:
        return f"{start.year}"
    if not date.has_day:
        return f"{start.year}, {_long(start)}"
    text = f"{start.year}, {_long(start)} {start.day}"
    if end is None:
        return text
    if end.year != start.year:
        return f"{text}–{end.year}, {_long(end)} {end.day}"
    if end.month != start.month:
        return f"{text}–{_long(end)} {end.day}"
    return f"{text}–{end.day}"


def mla_date(date: CitedDate | None) -> str:
    """2006 · Oct. 2017 · 5 Oct. 2017 · 14–15 Oct. 2017 · 30 Oct.–2 Nov. 2017."""
    if date is None:
        return "n.d."
    start, end = date.start, date.end
    if not date.has_month:
        return f"{start.year}"
    if not date.has_day:
        return f"{_short(start)} {start.year}"
    if end is None:
        return f"{start.day} {_short(start)} {start.year}"
    if end.year != start.year:
        return f"{start.day} {_short(start)} {start.year}–{end.day} {_short(end)} {end.year}"
    if end.month != start.month:
        return f"{start.day} {_short(start)}–{end.day} {_short(end)} {end.year}"
    return f"{start.day}–{end.day} {_short(end)} {end.year}"


def _month_day_year(date: CitedDate | None, month) -> str:
    """Chicago (months written out) and the Bluebook (abbreviated): October 5, 2017."""
    if date is None:
        return "n.d."
    start, end = date.start, date.end
    if not date.has_month:
        return f"{start.year}"
    if not date.has_day:
        return f"{month(start)} {start.year}"
    if end is None:
        return f"{month(start)} {start.day}, {start.year}"
    if end.year != start.year:
        return f"{month(start)} {start.day}, {start.year}–{month(end)} {end.day}, {end.year}"
    if end.month != start.month:
        return f"{month(start)} {start.day}–{month(end)} {end.day}, {end.year}"
    return f"{month(start)} {start.day}–{end.day}, {end.year}"


def chicago_date(date: CitedDate | None) -> str:
    return _month_day_year(date, _long)


def bluebook_date(date: CitedDate | None) -> str:
    return _month_day_year(date, _short)


def csl_date(date: CitedDate | None) -> dict | None:
    if date is None:
        return None
    parts = [date.parts(date.start)]
    if date.end:
        parts.append(date.parts(date.end))
    return {"date-parts": parts}


def _day(value: datetime.date | datetime.datetime | None) -> CitedDate | None:
    return CitedDate.of(value)


# --- names ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """A person's name in its parts, or a name to be given as it is (``literal``): an
    organisation, a handle, a pseudonym, a single name."""

    family: str = ""
    given: str = ""
    particle: str = ""  # a lowercase "van der", "de la": kept in front of the family name
    suffix: str = ""  # "Jr.", "III"
    literal: str = ""

    @property
    def surname(self) -> str:
        return f"{self.particle} {self.family}".strip()

    def normal(self, *, suffix_comma: bool = False) -> str:
        """In reading order: "Ludwig van Beethoven", "Martin Luther King Jr."."""
        if self.literal:
            return self.literal
        text = f"{self.given} {self.surname}".strip()
        if self.suffix:
            text += f"{',' if suffix_comma else ''} {self.suffix}"
        return text

    def inverted(self) -> str:
        """Family name first (MLA, Chicago): "van Beethoven, Ludwig", "King, Martin Luther, Jr."."""
        if self.literal:
            return self.literal
        parts = [self.surname, self.given, self.suffix]
        return ", ".join(part for part in parts if part)

    def apa(self) -> str:
        """Family name and initials: "Kantor, J.", "King, M. L., Jr.", "Sartre, J.-P."."""
        if self.literal:
            return self.literal
        parts = [self.surname, initials(self.given), self.suffix]
        return ", ".join(part for part in parts if part)

    def bibtex(self) -> str:
        """BibTeX's "von Last, Jr, First"; a literal name braced, so it is never split."""
        if self.literal:
            return "{" + _bibtex_escape(self.literal) + "}"
        parts = [self.surname, self.suffix, self.given]
        return ", ".join(_bibtex_escape(part) for part in parts if part)

    def csl(self) -> dict:
        if self.literal:
            return {"literal": self.literal}
        item = {"family": self.family, "given": self.given}
        if self.particle:
            item["non-dropping-particle"] = self.particle
        if self.suffix:
            item["suffix"] = self.suffix
        return {key: value for key, value in item.items() if value}


def initials(given: str) -> str:
    """ "Louise" -> "L.", "Mary Beth" -> "M. B.", "Jean-Paul" -> "J.-P.", "J.K." -> "J. K."."""
    words = []
    for word in given.split():
        pieces = []
        for piece in word.split("-"):
            letters = [part for part in piece.split(".") if part]
            if letters:
                pieces.append(" ".join(f"{part[0]}." for part in letters))
        if pieces:
            words.append("-".join(pieces))
    return " ".join(words)


SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la",
    "le", "ten", "ter", "bin", "ibn", "al", "el", "af", "zu",
}  # fmt: skip
# A word that names an organisation rather than a person; a name with one is given as it is.
ORGANISATION_WORDS = {
    "agence", "agency", "associated", "association", "board", "broadcasting", "bureau",
    "center", "centre", "coalition", "committee", "company", "contributors", "corporation",
    "correspondents", "council", "department", "desk", "editorial", "editors", "foundation",
    "inc", "inc.", "institute", "llc", "ltd", "ltd.", "magazine", "media", "network", "news",
    "newsroom", "online", "press", "radio", "reporters", "reuters", "service", "society",
    "staff", "team", "television", "university", "wire", "writers",
}  # fmt: skip
_EMAIL_WITH_NAME = re.compile(r"\S+@\S+\s*\((?P<name>[^()]+)\)")
_BYLINE = re.compile(r"^by\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+")


def _clean(raw: str) -> str:
    text = " ".join((raw or "").split())
    text = _BYLINE.sub("", text)
    if match := _EMAIL_WITH_NAME.fullmatch(text):  # RSS's "jkantor@nytimes.com (Jodi Kantor)"
        text = match["name"].strip()
    return text


def _is_suffix(word: str) -> bool:
    return word.lower().rstrip(",") in SUFFIXES


def _is_organisation(text: str) -> bool:
    words = text.split()
    if text.lower().startswith("the ") or re.search(r"[\d&/+@]", text) or len(words) > 6:
        return True
    shouting = text.isupper()  # "JODI KANTOR": a byline in capitals, not acronyms
    for word in words:
        bare = word.strip(",.()").lower()
        if bare in ORGANISATION_WORDS:
            return True
        # An acronym (AFP, BBC), not initials (which carry full stops) nor a numeral (III).
        letters = word.strip(",()")
        acronym = len(letters) >= 3 and letters.isalpha() and letters.isupper()
        if acronym and not shouting and bare not in SUFFIXES:
            return True
    return False


def _is_person(text: str) -> bool:
    return len(text.split()) >= 2 and not _is_organisation(text)


def split_authors(authors) -> list[str]:
    """The names in a list of bylines, where one byline may name several people ("Jodi Kantor
    and Megan Twohey"). "Kantor, Jodi" and "King, Martin Luther, Jr." stay one name."""
    names = []
    for raw in authors or []:
        text = _clean(raw)
        if not text:
            continue
        pieces = []
        for piece in _AUTHOR_SEPARATORS.split(text):
            if pieces and _is_suffix(piece):  # "Martin Luther King, Jr. and Coretta Scott King"
                pieces[-1] += f" {piece}"
            elif piece:
                pieces.append(piece)
        several = re.search(r";|\s(?:and|&)\s", text) or text.count(",") >= 2
        if several and len(pieces) > 1 and all(_is_person(piece) for piece in pieces):
            names.extend(pieces)
        else:
            names.append(text)
    return names


def _family_and_particle(words: list[str]) -> tuple[str, str]:
    """("van der", "Berg") from "van der Berg"; a capitalised "Van Damme" is all family name."""
    particle = []
    while len(words) > 1 and words[0] in PARTICLES:  # lowercase only: the set is lowercase
        particle.append(words.pop(0))
    return " ".join(particle), " ".join(words)


def parse_name(raw: str) -> Name:
    """A byline as a person's name in its parts, or as a literal when it is not one."""
    text = _clean(raw)
    if not text or _is_organisation(text):
        return Name(literal=text)
    if "," in text:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        suffix = parts.pop() if len(parts) > 1 and _is_suffix(parts[-1]) else ""
        if len(parts) == 2:  # "Kantor, Jodi", "van der Berg, Jan", "King, Martin Luther, Jr."
            particle, family = _family_and_particle(parts[0].split())
            return Name(family=family, given=parts[1], particle=particle, suffix=suffix)
        if len(parts) != 1:
            return Name(literal=text)
        words = parts[0].split()  # "Martin Luther King, Jr."
    else:
        words = text.split()
        suffix = words.pop() if len(words) > 1 and _is_suffix(words[-1]) else ""
    if len(words) == 1:
        return Name(literal=text)  # a single name: no given name to abbreviate or invert
    # The family name starts at the first particle after the given name ("Ludwig van
    # Beethoven", "Jean-Claude Van Damme"), or is the last word.
    start = next(
        (i for i in range(1, len(words) - 1) if words[i].lower() in PARTICLES), len(words) - 1
    )
    particle, family = _family_and_particle(words[start:])
    return Name(family=family, given=" ".join(words[:start]), particle=particle, suffix=suffix)


# --- the source of a citation ---------------------------------------------------------------


@dataclass
class CitationSource:
    kind: str  # "post", "article" or "event"
    key: str
    author: str  # as cited when there is no person's name ("@handle", a pseudonym, an outlet)
    authors: list[Name]
    title: str
    container: str  # platform or outlet
    date: CitedDate | None
    original_url: str
    archive_url: str
    captured_at: datetime.datetime | None
    sha256: str
    accessed: datetime.date
    # The web capture cited (its permalink), or "" when the time and hash above are those of
    # the raw feed capture the entry was read from.
    capture_url: str = ""
    # A private person's post: its address is known but not given. Otherwise a missing
    # ``original_url`` was never recorded (a public figure's post known only by its id).
    original_withheld: bool = False
    names: list[Name] = field(init=False)

    def __post_init__(self):
        self.names = self.authors or ([Name(literal=self.author)] if self.author else [])

    @property
    def sha256_of(self) -> str:
        return "WACZ " if self.capture_url else ""


def capture_path(capture_id: int) -> str:
    """A capture's page: ``/captures/<id>/`` (the path the issue pins)."""
    try:
        return reverse("captures:detail", args=[capture_id])
    except NoReverseMatch:  # the captures' pages are not mounted in this deployment yet
        return f"/captures/{capture_id}/"


def capture_permalink(capture_id: int) -> str:
    return f"{settings.SITE_URL}{capture_path(capture_id)}"


def public_captures_prefetch(model) -> Prefetch:
    """An article's or a post's public captures, newest first, with their files' hashes, into
    ``PUBLIC_CAPTURES``. The captures app sits above this one, so its model is reached through
    the relation it declares (``captures``)."""
    capture_model = model.captures.rel.related_model
    files = capture_model.files.rel.related_model.objects.only(
        "id", "capture_id", "kind", "sha256", "size"
    )
    captures = (
        capture_model.objects.public()
        .only("id", "article_id", "post_id", "status", "captured_at", "url")
        .order_by("-captured_at", "-id")
        .prefetch_related(Prefetch("files", queryset=files))
    )
    return Prefetch("captures", queryset=captures, to_attr=PUBLIC_CAPTURES)


def latest_capture(captures):
    """The newest finished capture among ``captures`` (already the public ones), or None."""
    done = [c for c in captures or () if c.captured_at is not None]
    return max(done, key=lambda c: (c.captured_at, c.pk), default=None)


def _clip(text: str, words: int = 12) -> str:
    parts = (text or "").split()
    clipped = " ".join(parts[:words])
    return clipped + ("…" if len(parts) > words else "")


def _untitled(post, *, shows: bool) -> str:
    """A title for a post without text. Its platform id is as good as its URL (the platform
    answers it with the author), so it is given only where the URL is."""
    platform = post.get_platform_display()
    return f"{platform} post {post.platform_id}" if shows else f"Untitled {platform} post"


def _capture_fields(entry, capture) -> dict:
    """The web capture's permalink, time and WACZ hash; without one, the raw feed capture's
    time and hash the entry was read from."""
    if capture is None:
        return {"captured_at": entry.captured_at, "sha256": entry.capture_sha256}
    wacz = capture.file("wacz")
    return {
        "capture_url": capture_permalink(capture.pk),
        "captured_at": capture.captured_at,
        "sha256": wacz.sha256 if wacz else "",
    }


def source_for(
    entry,
    *,
    kind: str,
    archive_url: str,
    today: datetime.date | None = None,
    capture=None,
):
    """What a citation of ``entry`` says. ``capture`` is the web capture to cite (by default
    the newest of the entry's prefetched public captures, if they were prefetched)."""
    today = today or datetime.datetime.now(datetime.UTC).date()
    if capture is None and kind != "event":
        capture = latest_capture(getattr(entry, PUBLIC_CAPTURES, None))
    if kind == "post":
        account = entry.account
        shows = bool(account and account.shows_handle)
        return CitationSource(
            kind="post",
            key=f"metoo-post-{entry.pk}",
            author=account.public_name if account else "Unknown account",
            authors=[],  # a handle or a pseudonym, not a person's name to invert
            title=_clip(entry.text) or _untitled(entry, shows=shows),
            container=entry.get_platform_display(),
            date=_day(entry.moment.date if entry.moment else None),
            original_url=entry.url if shows else "",
            original_withheld=not shows,
            archive_url=archive_url,
            accessed=today,
            # A capture's page shows the address captured, which would name a private person.
            **_capture_fields(entry, capture if shows else None),
        )
    if kind == "article":
        authors = [parse_name(name) for name in split_authors(entry.authors)]
        return CitationSource(
            kind="article",
            key=f"metoo-article-{entry.pk}",
            author="" if authors else (entry.outlet.name if entry.outlet else ""),
            authors=authors,
            title=entry.title,
            container=entry.outlet.name if entry.outlet else "",
            date=_day(entry.published_at),
            original_url=entry.url or entry.canonical_url,
            archive_url=archive_url,
            accessed=today,
            **_capture_fields(entry, capture),
        )
    return CitationSource(
        kind="event",
        key=f"metoo-event-{entry.pk}",
        author=settings.SITE_NAME,
        authors=[],
        title=entry.title,
        container=settings.SITE_NAME,
        date=CitedDate.of(entry.date, entry.date_precision, entry.date_end),
        original_url="",
        archive_url=archive_url,
        captured_at=None,
        sha256="",
        accessed=today,
    )


# --- the styles -----------------------------------------------------------------------------


def _series(names: list[str], *, conjunction: str) -> str:
    """ "A", "A, and B" (MLA and Chicago keep the comma with two), "A, B, and C"."""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f", {conjunction} {names[-1]}"


def apa_authors(source: CitationSource) -> str:
    """Kantor, J., & Twohey, M. (APA 7: up to 20 names; beyond, the first 19, …, the last)."""
    names = [name.apa() for name in source.names]
    if len(names) > 20:
        return ", ".join(names[:19]) + ", … " + names[-1]
    return _series(names, conjunction="&") if names else ""


def mla_authors(source: CitationSource) -> str:
    """Kantor, Jodi, and Megan Twohey (three or more: the first, et al.)."""
    names = source.names
    if not names:
        return ""
    if len(names) > 2:
        return f"{names[0].inverted()}, et al."
    return _series([names[0].inverted(), *(n.normal() for n in names[1:])], conjunction="and")


def chicago_authors(source: CitationSource) -> str:
    """Chicago's bibliography: every author up to ten (the first inverted); beyond, seven and
    et al."""
    names = source.names
    if not names:
        return ""
    if len(names) > 10:
        listed = [names[0].inverted(), *(n.normal() for n in names[1:7])]
        return ", ".join(listed) + ", et al."
    return _series([names[0].inverted(), *(n.normal() for n in names[1:])], conjunction="and")


def bluebook_authors(source: CitationSource) -> str:
    names = [name.normal(suffix_comma=True) for name in source.names]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " & ".join(names)


def _period(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _capture(source: CitationSource) -> str:
    if source.kind == "event":
        return ""
    when = f"{source.captured_at:%Y-%m-%d %H:%M} UTC" if source.captured_at else NOT_RECORDED
    digest = source.sha256 or NOT_RECORDED
    where = f" {source.capture_url}," if source.capture_url else ""
    return f" Archived capture:{where} {when}; {source.sha256_of}SHA-256 {digest}."


def _original(source: CitationSource) -> str:
    if source.kind == "event":
        return ""
    if source.original_withheld:
        return " Original URL withheld (private person)."
    if not source.original_url:
        return ""
    return f" Original: {source.original_url}."


def _lead(authors: str, rest: str, *, separator: str = " ") -> str:
    """The authors, then the rest; without authors the citation opens with the rest (its
    title)."""
    return f"{authors}{separator}{rest}" if authors else rest


def apa(source: CitationSource) -> str:
    kind = {"post": "[Post]", "article": "", "event": "[Timeline entry]"}[source.kind]
    title = _period(f"{source.title} {kind}".strip())
    date = f"({apa_date(source.date)})."
    authors = apa_authors(source)
    head = f"{_period(authors)} {date} {title}" if authors else f"{title} {date}"
    container = f" {_period(source.container)}" if source.container else ""
    return (
        f"{head}{container} Archived by {settings.SITE_NAME}: {source.archive_url}."
        f"{_original(source)}{_capture(source)}"
    )


def _container_and_date(source: CitationSource, date: str) -> str:
    return f"{source.container}, {date}" if source.container else date


def mla(source: CitationSource) -> str:
    authors = mla_authors(source)
    title = f"“{_period(source.title)}” {_container_and_date(source, mla_date(source.date))}."
    return (
        f"{_lead(_period(authors) if authors else '', title)} "
        f"{settings.SITE_NAME}, {source.archive_url}. "
        f"Accessed {mla_date(_day(source.accessed))}.{_original(source)}{_capture(source)}"
    )


def chicago(source: CitationSource) -> str:
    authors = chicago_authors(source)
    title = f"“{_period(source.title)}” {_container_and_date(source, chicago_date(source.date))}."
    return (
        f"{_lead(_period(authors) if authors else '', title)} "
        f"Archived at {settings.SITE_NAME}, {source.archive_url} "
        f"(accessed {chicago_date(_day(source.accessed))}).{_original(source)}{_capture(source)}"
    )


def bluebook(source: CitationSource) -> str:
    original = f", {source.original_url}" if source.original_url else ""
    captured = bluebook_date(_day(source.captured_at)) if source.captured_at else NOT_RECORDED
    where = f", {source.capture_url}" if source.capture_url else ""
    sha = f", {source.sha256_of}SHA-256 {source.sha256}" if source.sha256 else ""
    work = f"{source.title}, {source.container}" if source.container else source.title
    return (
        f"{_lead(bluebook_authors(source), work, separator=', ')} "
        f"({bluebook_date(source.date)}){original} "
        f"[archived at {source.archive_url}{where}, captured {captured}{sha}]."
    )


def _bibtex_escape(value: str) -> str:
    value = re.sub(r"([{}\\])", r"\\\1", value or "")
    return re.sub(r"([&%$#_])", r"\\\1", value)


BIBTEX_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def bibtex(source: CitationSource) -> str:
    date = source.date
    capture = "; ".join(
        part
        for part in (
            f"web capture {source.capture_url}" if source.capture_url else "",
            f"captured {source.captured_at:%Y-%m-%d %H:%M} UTC" if source.captured_at else "",
            f"{source.sha256_of}SHA-256 {source.sha256}" if source.sha256 else "",
        )
        if part
    )
    fields = {
        "title": source.title,
        "howpublished": source.container,
        "year": f"{date.start.year}" if date else "",
        # biblatex reads the date as precisely as it is known; BibTeX reads year and month.
        "date": date.iso if date else "",
        "url": source.original_url or source.archive_url,
        "note": f"Archived by {settings.SITE_NAME} at {source.archive_url}"
        + (f"; {capture}" if capture else ""),
        "urldate": f"{source.accessed:%Y-%m-%d}",
    }
    entry_type = "article" if source.kind == "article" else "misc"
    if source.kind == "article":
        fields["journal"] = fields.pop("howpublished")
    lines = []
    if source.names:
        lines.append(f"  author = {{{' and '.join(name.bibtex() for name in source.names)}}}")
    for name, value in fields.items():
        if value:
            lines.append(f"  {name} = {{{_bibtex_escape(value)}}}")
        if name == "year" and date and date.has_month:
            # The month macro (unbraced), only when the month is known.
            lines.append(f"  month = {BIBTEX_MONTHS[date.start.month - 1]}")
    body = ",\n".join(lines)
    return f"@{entry_type}{{{source.key},\n{body}\n}}\n"


def csl_json(source: CitationSource) -> str:
    return json.dumps(csl_items(source), ensure_ascii=False, indent=2) + "\n"


def csl_items(source: CitationSource) -> list[dict]:
    """The entry as CSL-JSON: a list of one item, as reference managers import it."""
    item = {
        "id": source.key,
        "type": {"post": "post", "article": "article-newspaper", "event": "entry"}[source.kind],
        "title": source.title,
        "container-title": source.container,
        "author": [name.csl() for name in source.names],
        "issued": csl_date(source.date),
        "URL": source.original_url or source.archive_url,
        "accessed": csl_date(_day(source.accessed)),
        "archive": settings.SITE_NAME,
        "archive_location": source.archive_url,
        "note": "; ".join(
            part
            for part in (
                f"web capture {source.capture_url}" if source.capture_url else "",
                f"captured {source.captured_at.isoformat()}" if source.captured_at else "",
                f"{source.sha256_of}SHA-256 {source.sha256}" if source.sha256 else "",
            )
            if part
        ),
    }
    return [{key: value for key, value in item.items() if value}]


STYLES = (("apa", "APA", apa), ("mla", "MLA", mla), ("chicago", "Chicago", chicago))


def all_styles(source: CitationSource) -> list[dict]:
    styles = [{"id": key, "name": name, "text": fn(source)} for key, name, fn in STYLES]
    styles.append({"id": "bluebook", "name": "Bluebook", "text": bluebook(source)})
    return styles


def search_citation(*, query_text: str, url: str, run_at: datetime.datetime) -> str:
    described = f"Search for “{query_text}”" if query_text else "Search of the whole archive"
    return f"{described}. {settings.SITE_NAME}, run {run_at:%Y-%m-%d %H:%M:%S} UTC. {url}."
