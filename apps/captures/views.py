"""A capture's page on the archive: the facts of the capture, its replay (framed from the replay
origin, apps.captures.replay), and what needs no script: the screenshot, the text, the WACZ."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from apps.captures.memento import memento_headers
from apps.captures.models import FileKind, WebCapture
from apps.captures.replay import replay_origin, replay_url
from apps.captures.serving import WACZ_CONTENT_TYPE, capture_for_request, file_response

OTHER_CAPTURES_SHOWN = 50


@require_safe
def capture_detail(request, pk: int):
    capture, public = capture_for_request(
        request,
        pk,
        queryset=WebCapture.objects.select_related("article", "post__account").prefetch_related(
            "files"
        ),
    )
    others = list(
        WebCapture.objects.public()
        .of_url_key(capture.url_key)
        .exclude(pk=capture.pk)
        .only("id", "url", "captured_at", "http_status")
        .order_by("-captured_at", "-id")[:OTHER_CAPTURES_SHOWN]
    )
    context = {
        "capture": capture,
        "entry": capture.entry,
        "public": public,
        "wacz": capture.file(FileKind.WACZ),
        "screenshot": capture.file(FileKind.SCREENSHOT),
        "others": others,
        "more_others": len(others) == OTHER_CAPTURES_SHOWN,
        # A curator's look at an unpublished capture has no replay: the replay origin has no
        # session to know them by, and serves public captures only.
        "replay_url": replay_url(request, capture) if public else "",
    }
    response = render(request, "captures/detail.html", context)
    if public:
        for name, value in memento_headers(capture, request=request).items():
            response[name] = value
        # This page alone may frame anything, and only the replay origin (django-csp).
        response._csp_replace = {"frame-src": [replay_origin(request)]}
    else:
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def capture_wacz(request, pk: int):
    capture, public = capture_for_request(
        request, pk, queryset=WebCapture.objects.prefetch_related("files")
    )
    return file_response(
        request,
        capture.file(FileKind.WACZ),
        content_type=WACZ_CONTENT_TYPE,
        disposition=f'attachment; filename="capture-{capture.pk}.wacz"',
        public=public,
    )


@require_safe
def capture_screenshot(request, pk: int):
    capture, public = capture_for_request(
        request, pk, queryset=WebCapture.objects.prefetch_related("files")
    )
    return file_response(
        request,
        capture.file(FileKind.SCREENSHOT),
        content_type="image/png",
        disposition=f'inline; filename="capture-{capture.pk}.png"',
        public=public,
    )
