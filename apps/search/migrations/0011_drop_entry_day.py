"""The index's day column goes, with its key in the text index: no search has read it since the
windows-of-days plan was removed (issue 12, item 4).

The text index is built again without the key: on a large archive, searches are slow until it
is (a million entries: about a minute).
"""

import django.contrib.postgres.indexes
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_entry_kind_from_core"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchentry",
            name="search_entry_gin",
        ),
        migrations.RemoveField(
            model_name="searchentry",
            name="day",
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["document", "kind", "platform", "language", "account_id", "outlet_id"],
                name="search_entry_gin",
            ),
        ),
    ]
