"""The second step of a curator's sign-in: enrol an authenticator app, or enter its code.

``SecondFactorMiddleware`` sends a signed-in person here while ``CURATOR_REQUIRE_2FA`` is on;
the services are in ``apps.curation.two_factor``. Kept apart from ``login`` (the password step).
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from apps.curation import two_factor
from apps.curation.auth import sign_in_address_remember
from apps.curation.forms import TokenForm
from apps.curation.services import CurationError
from apps.curation.views.common import curator_login_required


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("curation:queue")


def _step(name: str, next_url: str):
    return redirect(f"{reverse(f'curation:two_factor_{name}')}?{urlencode({'next': next_url})}")


def _page(request, template: str, context: dict, form):
    response = render(
        request, template, {**context, "form": form}, status=400 if form.errors else 200
    )
    response["Cache-Control"] = "no-store"  # the enrolment page shows the secret
    return response


def _check(request, form, device) -> bool:
    """Check the posted code; on success mark the session verified (with a fresh session key,
    as at any change of privilege)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        device = two_factor.totp_token_check(
            user=request.user, device=device, token=form.cleaned_data["token"]
        )
    except CurationError as error:
        form.add_error("token", str(error))
        return False
    request.session.cycle_key()
    django_otp.login(request, device)
    sign_in_address_remember(request, request.user)
    return True


@curator_login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    next_url = _next(request)
    if request.user.is_verified():
        return redirect(next_url)
    try:
        device = two_factor.totp_device_prepare(user=request.user)
    except CurationError:
        return _step("verify", next_url)
    form = TokenForm(request.POST or None)
    if _check(request, form, device):
        messages.success(request, "Your authenticator app is set up.")
        return redirect(next_url)
    context = {
        "next": next_url,
        "secret": b32encode(device.bin_key).decode(),
        "config_url": device.config_url,
        "qr_code": two_factor.totp_qr_data_uri(device=device),
    }
    return _page(request, "curation/two_factor_setup.html", context, form)


@curator_login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    next_url = _next(request)
    if request.user.is_verified():
        return redirect(next_url)
    device = two_factor.totp_device_confirmed(user=request.user)
    if device is None:
        return _step("setup", next_url)
    form = TokenForm(request.POST or None)
    if _check(request, form, device):
        return redirect(next_url)
    return _page(request, "curation/two_factor_verify.html", {"next": next_url}, form)
