"""Curator sign-in: lockout after repeated failures, strong passwords, secure cookies."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.curation.conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("curation:login")


def test_a_curator_signs_in_and_lands_on_the_queue(client, curator):
    response = client.post(LOGIN, {"username": "carla", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("curation:queue")
    assert client.get(reverse("curation:queue")).status_code == 200


def test_repeated_failures_lock_the_account_out_from_that_address(client, curator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(LOGIN, {"username": "carla", "password": "wrong"})
        assert response.status_code == 200
        assert "enter a correct username and password" in response.content.decode()
    locked = client.post(LOGIN, {"username": "carla", "password": "wrong"})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    # The lockout page has the site's chrome, its links included.
    assert f'href="{reverse("curation:takedown_form")}"' in locked.content.decode()
    # Even the right password is refused while locked.
    again = client.post(LOGIN, {"username": "carla", "password": PASSWORD})
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # The same person from another address is not locked out by the attacker.
    other = client.post(
        LOGIN, {"username": "carla", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert other.status_code == 302


@pytest.mark.parametrize("weak", ["short1", "password123456", "12345678901234", "carla-carla"])
def test_weak_passwords_are_refused(curator, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=curator)
    validate_password("correct horse battery staple 2017", user=curator)


def test_production_cookies_are_secure():
    import os
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.SECURE_HSTS_SECONDS > 0)"
    )
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "archive.example.org",
        "DJANGO_SETTINGS_MODULE": "metoo_archive.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["True", "True", "True", "Lax", "True"]
