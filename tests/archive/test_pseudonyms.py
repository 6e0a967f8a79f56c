"""Pseudonyms of private people, attacked the way a re-identifier would: hash a list of known
handles every plausible way and look for the results among the pseudonyms the archive shows."""

import hashlib
import hmac
import io
import re

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from apps.archive.models import Account
from apps.core.content import content_version, story_version
from tests.factories import AccountFactory, PostFactory

pytestmark = pytest.mark.django_db

# As every page, export and citation shows it.
PSEUDONYM = re.compile(r"Contributor [0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}")
HANDLES = ["jane_private", "Survivor_1987", "MeToo_Mary", "anon.voice", "ALLCAPS", "x"]


def handle_digests(platform: str, handle: str, secret: str) -> set[str]:
    """Every digest a re-identifier would try for one handle, in lower-case hex."""
    texts = {
        f"{platform}:{handle}",
        f"{platform}:{handle.lower()}",
        f"{platform}/{handle}",
        f"{handle}@{platform}",
        handle,
        handle.lower(),
        f"@{handle}",
        f"@{handle.lower()}",
    }
    digests = set()
    for text in texts:
        for algorithm in ("sha256", "md5", "sha1", "sha512", "blake2b", "sha3_256"):
            digests.add(hashlib.new(algorithm, text.encode()).hexdigest())
        # A keyed hash under the one secret every deployment has is no better, if it leaks.
        digests.add(hmac.new(secret.encode(), text.encode(), "sha256").hexdigest())
    return digests


def reidentified(pseudonyms: list[str], handles: list[tuple[str, str]], secret: str) -> set[str]:
    """The pseudonyms whose digits turn up in a digest of a listed handle."""
    digests = set().union(*(handle_digests(p, h, secret) for p, h in handles))
    found = set()
    for pseudonym in pseudonyms:
        digits = pseudonym.removeprefix("Contributor ").replace("-", "").lower()
        if any(digits in digest for digest in digests):
            found.add(pseudonym)
    return found


def test_hashing_a_list_of_handles_every_plausible_way_matches_no_pseudonym(client, settings):
    accounts = [AccountFactory(published=True, handle=handle) for handle in HANDLES]
    posts = [PostFactory(published=True, account=account) for account in accounts]
    pages = [client.get(post.get_absolute_url()).content.decode() for post in posts]
    shown = [PSEUDONYM.search(page).group() for page in pages]
    assert shown == [account.pseudonym for account in accounts]

    listed = [("twitter", handle) for handle in HANDLES]
    assert reidentified(shown, listed, settings.SECRET_KEY) == set()


def test_the_old_hash_of_the_handle_would_have_been_caught():
    """The attack above is not vacuous: the pseudonyms of migration 0004's time are found."""
    old = f"Contributor {hashlib.sha256(b'twitter:jane_private').hexdigest()[:6].upper()}"
    assert reidentified([old], [("twitter", "jane_private")], "s") == {old}


def test_a_pseudonym_stays_the_same_after_a_rebuild_of_the_index_and_a_reload(client):
    account = AccountFactory(published=True, handle="jane_private")
    PostFactory(published=True, account=account, text="me too, in 2006")
    first = account.pseudonym
    search = reverse("search:search")
    assert client.get(search, {"q": "2006"}).content.decode().count(first) >= 2  # result, facet

    call_command("rebuild_search_index", stdout=io.StringIO())

    assert Account.objects.get(pk=account.pk).pseudonym == first
    html = client.get(search, {"q": "2006"}).content.decode()
    assert html.count(first) >= 2 and "jane_private" not in html
    account.display_name = "Jane"
    account.save()
    account.refresh_from_db()
    assert account.pseudonym == first


def test_two_accounts_can_never_share_a_pseudonym():
    first, second = AccountFactory(), AccountFactory()
    assert first.pseudonym != second.pseudonym
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=second.pk).update(pseudonym=first.pseudonym)


def test_accounts_inserted_by_hand_written_sql_get_distinct_random_pseudonyms():
    """Raw inserts (generate_corpus, any bulk load) leave the column out: the database's
    default fills it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_account (platform, handle, display_name, profile_url, "
            "description, is_public_figure, handle_visible, moderation_state, created_at, "
            "updated_at) SELECT 'twitter', 'bulk' || g, '', '', '', false, false, 'pending', "
            "now(), now() FROM generate_series(1, 20000) AS g"
        )
    pseudonyms = list(Account.objects.values_list("pseudonym", flat=True))
    assert len(pseudonyms) == len(set(pseudonyms)) == 20000
    assert all(PSEUDONYM.fullmatch(p) for p in pseudonyms)


def test_the_migration_replaces_every_derivable_pseudonym_with_a_random_one():
    executor = MigrationExecutor(connection)
    executor.migrate([("archive", "0004_statement_level_references")])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO search_contentversion (id, n) VALUES (1, 1), (2, 1) "
            "ON CONFLICT (id) DO NOTHING"
        )
    cached_under = (content_version(), story_version())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO archive_account (platform, handle, display_name, profile_url, "
            "description, is_public_figure, handle_visible, moderation_state, created_at, "
            "updated_at) SELECT 'twitter', h, '', '', '', false, false, 'published', now(), "
            "now() FROM unnest(%s::text[]) AS h",
            [HANDLES],
        )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    pseudonyms = dict(Account.objects.values_list("handle", "pseudonym"))
    assert sorted(pseudonyms) == sorted(HANDLES)
    assert all(PSEUDONYM.fullmatch(p) for p in pseudonyms.values())
    assert len(set(pseudonyms.values())) == len(HANDLES)
    assert reidentified(list(pseudonyms.values()), [("twitter", h) for h in HANDLES], "s") == set()
    # What was cached with the old pseudonyms (facet labels, the timeline) is stale.
    assert content_version() != cached_under[0] and story_version() != cached_under[1]
