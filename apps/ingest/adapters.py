"""Format adapters: bytes in, plain item records out.

Every adapter is a generator over a binary stream that yields :class:`PostRecord`,
:class:`ArticleRecord` or :class:`ItemError` (a bad item, recorded and skipped), and raises
:class:`SourceError` when the document as a whole cannot be read (the run fails, naming where).
Adapters know nothing about the database; :mod:`apps.ingest.writer` stores what they yield.

JSON-lines formats (twarc v1.1 and v2, tweet id lists) are read one line at a time, so memory
stays flat however large the file; the other formats are single documents under the size cap.
"""

from __future__ import annotations

import datetime
import email.utils
import html
import io
import re
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import nh3
import orjson

from apps.ingest.models import Format

# --- records -----------------------------------------------------------------------------


@dataclass(slots=True)
class PostRecord:
    platform: str
    platform_id: str
    position: str
    handle: str = ""
    display_name: str = ""
    profile_url: str = ""
    text: str = ""
    posted_at: datetime.datetime | None = None
    url: str = ""
    language: str = ""
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    in_reply_to_platform_id: str = ""
    quote_of_platform_id: str = ""
    hydrated: bool = True


@dataclass(slots=True)
class ArticleRecord:
    url: str
    position: str
    title: str = ""
    authors: list[str] = field(default_factory=list)
    published_at: datetime.datetime | None = None
    excerpt: str = ""
    text: str = ""
    language: str = ""


@dataclass(slots=True)
class ItemError:
    position: str
    reason: str
    excerpt: str = ""


Record = PostRecord | ArticleRecord | ItemError


class SourceError(Exception):
    """The source as a whole cannot be read; the message says what and where."""


# --- helpers -----------------------------------------------------------------------------

_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</li\s*>|</div\s*>|</h[1-6]\s*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*")


