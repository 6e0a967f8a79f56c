"""Ingestion writes: reading a source into the archive, polling feeds, extracting articles.

``source_ingest`` is the pipeline for one source (a feed's URL, any URL, or a file): open or
fetch it, keep the raw capture, detect the format, stream the adapter's records into batched
upserts, and record the run. Every way a source can fail ends in a failed run with a message
that names the source and the position; no exception escapes to the caller except
:class:`TransientFetchError` when the caller asked for it (so Celery can retry).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import gzip
import io
import logging
import os
import sys
import threading
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.archive.models import SourceArticle
from apps.captures import importing
from apps.captures.importing import ImportReport
from apps.captures.storage import file_sha256
from apps.core.fetching import FetchError, TransientFetchError, fetch, stored_headers
from apps.core.locks import session_lock
from apps.ingest import adapters
from apps.ingest.capture import (
    CHUNK,
    CaptureInBackground,
    CaptureSink,
    relative_path,
    stored_size,
    stream_digest,
)
from apps.ingest.models import (
    Feed,
    Format,
    IngestRun,
    RawCapture,
    RunStatus,
    file_feed_allowed,
    is_url,
)
from apps.ingest.writer import BatchWriter
from apps.search.indexing import sync_entries

logger = logging.getLogger(__name__)

HEAD_BYTES = 65536

Progress = Callable[[int, int], None]  # (bytes read so far, items so far)


def _open_file(path: str):
    """A file, transparently gunzipped when it is gzip (by its magic bytes, not its name)."""
    handle = open(path, "rb", buffering=HEAD_BYTES)  # noqa: SIM115 - closed by the caller
    if handle.peek(2)[:2] == b"\x1f\x8b":
        return io.BufferedReader(gzip.GzipFile(fileobj=handle, mode="rb"), HEAD_BYTES), handle
    return handle, handle


def source_ingest(
    *,
    source: str,
    format: str = Format.AUTO,
    feed: Feed | None = None,
    task_id: str = "",
    raise_transient: bool = False,
    extract_articles: bool = False,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> IngestRun:
    run = IngestRun.objects.create(source=source[:2000], feed=feed, task_id=task_id)
    response_headers: dict[str, str] = {}
    status_code = None
    body = None
    path = ""
    content_type = ""
    try:
        if is_url(source):
            result = fetch(
                source,
                etag=feed.etag if feed else "",
                last_modified=feed.last_modified if feed else "",
            )
            response_headers, status_code = result.headers, result.status_code
            if result.not_modified:
                return _finish(run, RunStatus.UNCHANGED, feed=feed, headers=response_headers)
            body, content_type = result.body, result.content_type
            name = Path(urllib.parse.urlsplit(source).path).name
        else:
            path = source[7:] if source.startswith("file://") else source
            if not os.path.isfile(path):
                raise FetchError(f"no such file: {path}")
            name = Path(path).name
        capture, capture_job = _capture(
            run, source, body, path, content_type, response_headers, status_code
        )
    except TransientFetchError as exc:
        _finish(run, RunStatus.FAILED, feed=feed, error=f"{source}: {exc}")
        if raise_transient:
            raise
        return run
    except (FetchError, OSError) as exc:
        if body is not None:
            body.close()
        return _finish(run, RunStatus.FAILED, feed=feed, error=f"{source}: {exc}")
    except Exception as exc:  # e.g. a URL httpx cannot even parse
        logger.exception("fetching %s failed", source)
        if body is not None:
            body.close()
        return _finish(
            run, RunStatus.FAILED, feed=feed,
            error=f"{source}: could not be fetched ({exc.__class__.__name__}: {exc})",
        )  # fmt: skip

    writer = None
    if body is not None:
        body.seek(0)
        raw, handles = body, [body]
        total = body.seek(0, io.SEEK_END)
        body.seek(0)
    else:
        raw, handle = _open_file(path)
        handles = [raw, handle]
        total = os.path.getsize(path)
    position = handles[-1].tell
    stream = (
        io.BufferedReader(raw, buffer_size=HEAD_BYTES)
        if not isinstance(raw, io.BufferedReader)
        else raw
    )
    with ingest_tuning():
        try:
            chosen = format if format and format != Format.AUTO else ""
            if not chosen:
                chosen = adapters.detect_format(_peek(stream), content_type=content_type, name=name)
            run.format = chosen
            writer = BatchWriter(
                run=run,
                capture_id=capture.pk,
                capture_sha256=capture.sha256,
                captured_at=capture.fetched_at,
                feed_id=feed.pk if feed else None,
                batch_size=batch_size or settings.INGEST_BATCH_SIZE,
                threaded=settings.INGEST_WRITER_THREAD,
            )
            reader = adapters.READERS[Format(chosen)]
            seen = 0
            for record in reader(stream, content_type=content_type, source=source):
                writer.add(record)
                seen += 1
                if progress is not None and seen % 2000 == 0:
                    progress(position(), seen)
            writer.close()
            if progress is not None:
                progress(total, seen)
        except adapters.SourceError as exc:
            return _finish(
                run, RunStatus.FAILED, feed=feed, error=f"{source}: {exc}", writer=writer
            )
        except KeyboardInterrupt:
            _finish(run, RunStatus.FAILED, feed=feed, error=f"{source}: interrupted", writer=writer)
            raise
        except SoftTimeLimitExceeded:
            return _finish(
                run, RunStatus.FAILED, feed=feed, writer=writer,
                error=f"{source}: stopped at the task's time limit; the batches written are kept",
            )  # fmt: skip
        except Exception as exc:
            # A bug or a database failure: the traceback goes to the log, the user gets a sentence.
            logger.exception("ingesting %s failed", source)
            return _finish(
                run, RunStatus.FAILED, feed=feed, writer=writer,
                error=f"{source}: unexpected {exc.__class__.__name__}; see the log",
            )  # fmt: skip
        finally:
            for handle in handles:
                handle.close()
            capture_error = _capture_settle(capture, capture_job)

    if capture_error:
        return _finish(
            run, RunStatus.FAILED, feed=feed, error=f"{source}: {capture_error}", writer=writer
        )
    _finish(run, RunStatus.SUCCEEDED, feed=feed, headers=response_headers, writer=writer)
    if extract_articles and writer.new_article_ids:
        ids = list(writer.new_article_ids)

        def enqueue():
            from apps.ingest.tasks import extract_article_text

            for article_id in ids:
                extract_article_text.delay(article_id)

        transaction.on_commit(enqueue)
    return run


# The interpreter's settings while an ingest runs (see ingest_tuning): the cycle collector's
# thresholds (generation 0 after this many allocations) and the thread switch interval.
RUN_GC_THRESHOLD = (100_000, 50, 100)
RUN_SWITCH_INTERVAL = 0.0005  # seconds

_tuning_lock = threading.Lock()
_tuned_runs = 0
_untuned: tuple[tuple[int, ...], float] | None = None


@contextlib.contextmanager
def ingest_tuning():
    """Tune the interpreter for reading a source, for as long as a run lasts, then put it back.

    - The cycle collector runs far less often: a run allocates millions of short-lived
      containers (parsed JSON, records), freed as soon as they are used; the default
      thresholds started a collection every 700 of them, which cost a big file's ingest an
      eighth of its time. Cycles are still collected, so memory stays flat.
    - The switch interval is a tenth of the default 5 ms: the writing thread mostly waits on
      the database and, when an answer comes, gets the interpreter back soon rather than
      after the reading thread's slice (measured: a quarter faster).

    Both are settings of the whole process, so they apply only while a run lasts, and only
    runs set them: ``source_ingest``, which only the ``ingest`` command and the Celery
    workers' tasks call (web requests enqueue tasks). Nothing sets them on import. Runs
    that overlap in one process (a worker with a threads pool) count in and out under a lock:
    the first saves the settings, the last restores them."""
    global _tuned_runs, _untuned
    with _tuning_lock:
        if _tuned_runs == 0:
            _untuned = (gc.get_threshold(), sys.getswitchinterval())
            gc.set_threshold(*RUN_GC_THRESHOLD)
            sys.setswitchinterval(RUN_SWITCH_INTERVAL)
        _tuned_runs += 1
    try:
        yield
    finally:
        with _tuning_lock:
            _tuned_runs -= 1
            if _tuned_runs == 0:
                threshold, interval = _untuned
                gc.set_threshold(*threshold)
                sys.setswitchinterval(interval)


def _peek(stream) -> bytes:
    head = stream.peek(HEAD_BYTES)
    if len(head) < HEAD_BYTES:  # peek may return less than asked; one more read fills it
        head = stream.peek(HEAD_BYTES)
    return head[:HEAD_BYTES]


def _capture(run, source, body, path, content_type, headers, status_code):
    """Keep the raw input, so every entry can show where it came from and a failed parse
    still leaves it stored. Returns the capture and, for a file not stored before, the
    compression still running (see ``_capture_settle``).

    A download (already spooled, and capped in size) is hashed and compressed in one pass
    before the parse. A file is hashed first (the entries carry the hash), then compressed
    in the background while the parse reads it a second time, so memory stays flat and the
    parse does not wait; identical input is stored once and not compressed again."""
    job = None
    if body is not None:
        sink = CaptureSink()
        try:
            body.seek(0)
            while chunk := body.read(CHUNK):
                sink.update(chunk)
            digest, size, compressed, relative = sink.finish()
        except BaseException:
            sink.discard()
            raise
    else:
        stream, handle = _open_file(path)
        try:
            digest, size = stream_digest(stream)
        finally:
            stream.close()
            handle.close()
        relative = relative_path(digest)
        compressed = stored_size(digest)
        if compressed is None:  # not stored before: compressed while the parse reads it
            compressed, job = 0, CaptureInBackground(lambda: _open_file(path), digest)
    if headers:  # a download's, kept beside its body as stored: decoded
        headers = {name.lower(): value for name, value in stored_headers(headers.items(), size)}
    capture = RawCapture.objects.create(
        run=run, source=source[:2000], sha256=digest, size=size, compressed_size=compressed,
        content_path=relative, content_type=content_type[:200], headers=headers,
        status_code=status_code,
    )  # fmt: skip
    return capture, job


def _capture_settle(capture: RawCapture, job: CaptureInBackground | None) -> str:
    """Wait for the capture's compression, if still running; returns what went wrong, if
    anything, for the run's error."""
    if job is None:
        return ""
    error, compressed = job.wait()
    if not error:
        RawCapture.objects.filter(pk=capture.pk).update(compressed_size=compressed)
        capture.compressed_size = compressed
    return error


