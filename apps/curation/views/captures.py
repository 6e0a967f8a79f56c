"""The raw input an entry was read from, as fetched, for curators checking provenance."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from apps.curation.views.common import curator_login_required, require
from apps.ingest.capture import open_capture
from apps.ingest.models import RawCapture


@curator_login_required
def capture_content(request, pk: int):
    require(request, "moderate_entries")
    capture = get_object_or_404(RawCapture, pk=pk)
    try:
        stream = open_capture(capture.content_path)
    except FileNotFoundError:
        raise Http404("The capture's file is missing from the capture store.") from None
    # Outside bytes are shown as plain text only: never rendered as HTML, never sniffed.
    response = FileResponse(stream, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="capture-{capture.sha256[:12]}.txt"'
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
