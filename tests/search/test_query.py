import datetime
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.search.query import Term, parse
from tests.factories import PostFactory


def test_words_phrases_exclusions_and_or_groups_are_parsed():
    parsed = parse('weinstein "me too" -film #MeToo OR #BalanceTonPorc')
    assert parsed.groups == [
        [Term("word", "weinstein")],
        [Term("phrase", "me too")],
        [Term("word", "film", negated=True)],
        [Term("hashtag", "metoo"), Term("hashtag", "balancetonporc")],
    ]
    assert parsed.notes == []


def test_handles_authors_outlets_and_dates_are_operators():
    parsed = parse('@Alyssa_Milano from:TaranaBurke outlet:"New Yorker" after:2017-10 before:2017')
    assert parsed.groups == [[Term("handle", "alyssa_milano")], [Term("from", "taranaburke")]]
    assert parsed.outlets == ["New Yorker"]
    assert parsed.after == datetime.date(2017, 10, 1)
    assert parsed.before == datetime.date(2017, 1, 1)
    assert "dated on or after 1 October 2017" in parsed.explain()


@pytest.mark.parametrize(
    ("raw", "note"),
    [
        ('"unclosed phrase', "quotation mark was not closed"),
        ("OR weinstein", "“OR” needs a term on each side"),
        ("weinstein OR", "“OR” needs a term on each side"),
        ("after:yesterday", "is not a date"),
        ("before:2017-02-30", "is not a date"),
        ("lang:fr weinstein", "is not an operator"),
        ("from:", "needs a value"),
        ("((( ||| )))", "Ignored (nothing to search for)"),
        ("a" * 500, "cut to its first"),
    ],
)
def test_a_query_it_cannot_fully_read_is_explained_not_refused(raw, note):
    parsed = parse(raw)
    assert any(note in line for line in parsed.notes), parsed.notes


def test_an_unknown_operator_is_searched_as_words():
    parsed = parse("lang:fr")
    assert parsed.groups == [[Term("word", "lang")], [Term("word", "fr")]]


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    raw=st.lists(
        st.one_of(
            st.text(st.characters(codec="utf-8"), max_size=6),
            st.sampled_from(list("\"-#@:()|&!*\\'") + [" OR ", "from:", "outlet:", "before:"]),
            st.sampled_from(["me", "too", "weinstein", "after:2017-10", "#MeToo", "@x", " "]),
        ),
        max_size=12,
    ).map("".join)
)
def test_any_query_string_gives_results_or_an_explanation_never_an_error(client, raw):
    cache.clear()  # each example a visitor of its own, under the export rate limit
    PostFactory(published=True, text="Me too, said the post about Weinstein")
    for path in (reverse("search:search"), reverse("timeline:timeline")):
        response = client.get(path, {"q": raw})
        assert response.status_code == 200
    response = client.get(reverse("search:export_csv"), {"q": raw})
    assert response.status_code == 200
    b"".join(response.streaming_content)


_junk = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["1", "-1", "0", "1e400", "99999999999999999999999", "2017-10", "2017-02-30"]),
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.dictionaries(
        st.sampled_from(
            ["kind", "platform", "account", "outlet", "hashtag", "language", "date_from",
             "date_to", "order", "cursor", "page", "at", "period", "by"]
        ),
        _junk,
        max_size=5,
    )
)  # fmt: skip
def test_any_filter_values_give_a_page_never_an_error(client, params):
    cache.clear()  # each example a visitor of its own, under the export rate limit
    PostFactory(published=True, text="Me too, said the post about Weinstein")
    for path in (reverse("search:search"), reverse("timeline:timeline")):
        assert client.get(path, params).status_code == 200
    response = client.get(reverse("search:export_json"), params)
    assert response.status_code == 200
    b"".join(response.streaming_content)


@given(
    base=st.dictionaries(st.sampled_from(["q", "kind", "order", "hashtag", "é"]), st.text()),
    changes=st.dictionaries(
        st.sampled_from(["q", "kind", "cursor", "page", "outlet"]),
        st.one_of(st.none(), st.text(), st.integers()),
    ),
)
def test_links_from_the_same_parameters_match_with_params(base, changes):
    from django.http import QueryDict

    from apps.search.presenting import ParamLinks, with_params

    params = QueryDict(mutable=True)
    for key, value in base.items():
        params[key] = value
    links = ParamLinks(params)
    assert links(**changes) == with_params(params, **changes)
    # The same as urlencode() writes the changed parameters.
    expected = dict(base) | {key: str(value) for key, value in changes.items()}
    expected = {key: value for key, value in expected.items() if changes.get(key, "") is not None}
    assert links(**changes) == ("?" + urlencode(expected) if expected else "?")
    for key, value in changes.items():
        assert links.changing(key)(value) == with_params(params, **{key: value})


@given(
    st.text(
        alphabet=st.sampled_from(["\ue000", "\ue001", "<", ">", "&", '"', "'", "a", " ", "é"])
        | st.characters(blacklist_categories=("Cs",))  # PostgreSQL text holds no surrogates
    )
)
def test_a_snippet_is_escaped_text_with_balanced_marks_that_nh3_would_leave_alone(raw):
    """nh3 may re-serialise the text as an HTML parser reads it (``&quot;`` as ``"``, a
    carriage return as a line feed; PostgreSQL text never holds NUL), but it removes and adds
    nothing."""
    import html as html_module

    import nh3

    from apps.search.searching import MARK_END, MARK_START, mark_safe_snippet

    raw = raw.replace("\x00", "")

    def as_parsed(markup: str) -> str:
        return html_module.unescape(markup).replace("\r\n", "\n").replace("\r", "\n")

    snippet = mark_safe_snippet(raw)
    cleaned = nh3.clean(snippet, tags={"mark"}, attributes={})
    assert as_parsed(cleaned) == as_parsed(snippet)
    assert snippet.count("<mark>") == snippet.count("</mark>")
    text = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in text and ">" not in text
    assert html_module.unescape(text) == raw.replace(MARK_START, "").replace(MARK_END, "")
