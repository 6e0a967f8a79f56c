"""Shared fixtures. The database is a real PostgreSQL: the embedded one, or DATABASE_URL's."""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached (the cache outlives test transactions)."""
    from django.core.cache import cache

    cache.clear()


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
