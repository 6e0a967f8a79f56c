"""Index what a database already holds when search arrives (a no-op on an empty one)."""

from django.db import migrations


def fill(apps, schema_editor):
    # The SQL recipe reads the entries' tables directly; nothing here depends on model state.
    from apps.search.indexing import index_rebuild

    index_rebuild()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_kind_date_index"),
        ("archive", "0003_provenance"),
        ("timeline", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
