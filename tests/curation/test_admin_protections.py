"""The Django admin cannot change who is visible, nor who may do what.

Each test posts the admin's own change form, as the browser would send it, with the protected
value changed: the attack a staff member (or a stolen staff session) would make.
"""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from apps.archive.models import Post
from tests.factories import (
    AccountFactory,
    OutletFactory,
    PostFactory,
    SourceArticleFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser would submit from the page's main form (``#..._form``)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if attrs.get("type") in ("checkbox", "radio") else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.setdefault(self._select, []).append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None


def _change_form(client, url) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    parser = _FormFields()
    parser.feed(response.content.decode())
    assert parser.data, "no admin form found"
    return parser.data


def _post_with(client, url, **changes):
    data = _change_form(client, url)
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]  # saved: only the change ignored


def test_the_account_admin_cannot_show_a_handle_mark_a_public_figure_or_publish(
    superuser_client,
):
    account = AccountFactory(handle_visible=False, is_public_figure=False)
    url = reverse("admin:archive_account_change", args=[account.pk])
    _post_with(
        superuser_client, url, display_name="Renamed", handle_visible="on",
        is_public_figure="on", moderation_state="published",
    )  # fmt: skip
    account.refresh_from_db()
    assert account.display_name == "Renamed"
    assert (account.handle_visible, account.is_public_figure) == (False, False)
    assert account.moderation_state == "pending"


@pytest.mark.parametrize(
    ("factory", "admin_name"),
    [
        (PostFactory, "archive_post"),
        (SourceArticleFactory, "archive_sourcearticle"),
        (OutletFactory, "archive_outlet"),
        (TimelineEventFactory, "timeline_timelineevent"),
    ],
)
def test_no_entry_admin_can_publish_or_withdraw(superuser_client, factory, admin_name):
    for before, after in (("pending", "published"), ("published", "withdrawn")):
        entry = factory(moderation_state=before)
        url = reverse(f"admin:{admin_name}_change", args=[entry.pk])
        _post_with(superuser_client, url, moderation_state=after)
        entry.refresh_from_db()
        assert entry.moderation_state == before


def test_the_post_admin_cannot_lift_a_content_warning(superuser_client):
    post = PostFactory(content_warning="assault")
    url = reverse("admin:archive_post_change", args=[post.pk])
    _post_with(superuser_client, url, content_warning="")
    post.refresh_from_db()
    assert post.content_warning == "assault"


def test_a_post_added_in_the_admin_waits_in_the_queue(superuser_client):
    account = AccountFactory()
    url = reverse("admin:archive_post_add")
    data = _change_form(superuser_client, url)
    data.update(
        platform=["twitter"], platform_id=["123"], account=[str(account.pk)], text=["hello"],
        posted_at_0=["2017-10-16"], posted_at_1=["09:30:00"], language=["en"],
        moderation_state=["published"],
    )  # fmt: skip
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert Post.objects.get(platform_id="123").moderation_state == "pending"


# --- users and groups ---------------------------------------------------------------------


@pytest.fixture
def staff_with_auth_perms(client, admin_user):
    """An Admin-group member whose group was also (mis)given every users-and-groups permission:
    the admin must still refuse them."""
    group = Group.objects.get(name="Admin")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="auth"))
    client.force_login(admin_user)
    return client


def test_staff_cannot_make_themselves_superuser(staff_with_auth_perms, admin_user):
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    response = staff_with_auth_perms.post(
        url,
        {
            "username": admin_user.username, "is_active": "on", "is_staff": "on",
            "is_superuser": "on", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser


def test_staff_cannot_join_a_more_powerful_group_or_widen_their_own(
    staff_with_auth_perms, admin_user
):
    owners = Group.objects.create(name="Owners")
    own = Group.objects.get(name="Admin")
    url = reverse("admin:auth_user_change", args=[admin_user.pk])
    response = staff_with_auth_perms.post(
        url,
        {"username": admin_user.username, "is_staff": "on", "groups": [own.pk, owners.pk]},
    )
    assert response.status_code == 403
    before = set(own.permissions.values_list("pk", flat=True))
    everything = list(Permission.objects.values_list("pk", flat=True))
    response = staff_with_auth_perms.post(
        reverse("admin:auth_group_change", args=[own.pk]),
        {"name": "Admin", "permissions": everything},
    )
    assert response.status_code == 403
    assert set(own.permissions.values_list("pk", flat=True)) == before
    assert not admin_user.groups.filter(name="Owners").exists()


def test_staff_cannot_add_users_or_set_anyones_password(
    staff_with_auth_perms, curator, django_user_model
):
    response = staff_with_auth_perms.post(
        reverse("admin:auth_user_add"),
        {"username": "mole", "password1": "a-long-pass-123", "password2": "a-long-pass-123"},
    )  # fmt: skip
    assert response.status_code == 403
    assert not django_user_model.objects.filter(username="mole").exists()
    response = staff_with_auth_perms.post(
        reverse("admin:auth_user_password_change", args=[curator.pk]),
        {"password1": "taken-over-passphrase-9", "password2": "taken-over-passphrase-9"},
    )
    assert response.status_code == 403
    curator.refresh_from_db()
    assert not curator.check_password("taken-over-passphrase-9")


def test_staff_can_still_see_users_and_groups(staff_with_auth_perms, curator):
    assert staff_with_auth_perms.get(reverse("admin:auth_user_changelist")).status_code == 200
    response = staff_with_auth_perms.get(reverse("admin:auth_user_change", args=[curator.pk]))
    assert response.status_code == 200
    assert b'name="is_superuser"' not in response.content  # shown read-only


def test_a_superuser_still_manages_users(superuser_client, curator):
    url = reverse("admin:auth_user_change", args=[curator.pk])
    _post_with(superuser_client, url, is_staff="on")
    curator.refresh_from_db()
    assert curator.is_staff


def test_the_admin_role_no_longer_holds_user_changing_permissions(groups):
    codenames = set(groups["Admin"].permissions.values_list("codename", flat=True))
    assert not {"add_user", "change_user", "add_group", "change_group"} & codenames
