"""The query language journalists type, parsed into terms and filters, and compiled to tsquery.

    weinstein "me too" -film #MeToo OR #BalanceTonPorc @alyssa_milano from:tarana
    outlet:"New Yorker" after:2017-10 before:2017-11-01

* words are matched on their English stems (``harassed`` finds ``harassment``); a word that is
  all stop words (``me``, ``too``) is matched exactly instead of being dropped;
* ``"exact phrases"`` are matched word for word, stop words included;
* ``-term`` excludes; ``OR`` between two terms accepts either (AND is implied elsewhere);
* ``#hashtag``, ``@handle`` (the author or a mention) and ``from:handle`` (the author) match
  exactly, case and accents folded;
* ``outlet:name`` narrows to an outlet (by name, slug or domain); ``after:`` (on or after) and
  ``before:`` (strictly before) take ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

Parsing never fails: whatever cannot be understood is dropped or read as plain words, and a
note says so; :meth:`ParsedQuery.explain` describes how the query was understood.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

MAX_QUERY_LENGTH = 400
MAX_TERMS = 32

OPERATORS = ("from", "outlet", "before", "after")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<neg>-)?"(?P<phrase>[^"]*)(?P<close>"?)
  | (?P<oneg>-)?(?P<op>[A-Za-z]+):(?:"(?P<oquoted>[^"]*)"?|(?P<ovalue>[^\s"]*))
  | (?P<hneg>-)?\#(?P<hashtag>\w+)
  | (?P<aneg>-)?@(?P<handle>\w[\w.@-]*)
  | (?P<wneg>-)?(?P<word>[^\s"]+)
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class Term:
    kind: str  # "word", "phrase", "hashtag", "handle" or "from"
    text: str
    negated: bool = False

    def describe(self) -> str:
        shown = {
            "word": f"{self.text}",
            "phrase": f"the exact phrase “{self.text}”",
            "hashtag": f"#{self.text}",
            "handle": f"@{self.text} (author or mention)",
            "from": f"posts by @{self.text}",
        }[self.kind]
        return f"not {shown}" if self.negated else shown


@dataclass
class ParsedQuery:
    raw: str
    groups: list[list[Term]] = field(default_factory=list)  # AND of OR-groups
    outlets: list[str] = field(default_factory=list)
    after: datetime.date | None = None
    before: datetime.date | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def terms(self) -> list[Term]:
        return [term for group in self.groups for term in group]

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.outlets or self.after or self.before)

    def explain(self) -> list[str]:
        """How the query was understood, one clause per line, for the results page."""
        lines = []
        for group in self.groups:
            lines.append(" or ".join(term.describe() for term in group))
        if self.outlets:
            lines.append("from the outlet " + " or ".join(f"“{name}”" for name in self.outlets))
        if self.after:
            lines.append(f"dated on or after {self.after:%-d %B %Y}")
        if self.before:
            lines.append(f"dated before {self.before:%-d %B %Y}")
        return lines


def _parse_date(value: str) -> datetime.date | None:
    """The first day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``/`` or ``.`` also separate)."""
    match = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", value.strip())
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    if not 1900 <= year <= 2100:
        return None
    try:
        if day is not None:
            return datetime.date(year, month, day)
        if month is not None:
            return datetime.date(year, month, 1)
        return datetime.date(year, 1, 1)
    except ValueError:
        return None


def parse(raw: str) -> ParsedQuery:
    raw = (raw or "").replace("\x00", "")
    parsed = ParsedQuery(raw=raw)
    if len(raw) > MAX_QUERY_LENGTH:
        parsed.notes.append(f"The query was cut to its first {MAX_QUERY_LENGTH} characters.")
        raw = raw[:MAX_QUERY_LENGTH]

    pending_or = False
    dropped: list[str] = []

    def add(term: Term) -> None:
        nonlocal pending_or
        if len(parsed.terms) >= MAX_TERMS:
            if not any("terms" in note for note in parsed.notes):
                parsed.notes.append(f"Only the first {MAX_TERMS} terms were searched for.")
            return
        if pending_or and parsed.groups:
            parsed.groups[-1].append(term)
        else:
            parsed.groups.append([term])
        pending_or = False

    for match in _TOKEN.finditer(raw):
        groups = match.groupdict()
        if groups["space"]:
            continue
        if groups["phrase"] is not None:
            words = _WORD.findall(groups["phrase"])
            if not groups["close"]:
                parsed.notes.append("A quotation mark was not closed; the phrase runs to the end.")
            if words:
                add(Term("phrase", " ".join(words), bool(groups["neg"])))
            elif groups["phrase"].strip():
                dropped.append(f"“{groups['phrase'].strip()}”")
            continue
        if groups["op"] is not None:
            op = groups["op"].lower()
            value = groups["oquoted"] if groups["oquoted"] is not None else groups["ovalue"]
            value = (value or "").strip()
            negated = bool(groups["oneg"])
            if op not in OPERATORS:
                words = _WORD.findall(match.group(0))
                parsed.notes.append(
                    f"“{groups['op']}:” is not an operator; “{match.group(0).lstrip('-')}” "
                    "was searched as words."
                )
                for word in words:
                    add(Term("word", word, negated))
                continue
            if not value:
                parsed.notes.append(f"“{op}:” needs a value right after the colon; ignored.")
                continue
            if negated:
                parsed.notes.append(f"“-{op}:” cannot be excluded; read as “{op}:”.")
            if op == "from":
                handle = value.lstrip("@").rstrip(".-")
                if re.fullmatch(r"\w[\w.@-]*", handle):
                    add(Term("from", handle.lower()))
                else:
                    dropped.append(match.group(0))
            elif op == "outlet":
                parsed.outlets.append(value)
            else:
                date = _parse_date(value)
                if date is None:
                    parsed.notes.append(
                        f"“{op}:{value}” is not a date (use YYYY, YYYY-MM or YYYY-MM-DD); ignored."
                    )
                elif op == "after":
                    parsed.after = date
                else:
                    parsed.before = date
            continue
        if groups["hashtag"] is not None:
            add(Term("hashtag", groups["hashtag"].lower(), bool(groups["hneg"])))
            continue
        if groups["handle"] is not None:
            handle = groups["handle"].rstrip(".-@")
            add(Term("handle", handle.lower(), bool(groups["aneg"])))
            continue
        if groups["word"] is not None:
            token = groups["word"]
            negated = bool(groups["wneg"])
            if token == "OR" and not negated:  # noqa: S105
                if not parsed.groups or pending_or:
                    parsed.notes.append("“OR” needs a term on each side; one was ignored.")
                pending_or = True
                continue
            if token == "AND" and not negated:  # noqa: S105
                continue  # AND is what terms side by side mean anyway
            words = _WORD.findall(token)
            if not words:
                dropped.append(("-" if negated else "") + token)
                continue
            for word in words:
                add(Term("word", word, negated))
    if pending_or:
        parsed.notes.append("“OR” needs a term on each side; one was ignored.")
    if dropped:
        parsed.notes.append("Ignored (nothing to search for): " + ", ".join(dropped[:5]) + ".")
    if parsed.after and parsed.before and parsed.after >= parsed.before:
        parsed.notes.append("“after:” is not earlier than “before:”, so nothing can match.")
    return parsed


# --- compiling to tsquery -----------------------------------------------------------------

# A lexeme taken as it is (no stemming): quoted for tsquery input, case and accents folded.
_LEXEME_SQL = (
    "('''' || replace(replace(lower(unaccent(%s)), '\\', '\\\\'), '''', '''''') || '''')::tsquery"
)
_WORD_SQL = (
    "(CASE WHEN numnode(plainto_tsquery('metoo_en', %s)) > 0 "
    "THEN plainto_tsquery('metoo_en', %s) ELSE plainto_tsquery('metoo_simple', %s) END)"
)


def _quoted(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def _term_sql(term: Term) -> tuple[str, list[str]]:
    if term.kind == "word":
        return _WORD_SQL, [term.text] * 3
    if term.kind == "phrase":
        return "phraseto_tsquery('metoo_simple', %s)", [term.text]
    prefix = {"hashtag": "#", "handle": "@", "from": "from:"}[term.kind]
    return _LEXEME_SQL, [prefix + term.text]


def _highlight_sql(term: Term) -> list[tuple[str, list[str]]]:
    """What to mark in snippets (read with the exact-words configuration): each word as typed,
    and any word starting with its English stem, so that "harassed" marks "harassment"."""
    parts = []
    words = [term.text] if term.kind == "word" else _WORD.findall(term.text)
    for word in words:
        parts.append(("plainto_tsquery('metoo_simple', %s)", [word]))
        if term.kind == "word":
            parts.append(("to_tsquery('metoo_en', %s)", [_quoted(word) + ":*"]))
    return parts


def compile_sql(parsed: ParsedQuery) -> tuple[str, list[str]] | None:
    """One SELECT returning (match tsquery, highlight tsquery) as text, or None if the query
    has no terms."""
    if not parsed.groups:
        return None
    and_parts, params = [], []
    for group in parsed.groups:
        or_parts = []
        for term in group:
            sql, term_params = _term_sql(term)
            or_parts.append(f"(!! {sql})" if term.negated else sql)
            params += term_params
        and_parts.append("(" + " || ".join(or_parts) + ")")
    highlight_parts, highlight_params = [], []
    for term in parsed.terms:
        if not term.negated:
            for sql, term_params in _highlight_sql(term):
                highlight_parts.append(sql)
                highlight_params += term_params
    highlight = " || ".join(highlight_parts) if highlight_parts else "''::tsquery"
    sql = f"SELECT ({' && '.join(and_parts)})::text, ({highlight})::text"
    return sql, params + highlight_params
