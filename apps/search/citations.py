"""Citations of single entries (APA, MLA, Chicago, Bluebook, BibTeX, CSL-JSON) and of searches.

Everything here is built from an entry already loaded with what it shows (a post with its
account, an article with its outlet): no queries. A private person's post is cited under its
pseudonym and without its original URL, which would name them.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

from django.conf import settings

NOT_RECORDED = "not recorded"


@dataclass
class CitationSource:
    kind: str  # "post", "article" or "event"
    key: str
    author: str  # as cited ("@handle", "Contributor 9F4C-2A7E-1B03-D6E8", "Kantor, Jodi")
    authors: list[str]
    title: str
    container: str  # platform or outlet
    date: datetime.datetime | datetime.date | None
    original_url: str
    archive_url: str
    captured_at: datetime.datetime | None
    sha256: str
    accessed: datetime.date


def _clip(text: str, words: int = 12) -> str:
    parts = (text or "").split()
    clipped = " ".join(parts[:words])
    return clipped + ("…" if len(parts) > words else "")


def _untitled(post, *, shows: bool) -> str:
    """A title for a post without text. Its platform id is as good as its URL (the platform
    answers it with the author), so it is given only where the URL is."""
    platform = post.get_platform_display()
    return f"{platform} post {post.platform_id}" if shows else f"Untitled {platform} post"


def source_for(entry, *, kind: str, archive_url: str, today: datetime.date | None = None):
    today = today or datetime.datetime.now(datetime.UTC).date()
    if kind == "post":
        account = entry.account
        shows = bool(account and account.shows_handle)
        author = account.public_name if account else "Unknown account"
        return CitationSource(
            kind="post",
            key=f"metoo-post-{entry.pk}",
            author=author,
            authors=[],  # a handle or a pseudonym, not a person's name to invert
            title=_clip(entry.text) or _untitled(entry, shows=shows),
            container=entry.get_platform_display(),
            date=entry.moment.date if entry.moment else None,
            original_url=entry.url if shows else "",
            archive_url=archive_url,
            captured_at=entry.captured_at,
            sha256=entry.capture_sha256,
            accessed=today,
        )
    if kind == "article":
        authors = list(entry.authors or [])
        return CitationSource(
            kind="article",
            key=f"metoo-article-{entry.pk}",
            author="; ".join(authors) if authors else (entry.outlet.name if entry.outlet else ""),
            authors=authors,
            title=entry.title,
            container=entry.outlet.name if entry.outlet else "",
            date=entry.published_at,
            original_url=entry.url or entry.canonical_url,
            archive_url=archive_url,
            captured_at=entry.captured_at,
            sha256=entry.capture_sha256,
            accessed=today,
        )
    return CitationSource(
        kind="event",
        key=f"metoo-event-{entry.pk}",
        author=settings.SITE_NAME,
        authors=[],
        title=entry.title,
        container=settings.SITE_NAME,
        date=entry.date,
        original_url="",
        archive_url=archive_url,
        captured_at=None,
        sha256="",
        accessed=today,
    )


def _split(name: str) -> tuple[str, str]:
    """("Jodi", "Kantor") from "Jodi Kantor"; a one-word name is all family name."""
    parts = name.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", name)


def _inverted(name: str) -> str:
    given, family = _split(name)
    return f"{family}, {given}" if given else family


def _initials(name: str) -> str:
    given, family = _split(name)
    initials = " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part)
    return f"{family}, {initials}" if initials else family


def apa_authors(source: CitationSource) -> str:
    """Kantor, J., & Twohey, M. (persons); a handle, pseudonym or outlet as it is."""
    if not source.authors:
        return source.author
    names = [_initials(name) for name in source.authors]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def mla_authors(source: CitationSource) -> str:
    """Kantor, Jodi, and Megan Twohey (MLA and Chicago; three or more: et al.)."""
    if not source.authors:
        return source.author
    first = _inverted(source.authors[0])
    if len(source.authors) == 1:
        return first
    if len(source.authors) == 2:
        return f"{first}, and {source.authors[1]}"
    return f"{first}, et al"


def bluebook_authors(source: CitationSource) -> str:
    if not source.authors:
        return source.author
    return " & ".join(source.authors) if len(source.authors) <= 2 else f"{source.authors[0]} et al."


def _period(text: str) -> str:
    return text if text.endswith(".") else f"{text}."


def _ymd(value) -> str:
    if value is None:
        return "n.d."
    return f"{value:%Y, %B} {value.day}"


def _dmy(value) -> str:
    return f"{value.day} {value:%b. %Y}".replace("May.", "May") if value else "n.d."


def _mdy(value) -> str:
    return f"{value:%B} {value.day}, {value.year}" if value else "n.d."


def _capture(source: CitationSource) -> str:
    if source.kind == "event":
        return ""
    when = f"{source.captured_at:%Y-%m-%d %H:%M} UTC" if source.captured_at else NOT_RECORDED
    digest = source.sha256 or NOT_RECORDED
    return f" Archived capture: {when}; SHA-256 {digest}."


def _original(source: CitationSource) -> str:
    if source.kind == "event":
        return ""
    if not source.original_url:
        return " Original URL withheld (private person)." if source.kind == "post" else ""
    return f" Original: {source.original_url}."


def apa(source: CitationSource) -> str:
    kind = {"post": "[Post]", "article": "", "event": "[Timeline entry]"}[source.kind]
    title = f"{source.title} {kind}".strip()
    return (
        f"{_period(apa_authors(source))} ({_ymd(source.date)}). {title}. {source.container}. "
        f"Archived by {settings.SITE_NAME}: {source.archive_url}.{_original(source)}"
        f"{_capture(source)}"
    ).replace("..", ".")


def mla(source: CitationSource) -> str:
    return (
        f"{mla_authors(source)}. “{source.title}.” {source.container}, {_dmy(source.date)}. "
        f"{settings.SITE_NAME}, {source.archive_url}. Accessed {_dmy(source.accessed)}."
        f"{_original(source)}{_capture(source)}"
    ).replace("..", ".")


def chicago(source: CitationSource) -> str:
    return (
        f"{mla_authors(source)}. “{source.title}.” {source.container}, {_mdy(source.date)}. "
        f"Archived at {settings.SITE_NAME}, {source.archive_url} "
        f"(accessed {_mdy(source.accessed)}).{_original(source)}{_capture(source)}"
    ).replace("..", ".")


def bluebook(source: CitationSource) -> str:
    when = f"{source.date:%b. %-d, %Y}".replace("May.", "May") if source.date else "n.d."
    original = f", {source.original_url}" if source.original_url else ""
    captured = (
        f"{source.captured_at:%b. %-d, %Y}".replace("May.", "May")
        if source.captured_at
        else NOT_RECORDED
    )
    sha = f", SHA-256 {source.sha256}" if source.sha256 else ""
    return (
        f"{bluebook_authors(source)}, {source.title}, {source.container} ({when}){original} "
        f"[archived at {source.archive_url}, captured {captured}{sha}]."
    )


def _bibtex_escape(value: str) -> str:
    value = re.sub(r"([{}\\])", r"\\\1", value or "")
    return re.sub(r"([&%$#_])", r"\\\1", value)


def bibtex(source: CitationSource) -> str:
    fields = {
        "author": " and ".join(source.authors) if source.authors else source.author,
        "title": source.title,
        "howpublished": source.container,
        "year": f"{source.date.year}" if source.date else "",
        "month": f"{source.date:%b}".lower() if source.date else "",
        "url": source.original_url or source.archive_url,
        "note": (
            f"Archived by {settings.SITE_NAME} at {source.archive_url}"
            + (f"; captured {source.captured_at:%Y-%m-%d %H:%M} UTC" if source.captured_at else "")
            + (f"; SHA-256 {source.sha256}" if source.sha256 else "")
        ),
        "urldate": f"{source.accessed:%Y-%m-%d}",
    }
    entry_type = "article" if source.kind == "article" else "misc"
    if source.kind == "article":
        fields["journal"] = fields.pop("howpublished")
    escaped = {name: _bibtex_escape(value) for name, value in fields.items() if value}
    if not source.authors and "author" in escaped:
        # A handle, pseudonym or outlet: braced so BibTeX doesn't split it into given and family.
        escaped["author"] = "{" + escaped["author"] + "}"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in escaped.items())
    return f"@{entry_type}{{{source.key},\n{body}\n}}\n"


def _date_parts(value) -> dict | None:
    if value is None:
        return None
    return {"date-parts": [[value.year, value.month, value.day]]}


def csl_json(source: CitationSource) -> str:
    item = {
        "id": source.key,
        "type": {"post": "post", "article": "article-newspaper", "event": "entry"}[source.kind],
        "title": source.title,
        "container-title": source.container,
        "author": [{"literal": name} for name in (source.authors or [source.author]) if name],
        "issued": _date_parts(source.date),
        "URL": source.original_url or source.archive_url,
        "accessed": _date_parts(source.accessed),
        "archive": settings.SITE_NAME,
        "archive_location": source.archive_url,
        "note": "; ".join(
            part
            for part in (
                f"captured {source.captured_at.isoformat()}" if source.captured_at else "",
                f"SHA-256 {source.sha256}" if source.sha256 else "",
            )
            if part
        ),
    }
    item = {key: value for key, value in item.items() if value}
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


STYLES = (("apa", "APA", apa), ("mla", "MLA", mla), ("chicago", "Chicago", chicago))


def all_styles(source: CitationSource) -> list[dict]:
    styles = [{"id": key, "name": name, "text": fn(source)} for key, name, fn in STYLES]
    styles.append({"id": "bluebook", "name": "Bluebook", "text": bluebook(source)})
    return styles


def search_citation(*, query_text: str, url: str, run_at: datetime.datetime) -> str:
    described = f"Search for “{query_text}”" if query_text else "Search of the whole archive"
    return f"{described}. {settings.SITE_NAME}, run {run_at:%Y-%m-%d %H:%M:%S} UTC. {url}."
