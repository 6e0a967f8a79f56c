"""Data packages: asked for, built (in the request or by a worker), checked before each use,
removed when they expire or when the archive withdraws something they may hold.

Which packages are served. A package is a snapshot of the archive. New entries published since
do not make it wrong (it says when it was made), but an entry withdrawn since must not be handed
out again in it. So a package is served only while no curator decision has touched a published
entry since its build began: a withdrawal, a rejection, a deletion, an edit, a handle hidden
(each writes its :class:`~apps.curation.models.ModerationDecision` in the same transaction as
the change). One indexed query decides it. It is deliberately coarse: any such decision retires
every package made before it, not just those that held the entry (knowing that would mean
reading the package), and asking again makes a fresh one. Publications, the frequent change on
a live archive, never retire a package.

A decision made just before a build began may commit after the build read its entry: the build
looks for decisions in the ``RACE_SECONDS`` before it began and, if one names an entry it wrote,
fails with a clear error instead of becoming ready.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.content import content_version
from apps.core.locks import session_lock
from apps.core.moderation import ModerationState
from apps.curation.models import ModerationDecision
from apps.datasets import packaging
from apps.datasets.models import DataPackage, PackageState, Variant
from apps.search.filters import SearchFilterSet
from apps.search.models import SearchEntry

logger = logging.getLogger(__name__)

# The search form's parameters that choose entries. The order is left out: a package is always
# oldest first, so the same search in any order is the same package.
SEARCH_PARAMS = tuple(sorted(name for name in SearchFilterSet.base_filters if name != "order"))
MAX_VALUE_LENGTH = 1000  # the query's own limit; no other parameter is longer when valid
# Longer than any curation transaction runs between writing its decision and committing.
RACE_SECONDS = 300


class DatasetError(Exception):
    pass


# --- asking for a package -------------------------------------------------------------------


def package_params(query) -> tuple[dict[str, str], str]:
    """The search's parameters (the first value of each the search form knows, trimmed, empty
    ones dropped, in key order) and the variant (the default unless ``full`` is asked for)."""
    params = {}
    for name in SEARCH_PARAMS:
        # PostgreSQL keeps no NUL character; the search form refuses them anyway.
        value = (query.get(name) or "").replace("\x00", "").strip()[:MAX_VALUE_LENGTH]
        if value:
            params[name] = value
    variant = Variant.FULL if query.get("variant") == Variant.FULL else Variant.IDENTIFIERS
    return params, variant


def search_key(params: dict, variant: str) -> str:
    canonical = json.dumps({"params": params, "variant": variant}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def package_filterset(params: dict) -> SearchFilterSet:
    return SearchFilterSet(params, queryset=SearchEntry.objects.all())


def package_existing(*, params: dict, variant: str, version: str) -> DataPackage | None:
    """A package of the same search and variant made (or being made) from the same public
    content, ``version`` read before anything else."""
    return DataPackage.objects.same_search(
        search_key=search_key(params, variant), content_version=version
    ).first()


@dataclass
class Started:
    package: DataPackage | None = None
    too_large: bool = False
    matches: int = 0


def package_start(*, params: dict, variant: str, version: str) -> Started:
    """Record a package for the search and make it: here and now when it is small
    (``DATASET_INLINE_MAX_ROWS`` matches at most), else by a worker once the row is committed.
    Refused (nothing recorded) over ``DATASET_MAX_ROWS`` matches."""
    filterset = package_filterset(params)
    max_rows = settings.DATASET_MAX_ROWS
    matches = filterset.qs[: max_rows + 1].count()  # counted no further than one past
    if matches > max_rows:
        return Started(too_large=True, matches=matches)
    with transaction.atomic():
        package = DataPackage(
            params=params,
            variant=variant,
            search_key=search_key(params, variant),
            content_version=version,
            rows_expected=matches,
        )
        package.description = search_about(package, filterset, site_url=settings.SITE_URL)[
            "description"
        ]
        package.save(force_insert=True)
        inline = matches <= settings.DATASET_INLINE_MAX_ROWS
        if not inline:
            transaction.on_commit(lambda: package_enqueue(package_id=package.pk))
    if inline:
        package = package_build(package_id=package.pk) or package
    return Started(package=package, matches=matches)


def package_enqueue(*, package_id) -> bool:
    """Hand a queued package to a worker; if the broker cannot be reached the package fails
    with the reason, and its page offers to ask again."""
    from apps.datasets.tasks import build_package

    try:
        build_package.delay(str(package_id))
    except Exception as error:  # the broker's errors vary with the transport
        logger.exception("could not enqueue data package %s", package_id)
        DataPackage.objects.filter(pk=package_id, state=PackageState.QUEUED).update(
            state=PackageState.FAILED,
            error=f"The task queue could not be reached ({error})"[:2000],
            finished_at=timezone.now(),
        )
        return False
    return True


# --- building -------------------------------------------------------------------------------


def package_build(*, package_id) -> DataPackage | None:
    """Build a recorded package: claimed with a conditional update under the package's build
    lock (a redelivered message does nothing while another worker builds it; a build whose
    worker died is claimed again at once), written to a temporary name under ``DATASET_DIR``
    and renamed when complete. A failure marks the package failed with its error and leaves no
    file. Returns the package, or None if it was not this call's to build."""
    with package_build_lock(package_id) as held:
        if not held:
            return None
        return _package_build(package_id=package_id)


