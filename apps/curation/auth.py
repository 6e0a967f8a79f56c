"""Login lockout for curators, by django-axes, with a per-username throttle and a site-wide
ceiling on top."""

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum

from apps.curation.models import SignInAddress
from metoo_archive.client_ip import client_ip


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in ``AUTHENTICATION_BACKENDS``.

    Axes refuses to run without the request (it needs the client's address). Every login form
    passes it; only code that calls ``authenticate()`` directly (scripts, the test client's
    ``login()``) does not, and there is no address to lock out then, so this backend steps
    aside and lets the next backend decide.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottlingHandler(AxesDatabaseHandler):
    """Axes' lockout per username and address (``AXES_FAILURE_LIMIT``), and two more limits
    over the same window (``AXES_COOLOFF_MINUTES``), counted from axes' own records:

    - ``LOGIN_USERNAME_FAILURE_LIMIT`` failures for one username from all addresses together,
      against guessing from many addresses (a botnet, or one IPv6 network's many addresses);
    - ``LOGIN_SITE_FAILURE_LIMIT`` failures site-wide, against trying a few passwords on every
      username.

    Either refuses every sign-in it covers, the right password included (a throttle that
    lets a right guess through tells the guesser it was right), except from an address the
    user has signed in from before: a stranger elsewhere cannot send from those, so cannot lock
    the curator out at their usual desk. Axes' own lockout still applies there. An address
    counts once a sign-in from it was finished, second factor included (:class:`SignInAddress`).
    """

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.is_throttled(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches a limit answers as a lockout already, as axes' own does.
        if request is not None and not request.axes_locked_out:
            if self.is_throttled(request, credentials):
                request.axes_locked_out = True
                request.axes_credentials = credentials

    def is_throttled(self, request, credentials=None) -> bool:
        """Whether either limit is reached; which one is kept on the request as
        ``login_throttle`` (``"site"`` or ``"username"``) for the lockout page."""
        username = get_client_username(request, credentials)
        if username and self._known_address(username, request.axes_ip_address):
            return False
        failures = AccessAttempt.objects.filter(
            attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(
            site=Sum("failures_since_start"),
            user=Sum("failures_since_start", filter=Q(username=username)),
        )
        if (failures["site"] or 0) >= settings.LOGIN_SITE_FAILURE_LIMIT:
            request.login_throttle = "site"
        elif username and (failures["user"] or 0) >= settings.LOGIN_USERNAME_FAILURE_LIMIT:
            request.login_throttle = "username"
        return bool(getattr(request, "login_throttle", None))

    @staticmethod
    def _known_address(username: str, ip_address: str | None) -> bool:
        return SignInAddress.objects.filter(username=username, ip_address=ip_address).exists()


def sign_in_address_remember(request, user) -> None:
    """Note the address ``user`` has just finished signing in from (see :class:`SignInAddress`):
    called once the second factor is verified, or at the password step when none is asked."""
    address = client_ip(request)
    if address:
        SignInAddress.objects.get_or_create(username=user.get_username(), ip_address=address)


def on_password_sign_in(sender, request, user, **kwargs) -> None:
    # With a second factor required, the password step is only half a sign-in: the address is
    # remembered when the code is verified (apps.curation.views.two_factor).
    if request is not None and not settings.CURATOR_REQUIRE_2FA:
        sign_in_address_remember(request, user)
