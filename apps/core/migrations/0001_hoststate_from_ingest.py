"""HostState moves from ingest to core: the table stays where it is, only Django's state moves."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("ingest", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HostState",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("host", models.CharField(max_length=253, unique=True)),
                        ("blocked_until", models.DateTimeField(blank=True, null=True)),
                        ("last_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                    ],
                    options={"db_table": "ingest_hoststate"},
                ),
            ],
        ),
    ]
