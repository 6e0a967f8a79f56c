from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out the index's writers (entries published while it builds).
    atomic = False

    dependencies = [
        ("search", "0007_story_version"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="searchentry",
            index=models.Index(
                fields=["platform", "language", "date", "id"], name="search_entry_platform_lang"
            ),
        ),
    ]
