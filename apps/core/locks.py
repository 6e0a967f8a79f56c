"""Work one process at a time may do (a feed's poll, an address's capture, a package's build,
a fixity audit), guarded by PostgreSQL session advisory locks, which the ORM has none of.

Unlike a row marking the work as under way, a session lock goes with its holder's database
session: a worker killed mid-way, or cut off from the database, leaves nothing that keeps the
next attempt out, and there is no lease or heartbeat age to wait for or misjudge.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from django.db import DatabaseError, connection


def lock_id(purpose: str, key: object = "") -> int:
    """The 64-bit lock id of ``purpose`` for ``key`` (a key space apart from the fetcher's
    two-number host slots)."""
    digest = hashlib.sha256(f"{purpose}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def session_lock(purpose: str, key: object = "") -> Iterator[bool]:
    """Try to hold the lock for as long as the block lasts; yields whether it is held (never
    waits)."""
    lock = lock_id(purpose, key)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(DatabaseError):  # a lost session has dropped it already
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
