"""The read API shows what the pages show, and nothing they withhold."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.public import WITHDRAWN_NOTICE
from tests.api.conftest import PRIVATE_HANDLE, PRIVATE_PLATFORM_ID, PRIVATE_URL
from tests.factories import PostFactory, SourceArticleFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db

LISTS = (
    "/api/v1/posts",
    "/api/v1/articles",
    "/api/v1/accounts",
    "/api/v1/outlets",
    "/api/v1/events",
)


def get(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def every_public_answer(client, archive) -> dict[str, str]:
    """Every endpoint's answer, by path, as text."""
    post, private_post = archive["public_post"], archive["private_post"]
    paths = [
        *LISTS,
        f"/api/v1/posts/{post.pk}",
        f"/api/v1/posts/{private_post.pk}",
        f"/api/v1/posts/{private_post.pk}/citations",
        f"/api/v1/articles/{archive['article'].pk}",
        f"/api/v1/articles/{archive['article'].pk}/citations",
        f"/api/v1/accounts/{archive['figure'].pk}",
        f"/api/v1/outlets/{archive['outlet'].pk}",
        f"/api/v1/events/{archive['event'].slug}",
        f"/api/v1/events/{archive['event'].slug}/citations",
        "/api/v1/search?q=me+too",
        "/api/v1/search?q=me+too&order=newest",
        "/api/v1/search?q=me+too&order=oldest",
        "/api/v1/search",
        "/api/v1/search?kind=account",
        "/api/v1/timeline?q=me+too",
        "/api/v1/timeline?period=2017-10",
    ]
    answers = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
        answers[path] = response.content.decode()
    return answers


def test_no_endpoint_shows_a_pending_rejected_or_withdrawn_entry(client, archive):
    answers = every_public_answer(client, archive)
    for state, entries in archive["unpublished"].items():
        for kind in entries:
            marker = f"hidden {state} {kind}" if kind != "account" else f"hidden_{state}"
            for path, text in answers.items():
                assert marker not in text.lower(), (path, marker)
    # And they are reachable by no address: 404, or 410 for the withdrawn.
    for state, entries in archive["unpublished"].items():
        expected = 410 if state == "withdrawn" else 404
        assert client.get(f"/api/v1/posts/{entries['post'].pk}").status_code == expected
        assert client.get(f"/api/v1/articles/{entries['article'].pk}").status_code == expected
        assert client.get(f"/api/v1/events/{entries['event'].slug}").status_code == expected
        assert client.get(f"/api/v1/accounts/{entries['account'].pk}").status_code == expected


def test_a_private_persons_handle_post_id_and_original_address_appear_nowhere(client, archive):
    answers = every_public_answer(client, archive)
    for path, text in answers.items():
        for secret in (PRIVATE_HANDLE, PRIVATE_PLATFORM_ID, PRIVATE_URL, "Jane Roe"):
            assert secret not in text, (path, secret)
    # Named by the pseudonym instead, as on the page.
    post = get(client, f"/api/v1/posts/{archive['private_post'].pk}")
    assert post["account"]["name"] == archive["private"].pseudonym
    assert post["platform_id"] is None and post["original_url"] is None
    assert post["account"]["handle"] is None and post["account"]["url"] is None
    # ... and a private person's account has no address of its own.
    assert client.get(f"/api/v1/accounts/{archive['private'].pk}").status_code == 404


def test_a_public_figures_post_names_them_and_links_the_original(client, archive):
    post = get(client, f"/api/v1/posts/{archive['public_post'].pk}")
    assert post["account"]["name"] == "@famous_actor"
    assert post["original_url"] == "https://twitter.com/famous_actor/status/1"
    assert post["platform_id"] == archive["public_post"].platform_id
    assert post["text"] == "me too, said the actor"
    assert [event["slug"] for event in post["events"]] == [archive["event"].slug]