def _finish(
    run: IngestRun,
    status: str,
    *,
    feed: Feed | None,
    error: str = "",
    headers: dict | None = None,
    writer: BatchWriter | None = None,
) -> IngestRun:
    now = timezone.now()
    if writer is not None:
        try:
            writer.stop()
            writer._write_failures()
        except Exception:
            logger.exception("could not record the item failures of run %s", run.pk)
        for name, value in writer.counts.as_dict().items():
            setattr(run, f"{name}_count", value)
    run.status = status
    run.error = error
    run.finished_at = now
    run.save()
    if feed is not None:
        _feed_record(feed=feed, run=run, headers=headers or {}, now=now)
    return run


def _feed_record(*, feed: Feed, run: IngestRun, headers: dict, now: datetime.datetime) -> None:
    updates: dict = {"last_polled_at": now}
    if run.status in (RunStatus.SUCCEEDED, RunStatus.UNCHANGED):
        updates.update(
            last_success_at=now,
            consecutive_failures=0,
            last_error="",
            next_poll_at=now + feed.poll_interval,
            item_count=F("item_count") + run.created_count + run.updated_count,
        )
        if run.status == RunStatus.SUCCEEDED:
            updates["etag"] = headers.get("etag", "")[:500]
            updates["last_modified"] = headers.get("last-modified", "")[:100]
    else:
        failures = feed.consecutive_failures + 1
        backoff = min(
            feed.poll_interval * (2 ** min(failures, 16)),
            datetime.timedelta(seconds=settings.INGEST_MAX_BACKOFF),
        )
        updates.update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_error=run.error,
            next_poll_at=now + backoff,
        )
    Feed.objects.filter(pk=feed.pk).update(**updates)


