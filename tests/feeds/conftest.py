import feedparser
import pytest

from apps.curation.services import entries_transition
from apps.search.filters import _compiled
from tests.factories import ENTRY_KINDS


def publish(*entries):
    """Publish entries as a curator does (the state, moderated_at, the audit row, the index
    and the content version), one after another: the last is the newest published."""
    for entry in entries:
        entries_transition(kind=ENTRY_KINDS[type(entry)], ids=[entry.pk], to_state="published")
    return entries


def set_state(entry, state: str):
    entries_transition(kind=ENTRY_KINDS[type(entry)], ids=[entry.pk], to_state=state)


def atom(client, path: str, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture(autouse=True)
def fresh_query_compilations():
    """The tsqueries a process has compiled are remembered (a query fewer next time): each test
    counts its queries from the same start."""
    _compiled.cache_clear()