@pytest.mark.parametrize(
    ("posted_at", "precision", "expected"),
    [
        (datetime.datetime(2017, 10, 16, 5, 30, tzinfo=datetime.UTC), "minute",
         ("2017-10-15T22:30:00-07:00", "minute")),
        (datetime.datetime(2017, 10, 15, 12, tzinfo=datetime.UTC), "day", ("2017-10-15", "day")),
        (None, "minute", (None, None)),  # no date: no precision of it either
    ],
)  # fmt: skip
def test_a_posts_moment_comes_with_its_zone_and_precision_or_neither(
    client, db, posted_at, precision, expected
):
    post = PostFactory(
        published=True, posted_at=posted_at, posted_at_precision=precision,
        posted_at_zone="America/Los_Angeles",
    )  # fmt: skip
    answer = get(client, f"/api/v1/posts/{post.pk}")
    assert (answer["posted_at"], answer["posted_at_precision"]) == expected


def test_a_withdrawn_entry_answers_410_with_its_pages_notice(client, archive):
    withdrawn = archive["unpublished"]["withdrawn"]["post"]
    response = client.get(f"/api/v1/posts/{withdrawn.pk}")
    assert response.status_code == 410
    assert response.json() == {"detail": WITHDRAWN_NOTICE, "withdrawn": True}
    assert response["Cache-Control"] == "no-store"
    assert withdrawn.text not in response.content.decode()
    page = client.get(withdrawn.get_absolute_url())
    assert page.status_code == 410
    page_text = " ".join(page.content.decode().split())
    for sentence in WITHDRAWN_NOTICE.split(". "):
        assert sentence.rstrip(".") in page_text


def test_withdrawing_an_entry_takes_it_out_of_a_search_already_answered(client, archive):
    from apps.curation.services import entries_transition

    post = archive["public_post"]
    first = get(client, "/api/v1/search", q="actor", kind="post")
    assert [r["id"] for r in first["results"]] == [post.pk]
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn", reason="takedown")
    again = get(client, "/api/v1/search", q="actor", kind="post")
    assert again["results"] == [] and again["count"] == 0
    assert client.get(f"/api/v1/posts/{post.pk}").status_code == 410


def test_lists_page_by_cursor_through_every_entry_once(client, db):
    posts = PostFactory.create_batch(7, published=True)
    PostFactory.create_batch(2)  # pending
    seen, url = [], "/api/v1/posts?limit=3"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == sorted(post.pk for post in posts)


def test_a_cursor_the_api_did_not_give_is_refused_with_the_reason(client, db):
    for cursor in ("'; drop table", "99999999999999999999"):
        response = client.get("/api/v1/posts", {"cursor": cursor})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "cursor"]


def test_wrong_parameters_are_answered_with_what_was_wrong(client, db):
    response = client.get("/api/v1/search", {"kind": "tweet", "date_from": "15 Oct"})
    assert response.status_code == 422
    wrong = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert wrong == {("query", "kind"), ("query", "date_from")}
    assert client.get("/api/v1/posts/99999999999999999999").status_code == 422


def test_search_takes_the_search_pages_query_language(client, db):
    tagged = {"hashtags": ["metoo"]}
    said = PostFactory(published=True, text="Me too. I was 15. #MeToo", **tagged)
    PostFactory(published=True, text="Too late for me #MeToo", **tagged)
    excluded = PostFactory(published=True, text="Me too, Weinstein #MeToo", **tagged)
    found = get(client, "/api/v1/search", q='"me too" -weinstein #metoo')
    assert [r["id"] for r in found["results"]] == [said.pk]
    assert found["understood_as"]
    assert excluded.pk not in [r["id"] for r in found["results"]]
    assert found["page_url"].endswith("/search/?q=%22me+too%22+-weinstein+%23metoo")


def test_search_pages_by_cursor_newest_first_without_repeats(client, db, settings):
    settings.SEARCH_PAGE_SIZE = 4
    posts = PostFactory.create_batch(10, published=True, text="me too")
    seen, url = [], "/api/v1/search?q=me+too&order=newest"
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(p.pk for p in posts) and len(seen) == 10


