from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from apps.core.public import EntryWithdrawn


class WithdrawnEntryMiddleware:
    """Answer 410 Gone, with a short notice and no content, for a withdrawn entry's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, EntryWithdrawn):
            response = render(request, "curation/gone.html", status=410)
            response["Cache-Control"] = "no-store"
            return response
        return None


class SecondFactorMiddleware:
    """With ``CURATOR_REQUIRE_2FA`` on, a signed-in person reaches curator pages and the admin
    only once their session is verified by a TOTP device (``django_otp``): a stolen password
    alone opens nothing. Without a confirmed device they are sent to enrol one, else to enter
    a code; the page they asked for comes after.

    Every curation view is closed except the public takedown pages and the steps of signing in,
    so a curator page added later is closed too.
    """

    OPEN = {
        "curation:takedown_form",
        "curation:takedown_status",
        "curation:login",
        "curation:logout",
        "curation:two_factor_setup",
        "curation:two_factor_verify",
        "admin:login",
        "admin:logout",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.CURATOR_REQUIRE_2FA or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match.namespace not in ("curation", "admin") or match.view_name in self.OPEN:
            return None
        if request.user.is_verified():
            return None
        from apps.curation.two_factor import totp_device_confirmed

        step = "verify" if totp_device_confirmed(user=request.user) else "setup"
        target = reverse(f"curation:two_factor_{step}")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
