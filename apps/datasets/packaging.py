"""What goes into a data package, and writing it: the rows of either variant, their Table
Schema, ``datapackage.json``, ``README.md`` and ``SHA256SUMS``, zipped.

Rows are read as the exports read them (apps.search.exports: the matching index rows through one
server-side cursor, a batch of entries at a time) and written straight to files, so memory stays
flat however many rows match; the zip is made from those files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string

from apps.archive.models import Account, Post, SourceArticle
from apps.search import exports
from apps.search.filters import SearchFilterSet
from apps.timeline.models import TimelineEvent

from .models import Variant

# How often a build saves its progress: by the clock, not per batch, so that the build's
# queries do not grow with its rows (a 1,000,000-row package saves a few hundred times).
PROGRESS_SECONDS = 1.0

IDENTIFIER_COLUMNS = ["kind", "id", "permalink", "date", "platform", "platform_id", "original_url"]

# Each column's Table Schema field: type, and what it holds (README.md prints the same words).
FIELDS: dict[str, dict] = {
    "kind": {"type": "string", "description": "post, article, event or account.",
             "constraints": {"required": True, "enum": ["post", "article", "event", "account"]}},
    "id": {"type": "integer", "description": "The entry's id in the archive (with kind, the "
           "row's key).", "constraints": {"required": True}},
    "permalink": {"type": "string", "format": "uri",
                  "description": "The entry's page in the archive: the link to cite."},
    "date": {"type": "string", "description": "When it was posted, published or happened, "
             "ISO 8601, as precise as the archive knows it (a year, a day or a minute)."},
    "title": {"type": "string", "description": "An article's or event's title, an account's "
              "display name."},
    "text": {"type": "string", "description": "A post's text, an article's excerpt, an event's "
             "summary or an account's description."},
    "author": {"type": "string", "description": "A post's account as the pages name it (a "
               "pseudonym for a private person), an article's authors."},
    "platform": {"type": "string", "description": "twitter, mastodon, bluesky, ... for posts "
                 "and accounts; web for articles."},
    "platform_id": {"type": "string", "description": "The post's id on its platform, only where "
                    "the archive's pages show it (public figures and handles made visible)."},
    "outlet": {"type": "string", "description": "An article's outlet."},
    "language": {"type": "string", "description": "Language code, where known."},
    "hashtags": {"type": "string", "description": "A post's hashtags, space-separated."},
    "original_url": {"type": "string", "format": "uri", "description": "The original address: "
                     "always for articles, for posts and accounts only where the pages show it."},
    "captured_at": {"type": "string", "description": "When the archive captured it, ISO 8601."},
    "content_sha256": {"type": "string", "description": "SHA-256 of the raw capture it was read "
                       "from."},
}  # fmt: skip

VARIANT_TEXT = {
    Variant.IDENTIFIERS: (
        "Identifiers only: for each entry its kind, id, archive permalink, date and platform, "
        "and its platform id and original URL only where the archive's pages show them. No "
        "text, no handles, no names: rehydrate public posts from their platforms, where their "
        "authors still control them."
    ),
    Variant.FULL: (
        "Full: each entry as the archive's pages show it, with its text; private people are "
        "named by their pseudonym, and their posts' platform ids and addresses are withheld."
    ),
}


def columns(variant: str) -> list[str]:
    return exports.COLUMNS if variant == Variant.FULL else IDENTIFIER_COLUMNS


def rows(filterset: SearchFilterSet, *, variant: str, site_url: str) -> Iterator[dict]:
    if variant == Variant.FULL:
        return exports.export_rows(filterset, site_url=site_url)
    return identifier_rows(filterset, site_url=site_url)


IDENTIFIER_POST_FIELDS = ("id", "platform", "platform_id", "posted_at", "posted_at_precision",
                          "posted_at_zone", "url", "account__is_public_figure",
                          "account__handle_visible")  # fmt: skip


def identifier_rows(filterset: SearchFilterSet, *, site_url: str) -> Iterator[dict]:
    """Every matching published entry, oldest first, as :data:`IDENTIFIER_COLUMNS`: read like
    :func:`apps.search.exports.export_rows`, but loading no text and no name. A post's platform
    id and address appear only where its page shows them (``account.shows_handle``)."""
    post_url = site_url + exports.url_pattern("archive:post")
    article_url = site_url + exports.url_pattern("archive:article")
    for batch in exports.index_batches(filterset):
        ids: dict[str, list[int]] = {}
        for kind, entry_id in batch:
            ids.setdefault(kind, []).append(entry_id)
        found: dict[tuple[str, int], dict] = {}
        if ids.get("post"):
            posts = (
                Post.objects.published()
                .select_related("account")
                .only(*IDENTIFIER_POST_FIELDS)
                .filter(pk__in=ids["post"])
            )
            for post in posts:
                shows = bool(post.account and post.account.shows_handle)
                found["post", post.pk] = {
                    "kind": "post",
                    "id": post.pk,
                    "permalink": post_url.format(post.pk),
                    "date": post.moment.machine if post.moment else "",
                    "platform": post.platform,
                    "platform_id": post.platform_id if shows else "",
                    "original_url": post.url if shows else "",
                }
        if ids.get("article"):
            articles = (
                SourceArticle.objects.published()
                .only("id", "published_at", "url", "canonical_url")
                .filter(pk__in=ids["article"])
            )
            for article in articles:
                found["article", article.pk] = {
                    "kind": "article",
                    "id": article.pk,
                    "permalink": article_url.format(article.pk),
                    "date": article.published_at.isoformat() if article.published_at else "",
                    "platform": "web",
                    "platform_id": "",
                    "original_url": article.url or article.canonical_url,
                }
        if ids.get("event"):
            for event in TimelineEvent.objects.published().filter(pk__in=ids["event"]):
                found["event", event.pk] = {
                    "kind": "event",
                    "id": event.pk,
                    "permalink": site_url + event.get_absolute_url(),
                    "date": event.display_date,
                    "platform": "",
                    "platform_id": "",
                    "original_url": "",
                }
        if ids.get("account"):
            # Only accounts that show their handle are indexed; their page's address is their
            # permalink, as on the site.
            for account in Account.objects.published().filter(pk__in=ids["account"]):
                found["account", account.pk] = {
                    "kind": "account",
                    "id": account.pk,
                    "permalink": site_url + account.get_absolute_url(),
                    "date": "",
                    "platform": account.platform,
                    "platform_id": "",
                    "original_url": account.profile_url if account.shows_handle else "",
                }
        for key in batch:
            if key in found:
                yield found[key]


def table_schema(variant: str) -> dict:
    return {
        "fields": [{"name": name, **FIELDS[name]} for name in columns(variant)],
        "primaryKey": ["kind", "id"],
        "missingValues": [""],
    }


@dataclass
class Written:
    path: Path  # the finished zip
    row_count: int
    sha256: str
    size: int


def file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def write_data(
    entries: Iterator[dict],
    *,
    variant: str,
    folder: Path,
    progress: Callable[[int], None],
) -> int:
    """Write ``entries`` to ``entries.csv`` and ``entries.jsonl`` in ``folder`` in one pass;
    returns how many rows. The CSV defuses spreadsheet formulas as the exports do (a cell
    starting with = + - @ gets a leading '); the JSON lines keep every value as it is."""
    names = columns(variant)
    count = 0
    saved_at = time.monotonic()
    with (
        (folder / "entries.csv").open("w", encoding="utf-8", newline="") as csv_file,
        (folder / "entries.jsonl").open("w", encoding="utf-8", newline="\n") as jsonl_file,
    ):
        writer = csv.DictWriter(csv_file, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        for row in entries:
            writer.writerow({key: exports.defuse(value) for key, value in row.items()})
            jsonl_file.write(json.dumps({key: row[key] for key in names}, ensure_ascii=False))
            jsonl_file.write("\n")
            count += 1
            if time.monotonic() - saved_at >= PROGRESS_SECONDS:
                progress(count)
                saved_at = time.monotonic()
    return count


def descriptor(*, package, about: dict, folder: Path, site_url: str, license_id: str) -> dict:
    """datapackage.json (Frictionless Data Package v1), for the data files already written in
    ``folder``. ``about`` is :func:`apps.datasets.services.search_about`'s description."""
    schema = table_schema(package.variant)
    resources = []
    for file_name, fmt, mediatype in (
        ("entries.csv", "csv", "text/csv"),
        ("entries.jsonl", "jsonl", "application/jsonl"),
    ):
        path = folder / file_name
        resources.append(
            {
                "name": file_name.replace(".", "-"),
                "path": file_name,
                "profile": "tabular-data-resource",
                "format": fmt,
                "mediatype": mediatype,
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": f"sha256:{file_digest(path)}",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": package.name,
        "id": site_url + package.get_absolute_url(),
        "title": about["title"],
        "description": about["description"],
        "created": about["created"],
        "homepage": site_url + package.get_absolute_url(),
        "keywords": ["MeToo", "social media", "news", "archive"],
        "licenses": [
            {
                "name": license_id,
                "path": f"https://spdx.org/licenses/{license_id}.html",
                "title": (
                    f"{license_id} for the archive's own work (the selection, dates and "
                    "metadata); the posts' and articles' text remain their authors'"
                ),
            }
        ],
        "sources": [{"title": f"{about['archive']}, search", "path": about["search_url"]}],
        "contributors": [{"title": about["archive"], "role": "publisher", "path": site_url}],
        "resources": resources,
        # Beyond the spec (which allows it): how to make the same package again.
        "query": {
            "parameters": package.params,
            "understood_as": about["understood_as"],
            "notes": about["notes"],
            "variant": package.variant,
            "content_version": package.content_version,
        },
    }


def write_package(
    *,
    package,
    entries: Iterator[dict],
    about: dict,
    work: Path,
    target: Path,
    site_url: str,
    license_id: str,
    progress: Callable[[int], None],
) -> Written:
    """Write the package's files in ``work`` (an empty folder), zip them to ``target`` by way
    of a temporary name, renamed only once the zip is complete: a failed build never leaves a
    file that looks finished."""
    row_count = write_data(entries, variant=package.variant, folder=work, progress=progress)
    progress(row_count)
    meta = descriptor(
        package=package, about=about, folder=work, site_url=site_url, license_id=license_id
    )
    (work / "datapackage.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    readme = render_to_string(
        "datasets/package_readme.md",
        {
            "package": package,
            "about": about,
            "row_count": row_count,
            "fields": [{"name": name, **FIELDS[name]} for name in columns(package.variant)],
            "variant_text": VARIANT_TEXT[package.variant],
            "license_id": license_id,
            "site_url": site_url,
        },
    )
    (work / "README.md").write_text(readme, encoding="utf-8")
    names = ["datapackage.json", "README.md", "entries.csv", "entries.jsonl"]
    sums = "".join(f"{file_digest(work / name)}  {name}\n" for name in names)
    (work / "SHA256SUMS").write_text(sums, encoding="utf-8")
    partial = target.with_name(target.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in [*names, "SHA256SUMS"]:
            zf.write(work / name, arcname=name)
    partial.replace(target)
    return Written(
        path=target, row_count=row_count, sha256=file_digest(target), size=target.stat().st_size
    )
