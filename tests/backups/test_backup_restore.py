"""Backups that are restored, not just taken: a populated archive is backed up, restored into
another database and other folders by ``manage.py restore`` in its own process, and found equal
row for row and file for file; a backup that does not verify restores nothing; a non-empty
archive is not overwritten unless told to; a stored file that went bad is reported, never
passed off as good.

pg_dump runs in its own process and sees committed rows only: these tests are transactional."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from apps.archive.models import Post
from apps.backups.services import backups_prune
from apps.captures.models import CaptureFile
from apps.core.content import content_version
from apps.ingest.models import RawCapture
from apps.timeline.models import TimelineEvent
from tests import factories
from tests.test_deploy import compose_services, compose_text

pytestmark = pytest.mark.django_db(transaction=True)


def backup(directory: Path) -> Path:
    call_command("backup", str(directory), verbosity=0)
    (made,) = [path for path in directory.iterdir() if path.name.startswith("backup-")]
    return made


def rows(cursor, model) -> list[str]:
    """Every row of the model's table, as PostgreSQL writes it, sorted."""
    query = sql.SQL("SELECT t::text FROM {} AS t").format(sql.Identifier(model._meta.db_table))
    return sorted(row[0] for row in cursor.execute(query).fetchall())


def every_table(cursor) -> dict[str, list[str]]:
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return {model._meta.label: rows(cursor, model) for model in models}


def hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def flip_a_byte(path: Path, at: int = 100) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_backup_restored_into_an_empty_database_has_every_row_and_every_file(
    archive, elsewhere, settings, tmp_path
):
    made = backup(tmp_path / "backups")

    restored = elsewhere.restore(made)

    assert restored.returncode == 0, restored.stderr
    with connection.cursor() as cursor:
        original = every_table(cursor.cursor)
    with elsewhere.connect() as db, db.cursor() as cursor:
        copy = every_table(cursor)
    assert copy == original
    assert len(original["archive.Post"]) > 4  # the factories' and the ingested ones
    assert RawCapture.objects.count() == 2 and CaptureFile.objects.count() == 4
    assert original["auth.User"] and original["timeline.DatedClaim"]
    assert hashes(elsewhere.raw) == hashes(settings.INGEST_CAPTURE_DIR) != {}
    assert hashes(elsewhere.web) == hashes(settings.WEB_CAPTURE_DIR) != {}


def test_the_manifest_lists_every_file_with_its_hash_the_dump_and_the_migration_state(
    archive, settings, tmp_path
):
    made = backup(tmp_path / "backups")

    manifest = json.loads((made / "manifest.json").read_text())
    listed = {(f["store"], f["path"]): f["sha256"] for f in manifest["files"]}
    stored = {("ingest-captures", p): h for p, h in hashes(settings.INGEST_CAPTURE_DIR).items()}
    stored |= {("web-captures", p): h for p, h in hashes(settings.WEB_CAPTURE_DIR).items()}
    assert listed == stored
    dump = (made / "database.dump").read_bytes()
    assert manifest["database"]["sha256"] == hashlib.sha256(dump).hexdigest()
    assert dump.startswith(b"PGDMP")  # pg_dump's custom format
    assert manifest["migrations"]["archive"].startswith("00")
    assert manifest["project"]["version"] and manifest["created_at"]
    assert "DATASET_DIR" in manifest["left_out"]
    assert manifest["mismatches"] == []


@pytest.mark.parametrize("tampered", ["a stored file", "the database dump"])
def test_a_backup_with_one_byte_flipped_is_refused_and_restores_nothing(
    tampered, archive, elsewhere, tmp_path
):
    made = backup(tmp_path / "backups")
    if tampered == "the database dump":
        victim = made / "database.dump"
        name = "database.dump"
    else:
        victim = next((made / "files" / "web-captures").rglob("capture.wacz"))
        name = victim.relative_to(made).as_posix()
    flip_a_byte(victim)

    restored = elsewhere.restore(made)

    assert restored.returncode == 1
    assert f"{name}: SHA-256 does not match the manifest" in restored.stderr
    assert elsewhere.table_count() == 0
    assert not elsewhere.raw.exists() and not elsewhere.web.exists()


def test_restore_refuses_an_archive_with_entries_unless_forced(archive, tmp_path):
    made = backup(tmp_path / "backups")
    later = factories.PostFactory(published=True)

    with pytest.raises(CommandError, match="this installation is not empty"):
        call_command("restore", str(made), verbosity=0)

    assert Post.objects.filter(pk=later.pk).exists()


def test_a_forced_restore_replaces_the_archive_and_moves_the_content_version_past_both(
    archive, tmp_path
):
    made = backup(tmp_path / "backups")
    before = Post.objects.count()
    seen = {content_version()}
    for _ in range(3):  # changes after the backup, each seen (and cached) under a version
        factories.PostFactory(published=True)
        seen.add(content_version())

    call_command("restore", str(made), "--force", verbosity=0)

    assert Post.objects.count() == before
    # The restored counters are the backup's, lower than those reached since: without moving
    # past both, the next changes would bring the version round again to ones a cache still
    # holds pages under. Both of its counters must be past every one seen.
    committed, changes = (int(part) for part in content_version().split("."))
    assert committed > max(int(version.split(".")[0]) for version in seen)
    assert changes > max(int(version.split(".")[1]) for version in seen)


