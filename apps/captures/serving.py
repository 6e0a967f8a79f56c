"""Who may see a capture, and how its stored files are served (whole, or by byte range).

Both the archive's pages and the replay origin go through :func:`capture_for_request`, so a
capture is shown exactly when its entry is: published for everyone; withdrawn answers 410 Gone;
anything else (a pending entry, a capture without an entry, one not finished) only to curators,
and only on the archive's own origin, where their session is.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response

from apps.captures.models import CaptureFile, WebCapture
from apps.captures.storage import open_file
from apps.core.public import EntryWithdrawn

# The permission the curation queue asks for; captures sit below curation, so it is named here
# rather than imported.
CURATOR_PERMISSION = "curation.moderate_entries"

# What ReplayWeb.page and other Webrecorder tools call the format (no IANA registration yet).
WACZ_CONTENT_TYPE = "application/wacz"
CHUNK = 64 * 1024

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


def is_curator(user) -> bool:
    """A curator as the curator pages know one: with the queue's permission and, while
    CURATOR_REQUIRE_2FA is on, a session verified by a second factor (a password alone shows
    no unpublished capture, as it opens no curator page)."""
    if not user.has_perm(CURATOR_PERMISSION):
        return False
    return not settings.CURATOR_REQUIRE_2FA or user.is_verified()


def capture_for_request(request, pk: int, *, queryset=None, curators: bool = True):
    """The capture ``pk`` as the requester may see it, and whether it is public.

    Raises :class:`EntryWithdrawn` for a withdrawn entry's capture (410 Gone) and ``Http404``
    for what the requester may not see. ``queryset`` adds what the page needs
    (``select_related``, ``prefetch_related``); the public case costs one query for the row.
    """
    queryset = WebCapture.objects.all() if queryset is None else queryset
    capture = queryset.public().filter(pk=pk).first()
    if capture is not None:
        return capture, True
    withdrawn = WebCapture.objects.withdrawn().select_related("article", "post").filter(pk=pk)
    if (gone := withdrawn.first()) is not None:
        raise EntryWithdrawn(gone.entry)
    if curators and is_curator(request.user):
        capture = queryset.filter(pk=pk).first()
        if capture is not None:
            return capture, False
    raise Http404("No such capture in the public archive.")


def byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """The single range ``header`` asks for within ``size`` bytes, as (first, last) inclusive.

    None: serve the whole file (no header, another unit, several ranges, or a malformed one:
    RFC 9110 lets a server ignore those). False: the range is well-formed but outside the file
    (416 Range Not Satisfiable).
    """
    match = _RANGE.match(header or "")
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    return start, end


def stored_path(capture_file: CaptureFile) -> Path:
    return settings.WEB_CAPTURE_DIR / capture_file.path


def _chunks(capture_file: CaptureFile, start: int, length: int):
    with open_file(capture_file) as handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def file_response(
    request,
    capture_file: CaptureFile | None,
    *,
    content_type: str,
    disposition: str,
    public: bool,
):
    """A capture's stored file with its SHA-256 as ETag and single-range support (206), as
    ReplayWeb.page and other WACZ readers read a package: by ranges, without downloading it.

    The file is never a page of ours: its own policy forbids everything, so a WACZ or an image
    opened directly cannot run anything on the origin that serves it."""
    if capture_file is None:
        raise Http404("This capture has no such file.")
    etag = f'"{capture_file.sha256}"'
    response = get_conditional_response(request, etag=etag) or _file_body(
        request, capture_file, etag=etag, content_type=content_type, disposition=disposition
    )
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    # Revalidated each time (cheap: the ETag answers 304), so a withdrawal takes effect at once.
    response["Cache-Control"] = "no-cache" if public else "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_body(
    request, capture_file: CaptureFile, *, etag: str, content_type: str, disposition: str
):
    size = capture_file.size
    # A range is for the version the client already holds part of (If-Range), else the whole.
    if_range = request.headers.get("If-Range")
    current = if_range is None or if_range.strip() == etag
    wanted = byte_range(request.headers.get("Range", ""), size) if current else None
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted or (0, size - 1)
    length = max(last - first + 1, 0)
    status = 206 if wanted else 200
    if request.method == "HEAD":
        response = HttpResponse(status=status)
    else:
        if not stored_path(capture_file).is_file():
            raise Http404("The capture's file is missing from the store.")
        response = StreamingHttpResponse(_chunks(capture_file, first, length), status=status)
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(length)
    response["Content-Type"] = content_type
    response["Content-Disposition"] = disposition
    return response
