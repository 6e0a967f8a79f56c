"""Data packages of searches: what is in them, what never is, and how long they are served."""

import csv
import datetime
import hashlib
import io
import json
import os
import re
import time

import frictionless
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.content import content_version
from apps.curation.models import ModerationDecision
from apps.curation.services import account_visibility_set, entries_transition
from apps.datasets import services
from apps.datasets.models import DataPackage, PackageState
from apps.search import exports
from tests.datasets.conftest import downloaded, zip_members
from tests.factories import (
    AccountFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

NEW = reverse("datasets:new")


def ask(client, **params):
    """Ask for a package; the package the answer sends to."""
    response = client.get(NEW, params)
    assert response.status_code == 302, response.status_code
    match = re.fullmatch(r"/datasets/([0-9a-f-]{36})/", response["Location"])
    assert match, response["Location"]
    return DataPackage.objects.get(pk=match.group(1))


def fetch(client, package) -> dict[str, bytes]:
    return zip_members(downloaded(client.get(package.download_url)))


def rows_of(members) -> list[dict]:
    return [json.loads(line) for line in members["entries.jsonl"].decode().splitlines()]


def private_and_public_posts():
    private = AccountFactory(published=True, handle="zq_private_handle_81")
    public = AccountFactory(published=True, handle="Alyssa_Milano", is_public_figure=True)
    hidden = PostFactory(
        published=True,
        account=private,
        platform_id="771100220033004400",
        text="metoo quixotic-marmalade-testimony",
        url="https://twitter.com/zq_private_handle_81/status/771100220033004400",
    )
    shown = PostFactory(
        published=True,
        account=public,
        platform_id="919659438700670976",
        text="metoo if you have been harassed",
        url="https://twitter.com/Alyssa_Milano/status/919659438700670976",
    )
    return hidden, shown


# --- what a package holds -------------------------------------------------------------------


def test_a_small_search_is_packaged_at_once_and_its_descriptor_validates(client, tmp_path):
    hidden, shown = private_and_public_posts()
    article = SourceArticleFactory(published=True, title="metoo in the news")
    TimelineEventFactory(published=True, title="metoo begins")
    package = ask(client, q="metoo")
    assert package.state == PackageState.READY
    assert package.row_count == 4
    page = client.get(package.get_absolute_url())
    assert page.status_code == 200
    assert package.download_url in page.content.decode()

    members = fetch(client, package)
    assert sorted(members) == [
        "README.md",
        "SHA256SUMS",
        "datapackage.json",
        "entries.csv",
        "entries.jsonl",
    ]
    folder = tmp_path / "unzipped"
    folder.mkdir()
    for name, content in members.items():
        (folder / name).write_bytes(content)
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "type", "note"])

    meta = json.loads(members["datapackage.json"])
    assert meta["name"] == package.name
    assert meta["created"].endswith("Z")
    assert meta["licenses"][0]["name"] == "CC-BY-4.0"
    assert "remain their authors'" in meta["licenses"][0]["title"]
    assert meta["query"]["parameters"] == {"q": "metoo"}
    assert "metoo" in meta["description"]
    assert meta["sources"][0]["path"] == "http://127.0.0.1:8000/search/?q=metoo"
    assert [r["path"] for r in meta["resources"]] == ["entries.csv", "entries.jsonl"]
    rows = rows_of(members)
    assert {(row["kind"], row["id"]) for row in rows} >= {
        ("post", hidden.pk),
        ("post", shown.pk),
        ("article", article.pk),
    }
    assert [row["id"] for row in csv.DictReader(io.StringIO(members["entries.csv"].decode()))] == [
        str(row["id"]) for row in rows
    ]
    readme = members["README.md"].decode()
    assert "| `platform_id` | string |" in readme
    assert "Do not try to identify the private people" in readme
    assert "Cite it as:" in readme


