"""Liveness: is a captured address still there, and does it still say what was captured?

Every address with a finished capture gets a :class:`~apps.captures.models.WatchedURL`, re-checked
by the beat task ``captures.check_due_urls`` with one GET through the guarded fetcher (the same
address guard, timeouts, size cap and per-host politeness as ingestion). A check ends in one state:

- ``live``: a 2xx answer from the same address whose main text is the latest capture's;
- ``changed``: a 2xx answer from the same address whose main text differs from the latest capture's;
- ``moved``: redirected to another address (``moved_to``);
- ``gone``: HTTP 404 or 410, the domain no longer resolves, or a redirect to a site's home page
  (where sites send the addresses of articles they took down: ``moved_to`` keeps it);
- ``unreachable``: a timeout, a 5xx or another error. ``failures`` counts these in a row; however
  many there are, an unreachable address stays unreachable (a site that is down is not gone).

The schedule backs off: the first check comes ``LIVENESS_FIRST_HOURS`` after the capture, and the
interval doubles at each check that finds the state unchanged, up to ``LIVENESS_MAX_HOURS``; a new
state starts again from ``LIVENESS_FIRST_HOURS``. Entering ``changed`` or ``moved`` (or moving
somewhere new) asks for a new capture, once: a page whose text differs on every load stays
``changed`` without being captured again and again.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import socket
import urllib.parse
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.captures.capturing import extract_text
from apps.captures.models import Liveness, WatchedURL, WebCapture
from apps.captures.storage import url_key
from apps.core.fetching import FetchError, fetch_hops, make_client

logger = logging.getLogger(__name__)

# getaddrinfo's answers that mean the name does not exist (rather than "try again later").
_NO_SUCH_NAME = {socket.EAI_NONAME} | (
    {socket.EAI_NODATA} if hasattr(socket, "EAI_NODATA") else set()
)
GONE_STATUSES = {404, 410}
# A claimed row is not claimed again by a later run for this long, in case the run that claimed
# it died before checking it.
CLAIM_HOURS = 1


@dataclass(frozen=True)
class Probe:
    """What one GET of an address found, before it is compared with the captures."""

    state: str
    status: int | None = None
    final_url: str = ""
    text: str = ""
    error: str = ""


def _name_is_lost(url: str) -> bool:
    """True when DNS says the address's host name does not exist (a lapsed domain). Only a
    lookup: nothing connects here, the guarded fetcher does that."""
    parts = urllib.parse.urlsplit(url)
    if not parts.hostname:
        return False
    try:
        socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return exc.errno in _NO_SUCH_NAME
    return False


def _same_address(a: str, b: str) -> bool:
    """http -> https, ``www.``, case and a trailing slash are not moves."""
    return url_key(a).rstrip("/") == url_key(b).rstrip("/")


def _is_home_page(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _normalized(text: str) -> str:
    return " ".join(text.split())


def url_probe(url: str) -> Probe:
    """GET ``url`` once, through the guarded fetcher (its address guard, timeouts, size cap and
    per-host politeness), and say what answered."""
    if _name_is_lost(url):
        return Probe(Liveness.GONE, error="the domain no longer resolves")
    try:
        with make_client(user_agent=settings.CAPTURE_USER_AGENT) as client:
            hops = fetch_hops(url, client=client)
    except FetchError as exc:  # timeouts, refused connections, 429/503, the guard, the caps
        return Probe(Liveness.UNREACHABLE, error=str(exc)[:500])
    answer = hops[-1]
    status = answer.status_code
    if status in GONE_STATUSES:
        return Probe(Liveness.GONE, status=status, final_url=answer.url)
    if not 200 <= status < 300:
        return Probe(Liveness.UNREACHABLE, status=status, final_url=answer.url)
    if not _same_address(url, answer.url):
        moved_home = _is_home_page(answer.url) and not _is_home_page(url)
        state = Liveness.GONE if moved_home else Liveness.MOVED
        return Probe(state, status=status, final_url=answer.url)
    return Probe(
        Liveness.LIVE, status=status, final_url=answer.url, text=extract_text(answer.body, url)
    )


def _text_differs(capture: WebCapture, text: str) -> bool:
    if capture.text:
        return _normalized(capture.text) != _normalized(text)
    if capture.text_sha256:  # an imported capture may keep only the digest
        return capture.text_sha256 != hashlib.sha256(text.encode()).hexdigest()
    return False  # nothing to compare with: the address answers, that is all we know


def next_interval_hours(*, current: int, same_state: bool) -> int:
    """Double while nothing changes, up to the cap; start again on a change."""
    first, cap = settings.LIVENESS_FIRST_HOURS, settings.LIVENESS_MAX_HOURS
    if not same_state:
        return max(1, min(first, cap))
    return max(1, min(max(current, 1) * 2, cap))


def watched_url_check(
    *, watched_id: int, now: datetime.datetime | None = None
) -> WatchedURL | None:
    """Check one watched address now and record what was found. Returns the row, or None if it
    is gone. A change (``changed``, ``moved``, or moved somewhere new) asks for a new capture."""
    watched = WatchedURL.objects.filter(pk=watched_id).first()
    if watched is None:
        return None
    probe = url_probe(watched.url)
    latest = (
        WebCapture.objects.done()
        .of_url_key(watched.url_key)
        .order_by("-captured_at", "-pk")
        .only("id", "url", "text", "text_sha256", "article_id", "post_id")
        .first()
    )
    state = probe.state
    if state == Liveness.LIVE and latest is not None and _text_differs(latest, probe.text):
        state = Liveness.CHANGED
    redirected = probe.final_url and not _same_address(watched.url, probe.final_url)
    moved_to = probe.final_url if redirected and state in (Liveness.MOVED, Liveness.GONE) else ""
    now = now or timezone.now()
    with transaction.atomic():
        watched = WatchedURL.objects.select_for_update().filter(pk=watched_id).first()
        if watched is None:
            return None
        same_state = (
            watched.state != Liveness.UNCHECKED
            and watched.state == state
            and watched.moved_to == moved_to
        )
        watched.interval_hours = next_interval_hours(
            current=watched.interval_hours, same_state=same_state
        )
        if not same_state:
            watched.state_since = now
        watched.state = state
        watched.moved_to = moved_to
        watched.last_status = probe.status
        watched.checked_at = now
        watched.next_check_at = now + datetime.timedelta(hours=watched.interval_hours)
        watched.failures = watched.failures + 1 if state == Liveness.UNREACHABLE else 0
        watched.save()
        if not same_state and state in (Liveness.CHANGED, Liveness.MOVED):
            from apps.captures.services import request_capture

            request_capture(
                url=watched.url,
                article=latest.article if latest is not None else None,
                post=latest.post if latest is not None else None,
            )
    logger.info("liveness of %s: %s %s", watched.url, state, probe.error or probe.status or "")
    return watched


def watch_url(*, url: str, captured_at: datetime.datetime | None = None) -> WatchedURL:
    """Watch ``url`` from now on (idempotent): its first check comes ``LIVENESS_FIRST_HOURS``
    after ``captured_at``."""
    first = settings.LIVENESS_FIRST_HOURS
    watched, _created = WatchedURL.objects.get_or_create(
        url_key=url_key(url),
        defaults={
            "url": url,
            "interval_hours": first,
            "next_check_at": (captured_at or timezone.now()) + datetime.timedelta(hours=first),
        },
    )
    return watched


def watched_urls_ensure(*, limit: int = 1000) -> int:
    """Watch the addresses of finished captures that are not watched yet (at most ``limit``
    of them in one go). Returns how many were added."""
    first = datetime.timedelta(hours=settings.LIVENESS_FIRST_HOURS)
    unwatched = (
        WebCapture.objects.done()
        .exclude(url_key__in=WatchedURL.objects.values("url_key"))
        .order_by("url_key", "-captured_at")
        .distinct("url_key")
        .values_list("url_key", "url", "captured_at")[:limit]
    )
    rows = [
        WatchedURL(
            url=url,
            url_key=key,
            interval_hours=settings.LIVENESS_FIRST_HOURS,
            next_check_at=(captured_at or timezone.now()) + first,
        )
        for key, url, captured_at in unwatched
    ]
    WatchedURL.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def watched_urls_claim_due(*, limit: int, now: datetime.datetime | None = None) -> list[int]:
    """Claim up to ``limit`` due rows, oldest due first: their next check is pushed forward a
    little, so that a run starting before this one ends does not check them too."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            WatchedURL.objects.filter(next_check_at__lte=now)
            .select_for_update(skip_locked=True)
            .order_by("next_check_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        WatchedURL.objects.filter(pk__in=ids).update(
            next_check_at=now + datetime.timedelta(hours=CLAIM_HOURS)
        )
    return ids


