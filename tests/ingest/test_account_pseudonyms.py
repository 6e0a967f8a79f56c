"""Accounts the ingest writer creates (by INSERT ... SELECT, both ways of storing posts) get a
random pseudonym from the database, and keep it when a later run writes them again."""

import pytest

from apps.archive.models import Account
from apps.ingest import services, writer
from tests.archive.test_pseudonyms import PSEUDONYM
from tests.ingest.conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["copy", "upsert"])
def test_the_writer_gives_each_new_account_its_own_pseudonym_and_keeps_it(monkeypatch, path):
    if path == "upsert":
        monkeypatch.setattr(writer.BatchWriter, "_copy_new", lambda self, *args: False)
    services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
    before = dict(Account.objects.values_list("handle", "pseudonym"))
    assert before and all(PSEUDONYM.fullmatch(p) for p in before.values())
    assert len(set(before.values())) == len(before)

    Account.objects.update(display_name="renamed")  # so that the next run writes them again
    services.source_ingest(source=str(FIXTURES / "twarc1.jsonl"))
    assert Account.objects.filter(display_name="renamed").count() < len(before)
    assert dict(Account.objects.values_list("handle", "pseudonym")) == before