def test_the_descriptor_and_the_checksum_file_match_every_file(client):
    PostFactory.create_batch(3, published=True, text="metoo")
    members = fetch(client, ask(client, q="metoo"))
    sums = dict(reversed(line.split("  ")) for line in members["SHA256SUMS"].decode().splitlines())
    assert sorted(sums) == ["README.md", "datapackage.json", "entries.csv", "entries.jsonl"]
    for name, digest in sums.items():
        assert hashlib.sha256(members[name]).hexdigest() == digest, name
    for resource in json.loads(members["datapackage.json"])["resources"]:
        content = members[resource["path"]]
        assert resource["hash"] == "sha256:" + hashlib.sha256(content).hexdigest()
        assert resource["bytes"] == len(content)


def test_the_zips_checksum_on_the_page_is_the_downloads(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    content = downloaded(client.get(package.download_url))
    assert hashlib.sha256(content).hexdigest() == package.sha256
    assert package.sha256 in client.get(package.get_absolute_url()).content.decode()


def test_a_tampered_file_fails_validation(client, tmp_path):
    """The descriptor's hashes are checked by frictionless: the check above means something."""
    PostFactory(published=True, text="metoo")
    members = fetch(client, ask(client, q="metoo"))
    for name, content in members.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "entries.csv").write_bytes(members["entries.csv"].replace(b"post", b"tsop"))
    assert not frictionless.validate(str(tmp_path / "datapackage.json")).valid


def test_the_identifiers_only_default_carries_no_text_handle_or_private_id(client):
    hidden, shown = private_and_public_posts()
    package = ask(client, q="metoo")
    assert package.variant == "identifiers"
    members = fetch(client, package)
    everything = b"".join(members.values())
    for secret in ("zq_private_handle_81", "771100220033004400", "quixotic", "marmalade"):
        assert secret.encode() not in everything, secret
    assert b"harassed" not in everything  # no text at all, a public figure's neither
    assert b"Alyssa_Milano" in everything  # only in the original URL the page shows
    rows = {row["id"]: row for row in rows_of(members)}
    assert rows[hidden.pk]["platform_id"] == "" and rows[hidden.pk]["original_url"] == ""
    assert rows[hidden.pk]["permalink"] == f"http://127.0.0.1:8000/posts/{hidden.pk}/"
    assert rows[shown.pk]["platform_id"] == "919659438700670976"
    assert rows[shown.pk]["original_url"].endswith("/919659438700670976")
    assert set(rows[shown.pk]) == {
        "kind",
        "id",
        "permalink",
        "date",
        "platform",
        "platform_id",
        "original_url",
    }


def test_the_full_variant_has_the_text_and_still_no_private_handle_or_id(client):
    hidden, _ = private_and_public_posts()
    package = ask(client, q="metoo", variant="full")
    assert package.variant == "full"
    members = fetch(client, package)
    everything = b"".join(members.values())
    assert b"quixotic-marmalade-testimony" in everything
    for secret in ("zq_private_handle_81", "771100220033004400"):
        assert secret.encode() not in everything, secret
    rows = {row["id"]: row for row in rows_of(members)}
    assert list(rows[hidden.pk]) == exports.COLUMNS
    assert rows[hidden.pk]["author"].startswith("Contributor ")


def test_pending_rejected_and_withdrawn_entries_are_never_in_a_package(client):
    kept = PostFactory(published=True, text="metoo kept")
    PostFactory(text="metoo pending-secret-word")
    PostFactory(moderation_state="rejected", text="metoo rejected-secret-word")
    PostFactory(withdrawn=True, text="metoo withdrawn-secret-word")
    SourceArticleFactory(title="metoo pending article", excerpt="pending-secret-word")
    # Withdrawn behind the index's back (still indexed): the rows are read as published() too.
    behind = PostFactory(published=True, text="metoo behind-secret-word")
    behind.moderation_state = "withdrawn"
    behind.save()
    for variant in ("identifiers", "full"):
        members = fetch(client, ask(client, q="metoo", variant=variant))
        assert [(row["kind"], row["id"]) for row in rows_of(members)] == [("post", kept.pk)]
        assert b"secret-word" not in b"".join(members.values())


# --- withdrawal, expiry ---------------------------------------------------------------------


