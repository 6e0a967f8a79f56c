"""HostState now belongs to core (the guarded fetcher moved there); its table is kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ingest", "0001_initial"), ("core", "0001_hoststate_from_ingest")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="HostState")],
        ),
    ]
