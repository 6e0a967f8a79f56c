"""Data packages: ask for one (``/datasets/new?<search>``), its page, its zip."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.core.content import content_version
from apps.core.limits import rate_limit_wait
from apps.datasets import packaging, services
from apps.datasets.models import DataPackage, PackageState

logger = logging.getLogger(__name__)

# What a client asking for the zip of a package still being made is told to wait.
BUILDING_RETRY_AFTER = 10


def _rate_check(request) -> int | None:
    """Count a new package against the client's ``DATASET_RATE_LIMIT``: None while under it,
    else the seconds until it may ask again."""
    return rate_limit_wait(request, group="dataset-new", rate=settings.DATASET_RATE_LIMIT)


def _again_url(package: DataPackage) -> str:
    """The same search and variant asked for again: the current package, made if need be."""
    return reverse("datasets:new") + "?" + urlencode({**package.params, "variant": package.variant})


def _search_url(params: dict) -> str:
    return reverse("search:search") + ("?" + urlencode(params) if params else "")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def package_new(request):
    version = content_version()  # before anything else is read
    params, variant = services.package_params(request.GET)
    existing = services.package_existing(params=params, variant=variant, version=version)
    if existing is not None:
        return _no_store(redirect(existing))
    if not request.user.is_authenticated and (wait := _rate_check(request)):
        response = render(
            request,
            "datasets/refused.html",
            {"reason": "rate", "search_url": _search_url(params)},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return _no_store(response)
    started = services.package_start(params=params, variant=variant, version=version)
    if started.too_large:
        return _no_store(
            render(
                request,
                "datasets/refused.html",
                {
                    "reason": "too_large",
                    "max_rows": settings.DATASET_MAX_ROWS,
                    "search_url": _search_url(params),
                },
                status=403,
            )
        )
    return _no_store(redirect(started.package))


def _package_context(request, package: DataPackage) -> dict:
    context = {
        "package": package,
        "variant_text": packaging.VARIANT_TEXT[package.variant],
        "search_url": _search_url(package.params),
        "again_url": _again_url(package),
        "params": sorted(package.params.items()),
        "keep_days": settings.DATASET_KEEP_DAYS,
    }
    if package.state == PackageState.READY:
        page_url = request.build_absolute_uri(package.get_absolute_url())
        download_url = request.build_absolute_uri(package.download_url)
        context["download_absolute_url"] = download_url
        context["page_absolute_url"] = page_url
        context["json_ld"] = {
            "@context": "https://schema.org",
            "@type": "Dataset",
            "name": f"{settings.SITE_NAME}: data package {package.name}",
            "description": package.description,
            "url": page_url,
            "identifier": package.sha256,
            "dateCreated": package.finished_at.isoformat(),
            "license": f"https://spdx.org/licenses/{settings.DATASET_LICENSE}.html",
            "creator": {"@type": "Organization", "name": settings.SITE_NAME,
                        "url": settings.SITE_URL},
            "isAccessibleForFree": True,
            "distribution": {
                "@type": "DataDownload",
                "contentUrl": download_url,
                "encodingFormat": "application/zip",
                "contentSize": f"{package.size} B",
            },
        }  # fmt: skip
    return context


# A package's state as its page and its zip answer: gone for good once expired or superseded.
GONE = (PackageState.EXPIRED, PackageState.SUPERSEDED)


@require_safe
def package_page(request, pk):
    package = services.package_check(package=get_object_or_404(DataPackage, pk=pk))
    status = 410 if package.state in GONE else 200
    return _no_store(
        render(request, "datasets/package.html", _package_context(request, package), status=status)
    )


@require_safe
def package_download(request, pk, name: str):
    package = services.package_check(package=get_object_or_404(DataPackage, pk=pk))
    if name != package.name:
        raise Http404("No such file in this package.")
    if package.state == PackageState.SUPERSEDED:
        # The archive withdrew something it may hold: the same search as the archive is now.
        return _no_store(redirect(_again_url(package)))
    if package.state != PackageState.READY:
        status = {PackageState.FAILED: 404}.get(package.state, 410)
        if not package.is_finished:
            status = 503
        response = render(
            request, "datasets/package.html", _package_context(request, package), status=status
        )
        if status == 503:
            response["Retry-After"] = str(BUILDING_RETRY_AFTER)
        return _no_store(response)
    response = FileResponse(
        services.package_path(package).open("rb"),
        as_attachment=True,
        filename=f"{package.name}.zip",
        content_type="application/zip",
    )
    response["ETag"] = f'"{package.sha256}"'
    # Kept until it expires, but may be retired sooner (a withdrawal): caches ask again.
    response["Cache-Control"] = "no-cache"
    return response