def test_an_entry_withdrawn_after_the_package_was_made_is_never_fetched_in_it(client):
    kept = PostFactory(published=True, text="metoo kept")
    gone = PostFactory(published=True, text="metoo gone")
    package = ask(client, q="metoo")
    assert {row["id"] for row in rows_of(fetch(client, package))} == {kept.pk, gone.pk}

    entries_transition(kind="post", ids=[gone.pk], to_state="withdrawn", reason="takedown")
    response = client.get(package.download_url)
    assert response.status_code == 302  # to the same search, as the archive is now
    again = client.get(response["Location"])
    assert again.status_code == 302
    fresh = DataPackage.objects.get(pk=again["Location"].split("/")[2])
    assert fresh.pk != package.pk
    assert [row["id"] for row in rows_of(fetch(client, fresh))] == [kept.pk]

    package.refresh_from_db()
    assert package.state == PackageState.SUPERSEDED
    assert not (services.package_path(package)).exists()
    page = client.get(package.get_absolute_url())
    assert page.status_code == 410
    assert "no longer served" in page.content.decode()


def test_a_handle_hidden_after_the_package_was_made_retires_it(client):
    _, shown = private_and_public_posts()
    package = ask(client, q="metoo")
    account_visibility_set(account_id=shown.account_id, actor=None, is_public_figure=False)
    assert client.get(package.download_url).status_code == 302
    fresh = ask(client, q="metoo")
    assert b"919659438700670976" not in b"".join(fetch(client, fresh).values())


def test_entries_published_after_the_package_was_made_leave_it_served(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    later = PostFactory(text="metoo later")
    entries_transition(kind="post", ids=[later.pk], to_state="published")
    assert client.get(package.download_url).status_code == 200


def test_a_withdrawal_just_before_the_build_that_it_may_have_missed_fails_the_build(
    client, monkeypatch, dataset_dir
):
    """A decision written just before the build began may commit after the build read its
    entry: simulated by a decision dated a minute back on an entry that is still published."""
    suspect = PostFactory(published=True, text="metoo suspect")
    PostFactory(published=True, text="unrelated")
    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: a_minute_ago)
    ModerationDecision.objects.create(
        entry_kind="post", entry_id=suspect.pk, from_state="published", to_state="withdrawn"
    )
    monkeypatch.undo()

    package = ask(client, q="metoo")
    assert package.state == PackageState.FAILED
    assert "withdrawn or changed while the package was being made" in package.error
    assert list(dataset_dir.iterdir()) == []
    page = client.get(package.get_absolute_url()).content.decode()
    assert "Ask for it again" in page
    # A decision on an entry the package does not hold leaves it be.
    assert ask(client, q="unrelated").state == PackageState.READY


