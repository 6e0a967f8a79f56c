"""Versions: the text diff between two captures and the public comparison page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from apps.captures.models import CaptureStatus, WebCapture
from apps.captures.versions import ADDED, REMOVED, SAME, text_diff
from apps.curation.services import entries_transition
from tests.factories import SourceArticleFactory

pytestmark = pytest.mark.django_db

URL = "https://www.example.org/news/metoo.html"
BEFORE = (
    "Alyssa Milano asked her followers to reply with two words. It spread fast.\n"
    "Tarana Burke had started the movement in 2006."
)
AFTER = (
    "Alyssa Milano asked her fans to reply with two words. It spread fast.\n"
    "Tarana Burke had started the movement in 2006.\n"
    "This story was updated on 17 October."
)


def kinds(diff) -> list[list[tuple[str, str]]]:
    return [[(s.kind, s.text) for s in paragraph] for paragraph in diff.paragraphs]


def test_the_diff_marks_rewritten_words_and_added_paragraphs():
    diff = text_diff(BEFORE, AFTER)
    assert kinds(diff) == [
        [
            (SAME, "Alyssa Milano asked her"),
            (REMOVED, "followers"),
            (ADDED, "fans"),
            (SAME, "to reply with two words. It spread fast."),
        ],
        [(SAME, "Tarana Burke had started the movement in 2006.")],
        [(ADDED, "This story was updated on 17 October.")],
    ]
    assert (diff.words_added, diff.words_removed) == (8, 1)


def test_the_same_text_has_no_changes_whatever_its_spacing():
    diff = text_diff(BEFORE, BEFORE.replace(" ", "  ").replace("\n", "\n\n"))
    assert not diff.changed
    assert len(diff.paragraphs) == 2


def test_a_removed_paragraph_is_removed_whole():
    diff = text_diff(AFTER, BEFORE)
    assert [(REMOVED, "This story was updated on 17 October.")] in kinds(diff)
    assert diff.words_removed == 8


def test_a_long_rewrite_is_shown_removed_then_added_without_matching_every_word(monkeypatch):
    monkeypatch.setattr("apps.captures.versions.WORD_DIFF_LIMIT", 10)
    diff = text_diff("one two three four five six", "one two three four five seven")
    assert kinds(diff) == [
        [(REMOVED, "one two three four five six"), (ADDED, "one two three four five seven")]
    ]


@pytest.fixture
def two_captures(make_capture):
    article = SourceArticleFactory(published=True, canonical_url=URL)
    old = make_capture(URL, article=article, text=BEFORE)
    new = make_capture(
        URL,
        article=article,
        text=AFTER + "\n<script>alert('captured')</script>",
        when=datetime.datetime(2018, 1, 5, tzinfo=datetime.UTC),
    )
    return article, old, new


def compare_url(old, new) -> str:
    return reverse("captures:compare", args=[old.pk, new.pk])


def test_the_comparison_page_shows_additions_and_removals_with_words_not_colour_alone(
    client, two_captures, django_assert_max_num_queries
):
    _article, old, new = two_captures
    with django_assert_max_num_queries(2):
        response = client.get(compare_url(old, new))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="diff-label diff-label-removed">removed</span> <del>followers</del>' in html
    assert '<span class="diff-label diff-label-added">added</span> <ins>fans</ins>' in html
    assert "16 Oct 2017" in html and "5 Jan 2018" in html
    assert "different addresses" not in html
    assert reverse("captures:compare", args=[new.pk, old.pk]) in html


def test_captured_markup_is_shown_as_text_never_run(client, two_captures):
    _article, old, new = two_captures
    html = client.get(compare_url(old, new)).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;captured&#x27;)&lt;/script&gt;" in html


def test_captures_of_different_addresses_may_be_compared_and_the_page_says_so(client, make_capture):
    article = SourceArticleFactory(published=True, canonical_url=URL)
    one = make_capture(URL, article=article, text=BEFORE)
    other = make_capture("https://mirror.example.net/copy", article=article, text=AFTER)
    html = client.get(compare_url(one, other)).content.decode()
    assert "These captures are of <strong>different addresses</strong>" in html


def test_a_withdrawn_entrys_capture_cannot_be_compared(client, two_captures):
    article, old, new = two_captures
    entries_transition(kind="article", ids=[article.pk], to_state="withdrawn")
    response = client.get(compare_url(old, new))
    assert response.status_code == 410
    assert "alert" not in response.content.decode() and "Milano" not in response.content.decode()


def test_a_pending_entrys_or_an_unfinished_capture_is_not_found(client, two_captures, make_capture):
    _article, old, new = two_captures
    pending = make_capture(URL, article=SourceArticleFactory(), text="Not yet public.")
    assert client.get(compare_url(old, pending)).status_code == 404
    WebCapture.objects.filter(pk=new.pk).update(status=CaptureStatus.RUNNING)
    assert client.get(compare_url(old, new)).status_code == 404
    assert client.get(compare_url(old, WebCapture(pk=old.pk + 1000))).status_code == 404