def test_the_timeline_counts_posts_at_every_zoom_and_lists_the_events(client, db):
    import datetime

    for day, n in ((15, 3), (16, 2)):
        PostFactory.create_batch(
            n, published=True, posted_at=datetime.datetime(2017, 10, day, 20, tzinfo=datetime.UTC)
        )
    event = TimelineEventFactory(published=True, date=datetime.date(2017, 10, 15))
    TimelineEventFactory(date=datetime.date(2017, 10, 15))  # pending
    years = get(client, "/api/v1/timeline")
    assert [(b["period"], b["count"]) for b in years["bars"]] == [("2017", 5)]
    days = get(client, "/api/v1/timeline", period="2017-10")
    counts = {b["period"]: b["count"] for b in days["bars"]}
    assert len(counts) == 31 and counts["2017-10-15"] == 3 and counts["2017-10-16"] == 2
    assert [e["slug"] for e in days["events"]] == [event.slug]
    hours = get(client, "/api/v1/timeline", period="2017-10-15")
    assert hours["by"] == "hour" and sum(b["count"] for b in hours["bars"]) == 3
    odd = get(client, "/api/v1/timeline", period="Oct 2017")
    assert odd["notes"] and odd["by"] == "year"


def test_citations_come_in_every_style_with_bibtex_and_csl(client, archive):
    cited = get(client, f"/api/v1/articles/{archive['article'].pk}/citations")
    assert {style["id"] for style in cited["styles"]} == {"apa", "mla", "chicago", "bluebook"}
    assert cited["bibtex"].startswith("@article{")
    assert cited["csl_json"][0]["title"] == "Me too spreads"
    assert client.get(cited["bibtex_url"]).status_code == 200


def test_each_endpoint_costs_the_same_queries_however_many_entries(client, db, settings):
    # A page of search results reads each kind on it once: every kind is on the page both times.
    settings.SEARCH_PAGE_SIZE = 100

    def counts() -> dict[str, int]:
        result = {}
        event = TimelineEventFactory(published=True)
        posts = PostFactory.create_batch(2, published=True)
        event.posts.add(*posts)
        article = SourceArticleFactory(published=True)
        event.articles.add(article)
        paths = [
            *LISTS,
            f"/api/v1/events/{event.slug}",
            f"/api/v1/posts/{posts[0].pk}",
            f"/api/v1/articles/{article.pk}",
            f"/api/v1/posts/{posts[0].pk}/citations",
            f"/api/v1/events/{event.slug}/citations",
            "/api/v1/search?q=me+too&order=newest",
            "/api/v1/timeline?period=2017",
        ]
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            name = path.split("?")[0].removeprefix("/api/v1/").split("/")
            result[
                "/".join(
                    part if not part[:1].isdigit() and "event-" not in part else "_"
                    for part in name
                )
            ] = len(queries)
        return result

    def make(n):
        PostFactory.create_batch(n, published=True, text="me too")
        SourceArticleFactory.create_batch(n, published=True, title="me too")
        TimelineEventFactory.create_batch(n, published=True, title="me too")

    make(2)
    few = counts()
    make(15)
    many = counts()
    assert few == many
    assert max(many.values()) <= 8, many


