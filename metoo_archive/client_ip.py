"""The client's address, for every limit that counts per client (rate limits, login lockout).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, the connection comes from the last proxy and each
proxy appends the address it was connected from to ``X-Forwarded-For``. Only what the trusted
proxies wrote can be believed: the client writes whatever it likes to the left of it. So the
client is the address the outermost trusted proxy saw, counted from the right, and with no
trusted proxy the header is ignored altogether.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """``REMOTE_ADDR`` with no trusted proxy; else the ``TRUSTED_PROXY_COUNT``-th address of
    ``X-Forwarded-For`` from the right (the connection's own address counting as the
    right-most). A shorter chain means the request entered past the outer proxies, so its
    left-most address, written by a trusted proxy, is the client."""
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [entry for entry in forwarded if entry] + [remote]
    chosen = chain[max(0, len(chain) - 1 - count)]
    try:
        return str(ipaddress.ip_address(chosen))
    except ValueError:
        # Not an address (a misconfigured proxy): count by the connection, never by free text.
        return remote