def test_an_expired_package_answers_gone_and_its_file_is_removed(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    path = services.package_path(package)
    assert path.is_file()
    DataPackage.objects.filter(pk=package.pk).update(expires_at=timezone.now())
    response = client.get(package.download_url)
    assert response.status_code == 410
    assert "no longer kept" in response.content.decode()
    assert not path.exists()
    assert client.get(package.get_absolute_url()).status_code == 410


def test_the_daily_removal_retires_expired_and_superseded_packages_and_leftovers(
    client, dataset_dir
):
    PostFactory(published=True, text="metoo")
    post = PostFactory(published=True, text="other")
    old = ask(client, q="metoo")
    withdrawn_from = ask(client, q="other")
    kept = ask(client, kind="post")
    DataPackage.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    leftover = dataset_dir / "abc.zip.partial"
    leftover.write_bytes(b"half")
    os.utime(leftover, (time.time() - 2 * 86400,) * 2)
    fresh_leftover = dataset_dir / "def.zip.partial"
    fresh_leftover.write_bytes(b"being written")
    entries_transition(kind="post", ids=[post.pk], to_state="withdrawn")

    removed = services.packages_remove()
    assert (removed.expired, removed.superseded) == (1, 2)  # the whole-kind one held it too
    assert removed.leftovers == ["abc.zip.partial"]
    assert fresh_leftover.exists()
    states = dict(DataPackage.objects.values_list("pk", "state"))
    assert states[old.pk] == PackageState.EXPIRED
    assert states[withdrawn_from.pk] == states[kept.pk] == PackageState.SUPERSEDED
    assert sorted(p.name for p in dataset_dir.iterdir()) == ["def.zip.partial"]
    assert services.packages_remove().expired == 0  # twice is harmless


# --- asking ---------------------------------------------------------------------------------


def test_the_same_search_gives_the_same_package_until_the_archive_changes(client):
    PostFactory(published=True, text="metoo")
    first = ask(client, q="metoo", kind="post", order="newest", cursor="x", junk="1")
    assert ask(client, kind="post", q=" metoo ") == first
    assert ask(client, kind="post", q="metoo", variant="full") != first
    PostFactory(published=True, text="metoo later")
    assert ask(client, kind="post", q="metoo") != first


def test_asking_from_one_address_is_rate_limited_with_retry_after(client, settings):
    settings.DATASET_RATE_LIMIT = "2/h"
    PostFactory(published=True, text="metoo")
    ask(client, q="metoo")
    ask(client, q="metoo")  # the same package again: not counted
    ask(client, q="other")
    response = client.get(NEW, {"q": "third"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many data packages" in response.content.decode()
    assert not DataPackage.objects.filter(params={"q": "third"}).exists()
    other_client = client_from("198.51.100.9")
    assert other_client.get(NEW, {"q": "third"}).status_code == 302


def client_from(address):
    from django.test import Client

    return Client(REMOTE_ADDR=address)


def test_a_signed_in_curator_is_not_rate_limited(superuser_client, settings):
    settings.DATASET_RATE_LIMIT = "1/h"
    for word in ("one", "two", "three"):
        assert superuser_client.get(NEW, {"q": word}).status_code == 302


def test_a_search_over_the_maximum_is_refused_clearly(client, settings):
    settings.DATASET_MAX_ROWS = 2
    PostFactory.create_batch(3, published=True, text="metoo")
    response = client.get(NEW, {"q": "metoo"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "more than 2 entries" in page
    assert 'href="/search/?q=metoo"' in page
    assert not DataPackage.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "metoo", "date_from": "not-a-date", "account": "abc", "kind": "nonsense"},
        {"q": "metoo\x00nul", "platform": "\x00"},
        {"q": "x" * 5000, "hashtag": "#" * 300, "outlet": "-1", "variant": "everything"},
        {"q": '"unclosed OR -( @ from: outlet:"', "language": "zz" * 20},
    ],
)
def test_garbage_parameters_give_a_package_with_notes_never_a_server_error(client, params):
    PostFactory(published=True, text="metoo")
    package = ask(client, **params)
    assert package.state == PackageState.READY, package.error
    assert package.variant == "identifiers"
    assert all("\x00" not in value and len(value) <= 1000 for value in package.params.values())
    assert client.get(package.get_absolute_url()).status_code == 200
    assert client.get(package.download_url).status_code == 200


def test_an_invalid_filter_is_noted_in_the_description(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo", date_from="not-a-date")
    meta = json.loads(fetch(client, package)["datapackage.json"])
    assert any("(ignored)" in note for note in meta["query"]["notes"])
    assert "(ignored)" in meta["description"]


def test_a_large_search_is_queued_and_its_page_shows_progress(
    client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.DATASET_INLINE_MAX_ROWS = 2
    PostFactory.create_batch(3, published=True, text="metoo")
    sent = []
    monkeypatch.setattr("apps.datasets.tasks.build_package.delay", sent.append)
    with django_capture_on_commit_callbacks(execute=True):
        package = ask(client, q="metoo")
    assert sent == [str(package.pk)]
    assert package.state == PackageState.QUEUED
    page = client.get(package.get_absolute_url()).content.decode()
    assert "0 of 3 rows written" in page
    assert 'data-running="1"' in page and "Reload now" in page
    waiting = client.get(package.download_url)
    assert waiting.status_code == 503
    assert waiting["Retry-After"] == "10"
    assert "being made in the background" in waiting.content.decode()

    services.package_build(package_id=sent[0])  # what the worker does
    page = client.get(package.get_absolute_url()).content.decode()
    assert package.download_url in page and "data-running" not in page
    assert services.package_build(package_id=sent[0]) is None  # a redelivered message


def test_a_broker_that_cannot_be_reached_fails_the_package_clearly(
    client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.DATASET_INLINE_MAX_ROWS = 1
    PostFactory.create_batch(2, published=True, text="metoo")

    def unreachable(package_id):
        raise ConnectionError("no broker")

    monkeypatch.setattr("apps.datasets.tasks.build_package.delay", unreachable)
    with django_capture_on_commit_callbacks(execute=True):
        package = ask(client, q="metoo")
    package.refresh_from_db()
    assert package.state == PackageState.FAILED
    page = client.get(package.get_absolute_url()).content.decode()
    assert "task queue could not be reached" in page


def test_a_build_that_fails_leaves_no_file_and_says_why(client, monkeypatch, dataset_dir):
    PostFactory(published=True, text="metoo")

    def broken(*args, **kwargs):
        yield dict.fromkeys(["kind", "id", "permalink", "date", "platform", "platform_id",
                             "original_url"], "x")  # fmt: skip
        raise OSError("disk full")

    monkeypatch.setattr("apps.datasets.packaging.rows", broken)
    package = ask(client, q="metoo")
    assert package.state == PackageState.FAILED
    assert "OSError" in package.error
    assert list(dataset_dir.iterdir()) == []
    assert client.get(package.download_url).status_code == 404


def test_the_build_makes_the_same_number_of_queries_however_many_rows(settings):
    def queries_for(count: int, word: str) -> int:
        PostFactory.create_batch(count, published=True, text=word)
        SourceArticleFactory.create_batch(count, published=True, title=word)
        version = content_version()
        with CaptureQueriesContext(connection) as captured:
            started = services.package_start(params={"q": word}, variant="full", version=version)
        assert started.package.row_count == 2 * count
        return len(captured)

    assert queries_for(2, "alpha") == queries_for(40, "beta")


def test_a_wrong_file_name_or_unknown_package_is_not_found(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    assert client.get(f"/datasets/{package.pk}/other-name.zip").status_code == 404
    assert client.get("/datasets/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- pages ----------------------------------------------------------------------------------


def test_the_search_page_links_to_its_data_package(client):
    response = client.get(reverse("search:search"), {"q": "metoo", "kind": "post", "page": "2"})
    page = response.content.decode()
    assert (
        '<a href="/datasets/new?q=metoo&amp;kind=post" rel="nofollow">'
        "Download this search as a data package</a>" in page
    )
    assert 'href="/datasets/new?q=metoo&amp;kind=post&amp;variant=full"' in page


def test_the_ready_page_describes_the_package_as_a_schema_org_dataset(client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    page = client.get(package.get_absolute_url()).content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block.group(1))
    assert data["@type"] == "Dataset"
    assert data["url"] == f"http://testserver/datasets/{package.pk}/"
    assert data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["creator"]["name"] == "The #MeToo Archive"
    assert data["dateCreated"].startswith(str(package.finished_at.year))
    assert data["distribution"]["@type"] == "DataDownload"
    assert data["distribution"]["encodingFormat"] == "application/zip"
    assert data["distribution"]["contentUrl"].endswith(package.download_url)
    assert "Cite this data package" in page


def test_the_admin_lists_packages_read_only(client, superuser_client):
    PostFactory(published=True, text="metoo")
    package = ask(client, q="metoo")
    listing = superuser_client.get(reverse("admin:datasets_datapackage_changelist"))
    assert listing.status_code == 200
    assert "Ready" in listing.content.decode()
    change = superuser_client.get(
        reverse("admin:datasets_datapackage_change", args=[package.pk])
    ).content.decode()
    assert 'name="_save"' not in change
    assert superuser_client.get(reverse("admin:datasets_datapackage_add")).status_code == 403
