"""With CURATOR_REQUIRE_2FA on, a password alone opens no curator page and not the admin.

Codes are computed here from the device's key with django-otp's own TOTP, as an authenticator
app would.
"""

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

QUEUE = reverse("curation:queue")
SETUP = reverse("curation:two_factor_setup")
VERIFY = reverse("curation:two_factor_verify")


@pytest.fixture(autouse=True)
def second_factor_required(settings):
    settings.CURATOR_REQUIRE_2FA = True


def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset * device.step
    return f"{totp.token():0{device.digits}d}"


def _wrong_code(device):
    """A code the device accepts at no step of its tolerance window."""
    near = {_code(device, offset) for offset in range(-2, 3)}
    return next(code for code in ("000000", "111111", "222222") if code not in near)


@pytest.fixture
def device(curator):
    return TOTPDevice.objects.create(user=curator, name="phone", confirmed=True)


def test_a_signed_in_curator_without_a_device_is_sent_to_set_one_up(curator_client):
    response = curator_client.get(QUEUE + "?kind=post")
    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Fcurate%2F%3Fkind%3Dpost"


def test_a_curator_with_a_device_is_asked_for_a_code_on_every_curator_page(
    curator_client, device, curator
):
    for url in (
        QUEUE,
        reverse("curation:takedowns"),
        reverse("curation:entry", args=["post", 1]),
        reverse("curation:bulk"),
    ):
        response = curator_client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY + "?next="), url


def test_the_admin_needs_the_second_factor_too(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert client.get(reverse("admin:login")).status_code in (200, 302)


def test_enrolling_with_a_correct_code_opens_the_curator_pages(curator_client, curator):
    page = curator_client.get(SETUP + "?next=/curate/takedowns/")
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    device = TOTPDevice.objects.get(user=curator)
    assert not device.confirmed
    assert device.config_url in page.content.decode().replace("&amp;", "&")
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    # The same secret on a second visit (the app may have scanned the first one).
    curator_client.get(SETUP)
    assert list(TOTPDevice.objects.filter(user=curator)) == [device]

    response = curator_client.post(SETUP, {"token": _code(device), "next": "/curate/takedowns/"})
    assert response.status_code == 302
    assert response["Location"] == "/curate/takedowns/"
    device.refresh_from_db()
    assert device.confirmed
    assert curator_client.get(QUEUE).status_code == 200


def test_a_correct_code_verifies_the_session(curator_client, device):
    response = curator_client.post(VERIFY, {"token": _code(device), "next": QUEUE})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert curator_client.get(QUEUE).status_code == 200
    assert curator_client.get(reverse("curation:takedowns")).status_code == 200


def test_a_wrong_code_fails_and_then_even_the_right_one_must_wait(curator_client, device):
    response = curator_client.post(VERIFY, {"token": _wrong_code(device), "next": QUEUE})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert curator_client.get(QUEUE).status_code == 302
    # Throttled: guessing a million codes is not possible, not even the right one right away.
    response = curator_client.post(VERIFY, {"token": _code(device), "next": QUEUE})
    assert response.status_code == 400
    assert b"Too many wrong codes: wait" in response.content
    assert curator_client.get(QUEUE).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_the_throttle_doubles_with_each_wrong_code(curator_client, device):
    from datetime import timedelta

    for expected in (1, 2, 3):
        curator_client.post(VERIFY, {"token": _wrong_code(device)})
        device.refresh_from_db()
        assert device.throttling_failure_count == expected
        allowed, details = device.verify_is_allowed()
        assert not allowed
        delay = details["locked_until"] - device.throttling_failure_timestamp
        assert delay == timedelta(seconds=2 ** (expected - 1))
        # Let the wait pass, as the clock would.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=device.throttling_failure_timestamp - delay
        )


def test_a_code_is_accepted_once(client, curator, device):
    code = _code(device)
    client.force_login(curator)
    assert client.post(VERIFY, {"token": code}).status_code == 302
    client.logout()
    client.force_login(curator)
    assert client.post(VERIFY, {"token": code}).status_code == 400


def test_a_password_alone_cannot_add_a_second_device(curator_client, device, curator):
    response = curator_client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    curator_client.post(SETUP, {"token": "123456"})
    assert list(TOTPDevice.objects.filter(user=curator)) == [device]


def test_verifying_gives_the_session_a_new_key(curator_client, device):
    before = curator_client.session.session_key
    curator_client.post(VERIFY, {"token": _code(device)})
    assert curator_client.session.session_key != before