def due_urls_check(*, limit: int | None = None) -> int:
    """Watch new addresses, then check a bounded batch of the due ones, one at a time (politely:
    never two requests at once from here). Returns how many were checked."""
    watched_urls_ensure()
    ids = watched_urls_claim_due(limit=limit or settings.LIVENESS_BATCH_SIZE)
    for watched_id in ids:
        watched_url_check(watched_id=watched_id)
    return len(ids)


# --- the panel on an entry's page ---------------------------------------------------------


@dataclass
class LivenessPanel:
    """What an entry's page shows of its captures: the newest first, and the state of the
    newest one's address."""

    captures: list[WebCapture] = field(default_factory=list)

    @property
    def latest(self) -> WebCapture | None:
        return self.captures[0] if self.captures else None

    @property
    def previous(self) -> WebCapture | None:
        return self.captures[1] if len(self.captures) > 1 else None

    @property
    def state(self) -> str:
        return (self.latest and self.latest.watch_state) or Liveness.UNCHECKED

    @property
    def domain_lost(self) -> bool:
        return self.state == Liveness.GONE and not self.latest.watch_status

    @property
    def gone_to_home_page(self) -> bool:
        """Gone, the address now redirecting to a site's home page (see :func:`url_probe`)."""
        latest = self.latest
        return (
            self.state == Liveness.GONE
            and bool(latest.watch_moved_to)
            and 200 <= (latest.watch_status or 0) < 300
        )


_WATCH_FIELDS = {
    "watch_state": "state",
    "watch_moved_to": "moved_to",
    "watch_status": "last_status",
    "watch_checked_at": "checked_at",
    "watch_since": "state_since",
    "watch_failures": "failures",
}


def entry_panel(entry) -> LivenessPanel:
    """The public captures of a published entry (an article or a post), each with its address's
    liveness, in one query."""
    watched = WatchedURL.objects.filter(url_key=OuterRef("url_key"))
    captures = (
        entry.captures.public()
        .order_by("-captured_at", "-pk")
        # The entry's own key too: the related manager sets the entry on every row it reads.
        .only("id", "url", "url_key", "final_url", "captured_at", "http_status", "article", "post")
        .annotate(
            **{name: Subquery(watched.values(column)[:1]) for name, column in _WATCH_FIELDS.items()}
        )
    )
    return LivenessPanel(captures=list(captures))
