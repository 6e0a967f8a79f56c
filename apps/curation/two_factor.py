"""Curators' second factor: a TOTP device (an authenticator app) per person, by django-otp.

A person enrols one device, confirming it with a first code; each session is then verified
with a code after the password (``views.two_factor``). Wrong codes are throttled per device by
django-otp (1, 2, 4, 8... seconds between tries). A lost device is reset by an operator
(``manage.py curation_reset_2fa USERNAME``), after which the person enrols again.
"""

from __future__ import annotations

import base64
import io
import logging

import django_otp
import qrcode
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from qrcode.image.svg import SvgPathFillImage

from apps.curation.services import CurationError

logger = logging.getLogger(__name__)

DEVICE_NAME = "Authenticator app"


def totp_device_confirmed(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_device_prepare(*, user) -> TOTPDevice:
    """The device a person is enrolling: created with a fresh secret on the first visit and
    kept (same secret) until confirmed. Refused once a device is confirmed: a second device
    could otherwise be added by anyone holding only the password."""
    with transaction.atomic():
        if totp_device_confirmed(user=user) is not None:
            raise CurationError("A device is already set up; ask an administrator to reset it.")
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return device


def totp_qr_data_uri(*, device: TOTPDevice) -> str:
    """The device's otpauth:// URI as a QR code, an SVG image in a data: URI: it stays on the
    page (no second request carrying the secret) and the page's CSP allows data: images."""
    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=SvgPathFillImage, border=2).save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def totp_token_check(*, user, device: TOTPDevice, token: str) -> TOTPDevice:
    """Check a code against one of ``user``'s devices, counting failures towards its throttle;
    a correct code confirms a device being enrolled. Returns the device, refreshed."""
    if device.user_id != user.pk:
        raise CurationError("This device is not yours.")
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)
        raise CurationError(f"Too many wrong codes: wait {wait} seconds and try again.")
    # django-otp's own entry point: it locks the device row, so that concurrent guesses all
    # count towards the throttle and a code is accepted once.
    verified = django_otp.verify_token(user, device.persistent_id, token.strip())
    if verified is None:
        raise CurationError("That code is not right. Check the app's clock and try again.")
    if not verified.confirmed:
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        logger.info("second factor enrolled for user %s (device %s)", user.pk, verified.pk)
    return verified


def totp_devices_reset(*, user) -> int:
    """Remove a person's devices (a lost phone): they enrol a new one at their next sign-in."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    logger.info("second factor reset for user %s (%s device(s) removed)", user.pk, count)
    return count