def test_the_next_page_must_be_on_this_site(curator_client, device):
    response = curator_client.post(
        VERIFY, {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == QUEUE


def test_the_public_pages_and_sign_in_need_no_second_factor(curator_client):
    assert curator_client.get(reverse("curation:takedown_form")).status_code == 200
    assert curator_client.get("/").status_code == 200
    assert curator_client.get(SETUP).status_code == 200


def test_with_the_setting_off_a_password_is_enough(settings, curator_client):
    settings.CURATOR_REQUIRE_2FA = False
    assert curator_client.get(QUEUE).status_code == 200


def test_an_operator_resets_a_lost_device(curator, device):
    out = io.StringIO()
    call_command("curation_reset_2fa", curator.username, stdout=out)
    assert not TOTPDevice.objects.filter(user=curator).exists()
    assert "Removed 1 device(s)" in out.getvalue()
    with pytest.raises(CommandError, match="No user"):
        call_command("curation_reset_2fa", "nobody", stdout=io.StringIO())


def test_only_a_superuser_manages_devices_in_the_admin(client, admin_user, device):
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="otp_totp"))
    client.force_login(admin_user)
    own = TOTPDevice.objects.create(user=admin_user, name="mine", confirmed=True)
    assert client.post(VERIFY, {"token": _code(own)}).status_code == 302
    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_production_requires_the_second_factor_unless_told_otherwise(tmp_path):
    from tests.test_deploy import SETUP_DJANGO, production_env, run

    script = (
        f"{SETUP_DJANGO}; from django.conf import settings; print(settings.CURATOR_REQUIRE_2FA)"
    )
    on = run(["-c", script], production_env(tmp_path, CURATOR_REQUIRE_2FA=None))
    off = run(["-c", script], production_env(tmp_path, CURATOR_REQUIRE_2FA="0"))
    assert (on.stdout.strip(), off.stdout.strip()) == ("True", "False"), on.stderr + off.stderr


def test_a_password_alone_does_not_make_an_address_one_the_login_throttles_let_through(
    client, curator, device, settings
):
    """The throttles spare an address the curator signed in from before, so that a guesser
    elsewhere cannot lock them out at their desk. With a second factor required, only a
    finished sign-in counts: whoever holds a stolen password, at their own address, stays
    throttled."""
    from django.test import Client

    from apps.curation.models import SignInAddress
    from tests.curation.conftest import PASSWORD

    settings.LOGIN_USERNAME_FAILURE_LIMIT = 4
    login = reverse("curation:login")
    right = {"username": "carla", "password": PASSWORD}
    thief, desk = Client(REMOTE_ADDR="203.0.113.5"), Client(REMOTE_ADDR="198.51.100.7")

    assert thief.post(login, right).status_code == 302  # on to the code it does not have
    assert thief.get(QUEUE).status_code == 302
    assert desk.post(login, right).status_code == 302
    assert desk.post(VERIFY, {"token": _code(device), "next": QUEUE}).status_code == 302
    assert set(SignInAddress.objects.values_list("username", "ip_address")) == {
        ("carla", "198.51.100.7")
    }
    for client_ in (thief, desk):
        client_.logout()

    for i in range(6):  # guesses from many addresses: the per-username throttle trips
        client.post(login, {**right, "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i}")
    assert thief.post(login, right).status_code == 429
    assert desk.post(login, right).status_code == 302


def test_with_no_second_factor_asked_the_password_finishes_the_sign_in(settings, client, curator):
    from apps.curation.models import SignInAddress
    from tests.curation.conftest import PASSWORD

    settings.CURATOR_REQUIRE_2FA = False
    response = client.post(
        reverse("curation:login"),
        {"username": "carla", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    assert SignInAddress.objects.filter(username="carla", ip_address="198.51.100.7").exists()


def test_a_superuser_can_forget_a_sign_in_address_and_nobody_adds_one(settings, superuser_client):
    from apps.curation.models import SignInAddress

    settings.CURATOR_REQUIRE_2FA = False
    known = SignInAddress.objects.create(username="carla", ip_address="198.51.100.7")
    listed = superuser_client.get(reverse("admin:curation_signinaddress_changelist"))
    assert listed.status_code == 200 and "198.51.100.7" in listed.content.decode()
    assert superuser_client.get(reverse("admin:curation_signinaddress_add")).status_code == 403
    superuser_client.post(
        reverse("admin:curation_signinaddress_delete", args=[known.pk]), {"post": "yes"}
    )
    assert not SignInAddress.objects.exists()
