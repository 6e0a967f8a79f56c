"""The replay origin: captures replayed by ReplayWeb.page from an origin that is not the archive's.

A captured page is someone else's HTML and script. Replayed on the archive's own origin it could
read the archive's cookies, fetch its curator pages and post its forms. So replay lives on its own
origin (``REPLAY_ORIGIN``; in development the request's scheme and port on ``REPLAY_DEV_HOST``),
served by this same application: :class:`ReplayHostMiddleware` gives requests for that host the
replay URLconf (``apps.captures.replay_urls``) and nothing else, drops any cookie both ways, and
sends the replay policy below. The archive's capture page frames the replay in a sandboxed
``<iframe>``; ReplayWeb.page's service worker (scope ``/replay/sw/``) reads the WACZ by byte
ranges and serves the captured page inside it, under wabac.js's own policy that keeps the page
from reaching the live web.
"""

from __future__ import annotations

import functools
import hashlib
import urllib.parse

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotFound
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from apps.captures.models import FileKind, WebCapture
from apps.captures.serving import WACZ_CONTENT_TYPE, capture_for_request, file_response
from apps.core.public import EntryWithdrawn

URLCONF = "apps.captures.replay_urls"
PREFIX = "/replay/"
SW_SCOPE = "/replay/sw/"
ENGINE_DIR = settings.BASE_DIR / "static" / "vendor" / "replaywebpage"
# The engine is served by the replay origin only; the archive's own static files leave it out.
ENGINE_STATIC_PATH = f"{settings.STATIC_URL}vendor/replaywebpage/"
ENGINE_FILES = {"ui.js": ENGINE_DIR / "ui.js", "sw.js": ENGINE_DIR / "sw.js"}
OWN_FILES = {
    "embed.css": (settings.BASE_DIR / "static" / "captures" / "replay-embed.css", "text/css"),
    "embed.js": (settings.BASE_DIR / "static" / "captures" / "replay-embed.js", "text/javascript"),
}


def _origin(scheme: str, host: str, port: str) -> str:
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def _request_port(request) -> str:
    # The port the browser used (the Host header's), which is what an origin is made of.
    return split_domain_port(request.get_host())[1]


def replay_origin(request) -> str:
    """Where captures are replayed, as the browser that made ``request`` reaches it."""
    if settings.REPLAY_ORIGIN:
        return settings.REPLAY_ORIGIN
    return _origin(request.scheme, settings.REPLAY_DEV_HOST, _request_port(request))


def archive_origins(request) -> list[str]:
    """The origins that may frame the replay: the archive's own (SITE_URL's) in production; in
    development each allowed host on the request's scheme and port."""
    if settings.REPLAY_ORIGIN:
        parts = urllib.parse.urlsplit(settings.SITE_URL)
        return [f"{parts.scheme}://{parts.netloc}"]
    port = _request_port(request)
    hosts = dict.fromkeys(
        host
        for host in settings.ALLOWED_HOSTS
        # CSP has no source expression for an IPv6 literal ([::1]), nor for a wildcard host.
        if host != settings.REPLAY_HOST and not host.startswith((".", "[")) and "*" not in host
    )
    return [_origin(request.scheme, host, port) for host in hosts]


def replay_url(request, capture: WebCapture) -> str:
    path = reverse("replay:embed", urlconf=URLCONF, args=[capture.pk])
    return replay_origin(request) + path


def replay_policy(request) -> str:
    """The replay origin's Content-Security-Policy: ReplayWeb.page's own script and service
    worker, nothing from elsewhere, and framed by the archive's pages only. Captured pages are
    not under it: the service worker answers for them with wabac.js's policy."""
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "frame-src": ["'self'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "object-src": ["'none'"],
        # ReplayWeb.page's own frames are answered by its service worker, not under this
        # policy: the embed page (and this origin's every answer) is framed by the archive only.
        "frame-ancestors": archive_origins(request) or ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ReplayHostMiddleware:
    """Route by host: the replay host gets the replay URLconf and nothing else; the archive's
    hosts never serve the replay engine."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host = split_domain_port(request.get_host())[0]
        if host != settings.REPLAY_HOST:
            if request.path_info.startswith(ENGINE_STATIC_PATH):
                return HttpResponseNotFound(content_type="text/plain")
            return self.get_response(request)
        if request.path_info.startswith(PREFIX):
            request.urlconf = URLCONF
            # No session, no CSRF token, no signed-in user on this origin, whatever is sent.
            request.COOKIES = {}
            response = self.get_response(request)
        else:
            response = HttpResponseNotFound(b"Not found.\n", content_type="text/plain")
        response.cookies.clear()
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = replay_policy(request)
        response["Referrer-Policy"] = "no-referrer"
        return response


def _page(template: str, context: dict | None = None, *, status: int = 200) -> HttpResponse:
    # Without the request: the site's context processors build the archive's links, which this
    # origin's URLconf does not have.
    return HttpResponse(render_to_string(template, context), status=status)


def _gone():
    response = _page("captures/replay_gone.html", status=410)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@xframe_options_exempt  # framed by the archive's capture page; frame-ancestors says by whom
def embed(request, pk: int):
    try:
        capture, _ = capture_for_request(request, pk, curators=False)
    except EntryWithdrawn:
        return _gone()
    context = {
        "capture": capture,
        "timestamp": capture.captured_at.strftime("%Y%m%d%H%M%S") if capture.captured_at else "",
        "source": reverse("replay:wacz", args=[capture.pk]),
        "sw_scope": SW_SCOPE,
    }
    response = _page("captures/replay.html", context)
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def wacz(request, pk: int):
    try:
        capture, _ = capture_for_request(
            request, pk, queryset=WebCapture.objects.prefetch_related("files"), curators=False
        )
    except EntryWithdrawn:
        return _gone()
    return file_response(
        request,
        capture.file(FileKind.WACZ),
        content_type=WACZ_CONTENT_TYPE,
        disposition=f'attachment; filename="capture-{capture.pk}.wacz"',
        public=True,
    )


@functools.cache
def _etag(path, modified_ns: int) -> str:
    return '"' + hashlib.sha256(path.read_bytes()).hexdigest() + '"'


def _static_file(request, path, content_type: str):
    etag = _etag(path, path.stat().st_mtime_ns)
    response = get_conditional_response(request, etag=etag) or FileResponse(
        path.open("rb"), content_type=content_type
    )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def engine(request, name: str):
    """ReplayWeb.page's two files, as vendored (static/vendor/replaywebpage/VERSION)."""
    if name not in ENGINE_FILES:
        raise Http404("Not part of the replay engine.")
    return _static_file(request, ENGINE_FILES[name], "text/javascript; charset=utf-8")


@require_safe
def own_file(request, name: str):
    if name not in OWN_FILES:
        raise Http404("No such file.")
    path, content_type = OWN_FILES[name]
    return _static_file(request, path, f"{content_type}; charset=utf-8")
