"""People with each curation role, made as production makes them: by the groups command."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command

PASSWORD = "a-long-curator-passphrase-2017"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; these tests are about permissions, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """The takedown form's rate limit counts in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def groups(db):
    call_command("curation_groups", stdout=io.StringIO())
    return {group.name: group for group in Group.objects.all()}


def _member(django_user_model, groups, username, group_name=None):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
    if group_name:
        user.groups.add(groups[group_name])
    return user


@pytest.fixture
def curator(django_user_model, groups):
    return _member(django_user_model, groups, "carla", "Curator")


@pytest.fixture
def editor(django_user_model, groups):
    return _member(django_user_model, groups, "edna", "Editor")


@pytest.fixture
def admin_user(django_user_model, groups):
    user = _member(django_user_model, groups, "ada", "Admin")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def outsider(django_user_model, groups):
    """Signed in, but in no curation group."""
    return _member(django_user_model, groups, "oscar")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