def test_anonymous_clients_are_limited_with_a_clear_429(client, db, settings):
    settings.API_ANON_RATE = "3/min"
    statuses = [client.get("/api/v1/outlets").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/outlets")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert refused.json()["detail"]
    # Another client is counted apart.
    other = client.get("/api/v1/outlets", REMOTE_ADDR="198.51.100.9")
    assert other.status_code == 200


def test_a_key_gets_its_own_higher_limit_and_stops_working_once_revoked(client, api_key, settings):
    settings.API_ANON_RATE = "2/min"
    settings.API_KEY_RATE = "5/min"
    key, raw = api_key
    anonymous = [client.get("/api/v1/outlets").status_code for _ in range(3)]
    keyed = [client.get("/api/v1/outlets", HTTP_X_API_KEY=raw).status_code for _ in range(6)]
    assert anonymous == [200, 200, 429]
    assert keyed == [200] * 5 + [429]
    key.revoke()
    refused = client.get("/api/v1/outlets", HTTP_X_API_KEY=raw)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_a_wrong_key_is_refused_rather_than_taken_for_anonymous(client, db):
    response = client.get("/api/v1/posts", HTTP_X_API_KEY="mta_not-a-key")
    assert response.status_code == 401


def test_keys_are_stored_only_as_digests(api_key):
    key, raw = api_key
    key.refresh_from_db()
    assert raw not in {key.prefix, key.digest, key.name}
    assert raw.startswith(key.prefix) and len(key.digest) == 64


def test_the_admin_shows_a_new_key_once_and_keeps_only_its_digest(superuser_client):
    from apps.api.models import ApiKey, key_digest

    response = superuser_client.post(
        reverse("admin:api_apikey_add"),
        {
            "name": "newsroom",
            "owner": ApiKey._meta.get_field("owner").related_model.objects.get().pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for text in shown for word in text.split() if word.startswith("mta_"))
    assert ApiKey.objects.get(name="newsroom").digest == key_digest(raw)
    assert superuser_client.get("/api/v1/posts", HTTP_X_API_KEY=raw).status_code == 200


def test_any_site_may_read_the_api_without_credentials(client, db):
    response = client.get("/api/v1/posts", HTTP_ORIGIN="https://notebook.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = client.options(
        "/api/v1/search",
        HTTP_ORIGIN="https://notebook.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    # The pages themselves are not opened to other sites.
    page = client.get("/search/", HTTP_ORIGIN="https://notebook.example")
    assert "Access-Control-Allow-Origin" not in page


def test_the_schema_lists_every_endpoint(client, db):
    from apps.api.api import api

    schema = json.loads(client.get("/api/v1/openapi.json").content)
    assert schema["openapi"].startswith("3.")
    listed = {path.removeprefix("/api/v1") for path in schema["paths"]}
    # Every route the API serves is in the schema: all but the two documentation routes and
    # ninja's own root (shadowed by the index).
    documentation = ("openapi-json", "openapi-view", "api-root")
    served = [pattern for pattern in api.urls[0] if pattern.name not in documentation]
    assert len(served) == len(listed)
    expected = {
        "/posts", "/posts/{id}", "/posts/{id}/citations", "/articles", "/articles/{id}",
        "/articles/{id}/citations", "/accounts", "/accounts/{id}", "/outlets", "/outlets/{id}",
        "/events", "/events/{slug}", "/events/{slug}/citations", "/search", "/timeline", "/",
    }  # fmt: skip
    assert listed == expected
    assert client.get("/api/v1/docs").status_code == 200
    index = client.get("/api/v1/").json()
    assert client.get(index["openapi"]).status_code == 200
    assert all(client.get(url).status_code == 200 for url in index["lists"].values())


def test_a_curator_makes_and_revokes_their_own_keys_and_sees_no_one_elses(client, superuser):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from apps.api.models import ApiKey

    others = ApiKey(name="someone else's", owner=superuser)
    others.assign_new_key()
    others.save()
    curator = get_user_model().objects.create_user("cora", password="x" * 20, is_staff=True)
    curator.groups.add(Group.objects.get(name="Curator"))
    client.force_login(curator)
    response = client.post(reverse("admin:api_apikey_add"), {"name": "my notebook"}, follow=True)
    assert response.status_code == 200
    mine = ApiKey.objects.get(name="my notebook")
    assert mine.owner == curator
    listing = client.get(reverse("admin:api_apikey_changelist")).content.decode()
    assert "my notebook" in listing and "someone else" not in listing
    assert client.get(reverse("admin:api_apikey_change", args=[others.pk])).status_code == 302
    client.post(
        reverse("admin:api_apikey_changelist"),
        {"action": "revoke_keys", "_selected_action": [mine.pk, others.pk]},
    )
    mine.refresh_from_db()
    others.refresh_from_db()
    assert mine.revoked_at is not None and others.revoked_at is None
