"""Login lockout for curators, by django-axes."""

from axes.backends import AxesStandaloneBackend


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
