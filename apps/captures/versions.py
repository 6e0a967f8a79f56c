"""Versions: what changed in a page's text between two captures, as a reader's diff.

The texts are compared sentence by sentence first (difflib), so that a moved or rewritten
paragraph does not smear across the whole page, then word by word inside each sentence that was
rewritten, the way diffengine shows a news article's edits. The result is plain data (paragraphs
of segments marked same, added or removed); ``captures/compare.html`` turns it into markup, so
captured text is escaped like any other.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from django.http import Http404
from django.shortcuts import render

from apps.captures.models import WebCapture
from apps.core.public import EntryWithdrawn

SAME, ADDED, REMOVED = "same", "added", "removed"
_BREAK = "\n"  # a paragraph break, as a unit of its own (units never contain a newline)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
# Past this many words on the two sides of one rewritten passage, the passage is shown removed
# then added whole: word-level matching costs up to the product of the two lengths.
WORD_DIFF_LIMIT = 4000


@dataclass
class Segment:
    kind: str
    text: str


@dataclass
class TextDiff:
    paragraphs: list[list[Segment]] = field(default_factory=list)
    words_added: int = 0
    words_removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.words_added or self.words_removed)


class _Builder:
    def __init__(self):
        self.diff = TextDiff()
        self.paragraph: list[Segment] = []

    def add(self, kind: str, text: str) -> None:
        if text == _BREAK:
            if self.paragraph:
                self.diff.paragraphs.append(self.paragraph)
                self.paragraph = []
            return
        if kind == ADDED:
            self.diff.words_added += len(text.split())
        elif kind == REMOVED:
            self.diff.words_removed += len(text.split())
        if self.paragraph and self.paragraph[-1].kind == kind:
            self.paragraph[-1].text += " " + text
        else:
            self.paragraph.append(Segment(kind, text))

    def finish(self) -> TextDiff:
        self.add(SAME, _BREAK)
        return self.diff


def _sentences(text: str) -> list[str]:
    units: list[str] = []
    for paragraph in text.splitlines():
        paragraph = " ".join(paragraph.split())
        if not paragraph:
            continue
        if units:
            units.append(_BREAK)
        units.extend(_SENTENCE_END.split(paragraph))
    return units


def _words(units: list[str]) -> list[str]:
    return [word for unit in units for word in ([_BREAK] if unit == _BREAK else unit.split())]


def _emit_opcodes(builder: _Builder, old: list[str], new: list[str], rewritten) -> None:
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for unit in new[j1:j2]:
                builder.add(SAME, unit)
        elif tag == "replace" and rewritten is not None:
            rewritten(old[i1:i2], new[j1:j2])
        else:
            for unit in old[i1:i2]:
                builder.add(REMOVED, unit)
            for unit in new[j1:j2]:
                builder.add(ADDED, unit)


def text_diff(old: str, new: str) -> TextDiff:
    """The changes that turn ``old`` into ``new``."""
    builder = _Builder()

    def rewritten(old_units: list[str], new_units: list[str]) -> None:
        old_words, new_words = _words(old_units), _words(new_units)
        if len(old_words) + len(new_words) > WORD_DIFF_LIMIT:
            old_words = [" ".join(word for word in old_words if word != _BREAK)]
            new_words = [" ".join(word for word in new_words if word != _BREAK)]
        _emit_opcodes(builder, old_words, new_words, None)

    _emit_opcodes(builder, _sentences(old), _sentences(new), rewritten)
    return builder.finish()


# --- the comparison page ------------------------------------------------------------------

_SHOWN_FIELDS = ("id", "url", "url_key", "final_url", "captured_at", "http_status", "title", "text")


def public_captures_pair(*, old_id: int, new_id: int) -> tuple[WebCapture, WebCapture]:
    """Both captures, if both are public. A withdrawn one raises EntryWithdrawn (410 Gone);
    one that is pending, failed or unknown, Http404."""
    found = {
        capture.pk: capture
        for capture in WebCapture.objects.public()
        .filter(pk__in={old_id, new_id})
        .only(*_SHOWN_FIELDS)
    }
    missing = [pk for pk in (old_id, new_id) if pk not in found]
    if missing:
        withdrawn = WebCapture.objects.withdrawn().filter(pk__in=missing).only("id").first()
        if withdrawn is not None:
            raise EntryWithdrawn(withdrawn)
        raise Http404("No such capture in the public archive.")
    return found[old_id], found[new_id]


def compare(request, old_id: int, new_id: int):
    old, new = public_captures_pair(old_id=old_id, new_id=new_id)
    return render(
        request,
        "captures/compare.html",
        {
            "old": old,
            "new": new,
            "pair": [("First capture", old), ("Second capture", new)],
            "diff": text_diff(old.text, new.text),
            "same_address": old.url_key == new.url_key,
        },
    )
