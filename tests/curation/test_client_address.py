"""Limits per client behind the TLS proxy, written as the attacks: a forged X-Forwarded-For
must not dodge the takedown rate limit or the login lockout, two people behind the proxy must
not share one limit, and guessing from many addresses hits the per-username throttle and the
site-wide ceiling."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from apps.curation.models import TakedownRequest
from tests.curation.conftest import PASSWORD
from tests.factories import PostFactory

pytestmark = pytest.mark.django_db
FORM = reverse("curation:takedown_form")
LOGIN = reverse("curation:login")
PROXY = "10.0.0.2"


def takedown(client, post, **extra):
    data = {
        "entry_url": f"/posts/{post.pk}/",
        "requester_name": "Jane Doe",
        "relation": "author",
        "reason": "I did not consent to this being archived.",
        "contact": "jane@example.org",
    }
    return client.post(FORM, data, **extra).status_code


def sign_in(client, password, *, address, username="carla", via_proxy=False):
    if via_proxy:
        extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}
    else:
        extra = {"REMOTE_ADDR": address}
    return client.post(LOGIN, {"username": username, "password": password}, **extra).status_code


# --- the takedown form's rate limit ---------------------------------------------------------


def test_a_forged_forwarded_for_does_not_dodge_the_rate_limit_without_a_trusted_proxy(
    client, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TAKEDOWN_RATE_LIMIT = "2/h"
    post = PostFactory(published=True)
    statuses = [
        takedown(client, post, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert TakedownRequest.objects.count() == 2


def test_behind_the_proxy_two_clients_have_limits_of_their_own(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TAKEDOWN_RATE_LIMIT = "2/h"
    post = PostFactory(published=True)
    first = [
        takedown(client, post, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
        for _ in range(3)
    ]
    second = takedown(client, post, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert first == [200, 200, 429]
    assert second == 200


def test_behind_the_proxy_a_forged_leftmost_address_does_not_dodge_the_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TAKEDOWN_RATE_LIMIT = "2/h"
    post = PostFactory(published=True)
    statuses = [
        # The client sends "192.0.2.N"; the proxy appends the address it saw.
        takedown(client, post, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 198.51.100.7")
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


# --- the login lockout ----------------------------------------------------------------------


def test_a_forged_forwarded_for_does_not_dodge_the_lockout(client, curator, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [
        client.post(
            LOGIN,
            {"username": "carla", "password": "wrong"},
            REMOTE_ADDR="198.51.100.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        ).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, curator, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = sign_in(client, "wrong", address="198.51.100.7", via_proxy=True)
    assert last == 429
    assert sign_in(client, PASSWORD, address="198.51.100.8", via_proxy=True) == 302


def test_wrong_passwords_from_many_addresses_for_one_username_get_throttled(
    client, curator, settings
):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 6
    settings.TRUSTED_PROXY_COUNT = 1
    # Two wrong passwords from each address: under the lockout per address (5).
    statuses = [
        sign_in(client, "wrong", address=f"192.0.2.{i // 2}", via_proxy=True) for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert "for this account recently, from several addresses" in (
        client.post(
            LOGIN,
            {"username": "carla", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="192.0.2.50",
        ).content.decode()
    )
    # The right password from yet another address is refused too: it must not tell a guesser.
    assert sign_in(client, PASSWORD, address="192.0.2.99", via_proxy=True) == 429
    # Another username is not held back.
    assert sign_in(client, "wrong", address="192.0.2.99", username="edna", via_proxy=True) == 200


def test_the_curator_still_signs_in_from_an_address_used_before(client, curator, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 4
    settings.LOGIN_SITE_FAILURE_LIMIT = 4
    assert sign_in(client, PASSWORD, address="198.51.100.7") == 302
    client.logout()
    for i in range(6):
        sign_in(client, "wrong", address=f"192.0.2.{i}")
    assert sign_in(client, PASSWORD, address="192.0.2.99") == 429
    assert sign_in(client, PASSWORD, address="198.51.100.7") == 302


def test_the_site_wide_ceiling_trips_for_every_username(client, curator, settings):
    settings.LOGIN_SITE_FAILURE_LIMIT = 6
    # Password spraying: one guess per username, each from an address of its own.
    statuses = [
        sign_in(client, "wrong", address=f"192.0.2.{i}", username=f"user{i}") for i in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    refused = client.post(
        LOGIN, {"username": "carla", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert refused.status_code == 429
    assert "on this site recently" in refused.content.decode()
    assert "_auth_user_id" not in client.session
