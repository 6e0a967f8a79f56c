"""The search index's public interface for the rest of the archive.

Other apps call :func:`sync_entries` after they change entries in bulk (ingestion batches,
curators' bulk actions, takedowns), inside the same transaction, so that a withdrawn entry
leaves the index in the transaction that withdrew it. Saves through the ORM are also picked up
by signals registered in ``apps.search.apps``.
"""

from __future__ import annotations

from collections.abc import Iterable

KINDS = ("post", "article", "event", "account")


def sync_entries(kind: str, ids: Iterable[int]) -> None:
    """Bring the index rows for these entries in line with the entries: (re)index the published
    ones, remove every other one. Safe to call for ids that no longer exist."""
    if kind not in KINDS:
        return
    ids = list(ids)
    if not ids:
        return
    # Filled in by the search feature (issue 4); until then there is no index to keep in step.
