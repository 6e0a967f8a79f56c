"""Web captures: asking for one, running one, and queueing the articles that have none.

Never two captures of one address at once: the capture holds a PostgreSQL advisory lock keyed
by the address's ``url_key`` while it fetches and writes, shared by every worker and the
``capture`` command; a second attempt gives up at once (a task retries later). A capture that
cannot be made now (a timeout, a 5xx, a host asking us to wait) is retried by its task with
back-off; one that cannot be made at all is marked failed with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import urllib.parse

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from apps.archive.models import Post, SourceArticle
from apps.captures.capturing import PageCapture, capture_page
from apps.captures.models import CaptureStatus, WebCapture
from apps.captures.storage import capture_dir, store_capture_files, url_key
from apps.core.fetching import FetchError, TransientFetchError
from apps.core.locks import lock_id, session_lock
from apps.core.moderation import ModerationState

logger = logging.getLogger(__name__)

PENDING = [CaptureStatus.QUEUED, CaptureStatus.RUNNING]


class CaptureRequestError(ValueError):
    """The address or the entry given cannot be captured (bad input, nothing stored)."""


def _checked_url(url: str) -> str:
    url = (url or "").strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CaptureRequestError(f"not an http(s) address: {url[:200]!r}")
    if len(url) > WebCapture._meta.get_field("url").max_length:
        raise CaptureRequestError(f"the address is longer than 2,000 characters: {url[:80]}…")
    return url


def _new_capture(url: str, article: SourceArticle | None, post: Post | None) -> WebCapture:
    if article is not None and post is not None:
        raise CaptureRequestError("a capture documents one entry: an article or a post")
    return WebCapture.objects.create(
        url=url,
        url_key=url_key(url),
        article=article,
        post=post,
        user_agent=settings.CAPTURE_USER_AGENT[:300],
    )


def capture_lock(key: str) -> contextlib.AbstractContextManager[bool]:
    """The address's capture lock (apps.core.locks); yields whether it is held. A worker that
    dies loses its connection and with it the lock."""
    return session_lock("capture", key)


def request_capture(
    *, url: str, article: SourceArticle | None = None, post: Post | None = None
) -> WebCapture:
    """Queue a capture of ``url`` (run by the ``captures.run_capture`` task once this
    transaction commits). An address already queued or being captured is not queued again:
    that capture is returned."""
    url = _checked_url(url)
    key = url_key(url)
    with transaction.atomic():
        # Serialises requests for one address (not the capture itself: a capture in progress
        # holds the other lock, and a request must not wait for it).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id("request", key)])
        pending = WebCapture.objects.filter(url_key=key, status__in=PENDING).first()
        if pending is not None:
            return pending
        capture = _new_capture(url, article, post)
        transaction.on_commit(lambda: capture_enqueue(capture_id=capture.pk))
    return capture


def capture_enqueue(*, capture_id: int) -> bool:
    """Hand a queued capture to a worker; if the broker cannot be reached the capture is
    marked failed with the reason, so that the address can be asked for again."""
    from apps.captures.tasks import run_capture

    try:
        run_capture.delay(capture_id)
    except Exception as exc:  # the broker's errors vary with the transport
        logger.exception("could not enqueue capture %s", capture_id)
        WebCapture.objects.filter(pk=capture_id, status=CaptureStatus.QUEUED).update(
            status=CaptureStatus.FAILED, error=f"The task queue could not be reached ({exc})"
        )
        return False
    return True


def capture_url(
    *, url: str, article: SourceArticle | None = None, post: Post | None = None
) -> WebCapture:
    """Capture ``url`` now, in this process, and return the finished (or failed) capture."""
    capture = _new_capture(_checked_url(url), article, post)
    return capture_run(capture_id=capture.pk)


def capture_run(*, capture_id: int, retry_transient: bool = False) -> WebCapture | None:
    """Run a queued capture. Safe to call twice: a finished capture is returned as it is, and
    the address's lock keeps two runs apart. With ``retry_transient`` a failure that may pass
    (and a run of the same address in progress) leaves the capture queued and raises
    TransientFetchError for the task to retry; without, the capture is marked failed."""
    capture = WebCapture.objects.filter(pk=capture_id).first()
    if capture is None or capture.status not in PENDING:
        return capture
    with capture_lock(capture.url_key) as held:
        if not held:
            message = f"another capture of {capture.url} is running; try again when it is done"
            if retry_transient:
                raise TransientFetchError(message, retry_after=60)
            return _fail(capture, message)
        # A row left "running" by a worker that died is taken over: its lock went with it.
        claimed = WebCapture.objects.filter(pk=capture_id, status__in=PENDING).update(
            status=CaptureStatus.RUNNING, attempts=F("attempts") + 1, error=""
        )
        capture.refresh_from_db()
        if not claimed:
            return capture
        try:
            page = capture_page(capture.url)
        except TransientFetchError as exc:
            if retry_transient:
                WebCapture.objects.filter(pk=capture_id).update(
                    status=CaptureStatus.QUEUED, error=f"{exc} (will try again)"
                )
                raise
            return _fail(capture, str(exc))
        except FetchError as exc:
            return _fail(capture, str(exc))
        except BaseException as exc:  # a bug, a time limit, ^C: never leave it "running"
            _fail(capture, f"the capture stopped: {exc.__class__.__name__}: {exc}")
            raise
        try:
            _store(capture, page)
        except BaseException as exc:
            shutil.rmtree(capture_dir(capture), ignore_errors=True)  # this capture's alone
            _fail(capture, f"the capture could not be stored: {exc.__class__.__name__}: {exc}")
            raise
    logger.info(
        "captured %s: HTTP %s, %s requisites (%s left out), %s bytes",
        capture.url,
        capture.http_status,
        capture.resource_count,
        capture.resources_skipped,
        capture.total_bytes,
    )
    return capture


def _store(capture: WebCapture, page: PageCapture) -> None:
    with transaction.atomic():
        digests = store_capture_files(
            capture,
            page.exchanges,
            page_url=page.final_url,
            title=page.title,
            text=page.text,
            screenshot=page.screenshot,
        )
        capture.status = CaptureStatus.DONE
        capture.captured_at = page.captured_at
        capture.http_status = page.http_status
        capture.final_url = page.final_url[:2000]
        capture.content_type = page.content_type[:200]
        capture.user_agent = settings.CAPTURE_USER_AGENT[:300]
        capture.title = page.title[:500]
        capture.text = page.text
        capture.text_sha256 = page.text_sha256
        capture.payload_digest = digests.get(page.final_url, "")
        capture.resource_count = page.resource_count
        capture.resources_skipped = len(page.skipped)
        capture.total_bytes = page.total_bytes
        capture.error = ""
        capture.save()


def _fail(capture: WebCapture, message: str) -> WebCapture:
    logger.warning("capture %s of %s failed: %s", capture.pk, capture.url, message)
    WebCapture.objects.filter(pk=capture.pk).update(status=CaptureStatus.FAILED, error=message)
    capture.refresh_from_db()
    return capture


def articles_capture_missing(*, limit: int | None = None) -> int:
    """Queue a capture of each source article that has none yet (newest first, at most
    ``limit``, by default ``CAPTURE_BATCH_SIZE``). Rejected and withdrawn articles are left
    alone. Returns how many were asked for."""
    limit = limit or settings.CAPTURE_BATCH_SIZE
    articles = (
        SourceArticle.objects.exclude(
            moderation_state__in=[ModerationState.REJECTED, ModerationState.WITHDRAWN]
        )
        .filter(captures__isnull=True)
        .exclude(canonical_url="")
        .order_by("-pk")
        .only("id", "canonical_url")[:limit]
    )
    asked = 0
    for article in articles:
        try:
            request_capture(url=article.canonical_url, article=article)
        except CaptureRequestError as exc:
            logger.warning("article %s: %s", article.pk, exc)
            continue
        asked += 1
    return asked