def package_build_lock(package_id) -> contextlib.AbstractContextManager[bool]:
    """The package's build lock (apps.core.locks): a package still marked building while it is
    free was left by a worker that died."""
    return session_lock("datasets.package_build", package_id)


def _package_build(*, package_id) -> DataPackage | None:
    now = timezone.now()
    # Building, yet its lock free (the caller holds it): its worker died.
    claimable = Q(state__in=[PackageState.QUEUED, PackageState.BUILDING])
    # Read before anything else, like every reader of public content (apps.core.content).
    version = content_version()
    claimed = DataPackage.objects.filter(claimable, pk=package_id).update(
        state=PackageState.BUILDING,
        content_version=version,
        started_at=now,
        heartbeat_at=now,
        rows_done=0,
        error="",
    )
    if not claimed:
        return None
    package = DataPackage.objects.get(pk=package_id)
    folder = Path(settings.DATASET_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{package.pk}.zip"
    work = Path(tempfile.mkdtemp(prefix=f".{package.pk}-", dir=folder))
    site_url = settings.SITE_URL

    def progress(rows_done: int) -> None:
        DataPackage.objects.filter(pk=package.pk).update(
            rows_done=rows_done, heartbeat_at=timezone.now()
        )

    try:
        filterset = package_filterset(package.params)
        about = search_about(package, filterset, site_url=site_url)
        written = packaging.write_package(
            package=package,
            entries=packaging.rows(filterset, variant=package.variant, site_url=site_url),
            about=about,
            work=work,
            target=target,
            site_url=site_url,
            license_id=settings.DATASET_LICENSE,
            progress=progress,
        )
        if _changed_while_built(package, work / "entries.jsonl"):
            raise DatasetError(
                "An entry of this search was withdrawn or changed while the package was being "
                "made. Ask for it again: the new one will leave it out."
            )
    except Exception as error:
        target.unlink(missing_ok=True)
        target.with_name(target.name + ".partial").unlink(missing_ok=True)
        if isinstance(error, DatasetError):
            logger.warning("data package %s not made: %s", package.pk, error)
            message = str(error)
        else:
            logger.exception("data package %s failed", package.pk)
            message = type(error).__name__
        DataPackage.objects.filter(pk=package.pk).update(
            state=PackageState.FAILED,
            error=f"It could not be made ({message}).",
            finished_at=timezone.now(),
        )
        package.refresh_from_db()
        return package
    finally:
        shutil.rmtree(work, ignore_errors=True)
    finished = timezone.now()
    DataPackage.objects.filter(pk=package.pk, state=PackageState.BUILDING).update(
        state=PackageState.READY,
        rows_done=written.row_count,
        row_count=written.row_count,
        file_name=target.name,
        sha256=written.sha256,
        size=written.size,
        finished_at=finished,
        expires_at=finished + datetime.timedelta(days=settings.DATASET_KEEP_DAYS),
    )
    package.refresh_from_db()
    return package


def _changed_while_built(package: DataPackage, jsonl: Path) -> bool:
    """Whether a decision made just before the build began (see the module's docstring) names
    an entry the build wrote. Read through once, only when there is such a decision."""
    since = package.started_at - datetime.timedelta(seconds=RACE_SECONDS)
    suspects = set(
        ModerationDecision.objects.filter(
            from_state=ModerationState.PUBLISHED,
            decided_at__gte=since,
            decided_at__lt=package.started_at,
        ).values_list("entry_kind", "entry_id")
    )
    if not suspects:
        return False
    with jsonl.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if (row["kind"], row["id"]) in suspects:
                return True
    return False


def search_about(package: DataPackage, filterset: SearchFilterSet, *, site_url: str) -> dict:
    """The package's description of its search, in words: for datapackage.json, the README
    and the package's page."""
    filterset.where()  # parses the query
    cleaned = filterset.cleaned
    query_text = cleaned.get("q") or ""
    understood = filterset.parsed.explain()
    filters = [
        f"{filterset.form.fields[name].label}: {value}"
        for name, value in cleaned.items()
        if name not in ("q", "order") and value not in (None, "")
    ]
    notes = list(dict.fromkeys(filterset.parsed.notes + filterset.problems()))
    archive = settings.SITE_NAME
    title = f"{archive}: entries matching “{query_text}”" if query_text else f"{archive}: entries"
    parts = [
        "Published entries of the archive matching: "
        + ("; ".join(understood) if understood else "everything")
        + "."
    ]
    if filters:
        parts.append("Filters: " + "; ".join(filters) + ".")
    parts += [f"Note: {note}" for note in notes]
    parts.append(packaging.VARIANT_TEXT[package.variant])
    parts.append("Oldest first.")
    parts.append(
        f"The archive's own work is licensed {settings.DATASET_LICENSE}; the posts' and "
        "articles' text remain their authors'."
    )
    search_url = site_url + reverse("search:search")
    if package.params:
        search_url += "?" + urlencode(package.params)
    return {
        "archive": archive,
        "title": title,
        "description": " ".join(parts),
        "query_text": query_text,
        "understood_as": understood,
        "filters": filters,
        "notes": notes,
        "search_url": search_url,
        "created": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
    }


# --- serving and removal --------------------------------------------------------------------


def package_superseded(package: DataPackage) -> bool:
    """Whether a curator decision has touched a published entry since the package's build
    began (the module's docstring says why that retires it)."""
    return ModerationDecision.objects.filter(
        from_state=ModerationState.PUBLISHED, decided_at__gte=package.started_at
    ).exists()


def package_path(package: DataPackage) -> Path:
    return Path(settings.DATASET_DIR) / package.file_name


def package_check(*, package: DataPackage, now: datetime.datetime | None = None) -> DataPackage:
    """A ready package as it may be served now: one past its time, whose file is gone, or
    superseded (:func:`package_superseded`) is retired on the spot, its file deleted."""
    if package.state != PackageState.READY:
        return package
    now = now or timezone.now()
    if package.expires_at <= now or not package_path(package).is_file():
        return _retire(package, PackageState.EXPIRED)
    if package_superseded(package):
        return _retire(package, PackageState.SUPERSEDED)
    return package


def _retire(package: DataPackage, state: str) -> DataPackage:
    DataPackage.objects.filter(pk=package.pk, state=PackageState.READY).update(state=state)
    package_path(package).unlink(missing_ok=True)
    package.refresh_from_db()
    return package


@dataclass
class Removed:
    expired: int = 0
    superseded: int = 0
    leftovers: list[str] = field(default_factory=list)


def packages_remove(*, now: datetime.datetime | None = None) -> Removed:
    """Retire every ready package past its time or superseded, deleting its file, and delete
    what a build killed mid-way left in ``DATASET_DIR`` (temporary folders and ``.partial``
    files over a day old). Safe to run twice."""
    now = now or timezone.now()
    removed = Removed()
    for package in DataPackage.objects.filter(state=PackageState.READY):
        state = package_check(package=package, now=now).state
        if state == PackageState.EXPIRED:
            removed.expired += 1
        elif state == PackageState.SUPERSEDED:
            removed.superseded += 1
    folder = Path(settings.DATASET_DIR)
    if folder.is_dir():
        day_ago = time.time() - 86400
        for path in folder.iterdir():
            leftover = path.name.startswith(".") or path.name.endswith(".partial")
            if leftover and path.stat().st_mtime < day_ago:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.leftovers.append(path.name)
    return removed
