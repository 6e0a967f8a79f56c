"""Index what a database already holds when search arrives (a no-op on an empty one)."""

from django.db import migrations


def fill(apps, schema_editor):
    # Only when there is something to index: this runs today's recipe (indexing.py), which a
    # fresh database, migrated long after this was written, has no reason to exercise here.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM archive_post) OR EXISTS (SELECT 1 FROM "
            "archive_sourcearticle) OR EXISTS (SELECT 1 FROM timeline_timelineevent) "
            "OR EXISTS (SELECT 1 FROM archive_account)"
        )
        if not cursor.fetchone()[0]:
            return
    from apps.search.indexing import index_rebuild

    index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_kind_date_index"),
        ("archive", "0003_provenance"),
        ("timeline", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
