"""A time limit on each write to a client, so a client that stops reading lets go of its thread.

gunicorn's threaded worker writes a response with blocking ``sendall`` calls and never gives
up on a client whose receive window stays shut: a visitor who starts an export (or any large
page) and stops reading holds a web thread, and an export slot, for as long as the connection
stays open. The sync worker is rescued only by the arbiter killing the whole process after its
``timeout``. With a timeout on the socket, a write that makes no progress for
``WEB_SEND_TIMEOUT`` seconds fails, gunicorn closes the connection, and the response is closed
(which gives an export's slot back).

gunicorn puts the client's socket in the WSGI environment; other servers (the test client,
``runserver``) do not, and then nothing changes. A proxy that buffers responses (nginx by
default) shields gunicorn from slow readers anyway; one that streams them does not.
"""

from __future__ import annotations

from django.conf import settings


class SendTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        client = request.META.get("gunicorn.socket")
        seconds = settings.WEB_SEND_TIMEOUT
        if client is not None and seconds > 0:
            # gunicorn makes the socket blocking again (no timeout) before each request on a
            # kept-alive connection, so this covers exactly the request being answered.
            client.settimeout(seconds)
        return self.get_response(request)