# --- feeds -------------------------------------------------------------------------------


def feeds_claim_due(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Claim the feeds that are due: push their next poll forward so the next beat tick does
    not dispatch them again. Returns their ids for the caller to enqueue."""
    now = now or timezone.now()
    with transaction.atomic():
        feeds = list(
            Feed.objects.due(now)
            .select_for_update(skip_locked=True)
            .order_by("next_poll_at")[:limit]
        )
        for feed in feeds:
            Feed.objects.filter(pk=feed.pk).update(next_poll_at=now + feed.poll_interval)
    return [feed.pk for feed in feeds]


def feed_poll(
    *, feed_id: int, task_id: str = "", raise_transient: bool = False
) -> IngestRun | None:
    """Poll one feed now. Safe to call twice with the same task id (the second call does
    nothing) and from two workers at once (the feed's poll lock lets only one in)."""
    feed = Feed.objects.filter(pk=feed_id, active=True).first()
    if feed is None:
        return None
    if not is_url(feed.url) and not file_feed_allowed(feed.url):
        run = IngestRun.objects.create(source=feed.url[:2000], feed=feed, task_id=task_id)
        return _finish(
            run, RunStatus.FAILED, feed=feed,
            error=f"{feed.url}: file feeds must be under INGEST_FEED_FILE_DIRS",
        )  # fmt: skip
    if task_id:
        done = feed.runs.filter(task_id=task_id).exclude(
            status__in=[RunStatus.RUNNING, RunStatus.FAILED]
        )
        if done.exists():
            return None
    with feed_poll_lock(feed.pk) as held:
        if not held:
            return None
        now = timezone.now()
        # Runs of this feed still marked running died with their worker (they held the lock).
        feed.runs.filter(status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED,
            finished_at=now,
            error=f"{feed.url}: interrupted (its worker stopped); polled again",
        )
        lease = now + datetime.timedelta(seconds=settings.INGEST_TASK_TIME_LIMIT + 60)
        Feed.objects.filter(pk=feed.pk).update(lease_until=lease)  # shown to operators
        try:
            return source_ingest(
                source=feed.url,
                format=feed.format,
                feed=feed,
                task_id=task_id,
                raise_transient=raise_transient,
                extract_articles=True,
            )
        finally:
            Feed.objects.filter(pk=feed.pk).update(lease_until=None)


def feed_poll_lock(feed_id: int) -> contextlib.AbstractContextManager[bool]:
    """The feed's poll lock (apps.core.locks): unlike a lease written in the row, a worker
    killed mid-poll, or cut off from the database, leaves nothing that keeps the next poll out."""
    return session_lock("ingest.feed_poll", feed_id)


def feed_poll_soon(*, feed_ids: list[int]) -> int:
    """A curator's "poll now": queue a poll of each active feed once the transaction commits.
    The schedule is left alone; the feed's poll lock keeps a beat-queued poll from overlapping."""
    ids = list(Feed.objects.active().filter(pk__in=feed_ids).values_list("pk", flat=True))

    def enqueue():
        from apps.ingest.tasks import poll_feed

        for feed_id in ids:
            poll_feed.delay(feed_id)

    transaction.on_commit(enqueue)
    return len(ids)


def post_links_resolve() -> int:
    """Link replies and quotes to parents that arrived after them, in any run."""
    from apps.ingest.writer import links_resolve_all, raw_cursor

    with transaction.atomic(), raw_cursor() as cursor:
        return links_resolve_all(cursor)


# --- articles ----------------------------------------------------------------------------


def article_text_extract(*, article_id: int) -> bool:
    """Fetch an article linked from a news feed and keep its main text (trafilatura). Returns
    whether text was stored. Permanent fetch failures are logged and left alone."""
    import trafilatura

    article = (
        SourceArticle.objects.filter(pk=article_id)
        .only("id", "url", "canonical_url", "text")
        .first()
    )
    if article is None or article.text:
        return False
    try:
        result = fetch(article.url or article.canonical_url)
    except TransientFetchError:
        raise
    except FetchError as exc:
        logger.warning("article %s: %s", article_id, exc)
        return False
    if result.body is None:
        return False
    with result.body:
        html = result.body.read()
    text = trafilatura.extract(html, url=result.url, include_comments=False) or ""
    text = adapters.clean_text(text)
    if not text:
        return False
    with transaction.atomic():
        updated = SourceArticle.objects.filter(pk=article_id, text="").update(
            text=text, updated_at=timezone.now()
        )
        SourceArticle.objects.filter(pk=article_id, excerpt="").update(
            excerpt=adapters.excerpt_of(text)
        )
        if updated and SourceArticle.objects.filter(pk=article_id).published().exists():
            sync_entries("article", [article_id])
    return bool(updated)


# --- web archives ------------------------------------------------------------------------

WEB_ARCHIVE_BATCH = 50  # pages whose articles are upserted together before their captures


def web_archive_ingest(
    *, path: str, kind: str, progress: Progress | None = None,
    capture_progress: Progress | None = None,
) -> tuple[IngestRun, ImportReport]:  # fmt: skip
    """Read a WARC or WACZ file made by another tool: each of its pages becomes (or updates) a
    pending article, through the same upsert by canonical URL as every other source (outlet by
    domain, curators' edits kept, publication rules applied), and a capture of that article
    (``apps.captures.importing``, which owns reading the file and storing captures).

    A record that cannot be read fails the run with an error naming the file and the record's
    offset; the pages read before it are imported all the same. Returns the run and what the
    reading found (pages, captures created or already stored, records skipped, errors)."""
    run = IngestRun.objects.create(source=path[:2000], format=kind)
    report = ImportReport()
    writer = None
    try:
        sha256, _size = file_sha256(Path(path))
        writer = BatchWriter(
            run=run, capture_id=None, capture_sha256=sha256, threaded=False,
            batch_size=WEB_ARCHIVE_BATCH * 2,
        )  # fmt: skip
        with importing.WebArchiveReader(path, kind=kind, progress=progress) as reader:
            report = reader.read()
            stored = 0
            for pages in importing.batched(reader.pages(), WEB_ARCHIVE_BATCH):
                keys = {}
                for page in pages:
                    report.pages += 1
                    writer.add(
                        adapters.ArticleRecord(
                            url=page.final_url, position=page.position, title=page.title,
                            authors=page.authors, excerpt=adapters.excerpt_of(page.text),
                            text=page.text,
                        )
                    )  # fmt: skip
                    with contextlib.suppress(ValueError):  # the writer records the bad URL
                        keys[page.position] = adapters.canonical_url(page.final_url)
                writer.flush()
                articles = dict(
                    SourceArticle.objects.filter(canonical_url__in=keys.values()).values_list(
                        "canonical_url", "pk"
                    )
                )
                for page in pages:
                    try:
                        _, created = importing.page_capture_store(
                            page=page, article_id=articles.get(keys.get(page.position, ""))
                        )
                    except Exception as exc:
                        logger.exception("storing the capture of %s failed", page.url)
                        report.errors.append(
                            (page.position, f"the capture could not be stored ({exc})")
                        )
                        continue
                    if created:
                        report.captures_created += 1
                    else:
                        report.captures_existing += 1
                    stored += 1
                    if capture_progress is not None:
                        capture_progress(stored, stored)
        writer.close()
    except (OSError, importing.WebArchiveError) as exc:
        report.fatal = report.fatal or f"{path}: {exc}"
    except Exception as exc:
        logger.exception("importing %s failed", path)
        report.fatal = f"{path}: unexpected {exc.__class__.__name__}; see the log"
    if writer is not None:
        for position, reason in report.errors:
            writer.fail(position, reason)
    status = RunStatus.FAILED if report.fatal else RunStatus.SUCCEEDED
    return _finish(run, status, feed=None, error=report.fatal, writer=writer), report
