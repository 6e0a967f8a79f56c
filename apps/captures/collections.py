"""Any search's articles as one WACZ: ``/captures/search.wacz?<the search's query string>``.

The search is the one ``/search/`` runs (the same FilterSet over the same index, which holds
published entries only); of its articles, each one's latest public capture is taken
(``WebCapture.objects.public()``: done, and its article published, so a pending or withdrawn
article's captures never leave), at most ``CAPTURE_SEARCH_WACZ_MAX_ARTICLES`` of them, newest
article first. Their stored WARC files (whose SHA-256 is checked as they are copied: a file that
no longer matches its fixity is left out, and logged) are joined into one WARC, packaged with a
``pages.jsonl`` listing each article's page, so ReplayWeb.page (or any WACZ reader) opens it.

The package is built in a temporary folder and streamed from an open file that is already
unlinked; visitors who are not signed in share the search exports' rate limit, and everyone
their concurrency cap, since building a package is the heaviest thing a public request does.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings
from django.db.models import F
from django.http import FileResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from apps.captures.models import FileKind, WebCapture
from apps.captures.storage import page_record, write_wacz
from apps.core.moderation import EntryKind
from apps.search import export_limits
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry

logger = logging.getLogger(__name__)

CHUNK = 1 << 20


def search_captures(filterset: SearchFilterSet, *, limit: int) -> list[WebCapture]:
    """The latest public capture of each article the search matches: the ``limit`` newest
    articles' (by publication date, then id)."""
    articles = filterset.qs.filter(kind=EntryKind.ARTICLE).values("entry_id")
    latest = (
        WebCapture.objects.public()
        .filter(article_id__in=articles)
        .order_by("article_id", F("captured_at").desc(nulls_last=True), "-pk")
        .distinct("article_id")
        .values("pk")
    )
    return list(
        WebCapture.objects.filter(pk__in=latest)
        .select_related("article")
        .prefetch_related("files")
        .order_by(F("article__published_at").desc(nulls_last=True), "-article_id")[:limit]
    )


def _page_url(capture: WebCapture, wacz: Path | None) -> str:
    """The address the capture's own package lists as its page (where replay starts)."""
    if wacz is not None:
        try:
            with zipfile.ZipFile(wacz) as package, package.open("pages/pages.jsonl") as pages:
                for line in pages:
                    page = json.loads(line)
                    if isinstance(page, dict) and isinstance(page.get("url"), str):
                        return page["url"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            pass
    return capture.url


def _copy_verified(capture: WebCapture, out) -> bool:
    """Append the capture's WARC to ``out`` if its bytes still match their recorded SHA-256
    (gzip members concatenate into one valid WARC); otherwise leave ``out`` as it was."""
    stored = capture.file(FileKind.WARC)
    if stored is None:
        return False
    start = out.tell()
    digest = hashlib.sha256()
    try:
        with (settings.WEB_CAPTURE_DIR / stored.path).open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
    except OSError as exc:
        logger.error("capture %s: its WARC could not be read (%s)", capture.pk, exc)
        ok = False
    else:
        ok = digest.hexdigest() == stored.sha256
        if not ok:
            logger.error("capture %s: its WARC no longer matches its SHA-256", capture.pk)
    if not ok:
        out.seek(start)
        out.truncate()
    return ok


def search_wacz_build(captures: list[WebCapture], *, folder: Path, title: str) -> Path | None:
    """One WACZ of the captures' WARC records, with a page per capture; None when no capture's
    files could be used."""
    warc = folder / "articles.warc.gz"
    pages = []
    with warc.open("wb") as out:
        for capture in captures:
            if not _copy_verified(capture, out):
                continue
            wacz = capture.file(FileKind.WACZ)
            url = _page_url(capture, settings.WEB_CAPTURE_DIR / wacz.path if wacz else None)
            when = capture.captured_at or capture.requested_at
            pages.append(page_record(url, when, capture.article.title or capture.title))
    if not pages:
        return None
    package = folder / "search.wacz"
    write_wacz(package, warc, pages=pages, title=title)
    return package


def search_wacz(request):
    """The search's articles as one WACZ download (see the module's docstring)."""
    filterset = SearchFilterSet(request.GET, queryset=SearchEntry.objects.all())
    query = request.GET.urlencode()
    search_url = reverse("search:search") + (f"?{query}" if query else "")
    bounded = not request.user.is_authenticated
    if bounded and (wait := export_limits.export_rate_check(request)):
        return _refused(request, "rate", search_url, status=429, retry_after=wait)
    slot = export_limits.ExportSlot.take()
    if slot is None:
        retry = export_limits.BUSY_RETRY_AFTER
        return _refused(request, "busy", search_url, status=429, retry_after=retry)
    limit = settings.CAPTURE_SEARCH_WACZ_MAX_ARTICLES
    scratch = Path(tempfile.mkdtemp(prefix=".search-wacz-", dir=_scratch_root()))
    try:
        captures = search_captures(filterset, limit=limit)
        q = (filterset.cleaned.get("q") or "").strip()
        title = f"{settings.SITE_NAME}: articles of the search “{q}”" if q else settings.SITE_NAME
        package = search_wacz_build(captures, folder=scratch, title=title) if captures else None
        if package is None:
            response = render(
                request,
                "captures/search_wacz_empty.html",
                {"search_url": search_url, "limit": limit},
                status=404,
            )
            response["Cache-Control"] = "no-store"
            return response
        # Open, then remove: the open file is all that is left, and it goes when it is closed.
        handle = package.open("rb")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        slot.give_back()
    name = f"metoo-archive-search-{timezone.now():%Y%m%dT%H%M%SZ}.wacz"
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


def _scratch_root() -> Path:
    # On the captures' volume: the package is as big as the captures it holds.
    settings.WEB_CAPTURE_DIR.mkdir(parents=True, exist_ok=True)
    return settings.WEB_CAPTURE_DIR


def _refused(request, reason: str, search_url: str, *, status: int, retry_after: int):
    response = render(
        request,
        "search/export_refused.html",
        {"reason": reason, "max_rows": settings.EXPORT_MAX_ROWS, "search_url": search_url},
        status=status,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
