"""Shared fixtures. The database is a real PostgreSQL: the embedded one, or DATABASE_URL's."""

import types

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (the cache outlives test transactions)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def ratelimit_clock_stands_still(monkeypatch):
    """django-ratelimit counts in fixed windows of wall-clock time: an hour's window ends at a
    second of the hour that depends on the key (xx:45:01 for 198.51.100.7). A test whose
    requests straddled that second saw its count start again and failed (one clean run in
    fifteen). Its clock, the edge of the world here, stands still in tests."""
    import django_ratelimit.core

    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: 1.8e9))


@pytest.fixture
def published_post(db):
    return factories.PostFactory(published=True)


@pytest.fixture
def seeded(db):
    """The project's seeded story, loaded as `make run` loads it."""
    from apps.timeline.seeding import story_seed

    story_seed()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x" * 20)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client