def test_a_stored_file_that_no_longer_matches_its_recorded_hash_is_listed_as_a_mismatch(
    archive, settings, tmp_path
):
    wacz = CaptureFile.objects.filter(kind="wacz").order_by("pk").first()
    flip_a_byte(settings.WEB_CAPTURE_DIR / wacz.path)
    raw = RawCapture.objects.order_by("pk").first()
    (settings.INGEST_CAPTURE_DIR / raw.content_path).write_bytes(gzip.compress(b"other bytes"))
    gone = CaptureFile.objects.filter(kind="warc").order_by("pk").last()
    (settings.WEB_CAPTURE_DIR / gone.path).unlink()

    with pytest.raises(CommandError, match="3 stored files do not match") as raised:
        call_command("backup", str(tmp_path / "backups"), "--keep-days", "1", verbosity=0)

    assert raised.value.returncode == 2
    (made,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((made / "manifest.json").read_text())
    problems = {(m["store"], m["path"]): m["problem"] for m in manifest["mismatches"]}
    assert problems == {
        ("web-captures", wacz.path): "altered",
        ("ingest-captures", raw.content_path): "altered",
        ("web-captures", gone.path): "missing",
    }
    flagged = {f["path"] for f in manifest["files"] if f.get("fixity") == "mismatch"}
    assert flagged == {wacz.path, raw.content_path}


def test_a_manifest_naming_a_file_outside_the_stored_folders_is_refused(tmp_path, settings):
    made = backup(tmp_path / "backups")
    manifest_path = made / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    # A file that verifies, placed where "../../" from the backup's store folder leads.
    (made / "escape.txt").write_text("planted")
    manifest["files"].append(
        {
            "store": "web-captures",
            "path": "../../escape.txt",
            "size": 7,
            "sha256": hashlib.sha256(b"planted").hexdigest(),
        }
    )
    manifest_path.write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match=r"web-captures/\.\./\.\./escape\.txt: not a path"):
        call_command("restore", str(made), verbosity=0)

    assert not (settings.WEB_CAPTURE_DIR.parent.parent / "escape.txt").exists()


def test_restore_of_a_folder_of_backups_names_the_newest(tmp_path):
    made = backup(tmp_path / "backups")

    with pytest.raises(CommandError, match=f"the newest backup in it is {made}"):
        call_command("restore", str(tmp_path / "backups"), verbosity=0)


@pytest.mark.django_db(transaction=False)
def test_pruning_removes_old_backups_and_leftovers_but_keeps_the_newest_and_anything_else(
    tmp_path,
):
    now = datetime.datetime.now(datetime.UTC)

    def made(days: int, name: str = "backup-{}") -> Path:
        stamp = (now - datetime.timedelta(days=days)).strftime("%Y%m%dT%H%M%S.%fZ")
        path = tmp_path / name.format(stamp)
        path.mkdir()
        return path

    old, older = made(20), made(30)
    recent = made(2)
    stale_partial = made(20, ".backup-{}.partial")
    running = made(0, ".backup-{}.partial")
    unrelated = tmp_path / "backup-notes"
    unrelated.mkdir()

    removed = backups_prune(directory=tmp_path, keep_days=14)

    assert removed == sorted([old, older, stale_partial])
    assert recent.exists() and running.exists() and unrelated.exists()
    # However old, the newest complete backup stays.
    assert backups_prune(directory=tmp_path, keep_days=1) == []
    assert recent.exists()


@pytest.mark.django_db(transaction=False)
def test_compose_runs_a_scheduled_backup_with_retention_on_its_own_volume():
    service = compose_services()["backup"]

    assert "<<: *app" in service
    assert "- backups:/srv/backups\n" in service and "- files:/srv/files\n" in service
    assert re.search(r"^  backups:$", compose_text().split("\nvolumes:", 1)[1], re.M)
    assert "python manage.py backup /srv/backups --keep-days" in service
    assert "BACKUP_KEEP_DAYS" in service and "BACKUP_INTERVAL_HOURS" in service


def test_a_backup_made_before_the_newest_migration_is_restored_and_migrated_forward(
    empty_database, tmp_path
):
    """An operator restores last month's backup into today's code: the archive of the older
    schema (here: without the newest migration of curation, the app that has one) comes back
    whole, and the restore runs the migrations it lacks."""
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    newest = max(node for node in graph.leaf_nodes() if node[0] == "curation")
    (before,) = [parent for parent in graph.node_map[newest].parents if parent[0] == "curation"]
    older, target = empty_database("older"), empty_database("target")

    for step in (["migrate", "--noinput"], ["migrate", *before, "--noinput"], ["seed"]):
        done = older.manage(*step)
        assert done.returncode == 0, done.stderr
    assert older.manage("backup", str(tmp_path / "backups")).returncode == 0
    (made,) = (tmp_path / "backups").iterdir()
    assert json.loads((made / "manifest.json").read_text())["migrations"]["curation"] == before[1]

    restored = target.restore(made)

    assert restored.returncode == 0, restored.stderr
    assert "older than the code: migrating" in restored.stdout + restored.stderr
    applied = "SELECT max(name) FROM django_migrations WHERE app = 'curation'"
    counts = sql.SQL("SELECT (SELECT count(*) FROM {}), (SELECT count(*) FROM {})").format(
        sql.Identifier(TimelineEvent._meta.db_table), sql.Identifier(Post._meta.db_table)
    )
    with older.connect() as db:
        seeded = db.execute(counts).fetchone()
    with target.connect() as db:
        assert db.execute(applied).fetchone() == (newest[1],)
        assert db.execute(counts).fetchone() == seeded
    assert seeded[0] > 50 and seeded[1] > 0
