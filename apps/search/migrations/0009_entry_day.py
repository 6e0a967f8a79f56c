"""The index's day (a stored generated column) and the text index rebuilt with it as a key.

Adding a stored generated column rewrites the search table, and the text index is built again:
on a large archive, searches wait for both (run it with the site in maintenance, or expect
slow searches meanwhile). The rows keep their order, so a table rebuilt in date order stays so.
"""

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_platform_language_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchentry",
            name="search_entry_gin",
        ),
        migrations.AddField(
            model_name="searchentry",
            name="day",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    models.F("date"),
                    output_field=models.IntegerField(),
                    template="((%(expressions)s AT TIME ZONE 'UTC')::date - DATE '1970-01-01')",
                ),
                output_field=models.IntegerField(),
            ),
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=[
                    "document",
                    "kind",
                    "platform",
                    "language",
                    "account_id",
                    "outlet_id",
                    "day",
                ],
                name="search_entry_gin",
            ),
        ),
    ]