def html_to_text(value: str) -> str:
    """Plain text from outside HTML: tags (and script/style bodies) dropped, entities decoded."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        return clean_text(value)
    value = _BREAKS.sub("\n", value)
    value = html.unescape(nh3.clean(value, tags=set()))
    value = _SPACES.sub(" ", value)
    value = _BLANK_LINES.sub("\n\n", value)
    return clean_text(value.strip())


_CONTROL_TABLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def clean_text(value: str) -> str:
    """PostgreSQL text cannot hold NUL; other control characters are noise from broken input."""
    if not value:
        return ""
    if value.isprintable():  # the common case, checked in C
        return value
    return value.translate(_CONTROL_TABLE)


def excerpt_of(text: str, limit: int = 600) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def parse_datetime(value) -> datetime.datetime | None:
    """Dates as feeds and APIs write them: ISO 8601, RFC 822 and Twitter's own format. A date
    without a zone is taken as UTC. Unreadable dates give None rather than failing the item."""
    if not value or not isinstance(value, str):
        return None
    value = value.strip()
    parsed = _twitter_datetime(value) if value[3:4] == " " else None
    if parsed is None:
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            parsed = None
    if parsed is None:
        try:
            from dateutil import parser as dateutil_parser

            parsed = dateutil_parser.parse(value)
        except (ValueError, OverflowError, TypeError):
            return None
    if parsed.tzinfo is datetime.UTC:  # most: Twitter's "+0000", ISO 8601's "Z" or "+00:00"
        return parsed
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


_MONTH_DIGITS = {name: f"{number:02d}" for name, number in _MONTHS.items()}


def _twitter_datetime(value: str) -> datetime.datetime | None:
    """Twitter v1.1's "Sun Mar 26 19:17:08 +0000 2006", without strptime (a million tweets
    would spend seconds in it): rearranged by slicing into ISO 8601, which ``fromisoformat``
    reads in C (a fifth of the twarc reader's time went to the field-by-field version)."""
    if len(value) == 30 and value[19] == " " and value[25] == " ":
        month = _MONTH_DIGITS.get(value[4:7])
        if month is not None:
            try:
                parsed = datetime.datetime.fromisoformat(
                    f"{value[26:]}-{month}-{value[8:10]}T{value[11:19]}{value[20:25]}"
                )
            except ValueError:
                pass
            else:
                return parsed if parsed.tzinfo is datetime.UTC else parsed.astimezone(datetime.UTC)
    parts = value.split(" ")
    if len(parts) != 6 or parts[1] not in _MONTHS or len(parts[4]) != 5:
        return None
    try:
        hour, minute, second = (int(x) for x in parts[3].split(":"))
        offset = parts[4]
        sign = -1 if offset[0] == "-" else 1
        zone = datetime.timezone(
            sign * datetime.timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        )
        parsed = datetime.datetime(
            int(parts[5]), _MONTHS[parts[1]], int(parts[2]), hour, minute, second, tzinfo=zone
        )
    except ValueError:
        return None
    return parsed if zone is datetime.UTC else parsed.astimezone(datetime.UTC)


def struct_to_datetime(value: time.struct_time | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime(*value[:6], tzinfo=datetime.UTC)
    except (ValueError, TypeError):
        return None


TRACKING_PARAMETERS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "_ga", "_gl", "mkt_tok", "cmpid", "ncid", "ocid", "sr_share", "ref_src", "ref_url",
    "smid", "smtyp", "share", "utm",
}  # fmt: skip


def canonical_url(url: str) -> str:
    """The natural key of an article: scheme and host lower-cased, default port, fragment and
    tracking parameters (utm_*, fbclid, ...) removed; path and other parameters kept as given."""
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    scheme = parts.scheme.lower()
    host = parts.hostname.lower().rstrip(".")
    port = parts.port
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    query = [
        (key, value)
        for key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    ]
    return urllib.parse.urlunsplit(
        (scheme, netloc, parts.path or "/", urllib.parse.urlencode(query, doseq=True), "")
    )


def _snippet(raw: bytes | str, limit: int = 200) -> str:
    if isinstance(raw, bytes):
        raw = raw[:limit].decode("utf-8", "replace")
    return clean_text(raw[:limit])


def _json_error(exc: Exception, data: bytes, *, one_line: bool = False) -> str:
    """orjson reports a character offset; turn it into a line and column."""
    message = str(exc)
    match = re.search(r"char (\d+)", message)
    if match and one_line:
        return f"invalid JSON at column {int(match.group(1)) + 1}: {message.split(':')[0]}"
    if match:
        offset = int(match.group(1))
        text = data.decode("utf-8", "replace")[:offset]
        line = text.count("\n") + 1
        column = offset - (text.rfind("\n") + 1) + 1
        return f"invalid JSON at line {line}, column {column}: {message.split(':')[0]}"
    return f"invalid JSON: {message}"


def load_json_document(data: bytes):
    if not data.strip():
        raise SourceError("the document is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
            try:
                return orjson.loads(data.decode("utf-16").encode())
            except (UnicodeDecodeError, orjson.JSONDecodeError):
                pass
        try:  # not UTF-8: the usual culprit is a Windows code page
            return orjson.loads(data.decode("cp1252").encode())
        except (UnicodeDecodeError, orjson.JSONDecodeError):
            raise SourceError(_json_error(exc, data)) from None


def _loads_line(line: bytes):
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return orjson.loads(line.decode("cp1252", "replace").encode())


# --- detection ---------------------------------------------------------------------------

_ID_LINE = re.compile(rb"^\s*\d{1,20}\s*$")


def detect_format(head: bytes, *, content_type: str = "", name: str = "") -> str:
    """Guess the format from the first bytes (and the content type or file name as hints)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace").lstrip("\ufeff \t\r\n").encode()
    if not text:
        raise SourceError("the document is empty")
    if text[:1] == b"<":
        lowered = text[:4000].lower()
        if b"mastodon" in lowered or re.search(
            rb"<link>https?://[^<]+/@[^</]+/\d+</link>", lowered
        ):
            return Format.MASTODON_RSS
        return Format.RSS
    if text[:1] == b"[":
        try:
            sample = orjson.loads(text) if len(text) < len(head) or len(head) < 65536 else None
        except orjson.JSONDecodeError:
            sample = None
        snippet = text[:4000]
        if (
            sample is not None
            and isinstance(sample, list)
            and sample
            and isinstance(sample[0], dict)
        ):
            first = sample[0]
            if "uri" in first and str(first.get("uri", "")).startswith("at://"):
                return Format.BLUESKY
            if "account" in first and "content" in first:
                return Format.MASTODON
            if "id_str" in first or ("user" in first and "text" in first):
                return Format.TWARC1
        if b'"at://' in snippet:
            return Format.BLUESKY
        if b'"account"' in snippet and b'"content"' in snippet:
            return Format.MASTODON
        raise SourceError(
            "a JSON array of unknown items (expected Mastodon statuses or Bluesky posts)"
        )
    if text[:1] == b"{":
        first_line = text.split(b"\n", 1)[0]
        try:
            first = orjson.loads(first_line)
        except orjson.JSONDecodeError:
            first = None
        if first is None:
            try:
                first = load_json_document(head) if len(head) < 65536 else None
            except SourceError:
                first = None
        if isinstance(first, dict):
            version = str(first.get("version", ""))
            if version.startswith("https://jsonfeed.org/version/"):
                return Format.JSONFEED
            if "posts" in first and isinstance(first["posts"], list):
                return Format.BLUESKY
            if "data" in first and ("includes" in first or "meta" in first or "__twarc" in first):
                return Format.TWARC2
            if "id_str" in first or ("created_at" in first and "user" in first):
                return Format.TWARC1
            if "statuses" in first and ("accounts" in first or "hashtags" in first):
                return Format.MASTODON  # Mastodon's search result
            if "statuses" in first:
                return Format.TWARC1
            if "account" in first and "content" in first:
                return Format.MASTODON
            if "ancestors" in first and "descendants" in first:
                return Format.MASTODON
            if str(first.get("uri", "")).startswith("at://") and (
                "record" in first or "value" in first
            ):
                return Format.BLUESKY
        snippet = text[:4000]
        if b"jsonfeed.org/version" in snippet:
            return Format.JSONFEED
        if b'"includes"' in snippet or b'"__twarc"' in snippet:
            return Format.TWARC2
        if b'"id_str"' in snippet:
            return Format.TWARC1
        raise SourceError(
            "a JSON object of an unknown kind (no JSON Feed version, twarc page or tweet)"
        )
    lines = text.split(b"\n")
    if not text.endswith(b"\n") and len(lines) > 1:
        lines = lines[:-1]  # the head may end in the middle of a line
    lines = [line for line in lines[:200] if line.strip() and not line.startswith(b"#")]
    ids = sum(1 for line in lines if _ID_LINE.match(line))
    if ids and ids >= 0.5 * len(lines):
        return Format.TWEET_IDS
    if name.endswith((".xml", ".rss", ".atom")) or "xml" in content_type:
        return Format.RSS
    raise SourceError("unrecognised format (not XML, JSON, JSON lines or a list of tweet ids)")


# --- XML feeds (feedparser) --------------------------------------------------------------


def _parse_feed(data: bytes, content_type: str, source: str):
    import feedparser

    headers = {"content-type": content_type} if content_type else {}
    # A stream, never bytes: feedparser opens bytes that name a file (b"/etc/passwd") as one.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    exc = parsed.get("bozo_exception") if parsed.bozo else None
    problem = ""
    if exc is not None and hasattr(exc, "getLineNumber"):
        message = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
        problem = f"line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {message}"
    if not parsed.entries and (problem or not parsed.get("version")):
        if problem:
            raise SourceError(f"not well-formed XML at {problem}")
        raise SourceError("not a feed: no RSS, RDF or Atom elements found")
    return parsed, problem


def _recovered(problem: str) -> Iterator[ItemError]:
    """Broken markup that the lenient parser read around: the entries go in, and the run
    records where the document was broken."""
    if problem:
        position, _, reason = problem.partition(": ")
        yield ItemError(position, f"not well-formed XML ({reason}); entries read leniently")


def read_rss(stream: IO[bytes], *, content_type: str = "", source: str = "") -> Iterator[Record]:
    parsed, problem = _parse_feed(stream.read(), content_type, source)
    yield from _recovered(problem)
    feed_language = parsed.feed.get("language", "") or ""
    for index, entry in enumerate(parsed.entries, start=1):
        position = f"entry {index}"
        link = entry.get("link") or ""
        if not link and str(entry.get("id", "")).startswith(("http://", "https://")):
            link = entry["id"]
        if not link:
            yield ItemError(position, "the entry has no link", _snippet(entry.get("title", "")))
            continue
        content = ""
        if entry.get("content"):
            content = html_to_text(entry["content"][0].get("value", ""))
        summary = html_to_text(entry.get("summary", ""))
        authors = [a.get("name", "") for a in entry.get("authors", []) if a.get("name")]
        if not authors and entry.get("author"):
            authors = [entry["author"]]
        title = html_to_text(entry.get("title", "")) or excerpt_of(summary or content, 120) or link
        yield ArticleRecord(
            url=link,
            position=position,
            title=title,
            authors=[clean_text(a) for a in authors],
            # dict.get: feedparser's own get() maps a missing "updated" to "published", warning.
            published_at=struct_to_datetime(
                entry.get("published_parsed") or dict.get(entry, "updated_parsed")
            ),
            excerpt=excerpt_of(summary or content),
            text=content if len(content) > len(summary) else "",
            language=entry.get("language", "") or feed_language,
        )


_MASTODON_LINK = re.compile(r"^https?://([^/]+)/@([^/]+)/(\d+)")


def read_mastodon_rss(
    stream: IO[bytes], *, content_type: str = "", source: str = ""
) -> Iterator[Record]:
    parsed, problem = _parse_feed(stream.read(), content_type, source)
    yield from _recovered(problem)
    for index, entry in enumerate(parsed.entries, start=1):
        position = f"entry {index}"
        link = entry.get("link") or entry.get("id") or ""
        match = _MASTODON_LINK.match(link)
        if not match:
            yield ItemError(position, f"not a Mastodon status link: {link[:200]!r}")
            continue
        host, user, status_id = match.groups()
        host = host.lower()
        handle = user if "@" in user else f"{user}@{host}"
        text = html_to_text(entry.get("summary", "") or entry.get("description", ""))
        yield PostRecord(
            platform="mastodon",
            platform_id=f"{host}:{status_id}",
            position=position,
            handle=handle,
            profile_url=f"https://{host}/@{user}",
            text=text,
            posted_at=struct_to_datetime(entry.get("published_parsed")),
            url=link,
            hashtags=[
                t.get("term", "").lstrip("#") for t in entry.get("tags", []) if t.get("term")
            ],
            mentions=re.findall(r"(?<![\w@])@([\w.]+(?:@[\w.-]+)?)", text),
        )


# --- JSON Feed ---------------------------------------------------------------------------


def read_jsonfeed(
    stream: IO[bytes], *, content_type: str = "", source: str = ""
) -> Iterator[Record]:
    document = load_json_document(stream.read())
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        raise SourceError("not a JSON Feed: the top-level object has no jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise SourceError('not a JSON Feed: "items" is missing or not a list')
    feed_language = (
        document.get("language", "") if isinstance(document.get("language"), str) else ""
    )
    feed_authors = document.get("authors") or (
        [document["author"]] if document.get("author") else []
    )
    for index, item in enumerate(items, start=1):
        position = f"item {index}"
        if not isinstance(item, dict):
            yield ItemError(position, "the item is not an object", _snippet(orjson.dumps(item)))
            continue
        link = item.get("url") or item.get("external_url") or ""
        if not link and str(item.get("id", "")).startswith(("http://", "https://")):
            link = item["id"]
        if not isinstance(link, str) or not link:
            yield ItemError(position, "the item has no url", _snippet(orjson.dumps(item)))
            continue
        text = item.get("content_text") if isinstance(item.get("content_text"), str) else ""
        if not text and isinstance(item.get("content_html"), str):
            text = html_to_text(item["content_html"])
        summary = item.get("summary") if isinstance(item.get("summary"), str) else ""
        authors = item.get("authors") or ([item["author"]] if item.get("author") else feed_authors)
        names = [
            a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
        title = item.get("title") if isinstance(item.get("title"), str) else ""
        yield ArticleRecord(
            url=link,
            position=position,
            title=html_to_text(title) or excerpt_of(summary or text, 120) or link,
            authors=[clean_text(n) for n in names],
            published_at=parse_datetime(item.get("date_published") or item.get("date_modified")),
            excerpt=excerpt_of(html_to_text(summary) or text),
            text=clean_text(text),
            language=item.get("language")
            if isinstance(item.get("language"), str)
            else feed_language,
        )


# --- Mastodon API statuses ---------------------------------------------------------------


_OSTATUS_URI = re.compile(r"^tag:([^,]+),[^:]*:objectId=([^:]+)")


def _mastodon_origin(status: dict, served_by: str) -> tuple[str, str]:
    """The instance a status was first posted on and its id there: the natural key, the same
    whichever instance served it. 2017's statuses carry OStatus ``tag:`` URIs."""
    uri = status.get("uri") or ""
    match = _OSTATUS_URI.match(uri) if isinstance(uri, str) else None
    if match:
        return match.group(1).lower(), match.group(2)
    for candidate in (uri, status.get("url") or ""):
        parts = urllib.parse.urlsplit(candidate if isinstance(candidate, str) else "")
        last = parts.path.rstrip("/").rsplit("/", 1)[-1]
        if parts.scheme in {"http", "https"} and parts.hostname and last:
            return parts.hostname.lower(), last
    if served_by and status.get("id"):
        return served_by.lower(), str(status["id"])
    raise ValueError("the status has neither a uri nor an id")


def mastodon_status_record(status: dict, position: str, served_by: str = "") -> PostRecord:
    if status.get("reblog"):
        status = status["reblog"]
    account = status.get("account") or {}
    uri = status.get("uri") or status.get("url") or ""
    origin, origin_id = _mastodon_origin(status, served_by)
    acct = account.get("acct") or account.get("username") or ""
    if not acct:
        raise ValueError("the status has no account")
    account_host = urllib.parse.urlsplit(account.get("url") or "").hostname or origin
    handle = acct if "@" in acct else f"{acct}@{account_host.lower()}"
    local = "@" not in acct
    reply_to = status.get("in_reply_to_id")
    serving = (
        urllib.parse.urlsplit(status.get("url") or "").hostname or served_by or origin
    ).lower()
    return PostRecord(
        platform="mastodon",
        platform_id=f"{origin}:{origin_id}",
        position=position,
        handle=handle,
        display_name=clean_text(account.get("display_name") or ""),
        profile_url=account.get("url") or "",
        text=html_to_text(status.get("content") or ""),
        posted_at=parse_datetime(status.get("created_at")),
        url=status.get("url") or uri,
        language=status.get("language") or "",
        hashtags=[
            t["name"] for t in status.get("tags") or [] if isinstance(t, dict) and t.get("name")
        ],
        mentions=[
            m["acct"] for m in status.get("mentions") or [] if isinstance(m, dict) and m.get("acct")
        ],
        # The API gives the parent's id on the serving instance, which names it only when the
        # status is local there; otherwise the link is left for a curator.
        in_reply_to_platform_id=f"{serving}:{reply_to}" if reply_to and local else "",
    )


def read_mastodon(
    stream: IO[bytes], *, content_type: str = "", source: str = ""
) -> Iterator[Record]:
    document = load_json_document(stream.read())
    if isinstance(document, dict) and "error" in document:
        raise SourceError(f"the server answered with an error: {str(document['error'])[:200]}")
    if isinstance(document, dict) and isinstance(document.get("statuses"), list):
        document = document["statuses"]  # a search result
    elif isinstance(document, dict) and "ancestors" in document:  # a thread's context
        document = [*(document.get("ancestors") or []), *(document.get("descendants") or [])]
    elif isinstance(document, dict) and "account" in document:  # one status
        document = [document]
    if not isinstance(document, list):
        raise SourceError("not a list of Mastodon statuses")
    served_by = (urllib.parse.urlsplit(source).hostname or "") if "://" in source else ""
    for index, status in enumerate(document, start=1):
        position = f"item {index}"
        try:
            if not isinstance(status, dict):
                raise ValueError("the item is not an object")
            yield mastodon_status_record(status, position, served_by)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            yield ItemError(
                position, str(exc) or exc.__class__.__name__, _snippet(orjson.dumps(status))
            )


# --- Bluesky post views ------------------------------------------------------------------


def _at_uri_parts(uri: str) -> tuple[str, str]:
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise ValueError(f"not an AT URI: {str(uri)[:100]!r}")
    did, _, rest = uri[5:].partition("/")
    rkey = rest.rsplit("/", 1)[-1]
    if not did or not rkey:
        raise ValueError(f"not a post URI: {uri[:100]!r}")
    return did, rkey


def bluesky_platform_id(uri: str) -> str:
    did, rkey = _at_uri_parts(uri)
    return f"{did}/{rkey}"


def bluesky_post_record(view: dict, position: str) -> PostRecord:
    did, rkey = _at_uri_parts(view.get("uri"))
    author = view.get("author") or {}
    record = view.get("record") or view.get("value") or {}
    if not isinstance(record, dict):
        raise ValueError("the post has no record")
    handle = author.get("handle") or did
    text = clean_text(record.get("text") or "")
    encoded = text.encode()
    hashtags: list[str] = []
    mentions: list[str] = []
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            kind = feature.get("$type", "")
            if kind.endswith("#tag") and feature.get("tag"):
                hashtags.append(feature["tag"])
            elif kind.endswith("#mention"):
                index = facet.get("index") or {}
                start, end = index.get("byteStart"), index.get("byteEnd")
                if isinstance(start, int) and isinstance(end, int):
                    mentions.append(encoded[start:end].decode("utf-8", "replace").lstrip("@"))
                elif feature.get("did"):
                    mentions.append(feature["did"])
    reply = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    embed = record.get("embed") or {}
    quoted = None
    if isinstance(embed, dict):
        inner = embed.get("record") or {}
        if isinstance(inner, dict) and isinstance(inner.get("record"), dict):
            inner = inner["record"]  # recordWithMedia
        if isinstance(inner, dict) and str(inner.get("uri", "")).startswith("at://"):
            quoted = inner["uri"]
    langs = record.get("langs") or []
    return PostRecord(
        platform="bluesky",
        platform_id=f"{did}/{rkey}",
        position=position,
        handle=handle,
        display_name=clean_text(author.get("displayName") or ""),
        profile_url=f"https://bsky.app/profile/{handle}",
        text=text,
        posted_at=parse_datetime(record.get("createdAt") or view.get("indexedAt")),
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        language=langs[0] if langs and isinstance(langs[0], str) else "",
        hashtags=hashtags,
        mentions=mentions,
        in_reply_to_platform_id=bluesky_platform_id(reply) if reply else "",
        quote_of_platform_id=bluesky_platform_id(quoted) if quoted else "",
    )


def read_bluesky(
    stream: IO[bytes], *, content_type: str = "", source: str = ""
) -> Iterator[Record]:
    document = load_json_document(stream.read())
    if isinstance(document, dict):
        if "error" in document and "posts" not in document:
            raise SourceError(f"the server answered with an error: {str(document['error'])[:200]}")
        posts = document.get("posts")
        if posts is None and str(document.get("uri", "")).startswith("at://"):
            posts = [document]  # one post view or record
    else:
        posts = document
    if not isinstance(posts, list):
        raise SourceError('not Bluesky post views: expected {"posts": [...]} or a list')
    for index, view in enumerate(posts, start=1):
        position = f"item {index}"
        try:
            if not isinstance(view, dict):
                raise ValueError("the item is not an object")
            yield bluesky_post_record(view, position)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            yield ItemError(
                position, str(exc) or exc.__class__.__name__, _snippet(orjson.dumps(view))
            )


# --- Twitter / X (twarc) -----------------------------------------------------------------


def _v1_text(tweet: dict) -> str:
    extended = tweet.get("extended_tweet")
    if isinstance(extended, dict) and extended.get("full_text"):
        text = extended["full_text"]
    else:
        text = tweet.get("full_text") or tweet.get("text") or ""
    return html.unescape(text) if "&" in text else text


def twitter_v1_records(tweet: dict, position: str) -> list[PostRecord]:
    """A v1.1 tweet, and the tweets it embeds (retweeted and quoted), each as a post. (A list
    rather than a generator, and each key looked up once: this runs a million times for a
    big export.)"""
    records: list[PostRecord] = []
    _v1_collect(tweet, position, records)
    return records


def _v1_collect(tweet: dict, position: str, records: list[PostRecord]) -> None:
    get = tweet.get
    tweet_id = get("id_str") or (str(tweet["id"]) if isinstance(get("id"), int) else "")
    if not tweet_id:
        raise ValueError("the tweet has no id")
    user = get("user") or {}
    handle = user.get("screen_name") or ""
    extended = get("extended_tweet")
    entities = (extended.get("entities") if extended else None) or get("entities") or {}
    hashtags = entities.get("hashtags")
    mentions = entities.get("user_mentions")
    records.append(
        PostRecord(
            platform="twitter",
            platform_id=tweet_id,
            position=position,
            handle=handle,
            display_name=clean_text(user.get("name") or ""),
            profile_url=f"https://twitter.com/{handle}" if handle else "",
            text=clean_text(_v1_text(tweet)),
            posted_at=parse_datetime(get("created_at")),
            url=f"https://twitter.com/{handle or 'i/web'}/status/{tweet_id}",
            language=get("lang") or "",
            hashtags=[h["text"] for h in hashtags if h.get("text")] if hashtags else [],
            mentions=[m["screen_name"] for m in mentions if m.get("screen_name")]
            if mentions
            else [],
            in_reply_to_platform_id=get("in_reply_to_status_id_str") or "",
            quote_of_platform_id=get("quoted_status_id_str") or "",
        )
    )
    for key in ("retweeted_status", "quoted_status"):
        embedded = get(key)
        if isinstance(embedded, dict):
            _v1_collect(embedded, position, records)


_DOCUMENT_LIMIT = 64 * 1024 * 1024


def json_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Numbered non-empty lines, or, when the input is one pretty-printed JSON document (a
    single tweet or an API response saved as it came), that whole document as line 1."""
    first = stream.readline()
    while first and not first.strip():
        first = stream.readline()
    if not first:
        return
    if first.strip() in (b"{", b"[") or _is_partial(first):
        document = first + stream.read(_DOCUMENT_LIMIT)
        try:
            orjson.loads(document)
        except orjson.JSONDecodeError:
            pass  # not one document after all: fall back to lines
        else:
            yield 1, document
            return
        lines = iter(document.splitlines(keepends=True))
    else:
        lines = iter([first])
    count = 0
    for count, line in enumerate(lines, start=1):
        if line.strip():
            yield count, line
    for number, line in enumerate(stream, start=count + 1):
        if line.strip():
            yield number, line


def _is_partial(line: bytes) -> bool:
    stripped = line.strip()
    if not stripped.startswith((b"{", b"[")):
        return False
    try:
        orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return stripped.endswith((b",", b"{", b"[", b":"))
    return False


def _json_line_values(stream: IO[bytes]) -> Iterator[tuple[str, bytes, object]]:
    """(position, raw line, parsed value) for each non-blank line; the value is an
    ``ItemError`` for a line that is not JSON, so one bad line never stops the file."""
    for number, line in json_lines(stream):  # non-blank lines only
        position = f"line {number}"
        try:
            value = _loads_line(line)
        except orjson.JSONDecodeError as exc:
            value = ItemError(position, _json_error(exc, line, one_line=True), _snippet(line))
        yield position, line, value


def read_twarc1(stream: IO[bytes], *, content_type: str = "", source: str = "") -> Iterator[Record]:
    for position, line, tweet in _json_line_values(stream):
        if isinstance(tweet, ItemError):
            yield tweet
            continue
        if isinstance(tweet, list):
            tweets = tweet
        elif isinstance(tweet, dict) and "statuses" in tweet:
            tweets = tweet.get("statuses")
        else:
            tweets = (tweet,)
        for item in tweets:
            records: list[PostRecord] = []
            try:
                if not isinstance(item, dict):
                    raise ValueError("the line is not a tweet object")
                if "error" in item and "id" not in item:
                    raise ValueError(f"an error object: {str(item['error'])[:200]}")
                _v1_collect(item, position, records)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                yield from records  # the tweet itself, when only an embedded one is bad
                yield ItemError(position, str(exc) or exc.__class__.__name__, _snippet(line))
            else:
                yield from records


def _v2_record(tweet: dict, users: dict, position: str) -> PostRecord:
    tweet_id = str(tweet.get("id") or "")
    if not tweet_id.isdigit():
        raise ValueError("the tweet has no id")
    user = users.get(tweet.get("author_id")) or {}
    handle = user.get("username") or ""
    entities = tweet.get("entities") or {}
    reply_to = quote_of = ""
    for ref in tweet.get("referenced_tweets") or ():
        if ref.get("type") == "replied_to":
            reply_to = str(ref.get("id") or "")
        elif ref.get("type") == "quoted":
            quote_of = str(ref.get("id") or "")
    text = tweet.get("text") or ""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and note.get("text"):
        text = note["text"]
    return PostRecord(
        platform="twitter",
        platform_id=tweet_id,
        position=position,
        handle=handle,
        display_name=clean_text(user.get("name") or ""),
        profile_url=f"https://twitter.com/{handle}" if handle else "",
        text=clean_text(html.unescape(text) if "&" in text else text),
        posted_at=parse_datetime(tweet.get("created_at")),
        url=f"https://twitter.com/{handle or 'i/web'}/status/{tweet_id}",
        language=tweet.get("lang") or "",
        hashtags=[h["tag"] for h in entities.get("hashtags") or () if h.get("tag")],
        mentions=[m["username"] for m in entities.get("mentions") or () if m.get("username")],
        in_reply_to_platform_id=reply_to,
        quote_of_platform_id=quote_of,
    )


def read_twarc2(stream: IO[bytes], *, content_type: str = "", source: str = "") -> Iterator[Record]:
    for position, line, page in _json_line_values(stream):
        if isinstance(page, ItemError):
            yield page
            continue
        if not isinstance(page, dict) or "data" not in page:
            reason = 'no "data" in this response page'
            if isinstance(page, dict) and page.get("errors"):
                reason = f"an error response: {str(page['errors'])[:200]}"
            yield ItemError(position, reason, _snippet(line))
            continue
        includes = page.get("includes") or {}
        users = {u.get("id"): u for u in includes.get("users") or () if isinstance(u, dict)}
        data = page["data"]
        tweets = data if isinstance(data, list) else [data]
        referenced = [t for t in includes.get("tweets") or () if isinstance(t, dict)]
        for index, tweet in enumerate([*tweets, *referenced], start=1):
            try:
                if not isinstance(tweet, dict):
                    raise ValueError("the tweet is not an object")
                yield _v2_record(tweet, users, position)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                yield ItemError(
                    f"{position}, tweet {index}", str(exc) or exc.__class__.__name__, _snippet(line)
                )


def read_tweet_ids(
    stream: IO[bytes], *, content_type: str = "", source: str = ""
) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        value = line.strip()
        if not value or value.startswith(b"#"):
            continue
        if not value.isdigit() or len(value) > 20:
            yield ItemError(f"line {number}", "not a tweet id", _snippet(value))
            continue
        yield PostRecord(
            platform="twitter",
            platform_id=value.decode(),
            position=f"line {number}",
            hydrated=False,
        )


READERS = {
    Format.RSS: read_rss,
    Format.MASTODON_RSS: read_mastodon_rss,
    Format.JSONFEED: read_jsonfeed,
    Format.MASTODON: read_mastodon,
    Format.BLUESKY: read_bluesky,
    Format.TWARC1: read_twarc1,
    Format.TWARC2: read_twarc2,
    Format.TWEET_IDS: read_tweet_ids,
}
